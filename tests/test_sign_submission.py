"""Signing on the web: a valid form stores an unconfirmed signature and queues its email."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from letters.signatures.models import LetterStats, Signature
from tests.factories import ConsentTextFactory, InstitutionFactory, LetterFactory
from tests.signing import ANNA, JEAN, committed, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter():
    ConsentTextFactory.create()
    return LetterFactory.create(title="A Call to Protect Open-Source AI in Europe")


def test_signing_stores_an_unconfirmed_signature_and_emails_a_link(client: Client, letter) -> None:
    tum = InstitutionFactory.create(name="Technical University of Munich", domains=["tum.de"])
    response = sign(client, letter, **ANNA, institution=tum.pk)

    assert response.status_code == 302
    assert response["Location"] == f"/letters/{letter.slug}/sign/check-email/"
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.UNCONFIRMED
    assert not signature.is_public
    assert signature.full_name == "Anna Beispiel"
    assert signature.institution == tum
    assert signature.letter_version == letter.current_version
    assert signature.consent is not None and signature.consent.is_current
    assert signature.ip_hash and "127.0.0.1" not in signature.ip_hash

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna.beispiel@tum.de"]
    assert "Confirm your signature" in message.subject
    assert "/signatures/confirm/" in message.body
    assert "/signatures/withdraw/" in message.body
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html" and "Confirm my signature" in str(html)


def test_check_email_page_says_what_to_do(client: Client, letter) -> None:
    response = sign(client, letter, **JEAN)
    page = client.get(response["Location"]).content.decode()
    assert "Check your email" in page
    assert "not counted or shown" in page


def test_unconfirmed_signatures_never_count_or_show(client: Client, letter) -> None:
    sign(client, letter, **JEAN)
    assert LetterStats.objects.filter(letter=letter, total__gt=0).count() == 0
    assert "Jean Exemple" not in client.get(f"/letters/{letter.slug}/signatories/").content.decode()
    assert (
        '<strong class="counter__number">0</strong>'
        in client.get(f"/letters/{letter.slug}/").content.decode()
    )


def test_the_page_is_the_same_whether_or_not_the_email_signed_before(
    client: Client,
    letter,
) -> None:
    first = sign(client, letter, **JEAN)
    signature = Signature.objects.get()
    from letters.signatures.services import signature_confirm

    with committed():
        signature_confirm(signature_id=signature.pk)
    again = sign(client, letter, **{**JEAN, "full_name": "Someone Else"})
    stranger = sign(client, letter, full_name="New Person", email="new.person@example.org")
    assert first.status_code == again.status_code == stranger.status_code == 302
    assert first["Location"] == again["Location"] == stranger["Location"]


def test_signing_again_after_confirming_changes_nothing_and_says_so_by_email(
    client: Client,
    letter,
) -> None:
    from letters.signatures.services import signature_confirm

    sign(client, letter, **JEAN)
    with committed():
        signature_confirm(signature_id=Signature.objects.get().pk)
    mail.outbox.clear()
    sign(client, letter, **{**JEAN, "full_name": "Jean Changed", "country": "BE"})

    signature = Signature.objects.get()
    assert signature.full_name == "Jean Exemple" and signature.country == "FR"
    assert Signature.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "already signed" in mail.outbox[0].subject
    assert "nothing has changed" in str(mail.outbox[0].body)


def test_signing_again_before_confirming_replaces_details_and_old_link(
    client: Client,
    letter,
) -> None:
    sign(client, letter, **JEAN)
    old_link = str(mail.outbox[0].body).split("/signatures/confirm/")[1].split("/")[0]
    sign(client, letter, **{**JEAN, "full_name": "Jean Exemple-Corrigé"})
    assert Signature.objects.get().full_name == "Jean Exemple-Corrigé"
    assert len(mail.outbox) == 2
    response = client.get(f"/signatures/confirm/{old_link}/")
    assert response.status_code == 400
    assert "newer email" in response.content.decode()


def test_the_sign_form_page_works_on_its_own(client: Client, letter) -> None:
    page = client.get(f"/letters/{letter.slug}/sign/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="full_name"' in html and "altcha-widget" in html
    assert "I agree that my name" in html
