"""The public pages that bring the concerns together: home, campaign and letter pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from letters.campaigns import selectors as campaign_selectors
from letters.common.pagecache import public_page
from letters.signatures import selectors as signature_selectors
from letters.signatures.forms import SignForm


@require_GET
@public_page
def home(request: HttpRequest) -> HttpResponse:
    campaigns = list(campaign_selectors.campaign_list_published())
    letters = list(campaign_selectors.letter_list_public())
    stats = signature_selectors.stats_by_letter(letter_ids=[letter.pk for letter in letters])
    for letter in letters:
        letter.public_stats = stats.get(letter.pk)  # type: ignore[attr-defined]
    by_campaign: dict[int | None, list] = {}
    for letter in letters:
        by_campaign.setdefault(letter.campaign_id, []).append(letter)
    for campaign in campaigns:
        campaign.public_letters = by_campaign.get(campaign.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "campaign/home.html",
        {"campaigns": campaigns, "standalone_letters": by_campaign.get(None, [])},
    )


@require_GET
@public_page
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_selectors.campaign_get_published(slug=slug)
    letters = list(campaign.letters.all())
    stats = signature_selectors.stats_by_letter(letter_ids=[letter.pk for letter in letters])
    for letter in letters:
        letter.public_stats = stats.get(letter.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "campaign/campaign_detail.html",
        {"campaign": campaign, "letters": letters, "partners": campaign.partner_links},  # type: ignore[attr-defined]
    )


@require_GET
@public_page
def letter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    letter = campaign_selectors.letter_get_public(slug=slug)
    return render(
        request,
        "campaign/letter_detail.html",
        {
            "letter": letter,
            "version": letter.current_version,
            "partners": campaign_selectors.letter_partners(letter=letter),
            "stats": signature_selectors.letter_stats(letter_id=letter.pk),
            "form": SignForm(
                consent=signature_selectors.consent_for_form(),
                initial={"version": letter.current_version.number},  # type: ignore[union-attr]
            ),
        },
    )


@require_GET
@public_page
def letter_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    letter = campaign_selectors.letter_get_public(slug=slug)
    version = campaign_selectors.letter_version_get(letter=letter, number=number)
    return render(
        request,
        "campaign/letter_version.html",
        {
            "letter": letter,
            "version": version,
            "versions": campaign_selectors.letter_versions(letter=letter),
        },
    )


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
