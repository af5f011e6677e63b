"""A confirmation link confirms the details it was sent for: details submitted again after
the link was opened are not confirmed by pressing its button."""

from __future__ import annotations

import pytest
from django.test import Client

from letters.campaigns.models import Letter
from letters.signatures.models import Signature
from letters.signatures.services import (
    ConfirmationSuperseded,
    SignatureInput,
    signature_confirm,
    signature_submit,
)
from letters.signatures.tokens import confirm_token
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import committed

pytestmark = pytest.mark.django_db


def _submit(letter: Letter, name: str) -> Signature:
    with committed():
        result = signature_submit(
            letter=letter,
            version=letter.current_version,  # type: ignore[arg-type]
            data=SignatureInput(full_name=name, email="lena@example.org", country="AT"),
            consent=ConsentTextFactory.create(),
        )
    return Signature.objects.get(pk=result.signature_id)


def test_the_service_refuses_a_nonce_that_is_no_longer_the_rows() -> None:
    letter = LetterFactory.create()
    opened = _submit(letter, "Lena Muster")
    _submit(letter, "Someone Else Entirely")  # between opening the link and pressing confirm

    with pytest.raises(ConfirmationSuperseded):
        signature_confirm(signature_id=opened.pk, token_nonce=opened.token_nonce)

    opened.refresh_from_db()
    assert opened.status == Signature.Status.UNCONFIRMED


def test_the_old_link_says_a_newer_email_was_sent(client: Client) -> None:
    letter = LetterFactory.create()
    old_link = f"/signatures/confirm/{confirm_token(_submit(letter, 'Lena Muster'))}/"
    newer = _submit(letter, "Lena Muster-Huber")

    response = client.post(old_link)

    assert response.status_code == 400
    assert "A newer email was sent for this signature" in response.content.decode()
    newer.refresh_from_db()
    assert newer.status == Signature.Status.UNCONFIRMED

    with committed():
        assert client.post(f"/signatures/confirm/{confirm_token(newer)}/").status_code == 302
    newer.refresh_from_db()
    assert newer.status == Signature.Status.CONFIRMED and newer.full_name == "Lena Muster-Huber"
