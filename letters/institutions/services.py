"""Writes to the institution registry: imports from the public registries and organisers'
edits. Merging duplicates moves signatures, so it lives in the curation concern."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from letters.common.emaildomains import domain_normalize, domain_problem
from letters.institutions.importers import (
    InstitutionRecord,
    RegistryFormat,
    RejectedEntry,
    open_registry,
    read_registry,
)
from letters.institutions.models import Institution, InstitutionDomain
from letters.institutions.signals import institution_domains_changed

BATCH = 500
# Fields an import keeps in step with its source, on the institutions that source owns.
SYNCED_FIELDS = ("name", "country", "kind", "website", "is_active")


class InstitutionError(ValueError):
    pass


@dataclass(frozen=True)
class RefusedDomain:
    position: int
    institution: str
    domain: str
    reason: str


@dataclass
class RegistryImportSummary:
    format: str = ""
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repeated: int = 0  # entries for an institution an earlier entry of the file gave
    domains_added: int = 0
    domains_removed: int = 0
    rejected: list[RejectedEntry] = field(default_factory=list)
    refused_domains: list[RefusedDomain] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return self.created + self.updated + self.unchanged + self.repeated + len(self.rejected)

    def lines(self, *, details: int = 20) -> list[str]:
        """The summary as an organiser reads it, with the first problems spelt out."""
        lines = [
            f"{self.entries} entries read ({self.format or 'empty file'})"
            + (" — dry run, nothing saved" if self.dry_run else ""),
            f"  created:   {self.created}",
            f"  updated:   {self.updated}",
            f"  unchanged: {self.unchanged}",
            f"  repeated:  {self.repeated} (the same institution as an earlier entry)",
            f"  rejected:  {len(self.rejected)}",
            f"  email domains added {self.domains_added}, removed {self.domains_removed}, "
            f"refused {len(self.refused_domains)}",
        ]
        for entry in self.rejected[:details]:
            lines.append(f"  entry {entry.position} {entry.label!r}: {entry.reason}")
        if len(self.rejected) > details:
            lines.append(f"  … and {len(self.rejected) - details} more rejected entries")
        for refused in self.refused_domains[:details]:
            lines.append(
                f"  entry {refused.position} {refused.institution!r}: domain {refused.domain} "
                f"refused: {refused.reason}"
            )
        if len(self.refused_domains) > details:
            lines.append(f"  … and {len(self.refused_domains) - details} more refused domains")
        return lines


def _batches[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class _Run:
    """One import: matches entries to institutions batch by batch, remembering what it
    created so that an institution listed twice in one file is one institution."""

    def __init__(self, source: str, summary: RegistryImportSummary) -> None:
        self.source = source
        self.summary = summary
        # Domains each touched institution has from this source, over the whole file: a
        # domain is dropped only if no entry of the file lists it any more.
        self.listed: dict[int, set[str]] = defaultdict(set)
        # Institutions whose fields an entry of this file already set: when a file lists
        # one institution twice, the first entry wins, or each import would flip them.
        self.synced: set[int] = set()
        # Institutions already there whose domains the file changed.
        self.domains_changed: set[int] = set()

    def apply(self, records: list[InstitutionRecord]) -> None:
        ror_ids = [r.ror_id for r in records if r.ror_id]
        by_ror = {i.ror_id: i for i in Institution.objects.filter(ror_id__in=ror_ids)}
        wanted = {d for r in records for d in r.domains}
        by_domain: dict[str, list[Institution]] = defaultdict(list)
        for row in InstitutionDomain.objects.filter(domain__in=wanted).select_related(
            "institution"
        ):
            by_domain[row.domain].append(row.institution)
        by_name: dict[tuple[str, str], Institution] = {}
        for named in Institution.objects.annotate(lname=Lower("name")).filter(
            lname__in={r.name.lower() for r in records}
        ):
            by_name.setdefault((named.name.lower(), str(named.country)), named)
        matched = {i.pk for i in [*by_ror.values(), *by_name.values()]} | {
            i.pk for found in by_domain.values() for i in found
        }
        domains: dict[int, set[str]] = defaultdict(set)
        for institution_id, domain in InstitutionDomain.objects.filter(
            institution_id__in=list(matched)
        ).values_list("institution_id", "domain"):
            domains[institution_id].add(domain)

        now = timezone.now()
        new: list[tuple[Institution, InstitutionRecord]] = []
        changed: dict[int, Institution] = {}
        new_domains: list[InstitutionDomain] = []
        pending_domains: dict[int, set[str]] = defaultdict(set)  # id() of new institutions

        for record in records:
            institution = self._match(record, by_ror, by_domain, by_name)
            if institution is not None and institution.merged_into_id:
                # An organiser merged this entry into another: its domains stay with the
                # one kept (listed, so not dropped), and nothing else of it comes back.
                self.listed[self._kept(institution).pk].update(record.domains)
                self.summary.unchanged += 1
                continue
            if institution is None and record.withdrawn:
                self.summary.rejected.append(
                    RejectedEntry(record.position, record.name, "withdrawn from the registry")
                )
                continue
            if institution is None:
                institution = Institution(
                    name=record.name,
                    country=record.country,
                    kind=record.kind,
                    ror_id=record.ror_id,
                    website=record.website,
                    is_active=record.is_active,
                    source=self.source,
                )
                new.append((institution, record))
                pending_domains[id(institution)].update(record.domains)
                self.summary.created += 1
                self._remember(institution, record, by_ror, by_domain, by_name)
                continue
            if institution.pk is None:  # listed twice in this batch: the same new one
                pending_domains[id(institution)].update(record.domains)
                self.summary.repeated += 1
                continue
            repeated = institution.pk in self.synced
            fields_changed = not repeated and self._update_fields(institution, record)
            self.synced.add(institution.pk)
            if fields_changed:
                institution.updated_at = now
                changed[institution.pk] = institution
            self.listed[institution.pk].update(record.domains)
            added = [d for d in record.domains if d not in domains[institution.pk]]
            if added:
                self.domains_changed.add(institution.pk)
            for domain in added:
                domains[institution.pk].add(domain)
                new_domains.append(
                    InstitutionDomain(institution=institution, domain=domain, source=self.source)
                )
            if repeated:
                self.summary.repeated += 1
            elif fields_changed or added:
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
            self._remember(institution, record, by_ror, by_domain, by_name)

        Institution.objects.bulk_create([institution for institution, _ in new])
        for institution, _ in new:
            self.synced.add(institution.pk)
            self.listed[institution.pk].update(pending_domains[id(institution)])
            new_domains.extend(
                InstitutionDomain(institution=institution, domain=domain, source=self.source)
                for domain in sorted(pending_domains[id(institution)])
            )
        if changed:
            Institution.objects.bulk_update(
                list(changed.values()), [*SYNCED_FIELDS, "ror_id", "source", "updated_at"]
            )
        InstitutionDomain.objects.bulk_create(new_domains)
        self.summary.domains_added += len(new_domains)

    @staticmethod
    def _kept(institution: Institution) -> Institution:
        seen = {institution.pk}
        while institution.merged_into_id and institution.merged_into_id not in seen:
            seen.add(institution.merged_into_id)
            institution = Institution.objects.get(pk=institution.merged_into_id)
        return institution

    def _match(
        self,
        record: InstitutionRecord,
        by_ror: dict[str, Institution],
        by_domain: dict[str, list[Institution]],
        by_name: dict[tuple[str, str], Institution],
    ) -> Institution | None:
        if record.ror_id and record.ror_id in by_ror:
            return by_ror[record.ror_id]

        def fits(institution: Institution) -> bool:
            # A ROR entry adopts an institution that has no ROR id yet; a country on both
            # sides must agree, since one domain can serve two countries' branches.
            if record.ror_id and institution.ror_id:
                return False
            return not (record.country and institution.country) or (
                str(institution.country) == record.country
            )

        for domain in record.domains:
            for candidate in by_domain.get(domain, []):
                if fits(candidate):
                    return candidate
        named = by_name.get((record.name.lower(), record.country))
        if named is not None and fits(named):
            return named
        return None

    def _remember(
        self,
        institution: Institution,
        record: InstitutionRecord,
        by_ror: dict[str, Institution],
        by_domain: dict[str, list[Institution]],
        by_name: dict[tuple[str, str], Institution],
    ) -> None:
        if institution.ror_id:
            by_ror[institution.ror_id] = institution
        for domain in record.domains:
            if institution not in by_domain[domain]:
                by_domain[domain].append(institution)
        by_name.setdefault((record.name.lower(), record.country), institution)

    def _update_fields(self, institution: Institution, record: InstitutionRecord) -> bool:
        """Bring an institution in step with the entry, as far as the entry's source owns it:
        an organiser's own entries (and their edits) are never overwritten, and ROR, being
        the fuller registry, takes over entries the university list created."""
        changed = False
        if record.ror_id and not institution.ror_id:
            institution.ror_id = record.ror_id
            changed = True
        owns = institution.source == self.source or (
            self.source == Institution.Source.ROR and institution.source == Institution.Source.HIPO
        )
        if not owns:
            return changed
        if institution.source != self.source:
            institution.source = self.source
            changed = True
        for name in SYNCED_FIELDS:
            value = getattr(record, name)
            if name == "country" and not value:
                continue  # a registry that does not know the country does not erase it
            current = getattr(institution, name)
            if (str(current) if name == "country" else current) != value:
                setattr(institution, name, value)
                changed = True
        return changed

    def drop_unlisted_domains(self) -> None:
        """Domains this source gave an institution earlier and no longer lists."""
        for ids in _batches(list(self.listed), BATCH):
            stale_rows = [
                row
                for row in InstitutionDomain.objects.filter(
                    institution_id__in=ids, source=self.source
                ).only("id", "institution_id", "domain")
                if row.domain not in self.listed[row.institution_id]
            ]
            stale = [row.pk for row in stale_rows]
            self.domains_changed.update(row.institution_id for row in stale_rows)
            if stale:
                InstitutionDomain.objects.filter(pk__in=stale).delete()
                self.summary.domains_removed += len(stale)


def institutions_import(
    *, path: Path, expected: RegistryFormat | None = None, dry_run: bool = False
) -> RegistryImportSummary:
    """Import a ROR v2 dump or a university-domains list from a local file.

    Idempotent: entries are matched to institutions by ROR id, then by email domain, then
    by name and country, so a second import of the same file changes nothing. All or
    nothing: a file that turns out unreadable part-way leaves the registry as it was
    (RegistryFileError); so does a dry run, which reports what an import would do."""
    summary = RegistryImportSummary(dry_run=dry_run)
    with open_registry(path) as stream, transaction.atomic():
        run: _Run | None = None
        parsed = read_registry(stream, expected=expected)
        for batch in _batches(parsed, BATCH):
            format_ = batch[0][0]
            if run is None:
                summary.format = format_.label
                run = _Run(format_.value, summary)
            records: list[InstitutionRecord] = []
            for _, entry in batch:
                if isinstance(entry, RejectedEntry):
                    summary.rejected.append(entry)
                    continue
                records.append(entry)
                summary.refused_domains.extend(
                    RefusedDomain(entry.position, entry.name, domain, reason)
                    for domain, reason in entry.refused_domains
                )
            if records:
                run.apply(records)
        if run is not None:
            run.drop_unlisted_domains()
        summary.rejected.sort(key=lambda entry: entry.position)
        if dry_run:
            transaction.set_rollback(True)
        elif run is not None and run.domains_changed:
            institution_domains_announce(institution_ids=run.domains_changed)
    return summary


def institution_domains_announce(*, institution_ids: Iterable[int]) -> None:
    """Tell later concerns, once this transaction commits, that these institutions' email
    domains changed (signatures claiming them may have gained or lost their badge)."""
    ids = sorted(set(institution_ids))
    if ids:
        transaction.on_commit(
            lambda: institution_domains_changed.send(sender=Institution, institution_ids=ids),
            robust=True,
        )


def institution_domain_add(
    *, institution: Institution, domain: str, source: str = Institution.Source.MANUAL
) -> InstitutionDomain:
    """Register an email domain for an institution; free-mail and malformed domains never."""
    normalized = domain_normalize(domain)
    problem = domain_problem(normalized)
    if problem:
        raise InstitutionError(problem)
    row, created = InstitutionDomain.objects.get_or_create(
        institution=institution, domain=normalized, defaults={"source": source}
    )
    if created:
        institution_domains_announce(institution_ids=[institution.pk])
    return row


def institution_save(*, institution: Institution, changed: Iterable[str] = ()) -> Institution:
    """Save an organiser's edit. An imported institution whose name, country, kind or
    website they corrected becomes theirs: later imports add domains, never undo the edit."""
    imported = institution.pk and institution.source != Institution.Source.MANUAL
    if imported and set(changed) & set(SYNCED_FIELDS):
        institution.source = Institution.Source.MANUAL
    institution.save()
    return institution


def institution_domains_save(
    *,
    institution: Institution,
    rows: Iterable[InstitutionDomain],
    deleted: Iterable[InstitutionDomain] = (),
) -> None:
    """Save domains as an organiser edited them (each validated by the model's clean:
    free-mail and malformed domains never get in). An edited domain becomes theirs."""
    with transaction.atomic():
        before = set(institution.domains.values_list("domain", flat=True))
        for row in deleted:
            if row.pk:
                row.delete()
        for row in rows:
            row.institution = institution
            row.domain = domain_normalize(row.domain)
            problem = domain_problem(row.domain)
            if problem:
                raise InstitutionError(problem)
            if row.pk:
                row.source = Institution.Source.MANUAL
            row.save()
        if set(institution.domains.values_list("domain", flat=True)) != before:
            institution_domains_announce(institution_ids=[institution.pk])
