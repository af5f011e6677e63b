"""Writes for signatures: submitting, confirming, withdrawing, display choices, ORCID, the
signatory's own data, and retention. Views, admin actions, tasks and the curation concern
all go through these functions, so every change of state leaves an audit event and keeps
`is_public`, `level` and the counters right."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from letters.accounts.models import User
from letters.campaigns.models import Letter, LetterVersion
from letters.common.debounce import task_run_after_window
from letters.common.emaildomains import domain_matches, email_normalize
from letters.common.insert import model_insert
from letters.institutions.models import Institution
from letters.institutions.selectors import institution_named
from letters.signatures import signals
from letters.signatures.models import ConsentText, Signature, SignatureEvent
from letters.signatures.selectors import signatures_given_by
from letters.signatures.stats import letter_stats_schedule_refresh
from letters.signatures.verification import fold, level_for, name_key

logger = logging.getLogger(__name__)


class SigningError(Exception):
    """A request the signing rules refuse; the message is meant for the person signing."""


class LetterClosed(SigningError):
    pass


class SignatureGone(SigningError):
    pass


class ConfirmationSuperseded(SigningError):
    """The details were submitted again after the link was opened: the link confirms the
    details it was sent for, or nothing."""


class ChallengeSpent(SigningError):
    """The proof-of-work solution was used for a signature already."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("This proof of work was used already."))


def _challenge_spend_apart(key: str) -> bool:
    """Spend a challenge on a path that stores no new row (an address that signed before);
    False if it was spent already, by a signature or on such a path."""
    if not key:
        return True
    if Signature.objects.filter(challenge_key=key).exists():
        return False
    return bool(cache.add(f"challenge-spent:{key}", 1, timeout=settings.ALTCHA_EXPIRES_SECONDS))


def _raise_if_challenge_spent(error: IntegrityError) -> None:
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        spent = diag.constraint_name == "one_signature_per_challenge"
    else:
        spent = ".challenge_key" in str(error)  # SQLite names the column, not the index
    if spent:
        raise ChallengeSpent() from error


@dataclass(frozen=True)
class SignatureInput:
    full_name: str
    email: str
    country: str
    title: str = ""
    institution: Institution | None = None
    institution_name: str = ""
    capacity: str = Signature.Capacity.INDIVIDUAL
    challenge_key: str = ""  # the proof of work it spends (web signatures)


class SubmitOutcome(StrEnum):
    CREATED = "created"
    RESUBMITTED = "resubmitted"  # an unconfirmed signature: details replaced, new link sent
    ALREADY_SIGNED = "already_signed"  # confirmed before: nothing changes, the signer is told
    HELD_BACK = "held_back"  # signed before, and the address has had its emails for now


@dataclass(frozen=True)
class SubmitResult:
    signature_id: int
    outcome: SubmitOutcome


class EmailKind(StrEnum):
    CONFIRM = "confirm"
    ALREADY_SIGNED = "already_signed"


def consent_publish(*, version: str, text: str, make_current: bool = True) -> ConsentText:
    """A new wording of the consent checkbox. Wordings are never edited: signatures keep the
    one they agreed to, so a change is a new version, which the sign form shows from then on
    (after at most the few seconds of the public page cache)."""
    version, text = version.strip(), text.strip()
    if not version or not text:
        raise SigningError("A consent text needs a version and its wording.")
    with transaction.atomic():
        if ConsentText.objects.filter(version=version).exists():
            raise SigningError(f"There is already a consent text {version}.")
        consent = ConsentText.objects.create(version=version, text=text)
        if make_current:
            consent = consent_make_current(consent_id=consent.pk)
    return consent


def consent_make_current(*, consent_id: int) -> ConsentText:
    """The wording new signatures agree to from now on (one at a time)."""
    with transaction.atomic():
        consent = ConsentText.objects.select_for_update().get(pk=consent_id)
        # The partial unique index allows one current text: the old one steps down first.
        ConsentText.objects.filter(is_current=True).exclude(pk=consent.pk).update(is_current=False)
        if not consent.is_current:
            consent.is_current = True
            consent.save(update_fields=["is_current"])
    return consent


def consent_current() -> ConsentText:
    consent = ConsentText.objects.filter(is_current=True).first()
    if consent is None:
        raise SigningError(_("No consent text is configured; an organiser must add one."))
    return consent


def signature_index_text(signature: Signature) -> None:
    """Recompute the folded text that search reads: what the public sees and nothing more,
    or an affiliation the signatory hid would still find them."""
    signature.search_text = fold(f"{signature.public_name} {signature.public_affiliation}")[:500]
    signature.name_key = name_key(signature.full_name)


