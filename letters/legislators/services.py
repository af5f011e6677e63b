from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from letters.legislators import importers
from letters.legislators.importers import ImportFileError, ParsedFile, RowProblem
from letters.legislators.models import Committee, CommitteeMembership, Legislator

UPDATABLE_FIELDS = (
    "full_name",
    "sort_name",
    "country",
    "political_group",
    "political_group_code",
    "national_party",
    "email",
)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    committees_created: int = 0
    memberships_created: int = 0
    memberships_updated: int = 0
    memberships_ended: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [
            f"Members: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deactivated} marked inactive",
            f"Committees: {self.committees_created} created; memberships: "
            f"{self.memberships_created} created, {self.memberships_updated} updated, "
            f"{self.memberships_ended} ended",
            f"Rejected rows: {len(self.problems)}",
        ]
        lines += [f"  entry {p.row}: {p.message}" for p in self.problems]
        return lines


def legislators_parse_files(
    *, paths: list[Path], outgoing: bool = False, today: date | None = None
) -> ParsedFile:
    """Read EP files from disk, choosing the parser by content rather than by name."""
    if not paths:
        raise ImportFileError("No file given.")
    contents = []
    for path in paths:
        try:
            contents.append(path.read_bytes())
        except OSError as exc:
            raise ImportFileError(f"Cannot read {path}: {exc.strerror}.") from exc
    xml = [c for c in contents if c.lstrip()[:1] == b"<"]
    if xml and len(contents) > 1:
        raise ImportFileError("Give one MEP list XML at a time.")
    if xml:
        return importers.parse_ep_xml(xml[0], is_full_list=not outgoing)
    if outgoing:
        raise ImportFileError("--outgoing applies to the EP's outgoing MEP list XML.")
    return importers.parse_open_data(contents, today=today or timezone.localdate())


@transaction.atomic
def legislators_import(
    *, parsed: ParsedFile, outgoing: bool = False, partial: bool = False
) -> ImportSummary:
    """Create or update Members, committees and memberships from a parsed EP file.

    Idempotent: rows are matched on the EP identifier. Members missing from a full list of
    sitting Members, or listed as outgoing, are marked inactive, never deleted: packets
    already addressed to them must stay explainable."""
    summary = ImportSummary(problems=list(parsed.problems))
    now = timezone.now()
    committees = _committees_by_code(parsed, summary)
    existing = Legislator.objects.in_bulk([r.ep_id for r in parsed.legislators], field_name="ep_id")
    source = Legislator.Source.EP_XML if parsed.kind == "ep_xml" else Legislator.Source.EP_OPEN_DATA
    seen: list[int] = []
    for record in parsed.legislators:
        legislator = existing.get(record.ep_id)
        values = {name: getattr(record, name) for name in UPDATABLE_FIELDS}
        # Open Data persons carry no national party and the XML no email: keep what we have.
        values = {k: v for k, v in values.items() if v or k not in ("national_party", "email")}
        if not values.get("country") and legislator is None:
            summary.problems.append(
                RowProblem(0, f"Member {record.ep_id} has no country; not created.")
            )
            continue
        values = {k: v for k, v in values.items() if v or k != "country"}
        active = not outgoing
        if legislator is None:
            legislator = Legislator.objects.create(
                ep_id=record.ep_id,
                is_active=active,
                source=source,
                last_imported_at=now,
                **values,
            )
            summary.created += 1
        else:
            changed = [k for k, v in values.items() if getattr(legislator, k) != v]
            if legislator.is_active != active:
                changed.append("is_active")
            for name in changed:
                setattr(legislator, name, values.get(name, active))
            legislator.last_imported_at = now
            legislator.save(update_fields=[*changed, "last_imported_at", "updated_at"])
            if "is_active" in changed and not active:
                summary.deactivated += 1
            elif changed:
                summary.updated += 1
            else:
                summary.unchanged += 1
        seen.append(legislator.pk)
        if record.memberships is not None:
            _sync_memberships(
                legislator,
                record.memberships,
                committees,
                summary,
                unreadable=record.unreadable_committees,
            )
    if parsed.is_full_list and not outgoing and not partial and parsed.legislators:
        # A rejected row is still a sitting Member: only those not listed at all have left.
        summary.deactivated += (
            Legislator.objects.filter(is_active=True)
            .exclude(pk__in=seen)
            .exclude(ep_id__in=parsed.rejected_ep_ids)
            .update(is_active=False, updated_at=now)
        )
    return summary


def _committees_by_code(parsed: ParsedFile, summary: ImportSummary) -> dict[str, Committee]:
    committees = {c.code: c for c in Committee.objects.all()}
    for code, record in parsed.committees.items():
        committee = committees.get(code)
        if committee is None:
            committees[code] = Committee.objects.create(code=code, name=record.name)
            summary.committees_created += 1
        elif record.name != code and committee.name != record.name:
            committee.name = record.name
            committee.save(update_fields=["name"])
    return committees


def _sync_memberships(
    legislator: Legislator,
    records: list[importers.MembershipRecord],
    committees: dict[str, Committee],
    summary: ImportSummary,
    *,
    unreadable: set[str],
) -> None:
    current = {m.committee_id: m for m in legislator.memberships.all()}
    # An entry we could not read may be the Member's current role there: end nothing on it.
    listed = {committees[code].pk for code in unreadable if code in committees}
    for record in records:
        committee = committees.get(record.committee_code)
        if committee is None:
            committee = Committee.objects.create(
                code=record.committee_code, name=record.committee_code
            )
            committees[committee.code] = committee
            summary.committees_created += 1
        listed.add(committee.pk)
        membership = current.get(committee.pk)
        if membership is None:
            CommitteeMembership.objects.create(
                legislator=legislator,
                committee=committee,
                role=record.role,
                is_active=record.is_active,
            )
            summary.memberships_created += 1
        elif (membership.role, membership.is_active) != (record.role, record.is_active):
            membership.role, membership.is_active = record.role, record.is_active
            membership.save(update_fields=["role", "is_active"])
            summary.memberships_updated += 1
    for committee_id, membership in current.items():
        if committee_id not in listed and membership.is_active:
            membership.is_active = False
            membership.save(update_fields=["is_active"])
            summary.memberships_ended += 1
