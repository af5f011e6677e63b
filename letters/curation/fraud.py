"""The fraud signals: each detector looks at one signature and says, in words a curator
reads, what about it needs a person's eye. Reads only; `services.signature_assess` stores
what they find and decides whether the signature waits for review."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings

from letters.common.emaildomains import domain_matches, email_domain, is_disposable, is_free_mail
from letters.curation.models import FraudSignal, WatchlistEntry
from letters.signatures.models import Signature
from letters.signatures.verification import fold, name_key

Kind = FraudSignal.Kind


@dataclass(frozen=True)
class Finding:
    kind: str
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)


def disposable_domain(signature: Signature) -> Finding | None:
    if not signature.email or not is_disposable(signature.email):
        return None
    domain = email_domain(signature.email)
    return Finding(
        Kind.DISPOSABLE,
        f"The address is at {domain}, a disposable-email service: anyone can receive mail "
        "there for a few minutes, so confirming it proves nothing about the signer.",
        {"domain": domain},
    )


def affiliation_mismatch(signature: Signature) -> Finding | None:
    """An affiliation the address does not back: a registered institution claimed from an
    address elsewhere, or any affiliation claimed from a free-mail address."""
    claimed = signature.institution.name if signature.institution else signature.institution_name
    if not signature.email or not claimed.strip():
        return None
    domain = email_domain(signature.email)
    if is_free_mail(signature.email):
        return Finding(
            Kind.AFFILIATION,
            f"The signer gives “{claimed}” as their affiliation but signed from {domain}, a "
            "free-mail provider where anyone can open an address: the affiliation is unproven.",
            {"domain": domain, "institution": claimed, "free_mail": True},
        )
    if signature.institution is None:
        return None  # typed as free text: there are no registered domains to compare with
    registered = sorted(d.domain for d in signature.institution.domains.all())
    if not registered or domain_matches(signature.email, registered):
        return None
    return Finding(
        Kind.AFFILIATION,
        f"The signer picked “{claimed}” from the registry, whose email domains are "
        f"{', '.join(registered)}, but the address is at {domain}.",
        {"domain": domain, "institution": claimed, "registered": registered},
    )


def watch_list(signature: Signature) -> Finding | None:
    """The name signed with, or the name shown instead of it (a signatory may change how
    their name appears): either is what a reader of the list takes for the signer."""
    keys = {signature.name_key, name_key(signature.display_name) if signature.display_name else ""}
    keys.discard("")
    if not keys:
        return None
    entry = WatchlistEntry.objects.filter(name_key__in=keys).order_by("pk").first()
    if entry is None:
        return None
    note = f" Note: {entry.note}" if entry.note else ""
    return Finding(
        Kind.WATCHLIST,
        f"“{entry.name}” is on the organisers' watch list of notable people: check with them "
        f"by hand that they signed before this name shows.{note}",
        {"entry": entry.pk, "name": entry.name},
    )


def _institution_key(signature: Signature) -> tuple[int | None, str]:
    return signature.institution_id, fold(signature.institution_name)


def probable_duplicate(signature: Signature) -> Finding | None:
    """Another signature of the letter with the same folded name and institution from a
    different address: one person signing twice, or someone signing in their name."""
    if not signature.name_key:
        return None
    institution_id, institution_name = _institution_key(signature)
    candidates = (
        Signature.objects.filter(letter_id=signature.letter_id, name_key=signature.name_key)
        .exclude(pk=signature.pk)
        .exclude(status__in=[Signature.Status.UNCONFIRMED, Signature.Status.WITHDRAWN])
        .exclude(email_normalized=signature.email_normalized, email_normalized__gt="")
        .only("id", "institution_id", "institution_name", "created_at", "status")
        .order_by("created_at")[:20]
    )
    for other in candidates:
        same_registered = institution_id is not None and other.institution_id == institution_id
        if same_registered or fold(other.institution_name) == institution_name:
            where = (
                f"at {signature.institution_name}" if institution_name else "with no affiliation"
            )
            return Finding(
                Kind.DUPLICATE,
                f"Signature #{other.pk} on this letter has the same name {where}, given from a "
                f"different address on {other.created_at:%d %B %Y} (now {other.status}).",
                {"other": other.pk},
            )
    return None


def network_burst(signature: Signature) -> Finding | None:
    if not signature.ip_hash:
        return None
    window = timedelta(seconds=settings.FRAUD_BURST_WINDOW_SECONDS)
    # Either side of this signature, so that the first signatures of a burst are caught
    # too when they are confirmed after the rest arrived.
    count = Signature.objects.filter(
        ip_hash=signature.ip_hash,
        created_at__gte=signature.created_at - window,
        created_at__lte=signature.created_at + window,
    ).count()
    if count < settings.FRAUD_BURST_COUNT:
        return None
    minutes = max(1, round(window.total_seconds() / 60))
    return Finding(
        Kind.BURST,
        f"{count} signatures came from the same network within {minutes} minutes either side "
        "of this one: a script, or a room of people signing together. The network is known "
        "only by a keyed hash, never by its address.",
        {"count": count, "window_seconds": int(window.total_seconds())},
    )


DETECTORS: tuple[Callable[[Signature], Finding | None], ...] = (
    disposable_domain,
    affiliation_mismatch,
    watch_list,
    probable_duplicate,
    network_burst,
)


def findings_for(signature: Signature) -> list[Finding]:
    return [finding for detect in DETECTORS if (finding := detect(signature)) is not None]
