from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from letters.accounts.models import User
from letters.campaigns.models import Letter
from letters.common.emaildomains import email_normalize
from letters.common.memo import briefly_cached
from letters.signatures.models import ConsentText, LetterStats, Signature
from letters.signatures.verification import fold

# Only what a public list shows: no email, no network hash.
PUBLIC_COLUMNS = (
    "id", "letter_id", "full_name", "display_name", "title", "institution_name",
    "show_affiliation", "country", "capacity", "level", "featured_rank", "confirmed_at",
)  # fmt: skip


def stats_by_letter(*, letter_ids: Iterable[int]) -> dict[int, LetterStats]:
    return {s.letter_id: s for s in LetterStats.objects.filter(letter_id__in=list(letter_ids))}


def letter_stats(*, letter_id: int) -> LetterStats:
    stats = LetterStats.objects.filter(letter_id=letter_id).first()
    return stats or LetterStats(letter_id=letter_id)


@briefly_cached
def letter_for_signing(*, slug: str) -> Letter:
    return get_object_or_404(
        Letter.objects.exclude(status=Letter.Status.DRAFT)
        .filter(current_version__isnull=False)
        .select_related("current_version", "campaign"),
        slug=slug,
    )


@briefly_cached
def consent_for_form() -> ConsentText | None:
    return ConsentText.objects.filter(is_current=True).first()


def public_order(queryset: QuerySet[Signature]) -> QuerySet[Signature]:
    return queryset.order_by(
        F("featured_rank").asc(nulls_last=True), F("confirmed_at").desc(), F("id").desc()
    )


@dataclass(frozen=True)
class SignatoryFilters:
    query: str = ""
    country: str = ""
    level: str = ""

    @property
    def active(self) -> bool:
        return bool(self.query or self.country or self.level)


def signatory_ids(
    *, letter_id: int, filters: SignatoryFilters, capacity: str
) -> QuerySet[Signature, int]:
    """The ordered ids of a public list: answered from the list's index alone, so that
    skipping to page 1,000 does not read 50,000 signatures."""
    queryset = Signature.objects.filter(letter_id=letter_id, is_public=True, capacity=capacity)
    if filters.country:
        queryset = queryset.filter(country=filters.country)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.query:
        queryset = queryset.filter(search_text__contains=fold(filters.query))
    return public_order(queryset).values_list("id", flat=True)


def signatures_public_by_ids(*, ids: list[int]) -> list[Signature]:
    rows = {s.pk: s for s in Signature.objects.filter(pk__in=ids).only(*PUBLIC_COLUMNS)}
    return [rows[pk] for pk in ids if pk in rows]


def signatories_count(*, stats: LetterStats, filters: SignatoryFilters) -> int | None:
    """The number of people a list shows, from the batched counters when they know it;
    `None` when the database has to count (searches, or two filters at once)."""
    if filters.query or (filters.country and filters.level):
        return None
    if filters.country:
        return int(stats.people_by_country.get(filters.country, 0))
    if filters.level:
        return int(stats.people_by_level.get(filters.level, 0))
    return max(stats.total - stats.organisations, 0)


def proven_addresses(*, user: User) -> list[str]:
    """The addresses an account has proven it receives mail at. An address added on the
    account page but never verified proves nothing: anyone can type anyone's address."""
    addresses = EmailAddress.objects.filter(user=user, verified=True).values_list("email")
    return sorted({email_normalize(address) for (address,) in addresses})


def signatures_given_by(*, user: User) -> QuerySet[Signature]:
    """Every signature an account answers for: those it confirmed, and those given with an
    address it has proven (imported by an organiser, or not confirmed yet). The same scope
    for the list, the data download and deletion, so that deletion removes nothing the
    signatory could not see."""
    return Signature.objects.filter(
        Q(signer=user) | Q(email_normalized__in=proven_addresses(user=user))
    )


def signatures_of_user(*, user: User) -> QuerySet[Signature]:
    return (
        signatures_given_by(user=user)
        .exclude(status=Signature.Status.WITHDRAWN)
        .select_related("letter", "institution")
        .order_by("-created_at")
    )


def signatures_withdrawn_by_user(*, user: User) -> QuerySet[Signature]:
    """What the signatory withdrew and retention has not erased yet."""
    return (
        signatures_given_by(user=user)
        .filter(status=Signature.Status.WITHDRAWN)
        .exclude(email="")
        .select_related("letter")
        .order_by("-withdrawn_at")
    )


def signature_of_user(*, user: User, signature_id: int) -> Signature:
    return get_object_or_404(signatures_of_user(user=user), pk=signature_id)


def account_data(*, user: User) -> dict[str, Any]:
    """Everything personal this site keeps about an account, for the signatory to download."""
    from allauth.socialaccount.models import SocialAccount

    signatures = signatures_given_by(user=user).select_related(
        "letter", "letter_version", "consent"
    )
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "connected_accounts": [
            {"provider": a.provider, "uid": a.uid, "date_joined": a.date_joined.isoformat()}
            for a in SocialAccount.objects.filter(user=user)
        ],
        "signatures": [
            {
                "letter": s.letter.title,
                "letter_url": s.letter.get_absolute_url(),
                "letter_version": s.letter_version.number if s.letter_version else None,
                "full_name": s.full_name,
                "display_name": s.display_name,
                "title": s.title,
                "institution": s.institution_name,
                "show_affiliation": s.show_affiliation,
                "country": str(s.country),
                "signing": s.capacity,
                "email": s.email,
                "status": s.status,
                "verification": s.level,
                "orcid_id": s.orcid_id,
                "consent_text_version": s.consent.version if s.consent else None,
                "consent_text": s.consent.text if s.consent else None,
                "signed_at": s.created_at.isoformat(),
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
                "withdrawn_at": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
                "history": [
                    {"action": e.action, "at": e.created_at.isoformat(), "changes": e.changes}
                    for e in s.events.all()
                ],
            }
            for s in signatures.prefetch_related("events")
        ],
    }
