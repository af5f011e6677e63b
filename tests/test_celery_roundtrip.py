"""A task sent through Redis is executed by a real Celery worker process."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from letters.signatures.models import LetterStats
from letters.signatures.tasks import refresh_letter_stats
from tests.conftest import wait_for
from tests.factories import LetterFactory, SignatureFactory

pytestmark = pytest.mark.celery


def test_worker_recounts_a_letter_through_redis(
    celery_worker_factory: Callable[..., object],
) -> None:
    letter = LetterFactory.create()
    SignatureFactory.create_batch(4, letter=letter, country="FR")
    SignatureFactory.create_batch(2, letter=letter, country="IT")
    SignatureFactory.create(letter=letter, is_public=False, status="unconfirmed")
    assert not LetterStats.objects.filter(letter=letter).exists()

    celery_worker_factory()
    refresh_letter_stats.delay(letter.pk)

    stats = wait_for(lambda: LetterStats.objects.filter(letter=letter, total__gt=0).first())
    assert stats.total == 6
    assert stats.by_country == {"FR": 4, "IT": 2}
