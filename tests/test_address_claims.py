"""An address typed on someone's account page but never verified gives them nothing: not the
signatures later confirmed with it, not the power to delete them with their account."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from letters.accounts.models import User
from letters.campaigns.models import Letter
from letters.signatures.models import Signature
from letters.signatures.selectors import account_data, signatures_of_user
from letters.signatures.services import (
    SignatureInput,
    account_delete,
    signature_confirm,
    signature_submit,
)
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import committed

pytestmark = pytest.mark.django_db


def _sign(letter: Letter, email: str, name: str) -> int:
    with committed():
        result = signature_submit(
            letter=letter,
            version=letter.current_version,  # type: ignore[arg-type]
            data=SignatureInput(full_name=name, email=email, country="DE"),
            consent=ConsentTextFactory.create(),
        )
    return result.signature_id


@pytest.fixture
def letter() -> Letter:
    return LetterFactory.create()


@pytest.fixture
def mallory(letter: Letter) -> User:
    """Mallory signed with her own address, then typed Victor's on her account page."""
    signature = signature_confirm(signature_id=_sign(letter, "mallory@example.org", "Mallory"))
    assert signature.signer is not None
    EmailAddress.objects.create(
        user=signature.signer, email="victor@example.org", verified=False, primary=False
    )
    mail.outbox.clear()
    return signature.signer


def test_confirming_gives_the_signature_to_whoever_proved_the_address(
    letter: Letter, mallory: User
) -> None:
    other = LetterFactory.create()
    victor = signature_confirm(signature_id=_sign(other, "victor@example.org", "Victor Opfer"))

    assert victor.signer is not None and victor.signer != mallory
    assert victor.signer.email == "victor@example.org"
    assert EmailAddress.objects.get(email="victor@example.org").user == victor.signer
    assert not signatures_of_user(user=mallory).filter(pk=victor.pk).exists()


def test_confirming_in_the_browser_signs_in_the_owner_not_the_claimant(
    client: Client, letter: Letter, mallory: User
) -> None:
    from letters.signatures.tokens import confirm_token

    signature = Signature.objects.get(pk=_sign(LetterFactory.create(), "victor@example.org", "V"))
    client.get(f"/signatures/confirm/{confirm_token(signature)}/")
    with committed():
        client.post(f"/signatures/confirm/{confirm_token(signature)}/")

    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    signed_in = client.session.get("_auth_user_id")
    assert signed_in is not None and int(signed_in) != mallory.pk
    assert int(signed_in) == signature.signer_id


def test_deleting_an_account_spares_signatures_at_addresses_it_never_proved(
    letter: Letter, mallory: User
) -> None:
    pending = _sign(LetterFactory.create(), "victor@example.org", "Victor Opfer")
    confirmed = signature_confirm(
        signature_id=_sign(LetterFactory.create(), "victor@example.org", "Victor Opfer")
    )
    # The confirmation above dropped Mallory's claim; she types the address again.
    EmailAddress.objects.create(user=mallory, email="victor@example.org", verified=False)

    deleted = account_delete(user=mallory)

    assert deleted == 1  # her own signature only
    assert Signature.objects.filter(pk__in=[pending, confirmed.pk]).count() == 2
    assert not User.objects.filter(pk=mallory.pk).exists()


def test_the_list_the_download_and_deletion_cover_the_same_signatures(letter: Letter) -> None:
    """An organiser imported a signature for Anna's address before she ever confirmed one;
    once her account has proven the address, it is hers to see, download and delete."""
    own = signature_confirm(signature_id=_sign(letter, "anna@tum.de", "Anna Beispiel"))
    assert own.signer is not None
    pending = _sign(LetterFactory.create(), "anna@tum.de", "Anna Beispiel")

    listed = {s.letter.get_absolute_url() for s in signatures_of_user(user=own.signer)}
    downloaded = {s["letter_url"] for s in account_data(user=own.signer)["signatures"]}

    expected = {Signature.objects.get(pk=pk).letter.get_absolute_url() for pk in (own.pk, pending)}
    assert listed == downloaded == expected
    assert account_delete(user=own.signer) == 2
    assert not Signature.objects.filter(pk__in=[own.pk, pending]).exists()
