"""Batched public counters (see `LetterStats`)."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from letters.common.debounce import task_run_after_window
from letters.signatures.models import LetterStats, Signature


def letter_stats_refresh(*, letter_id: int) -> LetterStats:
    """Recount a letter's public signatures in one grouped query."""
    rows = (
        Signature.objects.filter(letter_id=letter_id, is_public=True)
        .order_by()
        .values_list("capacity", "country", "level")
        .annotate(n=Count("id"))
    )
    by_country: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    people_by_country: Counter[str] = Counter()
    people_by_level: Counter[str] = Counter()
    organisations = 0
    for capacity, country, level, n in rows:
        by_country[str(country)] += n
        by_level[level] += n
        if capacity == Signature.Capacity.ORGANISATION:
            organisations += n
        else:
            people_by_country[str(country)] += n
            people_by_level[level] += n
    stats, _ = LetterStats.objects.update_or_create(
        letter_id=letter_id,
        defaults={
            "total": sum(by_country.values()),
            "organisations": organisations,
            "by_country": dict(sorted(by_country.items())),
            "by_level": dict(by_level),
            "people_by_country": dict(sorted(people_by_country.items())),
            "people_by_level": dict(people_by_level),
            "refreshed_at": timezone.now(),
        },
    )
    return stats


def letter_stats_schedule_refresh(*, letter_id: int) -> None:
    """Ask for a recount once the current transaction commits.

    Under load many signatures arrive within the refresh window; only the first schedules
    a recount, at the end of the window, so it counts all of them in one query."""
    from letters.signatures.tasks import refresh_letter_stats

    task_run_after_window(
        task=refresh_letter_stats,
        key=f"letter-stats:{letter_id}",
        seconds=settings.STATS_REFRESH_SECONDS,
        args=(letter_id,),
    )
