from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from letters.legislators.models import CommitteeMembership, Legislator
from letters.packets.models import IDENTIFIER_ALPHABET, Packet, PacketJob, PacketPart
from letters.signatures.models import Signature
from letters.signatures.selectors import PUBLIC_COLUMNS

# What a packet may never list, whatever `is_public` says.
NEVER_LISTED = (
    Signature.Status.UNCONFIRMED,
    Signature.Status.FLAGGED,
    Signature.Status.REJECTED,
    Signature.Status.WITHDRAWN,
)


def packet_signatories(
    *, letter_id: int, approved_only: bool, cutoff: datetime | None, featured_first: bool
) -> QuerySet[Signature]:
    """The signatures a packet lists, in its order: organisations apart and first, featured
    signatories first within each group if asked, then in the order they were confirmed.
    Only what the public may see; with `approved_only`, only what an organiser approved."""
    queryset = Signature.objects.filter(letter_id=letter_id, is_public=True).exclude(
        status__in=NEVER_LISTED
    )
    if approved_only:
        queryset = queryset.filter(status=Signature.Status.APPROVED)
    if cutoff is not None:
        queryset = queryset.filter(confirmed_at__lte=cutoff)
    order: list[Any] = [
        Case(
            When(capacity=Signature.Capacity.ORGANISATION, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ]
    if featured_first:
        order.append(F("featured_rank").asc(nulls_last=True))
    order += [F("confirmed_at").asc(nulls_last=True), F("id").asc()]
    return (
        queryset.only(*PUBLIC_COLUMNS)
        .annotate(version_number=F("letter_version__number"))
        .order_by(*order)
    )


def packet_signed_version_id(
    *, letter_id: int, approved_only: bool, cutoff: datetime | None
) -> int | None:
    """The text version most of a packet's signatories signed (the newer of two as many),
    or None when it lists nobody: the text a packet should print as the one signed."""
    queryset = packet_signatories(
        letter_id=letter_id, approved_only=approved_only, cutoff=cutoff, featured_first=False
    )
    top = (
        queryset.exclude(letter_version__isnull=True)
        .order_by()
        .values("letter_version_id")
        .annotate(n=Count("id"))
        .order_by("-n", "-letter_version__number")
        .first()
    )
    return top["letter_version_id"] if top else None


def packet_signatory_rows(
    *, letter_id: int, approved_only: bool, cutoff: datetime | None, featured_first: bool
) -> Iterator[Any]:
    """`packet_signatories` as named rows of their public columns and letter version."""
    queryset = packet_signatories(
        letter_id=letter_id,
        approved_only=approved_only,
        cutoff=cutoff,
        featured_first=featured_first,
    )
    return queryset.values_list(*PUBLIC_COLUMNS, "version_number", named=True).iterator(
        chunk_size=2000
    )


@dataclass(frozen=True)
class Addressee:
    legislator: Legislator
    roles: str


def audience_legislators(
    *,
    audience: str,
    committee_ids: Iterable[int] = (),
    countries: Iterable[str] = (),
    legislator_ids: Iterable[int] = (),
    include_substitutes: bool = True,
) -> list[Addressee]:
    """Who a job addresses, by country then family name, with their roles in the chosen
    committees. Outgoing Members are left out unless hand-picked."""
    memberships = CommitteeMembership.objects.filter(
        is_active=True, committee__is_active=True
    ).select_related("committee")
    queryset = Legislator.objects.all()
    if audience == PacketJob.Audience.ALL_ACTIVE:
        queryset = queryset.filter(is_active=True)
    elif audience == PacketJob.Audience.COMMITTEES:
        memberships = memberships.filter(committee_id__in=list(committee_ids))
        if not include_substitutes:
            memberships = memberships.exclude(role=CommitteeMembership.Role.SUBSTITUTE)
        queryset = queryset.filter(
            is_active=True, pk__in=memberships.values("legislator_id")
        ).distinct()
    elif audience == PacketJob.Audience.COUNTRIES:
        queryset = queryset.filter(is_active=True, country__in=list(countries))
    elif audience == PacketJob.Audience.SELECTED:
        queryset = queryset.filter(pk__in=list(legislator_ids))
    else:
        raise ValueError(f"Unknown audience {audience!r}")
    legislators = list(queryset.order_by("country", "sort_name", "full_name", "pk"))
    roles: dict[int, list[str]] = {}
    for membership in memberships.filter(legislator__in=[x.pk for x in legislators]).order_by(
        "committee__code"
    ):
        roles.setdefault(membership.legislator_id, []).append(
            f"{membership.get_role_display()}, {membership.committee.code}"
        )
    return [Addressee(x, " · ".join(roles.get(x.pk, [])[:4])) for x in legislators]


def packet_jobs_for_admin() -> QuerySet[PacketJob]:
    return PacketJob.objects.select_related("letter", "created_by").annotate(
        packets_total=Count("packets"),
        packets_done=Count("packets", filter=Q(packets__status=Packet.Status.DONE)),
        packets_failed=Count("packets", filter=Q(packets__status=Packet.Status.FAILED)),
    )


def packet_job_progress(*, job: PacketJob) -> dict[str, Any]:
    """What the admin's progress bar shows, derived from the status rows (two queries)."""
    packets = dict(
        Packet.objects.filter(job=job).values_list("status").annotate(n=Count("id")).order_by()
    )
    parts = dict(
        PacketPart.objects.filter(job=job).values_list("status").annotate(n=Count("id")).order_by()
    )
    total = sum(packets.values())
    parts_total = sum(parts.values())
    done = packets.get(Packet.Status.DONE, 0)
    settled = done + packets.get(Packet.Status.FAILED, 0) + packets.get(Packet.Status.CANCELLED, 0)
    parts_done = parts.get(PacketPart.Status.DONE, 0)
    units = total + parts_total
    percent = round(100 * (settled + parts_done) / units) if units else 0
    if job.status == PacketJob.Status.DONE:
        percent = 100
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "total": total,
        "done": done,
        "failed": packets.get(Packet.Status.FAILED, 0),
        "running": packets.get(Packet.Status.RUNNING, 0),
        "cancelled": packets.get(Packet.Status.CANCELLED, 0),
        "parts_total": parts_total,
        "parts_done": parts_done,
        "parts_failed": parts.get(PacketPart.Status.FAILED, 0),
        "percent": percent,
        "error": job.error,
        "finished": job.status
        in (PacketJob.Status.DONE, PacketJob.Status.FAILED, PacketJob.Status.CANCELLED),
        "has_zip": bool(job.zip_name),
    }


def packet_job_errors(*, job: PacketJob, limit: int = 20) -> list[tuple[str, str]]:
    failed_packets = Packet.objects.filter(job=job, status=Packet.Status.FAILED).values_list(
        "legislator_name", "error"
    )[:limit]
    failed_parts = PacketPart.objects.filter(job=job, status=PacketPart.Status.FAILED)
    return [(f"{p.get_kind_display()} {p.index + 1}", p.error) for p in failed_parts] + list(
        failed_packets
    )


_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def normalise_identifier(raw: str) -> str | None:
    """Accept an identifier however it was typed: case, spaces, dashes, O for 0."""
    compact = re.sub(r"[\s\-]", "", raw.upper()).translate(_CONFUSABLE)
    if len(compact) != 16 or any(c not in IDENTIFIER_ALPHABET for c in compact):
        return None
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


def packet_by_identifier(*, identifier: str) -> Packet | None:
    return (
        Packet.objects.filter(identifier=identifier)
        .select_related("job__letter", "job__letter_version", "legislator", "certificate")
        .first()
    )


def packet_by_sha256(*, sha256: str) -> Packet | None:
    return (
        Packet.objects.filter(sha256=sha256, status=Packet.Status.DONE)
        .select_related("job__letter", "job__letter_version", "legislator", "certificate")
        .first()
    )
