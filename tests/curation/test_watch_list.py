"""The organisers' watch list of notable people."""

from __future__ import annotations

import pytest
from django.test import Client

from letters.curation.models import FraudSignal, WatchlistEntry
from letters.signatures.models import Signature
from letters.signatures.services import signature_update_display
from letters.signatures.stats import letter_stats_refresh
from tests.curation.admin_helpers import public_names
from tests.curation.people import MALLORY, OSKAR, sign_and_confirm
from tests.factories import LetterFactory
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client: Client) -> Client:
    return staff_login(client, staff_user(OSKAR, role="organiser"))


def shown_as(signature: Signature, name: str, *, title: str = "") -> None:
    """The signatory changes how they appear, as from their account page."""
    signature_update_display(
        signature_id=signature.pk,
        actor=signature.signer,
        display_name=name,
        title=title,
        show_affiliation=True,
    )


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


def test_the_name_shown_is_checked_too(organiser: Client) -> None:
    """A signer confirms as nobody in particular, then changes the name shown to a famous
    one: it goes down for review, as it would have had they signed with it."""

    letter = LetterFactory.create()
    organiser.post("/admin/curation/watchlistentry/add/", {"name": "Ada Lovelace"})
    joe = sign_and_confirm(letter, **{**MALLORY, "full_name": "Joe Bloggs"})
    assert joe.status == Signature.Status.CONFIRMED

    shown_as(joe, "Ada Lovelace")

    joe.refresh_from_db()
    assert joe.status == Signature.Status.FLAGGED and not joe.is_public
    assert joe.fraud_signals.filter(kind=FraudSignal.Kind.WATCHLIST).exists()
    letter_stats_refresh(letter_id=letter.pk)
    assert public_names(Client(), letter.slug) == []


def test_an_approved_name_changed_to_a_watched_one_is_held_again(organiser: Client) -> None:
    from letters.curation.services import signatures_approve

    letter = LetterFactory.create()
    joe = sign_and_confirm(letter, **{**MALLORY, "full_name": "Joe Bloggs"})
    signatures_approve(signature_ids=[joe.pk], actor=None)
    organiser.post("/admin/curation/watchlistentry/add/", {"name": "Ada Lovelace"})

    shown_as(joe, "Lovelace, Ada")

    joe.refresh_from_db()
    assert joe.status == Signature.Status.FLAGGED and not joe.is_public


def test_a_name_added_late_finds_the_name_shown(organiser: Client) -> None:

    letter = LetterFactory.create()
    joe = sign_and_confirm(letter, **{**MALLORY, "full_name": "Joe Bloggs"})
    shown_as(joe, "Ada Lovelace")
    assert Signature.objects.get(pk=joe.pk).status == Signature.Status.CONFIRMED

    organiser.post("/admin/curation/watchlistentry/add/", {"name": "Ada Lovelace"})

    joe.refresh_from_db()
    assert joe.status == Signature.Status.FLAGGED
    event = joe.events.filter(action="flagged").get()
    assert event.actor is not None and event.actor.email == OSKAR


@pytest.mark.parametrize(
    ("watched", "signed"),
    [("Lech Wałęsa", "Lech Walesa"), ("Lars Løkke Rasmussen", "Lars Lokke Rasmussen"),
     ("Novak Đoković", "Novak Dokovic")],
)  # fmt: skip
def test_letters_without_a_decomposition_fold_too(
    organiser: Client, watched: str, signed: str
) -> None:
    letter = LetterFactory.create()
    organiser.post("/admin/curation/watchlistentry/add/", {"name": watched})
    signature = sign_and_confirm(letter, **{**MALLORY, "full_name": signed})
    assert signature.status == Signature.Status.FLAGGED


def test_an_approved_watched_signatory_who_adds_a_title_stays_approved(
    organiser: Client,
) -> None:
    from letters.curation.services import signatures_approve

    letter = LetterFactory.create()
    organiser.post("/admin/curation/watchlistentry/add/", {"name": "Ada Lovelace"})
    ada = sign_and_confirm(letter, **MALLORY)  # signs as Ada Lovelace: held
    assert ada.status == Signature.Status.FLAGGED
    signatures_approve(signature_ids=[ada.pk], actor=None)  # a curator checked with her

    shown_as(ada, "", title="Countess")

    ada.refresh_from_db()
    assert ada.status == Signature.Status.APPROVED and ada.is_public