def signature_is_public(signature: Signature, letter: Letter) -> bool:
    """Who the public sees. Organisation signatures always wait for an organiser."""
    if signature.status == Signature.Status.APPROVED:
        return True
    return (
        signature.status == Signature.Status.CONFIRMED
        and letter.moderation == Letter.Moderation.POST
        and signature.capacity == Signature.Capacity.INDIVIDUAL
    )


def signature_evidence_level(signature: Signature) -> str:
    domains: list[str] = []
    if signature.institution_id and signature.email:
        # .all() rather than a values query, so that a prefetch of the domains serves it.
        domains = [d.domain for d in signature.institution.domains.all()]  # type: ignore[union-attr]
    affiliation = bool(domains) and domain_matches(signature.email, domains)
    confirmed = signature.confirmed_at is not None
    return level_for(
        email_confirmed=confirmed,
        affiliation_verified=affiliation,
        orcid_verified=bool(signature.orcid_id) and confirmed,
        organisation_approved=(
            signature.capacity == Signature.Capacity.ORGANISATION
            and signature.status == Signature.Status.APPROVED
            and affiliation
        ),
        imported=signature.source == Signature.Source.IMPORT,
    )


def signature_transition(
    *,
    signature: Signature,
    to_status: str,
    action: str,
    actor: User | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    update_fields: list[str] | None = None,
) -> Signature:
    """Move a signature to a new state: recompute what depends on it, save, audit, recount.

    The caller holds the row lock (select_for_update) inside a transaction."""
    from_status = signature.status
    signature.status = to_status
    signature.level = signature_evidence_level(signature)
    signature.is_public = signature_is_public(signature, signature.letter)
    fields = {"status", "level", "is_public", "updated_at", *(update_fields or [])}
    signature.save(update_fields=sorted(fields))
    SignatureEvent.objects.create(
        signature=signature,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changes=changes or {},
    )
    letter_stats_schedule_refresh(letter_id=signature.letter_id)
    return signature


def _queue_email(signature_id: int, kind: EmailKind) -> None:
    from letters.signatures.tasks import send_signature_email

    transaction.on_commit(lambda: send_signature_email.delay(signature_id, kind.value), robust=True)


def confirmations_schedule_send() -> None:
    """Have the waiting confirmation emails sent once this transaction commits.

    The database is the queue: an unconfirmed signature whose email has not gone out is
    waiting (see `emails.confirmations_send_pending`). Requests only make sure a sender
    runs soon, so that a burst of signatures costs one task, not one per signature."""
    from letters.signatures.tasks import send_pending_confirmations

    task_run_after_window(
        task=send_pending_confirmations,
        key="confirmations",
        seconds=settings.CONFIRMATION_BATCH_SECONDS,
    )


