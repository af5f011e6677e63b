"""Anonymous readers of public pages are served from a short per-process cache."""

from __future__ import annotations

import pytest
from django.test import Client

from letters.common import pagecache
from letters.signatures.models import LetterStats
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def enabled(settings):
    settings.PAGE_CACHE_SECONDS = 60
    pagecache.clear()
    yield
    pagecache.clear()


def test_second_anonymous_view_costs_no_query(client: Client, django_assert_num_queries) -> None:
    letter = LetterFactory.create()
    first = client.get(f"/letters/{letter.slug}/")
    with django_assert_num_queries(0):
        second = client.get(f"/letters/{letter.slug}/")
    assert first.content == second.content
    assert "max-age=60" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]


def test_the_count_lags_by_at_most_the_cache_time(client: Client, settings) -> None:
    letter = LetterFactory.create()
    LetterStats.objects.create(letter=letter, total=10)
    assert (
        '<strong class="counter__number">10</strong>'
        in client.get(f"/letters/{letter.slug}/").content.decode()
    )
    LetterStats.objects.filter(letter=letter).update(total=11)
    stale = client.get(f"/letters/{letter.slug}/").content.decode()
    assert '<strong class="counter__number">10</strong>' in stale
    pagecache.clear()  # as if the seconds had passed
    fresh = client.get(f"/letters/{letter.slug}/").content.decode()
    assert '<strong class="counter__number">11</strong>' in fresh


def test_signed_in_readers_and_posts_are_never_cached(
    client: Client, django_assert_num_queries
) -> None:
    from tests.factories import UserFactory

    letter = LetterFactory.create()
    client.get(f"/letters/{letter.slug}/")
    client.force_login(UserFactory.create())
    html = client.get(f"/letters/{letter.slug}/").content.decode()
    assert "My signatures" in html  # rendered for this reader, not the anonymous copy


def test_a_cached_page_keeps_the_headers_the_whole_stack_gave_it(client: Client) -> None:
    letter = LetterFactory.create()
    first = client.get(f"/letters/{letter.slug}/")
    second = client.get(f"/letters/{letter.slug}/")
    assert first.content == second.content
    headers = {k: v for k, v in first.headers.items() if k != "Date"}
    assert {k: v for k, v in second.headers.items() if k != "Date"} == headers
    for name in ("Content-Language", "X-Frame-Options", "Vary", "Cache-Control"):
        assert name in second.headers
