"""The audit trail: every change of state and of public details, who made it, when and why,
on the signature's admin page and exported."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from letters.signatures.models import Signature
from letters.signatures.services import signature_update_display, signature_withdraw
from tests.curation.admin_helpers import CHANGELIST, act, change_form_data
from tests.curation.people import ANNA, CLARA, sign_and_confirm, tum
from tests.factories import InstitutionFactory, LetterFactory
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client: Client) -> Client:
    return staff_login(client, staff_user(CLARA, role="curator"))


@pytest.fixture
def anna() -> Signature:
    return sign_and_confirm(LetterFactory.create(), **{**ANNA, "email": "anna@uva.nl"},
                            institution_name="Universiteit van Amsterdam")  # fmt: skip


def test_editing_public_details_needs_a_reason_and_is_kept(
    curator: Client, anna: Signature
) -> None:
    url = f"{CHANGELIST}{anna.pk}/change/"
    data = change_form_data(curator, url)
    data.update(full_name="Anna M. Beispiel", reason="")
    refused = curator.post(url, data)
    assert (
        refused.status_code == 200 and "Say why these details change." in refused.content.decode()
    )
    anna.refresh_from_db()
    assert anna.full_name == "Anna Beispiel"

    data["reason"] = "Spelling confirmed by email"
    assert curator.post(url, data).status_code == 302
    anna.refresh_from_db()
    assert anna.full_name == "Anna M. Beispiel" and "anna m beispiel" in anna.search_text
    event = anna.events.get(action="edited")
    assert event.changes == {"full_name": ["Anna Beispiel", "Anna M. Beispiel"]}
    assert event.reason == "Spelling confirmed by email"
    assert event.actor is not None and event.actor.email == CLARA


def test_picking_the_registered_institution_recomputes_the_level(
    curator: Client, anna: Signature
) -> None:
    uva = InstitutionFactory.create(
        name="University of Amsterdam", country="NL", domains=["uva.nl"]
    )
    assert anna.level == Signature.Level.EMAIL
    url = f"{CHANGELIST}{anna.pk}/change/"
    data = change_form_data(curator, url)
    data.update(institution=uva.pk, reason="Linked to the registry")
    assert curator.post(url, data).status_code == 302
    anna.refresh_from_db()
    assert anna.institution_id == uva.pk and anna.level == Signature.Level.AFFILIATION
    assert anna.events.get(action="edited").changes["institution"] == [
        None,
        "University of Amsterdam",
    ]


def test_the_signature_page_shows_the_trail_and_the_signals(curator: Client) -> None:
    letter = LetterFactory.create()
    signature = sign_and_confirm(letter, institution=tum(), **{**ANNA, "email": "anna@gmail.com"})
    act(curator, "reject", [signature], apply="yes", reason="Could not reach her")
    page = curator.get(f"{CHANGELIST}{signature.pk}/change/").content.decode()
    assert "Could not reach her" in page and CLARA in page
    assert "confirmed" in page and "rejected" in page
    assert "free-mail provider" in page  # the signal's explanation, in plain words


def test_the_trail_exports_with_every_step(curator: Client, anna: Signature) -> None:
    signature_update_display(
        signature_id=anna.pk, actor=anna.signer, display_name="Dr Anna Beispiel", title="Prof.",
        show_affiliation=True, reason="Edited by the signatory",
    )  # fmt: skip
    act(curator, "flag", [anna], apply="yes", reason="Is she really at UvA?")
    signature_withdraw(signature_id=anna.pk, actor=anna.signer, reason="Changed my mind")
    response: Any = curator.get(f"{CHANGELIST}{anna.pk}/audit.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [r["action"] for r in rows] == ["confirmed", "edited", "flagged", "withdrawn"]
    assert rows[2]["actor"] == CLARA and rows[2]["reason"] == "Is she really at UvA?"
    assert rows[1]["actor"] == "anna@uva.nl"
    assert "Dr Anna Beispiel" in rows[1]["changes"]
    # The whole list's trail, filtered as the list is.
    listed: Any = curator.get(f"{CHANGELIST}export/audit/", {"letter__id__exact": anna.letter_id})
    text = b"".join(listed.streaming_content).decode("utf-8-sig")
    assert text.count("\n") == 5 and "Changed my mind" in text