def _insert(signature: Signature) -> None:
    """One INSERT is its own transaction: on the hot path of signing, a BEGIN and a COMMIT
    around it would cost two more round trips. Inside a caller's transaction it takes a
    savepoint, so that a duplicate does not break that transaction."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            model_insert(signature)
    else:
        model_insert(signature)


def signature_submit(
    *,
    letter: Letter,
    version: LetterVersion,
    data: SignatureInput,
    consent: ConsentText,
    ip_hash: str = "",
    may_email_again: Callable[[], bool] | None = None,
) -> SubmitResult:
    """Store a web signature as unconfirmed and queue the email that confirms it.

    One live signature per letter and address is enforced by a partial unique index, so
    concurrent submissions for one address end with one row whatever their timing. A second
    submission never changes a confirmed signature; the signer learns by email, not on the
    page, so the page cannot be used to find out who signed.

    `may_email_again` is asked once before a submission for an address that already signed
    this letter sends it another email (the per-address rate limit); if it says no, nothing
    changes. A first signature is not asked: the unique index already allows it only once,
    and the common path of signing stays free of those round trips.

    The proof-of-work challenge (`data.challenge_key`) is spent by the row that stores the
    signature, under a unique index of its own; for an address that signed before it is
    spent before anything else happens, so that every use after the first gets the same
    ChallengeSpent whoever the address belongs to (a different answer for addresses that
    signed would tell who did)."""
    if not letter.is_open:
        raise LetterClosed(_("This letter is closed for signatures."))
    normalized = email_normalize(data.email)
    details = {
        "full_name": data.full_name,
        "title": data.title,
        "institution": data.institution,
        "institution_name": data.institution.name if data.institution else data.institution_name,
        "country": data.country,
        "capacity": data.capacity,
    }
    challenge_spent = False
    for _attempt in range(3):
        signature = Signature(
            letter=letter,
            letter_version=version,
            email=data.email.strip(),
            email_normalized=normalized,
            consent=consent,
            ip_hash=ip_hash,
            token_nonce=secrets.token_hex(6),
            challenge_key=data.challenge_key,
            **details,
        )
        signature_index_text(signature)
        try:
            _insert(signature)
        except IntegrityError as error:
            _raise_if_challenge_spent(error)
            if not challenge_spent and not _challenge_spend_apart(data.challenge_key):
                raise ChallengeSpent() from error
            challenge_spent = True  # by this submission, whatever the retries
            if may_email_again is not None and not may_email_again():
                held = (
                    Signature.objects.exclude(status=Signature.Status.WITHDRAWN)
                    .filter(letter=letter, email_normalized=normalized)
                    .values_list("pk", flat=True)
                    .first()
                )
                if held is not None:
                    return SubmitResult(held, SubmitOutcome.HELD_BACK)
                continue  # withdrawn in between: try the insert again
            may_email_again = None  # asked once, whatever the retries
        else:
            confirmations_schedule_send()
            return SubmitResult(signature.pk, SubmitOutcome.CREATED)
        try:
            with transaction.atomic():
                existing = (
                    Signature.objects.select_for_update(of=("self",))
                    .select_related("letter")
                    .exclude(status=Signature.Status.WITHDRAWN)
                    .filter(letter=letter, email_normalized=normalized)
                    .first()
                )
                if existing is None:  # withdrawn in between: try the insert again
                    continue
                if existing.status != Signature.Status.UNCONFIRMED:
                    _queue_email(existing.pk, EmailKind.ALREADY_SIGNED)
                    return SubmitResult(existing.pk, SubmitOutcome.ALREADY_SIGNED)
                for name, value in details.items():
                    setattr(existing, name, value)
                existing.email = data.email.strip()
                existing.letter_version = version
                existing.consent = consent
                existing.ip_hash = ip_hash
                existing.token_nonce = secrets.token_hex(6)
                existing.challenge_key = data.challenge_key
                existing.confirmation_sent_at = None
                signature_index_text(existing)
                existing.save()
                confirmations_schedule_send()
                return SubmitResult(existing.pk, SubmitOutcome.RESUBMITTED)
        except IntegrityError as error:
            _raise_if_challenge_spent(error)
            raise
    raise SigningError(_("Your signature could not be saved. Please try again."))


def account_for_email(email: str) -> User:
    """The account that owns a just-proven address, created if needed, address verified.

    Only a verified claim on the address names its owner. Anyone can add anyone's address to
    their account unverified, and the person who just proved it is not them: such claims are
    dropped. An account whose own email is the address and that never claimed it through
    allauth (made with `createsuperuser`, say) is taken as its owner."""
    normalized = email_normalize(email)
    claims = list(EmailAddress.objects.filter(email__iexact=normalized))
    proven = next((claim for claim in claims if claim.verified), None)
    if proven is not None:
        return proven.user
    unproven_claimants = {claim.user_id for claim in claims}
    if claims:
        EmailAddress.objects.filter(pk__in=[claim.pk for claim in claims]).delete()
    user = User.objects.filter(email__iexact=normalized).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=normalized)
        except IntegrityError:
            user = User.objects.get(email__iexact=normalized)
    if user.pk in unproven_claimants:
        # Its own email, never proven: nothing says the signer is that account's holder.
        raise SigningError(
            _("This address belongs to an account that never confirmed it; ask an organiser.")
        )
    EmailAddress.objects.get_or_create(
        user=user, email=normalized, defaults={"verified": True, "primary": True}
    )
    return user


def _orcid_of(user: User) -> str:
    account = SocialAccount.objects.filter(user=user, provider="orcid").first()
    return account.uid if account else ""


def signature_confirm(*, signature_id: int, token_nonce: str | None = None) -> Signature:
    """The signer proved the address: the signature counts from now on.

    With `token_nonce` (the one in the link that was followed), the signature is confirmed
    only if its details are still those the link was sent for: checked under the row's lock,
    since someone may submit new details between opening the link and pressing the button.
    Idempotent for a signature already confirmed. Hooks registered on `signature_confirmed`
    (fraud signals, in the curation concern) run in the same transaction, before anyone
    can see the signature."""
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("letter", "institution")
            .get(pk=signature_id)
        )
        if signature.status == Signature.Status.WITHDRAWN:
            raise SignatureGone(_("This signature was withdrawn."))
        if signature.status != Signature.Status.UNCONFIRMED:
            return signature
        if token_nonce is not None and signature.token_nonce != token_nonce:
            raise ConfirmationSuperseded(
                _("A newer email was sent for this signature; please use its link.")
            )
        user = account_for_email(signature.email)
        signature.signer = user
        signature.confirmed_at = timezone.now()
        signature.orcid_id = _orcid_of(user)
        fields = ["signer", "confirmed_at", "orcid_id"]
        changes: dict[str, Any] = {}
        if signature.institution_id is None and signature.institution_name:
            # Typed rather than picked, but exactly a registered name: the same claim, and
            # the address can then prove it like any other.
            named = institution_named(name=signature.institution_name, country=signature.country)
            if named is not None:
                signature.institution = named
                fields.append("institution")
                changes["institution"] = [None, named.name]
        signature_transition(
            signature=signature,
            to_status=Signature.Status.CONFIRMED,
            action="confirmed",
            actor=user,
            changes=changes,
            reason="The institution typed is a registered name: linked to it." if changes else "",
            update_fields=fields,
        )
        signals.signature_confirmed.send(sender=Signature, signature=signature)
        return signature


def signature_withdraw(
    *, signature_id: int, actor: User | None = None, reason: str = ""
) -> Signature:
    """Take a signature off the letter: off public pages, counters and future packets."""
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("letter", "institution")
            .get(pk=signature_id)
        )
        if signature.status == Signature.Status.WITHDRAWN:
            return signature
        signature.withdrawn_at = timezone.now()
        return signature_transition(
            signature=signature,
            to_status=Signature.Status.WITHDRAWN,
            action="withdrawn",
            actor=actor,
            reason=reason,
            update_fields=["withdrawn_at"],
        )


DISPLAY_FIELDS = ("display_name", "title", "show_affiliation")


def signature_update_display(
    *,
    signature_id: int,
    actor: User | None,
    display_name: str,
    title: str,
    show_affiliation: bool,
    reason: str = "",
) -> Signature:
    """Change how a signatory appears in public; the change is kept in the audit trail."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update(of=("self",)).get(pk=signature_id)
        new = {"display_name": display_name, "title": title, "show_affiliation": show_affiliation}
        changes = {
            name: [getattr(signature, name), value]
            for name, value in new.items()
            if getattr(signature, name) != value
        }
        if not changes:
            return signature
        for name, value in new.items():
            setattr(signature, name, value)
        signature_index_text(signature)
        signature.save(update_fields=[*DISPLAY_FIELDS, "search_text", "updated_at"])
        SignatureEvent.objects.create(
            signature=signature,
            actor=actor,
            action="edited",
            from_status=signature.status,
            to_status=signature.status,
            changes=changes,
            reason=reason,
        )
        signals.signature_display_changed.send(
            sender=Signature, signature=signature, changed=sorted(changes)
        )
        return signature


