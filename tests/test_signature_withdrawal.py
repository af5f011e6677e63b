"""Withdrawing: from the link in the email, or from the signatory's account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from letters.campaigns.models import Letter
from letters.signatures.models import LetterStats, Signature
from letters.signatures.services import signature_confirm
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import JEAN, committed, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(client: Client) -> Signature:
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    sign(client, letter, **JEAN)
    with committed():
        return signature_confirm(signature_id=Signature.objects.get().pk)


def withdraw_path() -> str:
    match = re.search(r"(/signatures/withdraw/[^/\s]+/)", str(mail.outbox[0].body))
    assert match
    return match.group(1)


def test_link_shows_a_page_and_only_the_button_withdraws(
    client: Client, confirmed: Signature
) -> None:
    page = client.get(withdraw_path())
    assert "Withdraw my signature" in page.content.decode()
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    with committed():
        done = client.post(withdraw_path(), {"reason": "Changed my mind"})
    assert "Your signature is withdrawn" in done.content.decode()
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.WITHDRAWN and not signature.is_public
    assert signature.events.filter(action="withdrawn", reason="Changed my mind").exists()


def test_withdrawn_signature_leaves_public_pages_and_counters(
    client: Client, confirmed: Signature
) -> None:
    letter: Letter = confirmed.letter
    assert "Jean Exemple" in client.get(f"/letters/{letter.slug}/signatories/").content.decode()
    assert LetterStats.objects.get(letter=letter).total == 1
    with committed():
        client.post(withdraw_path())
    assert "Jean Exemple" not in client.get(f"/letters/{letter.slug}/signatories/").content.decode()
    assert LetterStats.objects.get(letter=letter).total == 0


def test_a_withdrawn_signer_can_sign_again(client: Client, confirmed: Signature) -> None:
    with committed():
        client.post(withdraw_path())
    mail.outbox.clear()
    sign(client, confirmed.letter, **JEAN)
    assert Signature.objects.filter(status=Signature.Status.UNCONFIRMED).count() == 1
    assert "Confirm your signature" in mail.outbox[0].subject


def test_unconfirmed_signature_can_be_refused_from_the_email(client: Client) -> None:
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    sign(client, letter, **JEAN)
    with committed():
        client.post(withdraw_path(), {"reason": "This was not me"})
    assert Signature.objects.get().status == Signature.Status.WITHDRAWN
    confirm = re.search(r"(/signatures/confirm/[^/\s]+/)", str(mail.outbox[0].body))
    assert confirm
    assert client.post(confirm.group(1)).status_code == 410
