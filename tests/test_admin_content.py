"""Organisers edit campaigns, letters, recommendations and partners in the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from letters.accounts.models import User
from letters.campaigns.models import Letter, LetterVersion
from tests.factories import CampaignPartnerFactory, LetterFactory
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client: Client) -> Client:
    user = User.objects.create_superuser(email="organiser@example.org", password="x")
    return staff_login(client, user)


def letter_form(letter: Letter, **changes: Any) -> dict[str, Any]:
    recommendations = list(letter.recommendations.all())
    data: dict[str, Any] = {
        "campaign": letter.campaign_id or "",
        "title": letter.title,
        "slug": letter.slug,
        "subtitle": letter.subtitle,
        "addressee": letter.addressee,
        "summary": letter.summary,
        "body": letter.body,
        "closing": letter.closing,
        "language": letter.language,
        "change_note": "",
        "published_on": letter.published_on.isoformat(),
        "status": letter.status,
        "moderation": letter.moderation,
        "position": letter.position,
        "recommendations-TOTAL_FORMS": len(recommendations),
        "recommendations-INITIAL_FORMS": len(recommendations),
        "recommendations-MIN_NUM_FORMS": 0,
        "recommendations-MAX_NUM_FORMS": 1000,
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
        "versions-MIN_NUM_FORMS": 0,
        "versions-MAX_NUM_FORMS": 1000,
    }
    for i, rec in enumerate(recommendations):
        data.update(
            {
                f"recommendations-{i}-id": rec.pk,
                f"recommendations-{i}-letter": letter.pk,
                f"recommendations-{i}-number": rec.number,
                f"recommendations-{i}-slug": rec.slug,
                f"recommendations-{i}-title": rec.title,
                f"recommendations-{i}-body": rec.body,
            }
        )
    data.update(changes)
    return data


def test_editing_a_letter_records_a_new_version(organiser_client: Client) -> None:
    letter = LetterFactory.create(body="First wording.")
    url = f"/admin/campaigns/letter/{letter.pk}/change/"
    assert organiser_client.get(url).status_code == 200
    response = organiser_client.post(
        url,
        letter_form(
            letter,
            body="Second wording.",
            change_note="Typo fixed",
            **{"recommendations-0-title": "First recommendation, reworded"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    letter.refresh_from_db()
    assert letter.current_version is not None and letter.current_version.number == 2
    assert letter.current_version.note == "Typo fixed"
    assert letter.current_version.body == "Second wording."
    assert letter.current_version.recommendations[0]["title"] == "First recommendation, reworded"
    assert LetterVersion.objects.get(letter=letter, number=1).body == "First wording."


def test_saving_without_changes_records_no_version(organiser_client: Client) -> None:
    letter = LetterFactory.create()
    organiser_client.post(f"/admin/campaigns/letter/{letter.pk}/change/", letter_form(letter))
    assert letter.versions.count() == 1


def test_changelists_and_forms_load(organiser_client: Client) -> None:
    partner = CampaignPartnerFactory.create()
    LetterFactory.create(campaign=partner.campaign)
    for url in (
        "/admin/campaigns/campaign/",
        f"/admin/campaigns/campaign/{partner.campaign.pk}/change/",
        "/admin/campaigns/letter/",
        "/admin/campaigns/letter/add/",
        "/admin/campaigns/organisation/",
        "/admin/institutions/institution/",
    ):
        assert organiser_client.get(url).status_code == 200, url


def test_letter_changelist_query_count_does_not_grow(
    organiser_client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        LetterFactory.create()
    organiser_client.get("/admin/campaigns/letter/")
    with django_assert_max_num_queries(12) as captured:
        organiser_client.get("/admin/campaigns/letter/")
    small = len(captured)
    for _ in range(10):
        LetterFactory.create()
    with django_assert_max_num_queries(small):
        organiser_client.get("/admin/campaigns/letter/")
