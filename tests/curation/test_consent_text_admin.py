"""Organisers change the consent wording in the admin; signatures keep the one they agreed to."""

from __future__ import annotations

import pytest
from django.test import Client

from letters.curation.roles import CURATOR, ORGANISER
from letters.signatures.models import ConsentText, Signature
from letters.signatures.services import SigningError, consent_publish
from tests.curation.people import CLARA, OSKAR
from tests.factories import LetterFactory
from tests.signing import sign
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db

ADD = "/admin/signatures/consenttext/add/"
LIST = "/admin/signatures/consenttext/"
NEW_WORDING = "I agree that my name and affiliation are published with this letter (2027)."


@pytest.fixture
def organiser() -> Client:
    return staff_login(Client(), staff_user(OSKAR, role=ORGANISER))


def test_a_new_wording_is_signed_from_then_on_and_the_old_signatures_keep_theirs(
    organiser: Client,
) -> None:
    letter = LetterFactory.create()
    before = ConsentText.objects.get(is_current=True)
    sign(Client(), letter, email="early@example.org")

    response = organiser.post(
        ADD, {"version": "2027-01", "text": NEW_WORDING, "make_current": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    current = ConsentText.objects.get(is_current=True)
    assert (current.version, current.text) == ("2027-01", NEW_WORDING)
    assert ConsentText.objects.filter(pk=before.pk, is_current=False).exists()
    visitor = Client()
    assert NEW_WORDING in visitor.get(f"/letters/{letter.slug}/sign/").content.decode()
    sign(visitor, letter, email="late@example.org")
    assert Signature.objects.get(email="early@example.org").consent == before
    assert Signature.objects.get(email="late@example.org").consent == current


def test_a_saved_wording_cannot_be_edited_or_deleted(organiser: Client) -> None:
    consent = ConsentText.objects.get(is_current=True)
    page = f"{LIST}{consent.pk}/change/"
    organiser.post(page, {"version": "changed", "text": "Something else entirely."})
    consent.refresh_from_db()
    assert consent.version != "changed" and consent.text != "Something else entirely."
    assert organiser.get(f"{LIST}{consent.pk}/delete/").status_code == 403


def test_an_older_wording_can_be_brought_back(organiser: Client) -> None:
    first = ConsentText.objects.get(is_current=True)
    consent_publish(version="2027-01", text=NEW_WORDING)
    response = organiser.post(LIST, {"action": "make_current", "_selected_action": [str(first.pk)]})
    assert response.status_code == 302
    assert list(ConsentText.objects.filter(is_current=True)) == [first]


def test_a_version_is_used_once() -> None:
    consent_publish(version="2027-01", text=NEW_WORDING)
    with pytest.raises(SigningError, match="already"):
        consent_publish(version="2027-01", text="Another wording.")
    with pytest.raises(SigningError, match="version and its wording"):
        consent_publish(version="2027-02", text="   ")


def test_a_curator_cannot_change_the_wording(client: Client) -> None:
    curator = staff_login(client, staff_user(CLARA, role=CURATOR))
    assert curator.get(ADD).status_code == 403
    assert curator.get(LIST).status_code == 403
