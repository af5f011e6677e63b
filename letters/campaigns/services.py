from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from letters.accounts.models import User
from letters.campaigns.models import Letter, LetterVersion, Recommendation


@dataclass(frozen=True)
class RecommendationData:
    slug: str
    title: str
    body: str = ""


def _snapshot(letter: Letter) -> dict[str, Any]:
    return {
        "title": letter.title,
        "subtitle": letter.subtitle,
        "addressee": letter.addressee,
        "body": letter.body,
        "closing": letter.closing,
        "recommendations": [
            {"number": r.number, "slug": r.slug, "title": r.title, "body": r.body}
            for r in letter.recommendations.order_by("number")
        ],
    }


def _digest(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def letter_record_version(
    *, letter: Letter, user: User | None = None, note: str = ""
) -> LetterVersion:
    """Snapshot the letter's text as a new version, unless it is unchanged.

    The letter row is locked so that two editors saving at once get consecutive numbers."""
    locked = Letter.objects.select_for_update().get(pk=letter.pk)
    snapshot = _snapshot(locked)
    digest = _digest(snapshot)
    current = locked.current_version
    if current is not None and current.sha256 == digest:
        return current
    number = (current.number if current else 0) + 1
    version = LetterVersion.objects.create(
        letter=locked,
        number=number,
        sha256=digest,
        note=note[:300],
        created_by=user,
        **snapshot,
    )
    locked.current_version = version
    locked.save(update_fields=["current_version", "updated_at"])
    letter.current_version = version
    return version


@transaction.atomic
def letter_set_recommendations(
    *, letter: Letter, recommendations: Sequence[RecommendationData]
) -> None:
    """Make the letter's recommendations exactly these, numbered in the given order.

    Rows are matched by their anchor slug so that links to a recommendation survive edits."""
    slugs = [rec.slug for rec in recommendations]
    if len(set(slugs)) != len(slugs):
        raise ValueError("Recommendation anchors must be unique within a letter")
    existing = {r.slug: r for r in Recommendation.objects.select_for_update().filter(letter=letter)}
    Recommendation.objects.filter(letter=letter).exclude(slug__in=slugs).delete()
    # Numbers are unique per letter: park kept rows on free numbers before renumbering.
    kept = [rec for rec in existing.values() if rec.slug in slugs]
    for parking, rec in enumerate(kept, start=30_000):
        Recommendation.objects.filter(pk=rec.pk).update(number=parking)
    for number, data in enumerate(recommendations, start=1):
        row = existing.get(data.slug)
        if row is None:
            Recommendation.objects.create(
                letter=letter, number=number, slug=data.slug, title=data.title, body=data.body
            )
        else:
            row.number, row.title, row.body = number, data.title, data.body
            row.save(update_fields=["number", "title", "body"])
