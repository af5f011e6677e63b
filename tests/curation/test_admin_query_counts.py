"""The curation admin's cost does not grow with the data: the same number of queries for a
letter of a few signatures and of many, whatever the filters (the benchmark measures the
time at 100,000)."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from letters.campaigns.models import Letter
from letters.curation.models import FraudSignal
from letters.signatures.models import Signature, SignatureEvent
from letters.signatures.stats import letter_stats_refresh
from tests.curation.people import OSKAR
from tests.factories import InstitutionFactory, LetterFactory, SignatureFactory
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db

COUNTRIES = itertools.cycle(["DE", "FR", "IT", "PL", "NL"])
KINDS = itertools.cycle(FraudSignal.Kind.values)


def add_signatures(letter: Letter, n: int) -> None:
    institutions = [InstitutionFactory.create() for _ in range(3)]
    for i in range(n):
        signature = SignatureFactory.create(
            letter=letter,
            country=next(COUNTRIES),
            institution=institutions[i % 3],
            status=Signature.Status.FLAGGED if i % 4 == 0 else Signature.Status.CONFIRMED,
            full_name=f"Anna Person {i}",
        )
        SignatureEvent.objects.create(signature=signature, action="confirmed")
        if i % 2 == 0:
            FraudSignal.objects.create(signature=signature, kind=next(KINDS), explanation="x")
    letter_stats_refresh(letter_id=letter.pk)


@pytest.fixture
def organiser(client: Client) -> Client:
    return staff_login(client, staff_user(OSKAR, role="organiser"))


def cost(client: Client, url: str) -> int:
    # The state counts are cached for a few seconds: start each measure with none, so that
    # they never expire between the warming request and the measured one.
    cache.clear()
    client.get(url)  # warm what is cached (content types, permissions, session, state counts)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def urls(letter: Letter) -> list[str]:
    base = f"/admin/signatures/signature/?letter__id__exact={letter.pk}"
    first = Signature.objects.filter(letter=letter).order_by("pk").first()
    assert first is not None
    return [
        base,
        f"{base}&p=2",
        f"{base}&status__exact=confirmed",
        f"{base}&status__exact=queue",
        f"{base}&signal=any",
        f"{base}&signal=watchlist&country=DE",
        f"{base}&level__exact=email&institution={first.institution_id}",
        f"{base}&institution=Univers",
        f"{base}&q=anna",
        "/admin/signatures/signature/",
        f"/admin/signatures/signature/{first.pk}/change/",
        "/admin/signatures/signatureevent/",
        "/admin/institutions/institution/",
    ]


def test_the_admin_costs_the_same_at_any_size(organiser: Client) -> None:
    letter = LetterFactory.create()
    SignatureFactory.create(letter=LetterFactory.create())  # another letter, to filter out
    add_signatures(letter, 110)  # more than a page of the list (100)
    small = {url: cost(organiser, url) for url in urls(letter)}
    add_signatures(letter, 300)
    large = {url: cost(organiser, url) for url in urls(letter)}
    assert large == small
    # And few at that: session, user, MFA check, permissions, letters, page ids, rows,
    # signals, the count, the state counts and the country choices.
    assert max(small.values()) <= 16, small
