"""The organisers' watch list of notable people."""

from __future__ import annotations

import pytest
from django.test import Client

from letters.curation.models import FraudSignal, WatchlistEntry
from letters.signatures.models import Signature
from letters.signatures.stats import letter_stats_refresh
from tests.curation.admin_helpers import public_names
from tests.curation.people import MALLORY, OSKAR, sign_and_confirm
from tests.factories import LetterFactory
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client: Client) -> Client:
    return staff_login(client, staff_user(OSKAR, role="organiser"))


def test_a_name_added_late_takes_a_showing_signature_down_for_review(organiser: Client) -> None:
    letter = LetterFactory.create()
    mallory = sign_and_confirm(letter, **MALLORY)
    letter_stats_refresh(letter_id=letter.pk)
    assert public_names(Client(), letter.slug) == ["Ada Lovelace"]

    response = organiser.post(
        "/admin/curation/watchlistentry/add/",
        {"name": "Lovelace Ada", "note": "Died in 1852."},
    )
    assert response.status_code == 302
    entry = WatchlistEntry.objects.get()
    assert entry.name_key == "ada lovelace" and entry.added_by is not None
    mallory.refresh_from_db()
    assert mallory.status == Signature.Status.FLAGGED
    assert mallory.fraud_signals.filter(kind=FraudSignal.Kind.WATCHLIST).exists()
    letter_stats_refresh(letter_id=letter.pk)
    assert public_names(Client(), letter.slug) == []


def test_the_same_name_twice_is_refused(organiser: Client) -> None:
    organiser.post("/admin/curation/watchlistentry/add/", {"name": "Ada Lovelace"})
    response = organiser.post("/admin/curation/watchlistentry/add/", {"name": "ADA  lovelace"})
    assert "is on the watch list already" in response.content.decode()
    assert WatchlistEntry.objects.count() == 1
