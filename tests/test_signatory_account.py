"""A signatory's own account: sign in by emailed code, see, change, withdraw, export, delete."""

from __future__ import annotations

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from letters.accounts.models import User
from letters.signatures.models import LetterStats, Signature
from letters.signatures.services import SignatureInput, signature_confirm, signature_submit
from tests.factories import ConsentTextFactory, InstitutionFactory, LetterFactory
from tests.signing import committed

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna() -> Signature:
    """Anna signed two letters with her university address and confirmed both."""
    tum = InstitutionFactory.create(name="Technical University of Munich", domains=["tum.de"])
    consent = ConsentTextFactory.create()
    signatures = []
    for letter in (LetterFactory.create(title="First letter"), LetterFactory.create()):
        with committed():
            result = signature_submit(
                letter=letter,
                version=letter.current_version,  # type: ignore[arg-type]
                data=SignatureInput(
                    full_name="Anna Beispiel",
                    email="anna@tum.de",
                    country="DE",
                    institution=tum,
                    title="Professor",
                ),
                consent=consent,
            )
            signatures.append(signature_confirm(signature_id=result.signature_id))
    mail.outbox.clear()
    return signatures[0]


def login_by_code(client: Client, email: str) -> None:
    with committed():
        response = client.post("/accounts/login/code/", {"email": email})
    assert response.status_code == 302, response.content.decode()[:500]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", str(mail.outbox[-1].body), re.MULTILINE)
    assert code, str(mail.outbox[-1].body)
    confirm = client.post("/accounts/login/code/confirm/", {"code": code.group(1)})
    assert confirm.status_code == 302


def test_sign_in_by_code_and_see_my_signatures(client: Client, anna: Signature) -> None:
    assert client.get("/my/signatures/").status_code == 302  # needs signing in
    login_by_code(client, "anna@tum.de")
    html = client.get("/my/signatures/").content.decode()
    assert "First letter" in html and html.count("Affiliation verified") == 2


def test_change_how_name_and_affiliation_appear(client: Client, anna: Signature) -> None:
    login_by_code(client, "anna@tum.de")
    response = client.post(
        f"/my/signatures/{anna.pk}/",
        {"display_name": "Prof. Dr. Anna Beispiel", "title": "Chair of ML", "show_affiliation": ""},
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.public_name == "Prof. Dr. Anna Beispiel" and anna.public_affiliation == ""
    event = anna.events.get(action="edited")
    assert event.changes["display_name"] == ["", "Prof. Dr. Anna Beispiel"]
    assert event.actor is not None and event.actor.email == "anna@tum.de"
    page = client.get(f"/letters/{anna.letter.slug}/signatories/").content.decode()
    assert "Prof. Dr. Anna Beispiel" in page and "Technical University of Munich" not in page


def test_cannot_touch_someone_elses_signature(client: Client, anna: Signature) -> None:
    User.objects.create_user(email="mallory@example.org")
    EmailAddress.objects.create(
        user=User.objects.get(email="mallory@example.org"),
        email="mallory@example.org", verified=True, primary=True,
    )  # fmt: skip
    login_by_code(client, "mallory@example.org")
    assert client.get(f"/my/signatures/{anna.pk}/").status_code == 404
    assert client.post(f"/my/signatures/{anna.pk}/withdraw/").status_code == 404


def test_withdraw_from_the_account(client: Client, anna: Signature) -> None:
    login_by_code(client, "anna@tum.de")
    asked = client.get(f"/my/signatures/{anna.pk}/withdraw/").content.decode()
    assert "Withdraw my signature" in asked and 'name="reason"' in asked
    anna.refresh_from_db()
    assert anna.status != Signature.Status.WITHDRAWN  # asking changes nothing
    with committed():
        client.post(f"/my/signatures/{anna.pk}/withdraw/", {"reason": "Changed my mind"})
    anna.refresh_from_db()
    assert anna.status == Signature.Status.WITHDRAWN
    assert "Changed my mind" in anna.events.get(action="withdrawn").reason
    assert LetterStats.objects.get(letter=anna.letter).total == 0
    listed = client.get("/my/signatures/").content.decode()
    assert "First letter" in listed and "withdrawn on" in listed


def test_download_my_data_as_json(client: Client, anna: Signature) -> None:
    login_by_code(client, "anna@tum.de")
    response = client.get("/my/data.json")
    assert response["Content-Disposition"] == 'attachment; filename="my-signatures.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "anna@tum.de"
    assert len(data["signatures"]) == 2
    first = data["signatures"][0]
    assert first["consent_text"] and first["verification"] == "affiliation"
    assert first["history"][0]["action"] == "confirmed"


def test_delete_account_and_everything_personal(client: Client, anna: Signature) -> None:
    login_by_code(client, "anna@tum.de")
    assert "Delete my account" in client.get("/my/delete/").content.decode()
    client.post("/my/delete/", {})  # without ticking the box nothing happens
    assert User.objects.filter(email="anna@tum.de").exists()
    with committed():
        response = client.post("/my/delete/", {"confirm": "yes"})
    assert "2 signatures were removed" in response.content.decode()
    assert not User.objects.filter(email="anna@tum.de").exists()
    assert not EmailAddress.objects.filter(email="anna@tum.de").exists()
    assert not Signature.objects.filter(email_normalized="anna@tum.de").exists()
    assert LetterStats.objects.get(letter=anna.letter).total == 0
    assert client.get("/my/signatures/").status_code == 302  # signed out


def test_unknown_address_gets_the_same_answer_as_a_known_one(
    client: Client, anna: Signature
) -> None:
    with committed():
        known = client.post("/accounts/login/code/", {"email": "anna@tum.de"})
        unknown = Client().post("/accounts/login/code/", {"email": "nobody@tum.de"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
