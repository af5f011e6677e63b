"""The "affiliation verified" badge says what an institution's registered domains prove
now: a domain an organiser removes (or a registry import drops) takes it away from the
signatures at that domain, one added gives it, and each change is audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from letters.institutions.models import Institution, InstitutionDomain
from letters.institutions.services import (
    institution_domain_add,
    institution_domains_save,
    institutions_import,
)
from letters.signatures.models import Signature
from letters.signatures.services import SignatureInput, signature_confirm, signature_submit
from tests.factories import ConsentTextFactory, InstitutionFactory, LetterFactory
from tests.signing import committed

pytestmark = pytest.mark.django_db


def _signed_at(institution: object, email: str) -> Signature:
    letter = LetterFactory.create()
    with committed():
        result = signature_submit(
            letter=letter,
            version=letter.current_version,  # type: ignore[arg-type]
            data=SignatureInput(
                full_name="Anna Beispiel", email=email, country="DE",
                institution=institution,  # type: ignore[arg-type]
            ),
            consent=ConsentTextFactory.create(),
        )  # fmt: skip
        return signature_confirm(signature_id=result.signature_id)


def test_removing_a_domain_takes_the_badge_away_and_adding_it_gives_it_back() -> None:
    tum = InstitutionFactory.create(name="Technical University of Munich", domains=["tum.de"])
    anna = _signed_at(tum, "anna@tum.de")
    assert anna.level == Signature.Level.AFFILIATION

    with committed():
        institution_domains_save(
            institution=tum,
            rows=[],
            deleted=list(InstitutionDomain.objects.filter(domain="tum.de")),
        )

    anna.refresh_from_db()
    assert anna.level == Signature.Level.EMAIL
    event = anna.events.get(action="level_changed")
    assert event.changes == {"level": ["affiliation", "email"]}

    with committed():
        institution_domain_add(institution=tum, domain="tum.de")

    anna.refresh_from_db()
    assert anna.level == Signature.Level.AFFILIATION
    assert anna.events.filter(action="level_changed").count() == 2


def test_others_keep_their_level() -> None:
    tum = InstitutionFactory.create(name="Technical University of Munich", domains=["tum.de"])
    lmu = InstitutionFactory.create(name="LMU Munich", domains=["lmu.de"])
    anna = _signed_at(tum, "anna@tum.de")
    lena = _signed_at(lmu, "lena@lmu.de")

    with committed():
        institution_domain_add(institution=tum, domain="mytum.de")

    for signature in (anna, lena):
        signature.refresh_from_db()
        assert signature.level == Signature.Level.AFFILIATION
        assert not signature.events.filter(action="level_changed").exists()


def test_a_domain_a_registry_import_drops_takes_the_badge_away(tmp_path: Path) -> None:
    entry = {
        "name": "Universität Beispielstadt", "country": "Germany", "alpha_two_code": "DE",
        "domains": ["uni-beispiel.de"], "web_pages": ["https://uni-beispiel.de/"],
        "state-province": None,
    }  # fmt: skip
    path = tmp_path / "world_universities_and_domains.json"
    path.write_text(json.dumps([entry]))
    institutions_import(path=path)
    uni = Institution.objects.get(name="Universität Beispielstadt")
    signature = _signed_at(uni, "ben@uni-beispiel.de")
    assert signature.level == Signature.Level.AFFILIATION

    path.write_text(json.dumps([{**entry, "domains": ["beispiel-uni.de"]}]))
    with committed():
        institutions_import(path=path)

    signature.refresh_from_db()
    assert signature.level == Signature.Level.EMAIL