def signatures_recheck_affiliation(
    *, institution_ids: Iterable[int], actor: User | None = None, reason: str = ""
) -> int:
    """Institutions' email domains changed: each signature claiming one of them gets the
    level its address earns now (a domain removed takes "affiliation verified" away, one
    added gives it), audited. Returns how many levels changed."""
    ids = list(
        Signature.objects.filter(institution_id__in=list(institution_ids))
        .exclude(status__in=[Signature.Status.WITHDRAWN, Signature.Status.UNCONFIRMED])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    changed = 0
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            batch = (
                Signature.objects.select_for_update(of=("self",))
                .select_related("letter", "institution")
                .prefetch_related("institution__domains")
                .filter(pk__in=ids[start : start + 500])
                .order_by("pk")
            )
            for signature in batch:
                before, after = signature.level, signature_evidence_level(signature)
                if after == before:
                    continue
                signature_transition(
                    signature=signature,
                    to_status=signature.status,
                    action="level_changed",
                    actor=actor,
                    reason=reason or "The institution's registered email domains changed.",
                    changes={"level": [before, after]},
                )
                changed += 1
    return changed


def signatures_apply_orcid(*, user: User, orcid_id: str) -> int:
    """A signer connected (or disconnected, with an empty iD) their ORCID record."""
    updated = 0
    with transaction.atomic():
        signatures = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("letter", "institution")
            .filter(signer=user)
            .exclude(status__in=[Signature.Status.WITHDRAWN, Signature.Status.UNCONFIRMED])
        )
        for signature in signatures:
            if signature.orcid_id == orcid_id:
                continue
            changes = {"orcid_id": [signature.orcid_id, orcid_id]}
            signature.orcid_id = orcid_id
            signature_transition(
                signature=signature,
                to_status=signature.status,
                action="orcid_connected" if orcid_id else "orcid_removed",
                actor=user,
                changes=changes,
                update_fields=["orcid_id"],
            )
            updated += 1
    return updated


