"""Reads for curation: the moderation queue's counts, exports of signatories and of the
audit trail, streamed row by row so that a letter with 100,000 names exports in constant
memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from letters.campaigns.models import Letter
from letters.curation.imports import csv_safe
from letters.curation.models import FraudSignal
from letters.signatures.models import LetterStats, Signature, SignatureEvent

CHUNK = 2000

# Export columns. The first ones carry the names an import reads (see curation.imports), so
# an exported file can be imported into another letter.
SIGNATORY_COLUMNS = (
    "full_name", "email", "title", "institution", "ror_id", "country", "capacity", "signed_at",
    "status", "id", "letter", "display_name", "public_name", "verification",
    "verification_label", "shown", "featured_rank", "source", "imported_by", "confirmed_at",
    "withdrawn_at", "letter_version", "fraud_signals",
)  # fmt: skip
EVENT_COLUMNS = (
    "signature", "letter", "full_name", "at", "action", "from_status", "to_status", "actor",
    "reason", "changes",
)  # fmt: skip


def _queue_counts_key(letter_id: int) -> str:
    return f"curation:queue-counts:{letter_id}"


QUEUE = "queue"


def letter_queue_counts(*, letter_id: int) -> dict[str, int]:
    """How many of the letter's signatures are in each state: one grouped query over the
    (letter, status) index, kept a few seconds (a curator working through the queue opens
    the list again and again; curation's own changes forget it at once)."""
    key = _queue_counts_key(letter_id)
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        rows = (
            Signature.objects.filter(letter_id=letter_id)
            .order_by()
            .values_list("status", "is_public")
            .annotate(n=Count("id"))
        )
        counts = {}
        waiting = 0
        for status, public, n in rows:
            counts[status] = counts.get(status, 0) + n
            if status == Signature.Status.FLAGGED or (
                status == Signature.Status.CONFIRMED and not public
            ):
                waiting += n
        # What the admin's "Waiting for review" filter shows.
        counts[QUEUE] = waiting
        cache.set(key, counts, timeout=settings.CURATION_COUNTS_SECONDS)
    return counts


def letter_country_counts(*, letter_id: int) -> dict[str, int]:
    """How many of the letter's signatures, in any state, give each country: the admin's
    country filter must offer the countries of signatures nobody sees yet too. The shown
    ones come from the batched public counters; the others, usually few, from one grouped
    query over the (letter, is_public) index, kept as long as the state counts."""
    key = f"curation:country-counts:{letter_id}"
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        stats = LetterStats.objects.filter(letter_id=letter_id).first()
        counts = {str(code): int(n) for code, n in (stats.by_country if stats else {}).items()}
        hidden = (
            Signature.objects.filter(letter_id=letter_id, is_public=False)
            .order_by()
            .values_list("country")
            .annotate(n=Count("id"))
        )
        for code, n in hidden:
            if code:
                counts[str(code)] = counts.get(str(code), 0) + n
        cache.set(key, counts, timeout=settings.CURATION_COUNTS_SECONDS)
    return counts


def letter_queue_counts_forget(*, letter_ids: Iterable[int]) -> None:
    cache.delete_many([_queue_counts_key(letter_id) for letter_id in set(letter_ids)])


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def signatory_rows(queryset: QuerySet[Signature]) -> Iterator[dict[str, Any]]:
    """One dictionary per signature, in the export columns, read in chunks."""
    signals = Prefetch("fraud_signals", queryset=FraudSignal.objects.only("signature_id", "kind"))
    rows = (
        queryset.select_related("letter", "letter_version", "institution", "imported_by")
        .prefetch_related(None)
        .prefetch_related(signals)
        .order_by("letter_id", "id")
        .iterator(chunk_size=CHUNK)
    )
    levels = dict(Signature.Level.choices)
    for s in rows:
        yield {
            "full_name": s.full_name,
            "email": s.email,
            "title": s.title,
            "institution": s.institution_name,
            "ror_id": s.institution.ror_id if s.institution else "",
            "country": str(s.country),
            "capacity": s.capacity,
            "signed_at": _iso(s.created_at),
            "status": s.status,
            "id": s.pk,
            "letter": s.letter.slug,
            "display_name": s.display_name,
            "public_name": s.public_name,
            "verification": s.level,
            "verification_label": str(levels.get(s.level, s.level)),
            "shown": s.is_public,
            "featured_rank": s.featured_rank,
            "source": s.source,
            "imported_by": s.imported_by.email if s.imported_by else "",
            "confirmed_at": _iso(s.confirmed_at),
            "withdrawn_at": _iso(s.withdrawn_at),
            "letter_version": s.letter_version.number if s.letter_version else None,
            "fraud_signals": sorted(f.kind for f in s.fraud_signals.all()),
        }


def event_rows(queryset: QuerySet[SignatureEvent]) -> Iterator[dict[str, Any]]:
    rows = (
        queryset.select_related("signature__letter", "actor")
        .order_by("signature_id", "created_at", "id")
        .iterator(chunk_size=CHUNK)
    )
    for e in rows:
        yield {
            "signature": e.signature_id,
            "letter": e.signature.letter.slug,
            "full_name": e.signature.full_name,
            "at": _iso(e.created_at),
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "actor": e.actor.email if e.actor else "",
            "reason": e.reason,
            "changes": e.changes,
        }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return csv_safe(
            " ".join(value) if isinstance(value, list) else json.dumps(value, ensure_ascii=False)
        )
    return csv_safe(str(value))


class _Line:
    """A file-like object csv.writer writes one line into, so lines can be streamed."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, text: str) -> None:
        self.value = text


def csv_lines(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text, a line at a time, every cell safe to open in a spreadsheet."""
    columns = list(columns)
    line = _Line()
    writer = csv.writer(line)
    yield "\ufeff"  # spreadsheets read the file as UTF-8 with this mark
    writer.writerow(columns)
    yield line.value
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
        yield line.value


def signatories_json(
    *, letter: Letter | None, rows: Iterable[dict[str, Any]], filters: dict[str, str]
) -> Iterator[str]:
    """A JSON document, streamed: what was exported, then the signatories one by one."""
    head = {
        "letter": (
            {
                "title": letter.title,
                "slug": letter.slug,
                "url": letter.get_absolute_url(),
                "version": letter.current_version.number if letter.current_version else None,
                "moderation": letter.moderation,
            }
            if letter
            else None
        ),
        "exported_at": timezone.now().isoformat(),
        "filters": filters,
    }
    yield json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "signatories": ['
    count = 0
    for row in rows:
        yield ("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False)
        count += 1
    yield f'\n ],\n "count": {count}\n}}\n'
