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
    assert {k: v for k, v in second.headers.items() if k not in ("Date", "Age")} == headers
    for name in ("Content-Language", "X-Frame-Options", "Vary", "Cache-Control"):
        assert name in second.headers
    # Another cache that keeps the copy must know how old it already is.
    assert "Age" not in first.headers and int(second["Age"]) >= 0


def test_tracking_parameters_share_the_page(client: Client, django_assert_num_queries) -> None:
    letter = LetterFactory.create()
    plain = client.get(f"/letters/{letter.slug}/")
    with django_assert_num_queries(0):
        shared = client.get(f"/letters/{letter.slug}/?utm_source=news&fbclid=abc")
    assert shared.content == plain.content


def test_a_signatory_page_is_kept_per_filter_and_echoes_no_other_parameter(
    client: Client, django_assert_num_queries
) -> None:
    letter = LetterFactory.create()
    first = client.get(f"/letters/{letter.slug}/signatories/?q=ada&fbclid=abc")
    assert b"fbclid" not in first.content
    with django_assert_num_queries(0):
        again = client.get(f"/letters/{letter.slug}/signatories/?q=ada&utm_medium=x")
    assert again.content == first.content
    other = client.get(f"/letters/{letter.slug}/signatories/?q=grace")
    assert other.content != first.content


def test_head_and_foreign_hosts_get_what_the_full_stack_gives(client: Client) -> None:
    letter = LetterFactory.create()
    assert client.get(f"/letters/{letter.slug}/").status_code == 200  # now cached
    assert client.head(f"/letters/{letter.slug}/").status_code == 405
    assert client.get(f"/letters/{letter.slug}/", HTTP_HOST="evil.example").status_code == 400


def test_a_page_declared_public_to_other_caches_is_a_kept_page(client: Client) -> None:
    from tests.factories import UserFactory

    letter = LetterFactory.create()
    client.force_login(UserFactory.create())
    personal = client.get(f"/letters/{letter.slug}/")
    assert "public" not in personal.get("Cache-Control", "")
