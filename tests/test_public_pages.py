"""Home, campaign and letter pages as a reader sees them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from letters.campaigns.content import content_load
from letters.campaigns.models import Letter
from letters.signatures.stats import letter_stats_refresh
from tests.factories import CampaignPartnerFactory, LetterFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> None:
    content_load()


def test_home_lists_campaign_and_letters_with_counts(client: Client, loaded: None) -> None:
    laion = Letter.objects.get(slug="protect-open-source-ai-in-europe")
    SignatureFactory.create_batch(3, letter=laion)
    letter_stats_refresh(letter_id=laion.pk)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open-source AI in the EU AI Act" in html
    assert "A Call to Protect Open-Source AI in Europe" in html
    assert "Supporting Open Source and Open Science in the EU AI Act" in html
    assert '<strong class="count__number">3</strong>' in html
    assert '<strong class="count__number">0</strong>' in html


def test_letter_page_shows_text_and_numbered_recommendations_with_anchors(
    client: Client, loaded: None
) -> None:
    response = client.get("/letters/protect-open-source-ai-in-europe/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<article class="letter" lang="en"' in html
    assert "Safety through transparency" in html
    for slug in ("open-source-rd-can-comply", "requirements-proportional-to-risk",
                 "public-research-compute"):  # fmt: skip
        assert f'id="rec-{slug}"' in html
        assert f'href="#rec-{slug}"' in html
    assert '<span class="recommendation__number">3.</span>' in html
    assert "Hugging Face" in html  # partners of the campaign


def test_coalition_letter_shows_five_recommendations(client: Client, loaded: None) -> None:
    html = client.get("/letters/supporting-open-source-and-open-science/").content.decode()
    assert html.count('class="recommendation"') == 5
    assert "Set proportional requirements for foundation models" in html


def test_campaign_page_lists_partners_and_letters(client: Client, loaded: None) -> None:
    html = client.get("/campaigns/open-source-ai-act/").content.decode()
    for name in ("Creative Commons", "EleutherAI", "GitHub", "Hugging Face", "LAION",
                 "Open Future"):  # fmt: skip
        assert name in html
    assert html.count('class="card letter-card"') == 2


def test_draft_letters_are_not_public(client: Client) -> None:
    letter = LetterFactory.create(status=Letter.Status.DRAFT)
    assert client.get(f"/letters/{letter.slug}/").status_code == 404
    assert letter.title not in client.get("/").content.decode()


def test_closed_letter_is_readable_and_says_so(client: Client) -> None:
    letter = LetterFactory.create(status=Letter.Status.CLOSED)
    html = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "This letter is closed for signatures." in html


def test_letter_body_markdown_is_sanitised(client: Client) -> None:
    letter = LetterFactory.create(
        body="Hello <script>alert(1)</script> <img src=x onerror=alert(2)>"
    )
    html = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "<script>alert(1)" not in html
    assert "onerror" not in html


def test_old_versions_stay_readable(client: Client) -> None:
    from letters.campaigns.services import letter_record_version

    letter = LetterFactory.create(body="First wording.")
    letter.body = "Second wording."
    letter.save()
    letter_record_version(letter=letter, note="Reworded")
    assert "Second wording." in client.get(f"/letters/{letter.slug}/").content.decode()
    old = client.get(f"/letters/{letter.slug}/versions/1/").content.decode()
    assert "First wording." in old and "Second wording." not in old
    assert "Reworded" in old


@pytest.mark.parametrize("letters", [1, 6])
def test_home_page_query_count_does_not_grow_with_letters(client: Client, letters: int) -> None:
    partner = CampaignPartnerFactory.create()
    for _ in range(letters):
        letter = LetterFactory.create(campaign=partner.campaign)
        SignatureFactory.create_batch(2, letter=letter)
        letter_stats_refresh(letter_id=letter.pk)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert len(queries) == 3


@pytest.mark.parametrize("signatures", [0, 30])
def test_letter_page_query_count_is_fixed(client: Client, signatures: int) -> None:
    letter = LetterFactory.create()
    SignatureFactory.create_batch(signatures, letter=letter)
    letter_stats_refresh(letter_id=letter.pk)
    client.get(f"/letters/{letter.slug}/")  # fills the text cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/letters/{letter.slug}/").status_code == 200
    # the letter with its text, its partners, its counters, the consent text of the form
    assert len(queries) == 4
