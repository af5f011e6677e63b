"""The confirmation email leaves through a real Celery worker, after the signature commits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from letters.signatures.models import Signature
from tests.conftest import wait_for
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import JEAN, sign_data

pytestmark = pytest.mark.celery


def test_worker_sends_the_confirmation_email(
    celery_worker_factory: Callable[..., object], tmp_path: Path
) -> None:
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    outbox = tmp_path / "mail"
    celery_worker_factory(EMAIL_BACKEND="file", EMAIL_FILE_PATH=str(outbox))
    client = Client()

    response = client.post(f"/letters/{letter.slug}/sign/", sign_data(client, letter, **JEAN))
    assert response.status_code == 302

    def sent() -> str | None:
        files = list(outbox.glob("*.log")) if outbox.exists() else []
        return files[0].read_text() if files else None

    message = wait_for(sent)
    assert "To: jean.exemple@gmail.com" in message
    assert "/signatures/confirm/" in message
    assert "text/html" in message
    signature = wait_for(
        lambda: Signature.objects.filter(confirmation_sent_at__isnull=False).first()
    )
    assert signature.status == Signature.Status.UNCONFIRMED
