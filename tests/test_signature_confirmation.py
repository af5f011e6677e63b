"""Confirming a signature: a GET shows, only a POST confirms (mail scanners follow links)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from letters.campaigns.models import Letter
from letters.signatures.models import LetterStats, Signature, SignatureEvent
from tests.factories import ConsentTextFactory, InstitutionFactory, LetterFactory
from tests.signing import ANNA, JEAN, committed, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter() -> Letter:
    ConsentTextFactory.create()
    return LetterFactory.create()


def confirm_path(message_body: str) -> str:
    match = re.search(r"https?://[^/]+(/signatures/confirm/[^/\s]+/)", message_body)
    assert match, message_body
    return match.group(1)


def test_get_shows_the_details_and_confirms_nothing(client: Client, letter: Letter) -> None:
    sign(client, letter, **JEAN)
    page = client.get(confirm_path(str(mail.outbox[0].body)))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Jean Exemple" in html and "Confirm my signature" in html
    assert Signature.objects.get().status == Signature.Status.UNCONFIRMED


def test_post_confirms_counts_and_signs_the_person_in(client: Client, letter: Letter) -> None:
    sign(client, letter, **JEAN)
    path = confirm_path(str(mail.outbox[0].body))
    with committed():
        response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == f"/letters/{letter.slug}/sign/thank-you/"
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.CONFIRMED
    assert signature.is_public
    assert signature.level == Signature.Level.EMAIL
    assert signature.signer is not None and signature.signer.email == "jean.exemple@gmail.com"
    assert SignatureEvent.objects.filter(signature=signature, action="confirmed").exists()
    assert LetterStats.objects.get(letter=letter).total == 1
    thanks = client.get(response["Location"]).content.decode()
    assert "your signature counts" in thanks
    assert "Email confirmed" in thanks
    assert client.get("/my/signatures/").status_code == 200  # signed in


def test_confirming_twice_is_harmless(client: Client, letter: Letter) -> None:
    sign(client, letter, **JEAN)
    path = confirm_path(str(mail.outbox[0].body))
    with committed():
        client.post(path)
        second = Client().post(path)
    assert second.status_code == 200
    assert "already confirmed" in second.content.decode()
    assert SignatureEvent.objects.filter(action="confirmed").count() == 1


def test_institutional_address_verifies_the_affiliation(client: Client, letter: Letter) -> None:
    tum = InstitutionFactory.create(name="Technical University of Munich", domains=["tum.de"])
    sign(client, letter, **{**ANNA, "email": "anna.beispiel@cit.tum.de"}, institution=tum.pk)
    with committed():
        client.post(confirm_path(str(mail.outbox[0].body)))
    assert Signature.objects.get().level == Signature.Level.AFFILIATION


def test_an_address_elsewhere_does_not_verify_the_affiliation(
    client: Client, letter: Letter
) -> None:
    tum = InstitutionFactory.create(name="Technical University of Munich", domains=["tum.de"])
    sign(client, letter, **{**ANNA, "email": "anna@nottum.de"}, institution=tum.pk)
    with committed():
        client.post(confirm_path(str(mail.outbox[0].body)))
    assert Signature.objects.get().level == Signature.Level.EMAIL


@pytest.mark.parametrize("token", ["garbage", "eyJzIjoxfQ:1tQ:abc"])
def test_broken_links_get_a_clear_answer(client: Client, token: str) -> None:
    response = client.get(f"/signatures/confirm/{token}/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_expired_links_say_so(client: Client, letter: Letter, settings) -> None:
    sign(client, letter, **JEAN)
    settings.CONFIRMATION_LINK_DAYS = -1
    response = client.get(confirm_path(str(mail.outbox[0].body)))
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_pre_moderated_letter_holds_confirmed_signatures(client: Client) -> None:
    ConsentTextFactory.create()
    letter = LetterFactory.create(moderation=Letter.Moderation.PRE)
    sign(client, letter, **JEAN)
    with committed():
        client.post(confirm_path(str(mail.outbox[0].body)))
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.CONFIRMED and not signature.is_public
    assert "Jean Exemple" not in client.get(f"/letters/{letter.slug}/signatories/").content.decode()
