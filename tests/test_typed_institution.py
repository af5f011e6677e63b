"""An institution typed by its exact registered name counts as picked from the registry."""

from __future__ import annotations

import pytest

from letters.signatures.models import Signature, SignatureEvent
from letters.signatures.services import SignatureInput, signature_confirm, signature_submit
from tests.factories import ConsentTextFactory, InstitutionFactory, LetterFactory
from tests.signing import committed

pytestmark = pytest.mark.django_db


def _confirmed(email: str, institution_name: str, country: str = "NL") -> Signature:
    letter = LetterFactory.create()
    assert letter.current_version is not None
    with committed():
        result = signature_submit(
            letter=letter,
            version=letter.current_version,
            data=SignatureInput(
                full_name="Eva de Vries",
                email=email,
                country=country,
                institution_name=institution_name,
            ),
            consent=ConsentTextFactory.create(),
        )
        return signature_confirm(signature_id=result.signature_id)


def test_the_exact_name_links_and_the_address_then_proves_it() -> None:
    uva = InstitutionFactory.create(
        name="University of Amsterdam", country="NL", domains=["uva.nl"]
    )
    signature = _confirmed("e.devries@uva.nl", "  university of  AMSTERDAM ")
    assert signature.institution == uva
    assert signature.institution_name == "  university of  AMSTERDAM "  # as typed
    assert signature.level == Signature.Level.AFFILIATION
    event = SignatureEvent.objects.get(signature=signature, action="confirmed")
    assert event.changes == {"institution": [None, "University of Amsterdam"]}
    assert "registered name" in event.reason


def test_a_name_that_is_not_registered_stays_free_text() -> None:
    InstitutionFactory.create(name="University of Amsterdam", country="NL", domains=["uva.nl"])
    signature = _confirmed("e.devries@uva.nl", "Amsterdam University")
    assert signature.institution is None
    assert signature.level == Signature.Level.EMAIL
    event = SignatureEvent.objects.get(signature=signature, action="confirmed")
    assert event.changes == {} and event.reason == ""


def test_a_shared_name_is_settled_by_the_country_or_left_alone() -> None:
    InstitutionFactory.create(name="Open Science Institute", country="DE")
    dutch = InstitutionFactory.create(name="Open Science Institute", country="NL")
    assert _confirmed("a@example.org", "Open Science Institute", "NL").institution == dutch
    assert _confirmed("b@example.org", "Open Science Institute", "FR").institution is None


def test_an_institution_merged_away_is_not_linked() -> None:
    InstitutionFactory.create(name="Old Name Institute", country="NL", is_active=False)
    assert _confirmed("c@example.org", "Old Name Institute").institution is None
