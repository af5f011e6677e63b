"""The email that answers signing again says what is true of the signature already there:
counted, waiting for review, or not accepted; and it is dated even for a signature an
organiser imported (which was never confirmed by email)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from letters.campaigns.models import Letter
from letters.signatures.models import Signature
from tests.factories import ConsentTextFactory, LetterFactory, SignatureFactory
from tests.signing import JEAN, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter() -> Letter:
    ConsentTextFactory.create()
    return LetterFactory.create(title="A Call to Protect Open-Source AI in Europe")


@pytest.mark.parametrize(
    ("status", "public", "confirmed", "says"),
    [
        ("approved", True, True, "already counts"),
        ("flagged", False, True, "waits for the organisers' review"),
        ("confirmed", False, True, "waits for the organisers' review"),
        ("rejected", False, True, "The organisers did not accept"),
        ("approved", True, False, "already counts"),  # imported: no confirmation date
    ],
)
def test_it_says_what_became_of_the_signature(
    client: Client, letter: Letter, status: str, public: bool, confirmed: bool, says: str
) -> None:
    existing = SignatureFactory.create(
        letter=letter, email=JEAN["email"], status=status, is_public=public,
        confirmed_at=timezone.now() if confirmed else None,
    )  # fmt: skip
    mail.outbox.clear()

    sign(client, letter, **JEAN)

    assert len(mail.outbox) == 1
    text = str(mail.outbox[0].body)
    html = str(mail.outbox[0].alternatives[0][0])  # type: ignore[union-attr]
    assert says in text and says in html
    others = {"already counts", "waits for the organisers' review", "The organisers did not accept"}
    assert not any(other in text for other in others - {says})
    date = (existing.confirmed_at or existing.created_at).strftime("%-d %B %Y")
    assert date in text
    assert Signature.objects.get(pk=existing.pk).status == status
