"""The public list of signatories: search, filters, counts, order, and its cost."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letters.campaigns.models import Letter
from letters.signatures.models import Signature
from letters.signatures.stats import letter_stats_refresh
from tests.factories import LetterFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def public(letter: Letter, name: str, **fields: object) -> Signature:
    return SignatureFactory.create(letter=letter, full_name=name, **fields)


@pytest.fixture
def letter() -> Letter:
    letter = LetterFactory.create()
    public(letter, "José Müller", institution_name="Universidad de Ejemplo", country="ES",
           level="affiliation")  # fmt: skip
    public(letter, "Anna Beispiel", institution_name="Technical University of Munich",
           country="DE", level="orcid")  # fmt: skip
    public(letter, "Famous Featured", featured_rank=1, country="FR")
    public(letter, "ELLIS", capacity="organisation", level="organisation", country="DE")
    SignatureFactory.create(letter=letter, full_name="Hidden Unconfirmed", status="unconfirmed",
                            is_public=False, confirmed_at=None)  # fmt: skip
    SignatureFactory.create(letter=letter, full_name="Hidden Rejected", status="rejected",
                            is_public=False)  # fmt: skip
    letter_stats_refresh(letter_id=letter.pk)
    return letter


def names(html: str) -> list[str]:
    import re

    return re.findall(r'class="signatory__name">([^<]+)<', html)


def test_lists_public_signatures_featured_first_and_organisations_apart(
    client: Client, letter: Letter
) -> None:
    html = client.get(f"/letters/{letter.slug}/signatories/").content.decode()
    listed = names(html)
    assert listed[0] == "ELLIS"  # the organisations section comes first
    people = listed[1:]
    assert people[0] == "Famous Featured"
    assert set(people) == {"Famous Featured", "José Müller", "Anna Beispiel"}
    assert "Hidden" not in html
    assert "4</strong> verified signatures" in html
    assert "Organisation signature" in html and "What the badges mean" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jose muller", ["José Müller"]),
        ("MÜLLER", ["José Müller"]),
        ("munich", ["Anna Beispiel"]),
        ("nobody", []),
    ],
)
def test_search_by_name_and_institution_ignores_accents_and_case(
    client: Client, letter: Letter, query: str, expected: list[str]
) -> None:
    html = client.get(f"/letters/{letter.slug}/signatories/", {"q": query}).content.decode()
    people = [n for n in names(html) if n != "ELLIS"]
    assert people == expected


def test_filter_by_country_and_level(client: Client, letter: Letter) -> None:
    html = client.get(f"/letters/{letter.slug}/signatories/", {"country": "DE"}).content.decode()
    assert names(html) == ["ELLIS", "Anna Beispiel"]
    html = client.get(
        f"/letters/{letter.slug}/signatories/", {"level": "affiliation"}
    ).content.decode()
    assert names(html) == ["José Müller"]
    assert "Germany (2)" in html  # counts by country


def test_nonsense_filters_are_ignored(client: Client, letter: Letter) -> None:
    response = client.get(
        f"/letters/{letter.slug}/signatories/", {"country": "<x>", "level": "god", "page": "-3"}
    )
    assert response.status_code == 200
    assert len(names(response.content.decode())) == 4


def test_pages_of_fifty(client: Client) -> None:
    letter = LetterFactory.create()
    now = timezone.now()
    SignatureFactory.create_batch(120, letter=letter, confirmed_at=now)
    letter_stats_refresh(letter_id=letter.pk)
    first = client.get(f"/letters/{letter.slug}/signatories/").content.decode()
    third = client.get(f"/letters/{letter.slug}/signatories/", {"page": 3}).content.decode()
    assert len(names(first)) == 50 and len(names(third)) == 20
    assert "Page 1 of 3" in first
    assert not set(names(first)) & set(names(third))


@pytest.mark.parametrize("extra", [0, 150])
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # letter, counters, organisations (ids, rows), people (ids, rows)
        ({}, 6),
        ({"country": "DE", "page": "2"}, 6),  # the count comes from the counters
        ({"q": "a"}, 7),  # a search is counted by the database
        ({"q": "a", "country": "DE", "level": "email"}, 7),
    ],
)
def test_query_count_is_fixed_at_any_size(
    client: Client, letter: Letter, extra: int, params: dict[str, str], expected: int
) -> None:
    SignatureFactory.create_batch(extra, letter=letter, country="DE")
    letter_stats_refresh(letter_id=letter.pk)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/letters/{letter.slug}/signatories/", params).status_code == 200
    # Empty results skip their row queries; otherwise the count never depends on the data.
    assert len(queries) <= expected
    if extra:
        assert len(queries) >= expected - 1  # only the organisation rows may be skipped


def test_organisations_beyond_a_page_are_a_click_away(client: Client, letter: Letter) -> None:
    from letters.signatures.views import ORGANISATIONS_PAGE_SIZE

    SignatureFactory.create_batch(
        ORGANISATIONS_PAGE_SIZE + 5, letter=letter, capacity="organisation",
        status="approved", level="organisation",
    )  # fmt: skip
    letter_stats_refresh(letter_id=letter.pk)
    first = client.get(f"/letters/{letter.slug}/signatories/").content.decode()
    assert "More organisations" in first and "Previous organisations" not in first
    second = client.get(f"/letters/{letter.slug}/signatories/", {"opage": "2"}).content.decode()
    odd = client.get(f"/letters/{letter.slug}/signatories/", {"opage": "²"})
    assert odd.status_code == 200 and "More organisations" in odd.content.decode()
    assert "Previous organisations" in second and "More organisations" not in second
    shown_first = set(re.findall(r"Signatory \d+", first))
    shown_second = set(re.findall(r"Signatory \d+", second))
    assert len(shown_second) >= 5 and not shown_first & shown_second
