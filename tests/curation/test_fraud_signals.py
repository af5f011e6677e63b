"""Fraud signals, computed when a signature is confirmed: each one fires on the case it is
for and stays silent on a legitimate signature (Anna, a professor signing from her
university's address)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from letters.campaigns.models import Letter
from letters.curation.models import FraudSignal, WatchlistEntry
from letters.curation.services import watchlist_entry_save
from letters.curation.tasks import purge_erased_signals
from letters.signatures.models import Signature
from letters.signatures.services import signature_withdraw, signatures_purge_expired
from letters.signatures.stats import letter_stats_refresh
from tests.curation.people import ANNA, MALLORY, sign_and_confirm, tum
from tests.factories import LetterFactory
from tests.signing import committed

pytestmark = pytest.mark.django_db

Kind = FraudSignal.Kind


@pytest.fixture
def letter() -> Letter:
    return LetterFactory.create(moderation=Letter.Moderation.POST)


def kinds(signature: Signature) -> set[str]:
    return set(signature.fraud_signals.values_list("kind", flat=True))


def anna(letter: Letter, **extra: str) -> Signature:
    return sign_and_confirm(letter, institution=tum(), **{**ANNA, **extra})


def test_a_legitimate_signature_has_no_signal_and_shows_at_once(letter: Letter) -> None:
    signature = anna(letter)
    assert kinds(signature) == set()
    assert signature.status == Signature.Status.CONFIRMED and signature.is_public


# Disposable domain


def test_disposable_domain_fires_and_holds_the_signature(letter: Letter) -> None:
    signature = sign_and_confirm(
        letter, full_name="Throwaway Person", email="someone@mailinator.com", country="FR"
    )
    found = signature.fraud_signals.get()
    assert found.kind == Kind.DISPOSABLE
    assert "mailinator.com" in found.explanation and "disposable" in found.explanation
    assert signature.status == Signature.Status.FLAGGED and not signature.is_public


def test_disposable_domain_does_not_fire_on_an_institutional_address(letter: Letter) -> None:
    assert Kind.DISPOSABLE not in kinds(anna(letter))


# Affiliation not backed by the address


def test_registered_institution_claimed_from_another_domain(letter: Letter) -> None:
    signature = anna(letter, email="anna.beispiel@example.org")
    found = signature.fraud_signals.get(kind=Kind.AFFILIATION)
    assert "Technical University of Munich" in found.explanation
    assert "tum.de" in found.explanation and "example.org" in found.explanation
    # Marked for curators, not held: the badge already says "email confirmed" only.
    assert signature.status == Signature.Status.CONFIRMED and signature.is_public
    assert signature.level == Signature.Level.EMAIL


def test_affiliation_claimed_from_free_mail(letter: Letter) -> None:
    signature = sign_and_confirm(
        letter,
        full_name="Jean Exemple",
        email="jean.exemple@gmail.com",
        institution_name="Sorbonne Université",
        country="FR",
    )
    found = signature.fraud_signals.get(kind=Kind.AFFILIATION)
    assert "free-mail" in found.explanation and "Sorbonne Université" in found.explanation


def test_affiliation_does_not_fire_when_the_address_is_at_the_institution(letter: Letter) -> None:
    assert Kind.AFFILIATION not in kinds(anna(letter, email="anna@cs.tum.de"))


def test_free_mail_without_an_affiliation_claims_nothing(letter: Letter) -> None:
    signature = sign_and_confirm(
        letter, full_name="Jean Exemple", email="jean.exemple@gmail.com", country="FR"
    )
    assert kinds(signature) == set()


# The watch list


def test_watch_list_name_is_held_even_on_a_post_moderated_letter(
    letter: Letter, client: Client
) -> None:
    watchlist_entry_save(
        entry=WatchlistEntry(name="Ada Lovelace", note="Ask her office."), actor=None
    )
    # Case, accents and word order are folded.
    signature = sign_and_confirm(letter, **{**MALLORY, "full_name": "LOVELACE, Adá"})
    found = signature.fraud_signals.get(kind=Kind.WATCHLIST)
    assert "watch list" in found.explanation and "Ask her office." in found.explanation
    assert signature.status == Signature.Status.FLAGGED and not signature.is_public
    letter_stats_refresh(letter_id=letter.pk)
    assert "LOVELACE" not in client.get(f"/letters/{letter.slug}/signatories/").content.decode()


def test_watch_list_does_not_fire_on_other_names(letter: Letter) -> None:
    watchlist_entry_save(entry=WatchlistEntry(name="Ada Lovelace"), actor=None)
    assert Kind.WATCHLIST not in kinds(anna(letter))


# Probable duplicate person


def test_same_name_and_institution_from_another_address(letter: Letter) -> None:
    first = anna(letter)
    second = anna(letter, full_name="beispiel anna", email="anna.beispiel@gmail.com")
    found = second.fraud_signals.get(kind=Kind.DUPLICATE)
    assert f"#{first.pk}" in found.explanation
    assert second.status == Signature.Status.FLAGGED
    assert kinds(first) == set()  # the first one stays as it was


def test_same_name_at_another_institution_is_another_person(letter: Letter) -> None:
    anna(letter)
    other = sign_and_confirm(
        letter,
        **{**ANNA, "email": "anna.beispiel@uva.nl"},
        institution_name="University of Amsterdam",
    )
    assert Kind.DUPLICATE not in kinds(other)


def test_the_same_person_on_another_letter_is_no_duplicate(letter: Letter) -> None:
    anna(letter)
    assert Kind.DUPLICATE not in kinds(anna(LetterFactory.create()))


# A burst from one network


@override_settings(FRAUD_BURST_COUNT=3, FRAUD_BURST_WINDOW_SECONDS=600)
def test_a_burst_from_one_network(letter: Letter) -> None:
    with committed():
        signed = [
            sign_and_confirm(
                letter,
                full_name=f"Scripted Person {i}",
                email=f"scripted{i}@example.org",
                country="DE",
                ip_hash="same-network-hash",
            )
            for i in range(3)
        ]
    found = signed[-1].fraud_signals.get(kind=Kind.BURST)
    assert "3 signatures" in found.explanation and "10 minutes" in found.explanation
    assert "same-network-hash" not in found.explanation
    assert signed[-1].status == Signature.Status.FLAGGED
    # Confirmed and shown before the burst reached the threshold: held once it did.
    for first in signed[:2]:
        first.refresh_from_db()
        assert Kind.BURST in kinds(first) and first.status == Signature.Status.FLAGGED
        assert not first.is_public


@override_settings(FRAUD_BURST_COUNT=3, FRAUD_BURST_WINDOW_SECONDS=600)
def test_signatures_from_different_networks_are_no_burst(letter: Letter) -> None:
    for i in range(2):
        sign_and_confirm(
            letter,
            full_name=f"Colleague {i}",
            email=f"colleague{i}@tum.de",
            country="DE",
            ip_hash="office-network",
        )
    assert Kind.BURST not in kinds(anna(letter, ip_hash="her-home-network"))


def test_signals_go_when_retention_erases_a_withdrawn_signature(letter: Letter) -> None:
    signature = sign_and_confirm(
        letter, full_name="Throwaway Person", email="someone@mailinator.com", country="FR"
    )
    kept = anna(letter, email="anna.beispiel@example.org")  # has a signal, stays
    signature_withdraw(signature_id=signature.pk)
    Signature.objects.filter(pk=signature.pk).update(
        withdrawn_at=timezone.now() - timedelta(days=60)
    )
    signatures_purge_expired()
    assert purge_erased_signals() == 1
    assert not FraudSignal.objects.filter(signature=signature).exists()
    assert FraudSignal.objects.filter(signature=kept).exists()
