"""Bot defence without third parties: proof of work, honeypot, rate limits, no raw IPs."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from letters.campaigns.models import Letter
from letters.signatures.models import Signature
from letters.signatures.verification import ip_hash
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter() -> Letter:
    ConsentTextFactory.create()
    return LetterFactory.create()


def test_per_ip_limit_answers_clearly_and_stores_nothing_more(
    client: Client,
    letter: Letter,
    settings,
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"sign_letter": "3/m/ip", "sign_email": "100/h/key"}
    statuses = [sign(client, letter, email=f"p{i}@example.org").status_code for i in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Signature.objects.count() == 3
    response = sign(client, letter, email="late@example.org")
    assert "Too many signatures come from your network" in response.content.decode()
    other_network = sign(Client(REMOTE_ADDR="198.51.100.7"), letter, email="other@example.org")
    assert other_network.status_code == 302


def test_per_email_limit_stops_mail_bombing_without_telling(
    client: Client,
    letter: Letter,
    settings,
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"sign_letter": "100/m/ip", "sign_email": "2/h/key"}
    responses = [
        sign(client, letter, email="victim@example.org", full_name=f"Name {i}") for i in range(5)
    ]
    assert {r.status_code for r in responses} == {302}
    assert len({r["Location"] for r in responses}) == 1
    # The first signature, then two more links; the rest change nothing and send nothing.
    assert len(mail.outbox) == 3
    assert Signature.objects.get().full_name == "Name 2"
    # Another address is not held back by this one's limit.
    sign(client, letter, email="someone-else@example.org")
    assert len(mail.outbox) == 4


def test_a_first_signature_does_not_spend_the_address_limit(client: Client, settings) -> None:
    ConsentTextFactory.create()
    letters = LetterFactory.create_batch(3)
    settings.ACCOUNT_RATE_LIMITS = {"sign_letter": "100/m/ip", "sign_email": "1/h/key"}
    for each in letters:
        assert sign(client, each, email="busy@example.org").status_code == 302
    assert Signature.objects.filter(email="busy@example.org").count() == 3
    assert len(mail.outbox) == 3


def test_the_raw_address_is_never_stored(client: Client, letter: Letter) -> None:
    sign(Client(REMOTE_ADDR="203.0.113.42"), letter)
    signature = Signature.objects.get()
    assert signature.ip_hash == ip_hash("203.0.113.42")
    assert signature.ip_hash == ip_hash("203.0.113.99")  # the network, not the machine
    assert signature.ip_hash != ip_hash("203.0.114.42")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM signatures_signature")
        row = " ".join(str(v) for v in cursor.fetchone())
    assert "203.0.113" not in row


def test_honeypot_and_missing_proof_of_work_store_nothing(client: Client, letter: Letter) -> None:
    assert sign(client, letter, website="https://spam.example").status_code == 400
    assert sign(client, letter, altcha="").status_code == 400
    assert Signature.objects.count() == 0
