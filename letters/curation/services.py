"""Writes for curation: assessing signatures for fraud, moderating them, editing what the
public sees, merging duplicate institutions, the watch list, and importing signatures
collected offline.

Every change of a signature goes through `letters.signatures.services.signature_transition`,
the same function the public site uses, so each one leaves an audit event with who, when
and why, and keeps `is_public`, the verification level and the counters right."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from letters.accounts.models import User
from letters.campaigns.models import Letter
from letters.common.emaildomains import email_normalize
from letters.curation import fraud
from letters.curation.imports import ImportReport, import_report
from letters.curation.models import FraudSignal, SignatureImport, WatchlistEntry
from letters.curation.selectors import letter_queue_counts_forget
from letters.institutions.models import Institution, InstitutionDomain
from letters.institutions.services import institution_domains_announce
from letters.signatures.models import Signature, SignatureEvent
from letters.signatures.services import (
    signature_evidence_level,
    signature_index_text,
    signature_is_public,
    signature_transition,
)
from letters.signatures.stats import letter_stats_schedule_refresh
from letters.signatures.verification import name_key

Status = Signature.Status
BATCH = 200


class CurationError(ValueError):
    """A curation request the rules refuse; the message is meant for the organiser."""


# Fraud signals ---------------------------------------------------------------------------


def signature_assess(
    *, signature: Signature, hold: bool = True, actor: User | None = None, sweep: bool = True
) -> list[FraudSignal]:
    """Look for fraud signals on a signature, store them with it, and hold it for review
    (flagged: hidden until approved, whatever the letter's moderation) when one of them is
    of a kind the settings say must be checked first.

    Runs inside the confirming transaction, with the row locked, before anyone can see the
    signature. Re-assessing replaces the stored signals with what is found now."""
    findings = fraud.findings_for(signature)
    found = {f.kind for f in findings}
    FraudSignal.objects.filter(signature=signature).exclude(kind__in=found).delete()
    stored = [
        FraudSignal.objects.update_or_create(
            signature=signature,
            kind=finding.kind,
            defaults={"explanation": finding.explanation, "details": finding.details},
        )[0]
        for finding in findings
    ]
    # A watch-list name always waits for a person, whatever the settings say of the rest.
    holding = [
        f
        for f in findings
        if f.kind in settings.FRAUD_FLAGGING_SIGNALS or f.kind == FraudSignal.Kind.WATCHLIST
    ]
    if sweep and FraudSignal.Kind.BURST in found and _burst_sweep_due(signature.ip_hash):
        # The signatures of the burst confirmed before it reached the threshold went up
        # unmarked: they are looked at again, after this commit (their rows are locked in
        # order there, never while this one is held). Once per network and window.
        from letters.curation.tasks import hold_network_burst

        signature_id = signature.pk
        transaction.on_commit(lambda: hold_network_burst.delay(signature_id), robust=True)
    if hold and holding and signature.status == Status.CONFIRMED:
        signature_transition(
            signature=signature,
            to_status=Status.FLAGGED,
            action="flagged",
            actor=actor,
            reason="Held for review: " + " ".join(f.explanation for f in holding),
            changes={"signals": sorted(f.kind for f in holding)},
        )
        letter_queue_counts_forget(letter_ids=[signature.letter_id])
    return stored


def _burst_sweep_due(ip_hash: str) -> bool:
    key = f"curation:burst-sweep:{ip_hash}"  # a keyed hash already, never an address
    return bool(cache.add(key, 1, timeout=max(60, settings.FRAUD_BURST_WINDOW_SECONDS // 4)))


def signatures_assess_burst(*, signature_id: int) -> int:
    """Assess again the confirmed signatures from the network of this one, in its burst
    window, that carry no burst signal yet; returns how many now do."""
    signature = Signature.objects.filter(pk=signature_id).only("ip_hash", "created_at").first()
    if signature is None or not signature.ip_hash:
        return 0
    window = timedelta(seconds=settings.FRAUD_BURST_WINDOW_SECONDS)
    earlier = list(
        Signature.objects.filter(
            ip_hash=signature.ip_hash,
            status__in=[Status.CONFIRMED, Status.APPROVED],
            created_at__gte=signature.created_at - window,
            created_at__lte=signature.created_at + window,
        )
        .exclude(fraud_signals__kind=FraudSignal.Kind.BURST)
        .values_list("pk", flat=True)
    )
    marked = 0
    for each in _locked(earlier):
        if each.status not in (Status.APPROVED, Status.CONFIRMED):
            continue  # withdrawn, rejected or flagged since it was listed
        # Approved: a curator looked already, so the signal is noted and nothing hidden.
        stored = signature_assess(signature=each, hold=each.status == Status.CONFIRMED, sweep=False)
        marked += any(f.kind == FraudSignal.Kind.BURST for f in stored)
    return marked


def signature_reassess_after_edit(*, signature: Signature, actor: User | None = None) -> None:
    """A signatory changed how they appear: look again, as at confirmation. An approval
    was given to the name then shown, so a name now on the watch list waits for review
    again even on an approved signature."""
    stored = signature_assess(signature=signature, actor=actor)
    shown_key = name_key(signature.display_name) if signature.display_name else ""
    watched_names = {
        name_key(str(f.details.get("name", "")))
        for f in stored
        if f.kind == FraudSignal.Kind.WATCHLIST
    }
    watched_shown = bool(shown_key) and shown_key in watched_names
    if signature.status == Status.APPROVED and watched_shown:
        signature_transition(
            signature=signature,
            to_status=Status.FLAGGED,
            action="flagged",
            actor=actor,
            reason="The name shown is on the watch list: held for review.",
            changes={"signals": [FraudSignal.Kind.WATCHLIST]},
        )
        letter_queue_counts_forget(letter_ids=[signature.letter_id])


def fraud_signals_purge_erased() -> int:
    """Signals of signatures that retention has erased (withdrawn long enough ago): their
    explanations name the person and the address's domain, which must go with the rest."""
    deleted, _ = FraudSignal.objects.filter(
        signature__status=Status.WITHDRAWN, signature__email="", signature__full_name="(withdrawn)"
    ).delete()
    return deleted


def signature_imports_purge() -> tuple[int, int]:
    """Retention of imported files, which hold names and addresses: a file checked and never
    imported goes after SIGNATURE_IMPORT_CHECKED_DAYS; an imported one keeps its name, size
    and SHA-256 (what the audit trail cites) and loses its content after
    SIGNATURE_IMPORT_FILE_DAYS. Returns (files deleted, contents cleared)."""
    now = timezone.now()
    deleted, _ = SignatureImport.objects.filter(
        status=SignatureImport.Status.CHECKED,
        created_at__lt=now - timedelta(days=settings.SIGNATURE_IMPORT_CHECKED_DAYS),
    ).delete()
    cleared = (
        SignatureImport.objects.filter(
            status=SignatureImport.Status.IMPORTED,
            imported_at__lt=now - timedelta(days=settings.SIGNATURE_IMPORT_FILE_DAYS),
        )
        .exclude(content=b"")
        .update(content=b"")
    )
    return deleted, cleared


# Moderation ------------------------------------------------------------------------------


@dataclass
class ModerationResult:
    changed: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    letters: set[int] = field(default_factory=set)

    def message(self, verb: str) -> str:
        text = f"{len(self.changed)} signature{'s' if len(self.changed) != 1 else ''} {verb}."
        if self.skipped:
            reasons: dict[str, int] = {}
            for _, why in self.skipped:
                reasons[why] = reasons.get(why, 0) + 1
            text += " Left as they were: " + "; ".join(
                f"{n} {why}" for why, n in sorted(reasons.items())
            )
            text += "."
        return text


def _locked(ids: Sequence[int]) -> Iterable[Signature]:
    """The signatures, locked in id order (so two curators never deadlock), a batch at a
    time, each batch in its own transaction: a bulk action over thousands of rows holds no
    lock for long and keeps the batches already done if a later one fails."""
    ordered = sorted(set(ids))
    iterator = iter(ordered)
    while batch := list(islice(iterator, BATCH)):
        with transaction.atomic():
            yield from (
                Signature.objects.select_for_update(of=("self",))
                .select_related("letter", "institution")
                .filter(pk__in=batch)
                .order_by("pk")
            )


MODERATION = {
    # action: (the state it leads to, the states it applies to)
    "approved": (Status.APPROVED, {Status.CONFIRMED, Status.FLAGGED, Status.REJECTED}),
    "rejected": (Status.REJECTED, {Status.CONFIRMED, Status.FLAGGED, Status.APPROVED}),
    "flagged": (Status.FLAGGED, {Status.CONFIRMED, Status.APPROVED}),
}

WHY_NOT: dict[str, str] = {
    Status.UNCONFIRMED: "not confirmed by their signer yet",
    Status.WITHDRAWN: "withdrawn by their signer",
}


def _moderate(
    *, signature_ids: Sequence[int], action: str, actor: User | None, reason: str
) -> ModerationResult:
    to_status, applies_to = MODERATION[action]
    result = ModerationResult()
    for signature in _locked(signature_ids):
        if signature.status == to_status:
            result.skipped.append((signature.pk, f"already {to_status}"))
            continue
        if signature.status not in applies_to:
            why = WHY_NOT.get(signature.status, signature.status)
            result.skipped.append((signature.pk, why))
            continue
        signature_transition(
            signature=signature, to_status=to_status, action=action, actor=actor, reason=reason
        )
        result.changed.append(signature.pk)
        result.letters.add(signature.letter_id)
    letter_queue_counts_forget(letter_ids=result.letters)
    return result


def signatures_approve(
    *, signature_ids: Sequence[int], actor: User | None, reason: str = ""
) -> ModerationResult:
    """Approve: the signatures show (organisation signatures earn their level with it).
    Unconfirmed and withdrawn signatures are never approved: nobody proved them."""
    return _moderate(signature_ids=signature_ids, action="approved", actor=actor, reason=reason)


def signatures_reject(
    *, signature_ids: Sequence[int], actor: User | None, reason: str
) -> ModerationResult:
    """Reject: hidden from public pages, counters and packets, with the reason kept."""
    if not reason.strip():
        raise CurationError("Say why these signatures are rejected: the reason is kept.")
    return _moderate(signature_ids=signature_ids, action="rejected", actor=actor, reason=reason)


def signatures_flag(
    *, signature_ids: Sequence[int], actor: User | None, reason: str = ""
) -> ModerationResult:
    """Flag for review: hidden until someone approves them."""
    return _moderate(signature_ids=signature_ids, action="flagged", actor=actor, reason=reason)


FEATURABLE = {Status.CONFIRMED, Status.FLAGGED, Status.APPROVED}


def signatures_feature(*, ranks: Mapping[int, int | None], actor: User | None) -> ModerationResult:
    """Set the featured positions (lowest first; None takes a signature off the featured
    list). Featured signatories come first on public pages and in packets once public."""
    result = ModerationResult()
    for signature in _locked(list(ranks)):
        rank = ranks[signature.pk]
        if rank is not None and rank < 1:
            raise CurationError("Featured positions start at 1.")
        if rank is not None and signature.status not in FEATURABLE:
            result.skipped.append((signature.pk, WHY_NOT.get(signature.status, "rejected")))
            continue
        if signature.featured_rank == rank:
            result.skipped.append((signature.pk, "already in that position"))
            continue
        changes = {"featured_rank": [signature.featured_rank, rank]}
        signature.featured_rank = rank
        signature_transition(
            signature=signature,
            to_status=signature.status,
            action="featured" if rank is not None else "unfeatured",
            actor=actor,
            changes=changes,
            update_fields=["featured_rank"],
        )
        result.changed.append(signature.pk)
    return result


def signatures_next_featured_rank(*, letter_id: int) -> int:
    from django.db.models import Max

    top = Signature.objects.filter(letter_id=letter_id).aggregate(top=Max("featured_rank"))["top"]
    return (top or 0) + 1


def letter_moderation_changed(*, letter_id: int) -> int:
    """A letter switched between pre- and post-moderation: confirmed signatures that nobody
    approved now show, or wait, as the new rule says. Their state is unchanged (no audit
    event: what changed is the letter, and the letter keeps its own history), so the
    derived column is recomputed in one statement rather than row by row."""
    letter = Letter.objects.get(pk=letter_id)
    probe = Signature(status=Status.CONFIRMED, capacity=Signature.Capacity.INDIVIDUAL)
    shows = signature_is_public(probe, letter)
    changed = (
        Signature.objects.filter(
            letter_id=letter_id,
            status=Status.CONFIRMED,
            capacity=Signature.Capacity.INDIVIDUAL,
        )
        .exclude(is_public=shows)
        .update(is_public=shows, updated_at=timezone.now())
    )
    letter_stats_schedule_refresh(letter_id=letter_id)
    return changed


# What the public sees ----------------------------------------------------------------------

EDITABLE = (
    "full_name",
    "display_name",
    "title",
    "institution",
    "institution_name",
    "show_affiliation",
    "country",
)


def signature_edit(
    *, signature_id: int, actor: User | None, changes: Mapping[str, Any], reason: str
) -> Signature:
    """Correct a signatory's public details (a misspelt name, the institution picked from the
    registry). The old and new values and the reason go into the audit trail; the level is
    recomputed, since the institution decides whether an affiliation is verified."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CurationError(f"These details cannot be edited here: {', '.join(sorted(unknown))}")
    if not reason.strip():
        raise CurationError("Say why the details change: the reason is kept in the audit trail.")
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("letter", "institution")
            .get(pk=signature_id)
        )
        recorded: dict[str, list[Any]] = {}
        for name, value in changes.items():
            before = getattr(signature, name)
            if str(before if before is not None else "") == str(value if value is not None else ""):
                continue
            setattr(signature, name, value)
            recorded[name] = [_audit_value(before), _audit_value(value)]
        if not recorded:
            return signature
        if "full_name" in recorded and len(str(signature.full_name).strip()) < 2:
            raise CurationError("A signatory needs a name.")
        signature_index_text(signature)
        return signature_transition(
            signature=signature,
            to_status=signature.status,
            action="edited",
            actor=actor,
            reason=reason,
            changes=recorded,
            update_fields=[*recorded, "search_text", "name_key"],
        )


def _audit_value(value: Any) -> Any:
    if isinstance(value, Institution):
        return value.name
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


# Institutions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    target: Institution
    merged: list[str]
    domains_moved: int
    signatures_moved: int


def institutions_merge(
    *, target_id: int, duplicate_ids: Sequence[int], actor: User | None
) -> MergeResult:
    """Fold duplicates of one institution into `target`: their email domains and their
    signatures move to it (each signature's level recomputed and the move audited), and the
    duplicates stay behind inactive, pointing at the institution they became."""
    duplicates_wanted = sorted(set(duplicate_ids) - {target_id})
    if not duplicates_wanted:
        raise CurationError("Pick at least one institution to merge into the one you keep.")
    with transaction.atomic():
        locked = {
            i.pk: i
            for i in Institution.objects.select_for_update().filter(
                pk__in=[target_id, *duplicates_wanted]
            )
        }
        target = locked.get(target_id)
        if target is None:
            raise CurationError("The institution to keep no longer exists.")
        duplicates = [locked[pk] for pk in duplicates_wanted if pk in locked]
        if any(d.merged_into_id for d in duplicates) or target.merged_into_id:
            raise CurationError("An institution already merged into another cannot be merged.")
        kept_domains = set(target.domains.values_list("domain", flat=True))
        moved_domains = 0
        for row in InstitutionDomain.objects.filter(institution__in=duplicates).order_by("pk"):
            if row.domain in kept_domains:
                row.delete()
                continue
            row.institution = target
            row.save(update_fields=["institution"])
            kept_domains.add(row.domain)
            moved_domains += 1
        if target.source != Institution.Source.MANUAL:
            # Curated now: registry imports add domains to it but never rename it after
            # one of the entries it absorbed.
            target.source = Institution.Source.MANUAL
            target.save(update_fields=["source", "updated_at"])
        if not target.ror_id:
            with_ror = [d for d in duplicates if d.ror_id]
            if len(with_ror) == 1:
                target.ror_id = with_ror[0].ror_id
                Institution.objects.filter(pk=with_ror[0].pk).update(ror_id="")
                target.save(update_fields=["ror_id", "updated_at"])
        # Signatures already at the kept institution may gain from the domains it gained.
        institution_domains_announce(institution_ids=[target.pk])
        names = {d.pk: d.name for d in duplicates}
        moved = 0
        signature_ids = list(
            Signature.objects.filter(institution__in=duplicates).values_list("pk", flat=True)
        )
        for signature in _locked(signature_ids):
            old_name = signature.institution_name
            old_institution = names.get(signature.institution_id or 0)
            # The name as the registry had it follows the registry; a name as typed stays.
            if old_name == old_institution:
                signature.institution_name = target.name
            signature.institution = target
            signature_index_text(signature)
            signature_transition(
                signature=signature,
                to_status=signature.status,
                action="institution_merged",
                actor=actor,
                reason=f"Duplicate institution merged into “{target.name}”",
                changes={
                    "institution": [old_institution, target.name],
                    "institution_name": [old_name, signature.institution_name],
                },
                update_fields=["institution", "institution_name", "search_text", "name_key"],
            )
            moved += 1
        for duplicate in duplicates:
            duplicate.is_active = False
            duplicate.merged_into = target
            duplicate.save(update_fields=["is_active", "merged_into", "updated_at"])
    return MergeResult(target, [d.name for d in duplicates], moved_domains, moved)


# The watch list --------------------------------------------------------------------------


def watchlist_name_problem(*, name: str, entry_id: int | None = None) -> str:
    """Why the name cannot go on the watch list (as a new entry or entry `entry_id`)."""
    key = name_key(name)
    if not key:
        return "Give the name as it would be signed."
    others = WatchlistEntry.objects.filter(name_key=key)
    clash = (others.exclude(pk=entry_id) if entry_id else others).first()
    return f"“{clash.name}” is on the watch list already." if clash else ""


def watchlist_entry_save(
    *, entry: WatchlistEntry, actor: User | None, recheck: bool = True
) -> WatchlistEntry:
    """Add or change a watch-list name. Signatures with that name already on a letter and
    showing are flagged at once, so a name added late does not stay up unchecked."""
    problem = watchlist_name_problem(name=entry.name, entry_id=entry.pk)
    if problem:
        raise CurationError(problem)
    key = name_key(entry.name)
    entry.name_key = key
    if entry.pk is None:
        entry.added_by = actor
    entry.save()
    if recheck:
        showing = list(
            Signature.objects.filter(name_key=key, status=Status.CONFIRMED).values_list(
                "pk", flat=True
            )
        )
        # Names shown instead of the one signed are few and not indexed: folded here.
        shown_as = (
            Signature.objects.filter(status__in=[Status.CONFIRMED, Status.APPROVED])
            .exclude(display_name="")
            .values_list("pk", "display_name")
        )
        showing += [pk for pk, shown in shown_as.iterator() if name_key(shown) == key]
        for signature in _locked(sorted(set(showing))):
            signature_reassess_after_edit(signature=signature, actor=actor)
    return entry


# Import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    batch: SignatureImport
    created: int


def signatures_import_check(*, letter: Letter, content: bytes) -> ImportReport:
    """The dry run: what an import of this file would do, row by row; changes nothing."""
    return import_report(letter=letter, content=content)


def signature_import_stage(
    *, letter: Letter, content: bytes, filename: str, actor: User | None, note: str = ""
) -> tuple[SignatureImport | None, ImportReport]:
    """Check a file and, if it can be imported, keep it as checked for the import to take
    (the organiser reads the report first). A file with problems is not kept."""
    report = import_report(letter=letter, content=content)
    if not report.ok:
        return None, report
    staged = SignatureImport.objects.create(
        letter=letter,
        filename=filename[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        rows=len(report.rows),
        note=note[:300],
        checked_by=actor,
    )
    return staged, report


def signature_import_run(*, staged_id: int, actor: User) -> ImportResult:
    """Import a checked file of signatures collected offline or by a partner.

    All or nothing: the file is checked again (the letter may have changed since the dry
    run) and a single problem imports nothing (CurationError, with the first problem). Each
    row becomes an approved signature "imported by" the organiser, at its own verification
    level ("collected by an organiser"), with an audit event; what the check noticed
    (watch-list names, probable duplicates) is stored as fraud signals for curators to see.
    The organiser vouches for the list, except for watch-list names and rows the file says
    were flagged: those are imported flagged, and show once a curator approves them."""
    with transaction.atomic():
        staged = (
            SignatureImport.objects.select_for_update(of=("self",))
            .select_related("letter__current_version")
            .get(pk=staged_id)
        )
        if staged.status != SignatureImport.Status.CHECKED:
            raise CurationError("This file was imported already.")
        letter = staged.letter
        report = import_report(letter=letter, content=bytes(staged.content))
        if not report.ok:
            raise CurationError(report.summary())
        signatures = []
        for row in report.rows:
            signature = Signature(
                letter=letter,
                letter_version=letter.current_version,
                email=row.email,
                email_normalized=email_normalize(row.email),
                full_name=row.full_name,
                title=row.title,
                institution=row.institution,
                institution_name=row.institution_name,
                country=row.country,
                capacity=row.capacity,
                status=Status.FLAGGED if row.held else Status.APPROVED,
                source=Signature.Source.IMPORT,
                imported_by=actor,
            )
            signature.level = signature_evidence_level(signature)
            signature.is_public = signature_is_public(signature, letter)
            signature_index_text(signature)
            signatures.append(signature)
        try:
            with transaction.atomic():
                Signature.objects.bulk_create(signatures, batch_size=500)
        except IntegrityError as exc:
            # An address of the file signed on the web since the check a moment ago.
            raise CurationError(
                "An address in the file signed this letter while the import ran: check the "
                "file again to see which."
            ) from exc
        reason = f"Imported from {staged.filename} (import #{staged.pk}) by {actor.email}"
        SignatureEvent.objects.bulk_create(
            [
                SignatureEvent(
                    signature=signature,
                    actor=actor,
                    action="imported",
                    to_status=signature.status,
                    reason=f"{reason}, line {row.line}" + (f". {row.held}" if row.held else ""),
                    changes={"signed_on": row.signed_on} if row.signed_on else {},
                )
                for signature, row in zip(signatures, report.rows, strict=True)
            ],
            batch_size=500,
        )
        FraudSignal.objects.bulk_create(
            [
                FraudSignal(
                    signature=signature,
                    kind=finding.kind,
                    explanation=finding.explanation,
                    details=finding.details,
                )
                for signature, row in zip(signatures, report.rows, strict=True)
                for finding in row.findings
            ],
            batch_size=500,
        )
        staged.status = SignatureImport.Status.IMPORTED
        staged.imported_by = actor
        staged.imported_at = timezone.now()
        staged.save(update_fields=["status", "imported_by", "imported_at"])
        letter_stats_schedule_refresh(letter_id=letter.pk)
        transaction.on_commit(lambda: letter_queue_counts_forget(letter_ids=[letter.pk]))
    return ImportResult(staged, len(signatures))


def signatures_import(
    *, letter: Letter, content: bytes, filename: str, actor: User, note: str = ""
) -> ImportResult:
    """Check and import a file in one go (the command line's way)."""
    staged, report = signature_import_stage(
        letter=letter, content=content, filename=filename, actor=actor, note=note
    )
    if staged is None:
        raise CurationError(report.summary())
    return signature_import_run(staged_id=staged.pk, actor=actor)