def account_delete(*, user: User) -> int:
    """Erase an account and every signature given with its addresses."""
    with transaction.atomic():
        signatures = list(signatures_given_by(user=user).values_list("pk", "letter_id"))
        Signature.objects.filter(pk__in=[pk for pk, _ in signatures]).delete()
        _admin_log_forget(signature_ids=[pk for pk, _ in signatures])
        for letter_id in {letter_id for _, letter_id in signatures}:
            letter_stats_schedule_refresh(letter_id=letter_id)
        user.delete()
    return len(signatures)


def _admin_log_forget(*, signature_ids: list[int]) -> None:
    """Django's admin history names each object as it was ("Anna Beispiel, signature #3"): for a
    signature deleted or erased, the entries stay and the name goes."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if not signature_ids:
        return
    kind = ContentType.objects.get_for_model(Signature)
    for start in range(0, len(signature_ids), 1000):
        ids = [str(pk) for pk in signature_ids[start : start + 1000]]
        LogEntry.objects.filter(content_type=kind, object_id__in=ids).update(
            object_repr="(erased signature)", change_message=""
        )


@dataclass(frozen=True)
class PurgeSummary:
    unconfirmed_deleted: int
    withdrawn_erased: int
    ip_hashes_cleared: int


def signatures_purge_expired() -> PurgeSummary:
    """Retention: drop signatures never confirmed, erase withdrawn ones, forget networks."""
    now = timezone.now()
    unconfirmed_cutoff = now - timedelta(days=settings.UNCONFIRMED_RETENTION_DAYS)
    # Counted from the last submission, not the first: signing again sends a fresh link,
    # which must not lead to a signature deleted meanwhile.
    expired = Signature.objects.filter(
        status=Signature.Status.UNCONFIRMED, updated_at__lt=unconfirmed_cutoff
    )
    with transaction.atomic():
        # Locked, and deleted only if still expired: a confirmation or a new submission
        # committing meanwhile keeps its row (a row being changed right now is skipped).
        expired_ids = list(expired.select_for_update(skip_locked=True).values_list("pk", flat=True))
        deleted, _ = expired.filter(pk__in=expired_ids).delete()
        _admin_log_forget(signature_ids=expired_ids)
    with transaction.atomic():
        to_erase = list(
            Signature.objects.filter(
                status=Signature.Status.WITHDRAWN, withdrawn_at__lt=unconfirmed_cutoff
            )
            .exclude(email="")
            .values_list("pk", flat=True)
        )
        erased = Signature.objects.filter(pk__in=to_erase).update(
            email="",
            email_normalized="",
            full_name="(withdrawn)",
            display_name="",
            title="",
            institution=None,
            institution_name="",
            orcid_id="",
            search_text="",
            name_key="",
            signer=None,
        )
        # The audit trail keeps what happened and when, not the details it recorded: an
        # edit's old and new names, a curator's reason naming the person.
        SignatureEvent.objects.filter(signature_id__in=to_erase).update(changes={}, reason="")
        _admin_log_forget(signature_ids=to_erase)
    cleared = (
        Signature.objects.filter(
            created_at__lt=now - timedelta(days=settings.IP_HASH_RETENTION_DAYS)
        )
        .exclude(ip_hash="")
        .update(ip_hash="")
    )
    return PurgeSummary(deleted, erased, cleared)


def confirmations_mark_sent(*, sent: list[tuple[int, str]]) -> int:
    """Record that confirmation emails went out, each for the link (nonce) it carried: a
    signature resubmitted while its email was being sent still waits for the newer one."""
    if not sent:
        return 0
    ids = [pk for pk, _ in sent]
    nonces = [nonce for _, nonce in sent]
    return Signature.objects.filter(
        pk__in=ids,
        token_nonce__in=nonces,
        status=Signature.Status.UNCONFIRMED,
        confirmation_sent_at__isnull=True,
    ).update(confirmation_sent_at=timezone.now())
