"""The confirmation emails leave through a real Celery worker, after the signatures commit:
a burst of signatures within the window goes out in one run, each to its signer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from letters.signatures.models import Signature
from tests.conftest import wait_for
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import JEAN, sign_data

pytestmark = pytest.mark.celery


def test_worker_sends_the_confirmation_emails(
    celery_worker_factory: Callable[..., object], tmp_path: Path, settings: Any
) -> None:
    settings.CONFIRMATION_BATCH_SECONDS = 3  # a window, as in production (1 s there)
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    outbox = tmp_path / "mail"
    celery_worker_factory(EMAIL_BACKEND="file", EMAIL_FILE_PATH=str(outbox))
    client = Client()
    addresses = [JEAN["email"], "second.signer@example.org", "third.signer@example.org"]

    for address in addresses:
        data = sign_data(client, letter, **{**JEAN, "email": address})
        assert client.post(f"/letters/{letter.slug}/sign/", data).status_code == 302

    def sent() -> str | None:
        files = list(outbox.glob("*.log")) if outbox.exists() else []
        text = "".join(f.read_text() for f in files)
        return text if all(f"To: {a}" in text for a in addresses) else None

    messages = wait_for(sent)
    assert messages.count("/signatures/confirm/") >= len(addresses)
    assert "text/html" in messages
    # One run handled the burst: the file backend writes one file per connection.
    assert len(list(outbox.glob("*.log"))) == 1
    wait_for(
        lambda: (
            Signature.objects.filter(confirmation_sent_at__isnull=False).count() == len(addresses)
        )
    )
    assert set(Signature.objects.values_list("status", flat=True)) == {"unconfirmed"}
