"""Public counters: batched recounts, correct within the refresh window, one count per burst."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from letters.signatures.models import LetterStats, Signature
from letters.signatures.services import SignatureInput, signature_confirm, signature_submit
from tests.conftest import wait_for
from tests.factories import ConsentTextFactory, LetterFactory


@pytest.mark.celery
def test_a_burst_of_confirmations_is_counted_by_one_delayed_recount(
    celery_worker_factory: Callable[..., Any], settings: Any
) -> None:
    settings.STATS_REFRESH_SECONDS = 2
    consent = ConsentTextFactory.create()
    letter = LetterFactory.create()
    worker = celery_worker_factory()
    for i in range(8):
        result = signature_submit(
            letter=letter,
            version=letter.current_version,  # type: ignore[arg-type]
            data=SignatureInput(full_name=f"Person {i}", email=f"p{i}@example.org", country="DE"),
            consent=consent,
        )
        signature_confirm(signature_id=result.signature_id)
    assert Signature.objects.filter(is_public=True).count() == 8

    stats = wait_for(lambda: LetterStats.objects.filter(letter=letter, total=8).first())
    assert stats.by_country == {"DE": 8}
    recounts = re.findall(r"refresh_letter_stats\[[^\]]+\] succeeded", worker.log.read_text())
    assert len(recounts) == 1


@pytest.mark.django_db
def test_pages_read_the_counter_row_not_the_signatures(client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    letter = LetterFactory.create()
    LetterStats.objects.create(letter=letter, total=123_456, organisations=7)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "123,456" in html
    assert not any("COUNT(" in q["sql"].upper() for q in queries)
