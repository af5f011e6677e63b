from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from letters.campaigns.models import Campaign, CampaignPartner, Letter, LetterVersion

PUBLIC_STATUSES = (Letter.Status.OPEN, Letter.Status.CLOSED)


def letter_list_public() -> QuerySet[Letter]:
    return (
        Letter.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("campaign")
        .order_by("campaign__title", "position", "-published_on")
    )


def campaign_list_published() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_published=True)


def campaign_get_published(*, slug: str) -> Campaign:
    queryset = Campaign.objects.filter(is_published=True).prefetch_related(
        Prefetch("letters", queryset=letter_list_public()),
        Prefetch(
            "campaignpartner_set",
            queryset=CampaignPartner.objects.select_related("organisation"),
            to_attr="partner_links",
        ),
    )
    return get_object_or_404(queryset, slug=slug)


def letter_get_public(*, slug: str) -> Letter:
    queryset = Letter.objects.filter(
        status__in=PUBLIC_STATUSES, current_version__isnull=False
    ).select_related("campaign", "current_version")
    return get_object_or_404(queryset, slug=slug)


def letter_partners(*, letter: Letter) -> list[CampaignPartner]:
    if letter.campaign_id is None:
        return []
    return list(
        CampaignPartner.objects.filter(campaign_id=letter.campaign_id).select_related(
            "organisation"
        )
    )


def letter_version_get(*, letter: Letter, number: int) -> LetterVersion:
    return get_object_or_404(LetterVersion, letter=letter, number=number)


def letter_versions(*, letter: Letter) -> QuerySet[LetterVersion]:
    return LetterVersion.objects.filter(letter=letter).only(
        "id", "number", "note", "created_at", "sha256", "letter_id"
    )
