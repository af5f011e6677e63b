"""A solved proof-of-work challenge is good for one signature: the signature stores the
challenge's key under a unique index, so a bot that solved one challenge cannot sign for a
thousand addresses with it, also when the copies arrive at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from letters.campaigns.models import Letter
from letters.signatures.models import Signature
from tests.factories import ConsentTextFactory, LetterFactory, SignatureFactory
from tests.signing import committed, sign_data, solved_challenge

REFUSED = "The check that you are not a robot failed. Please reload the page and try again."


@pytest.fixture
def letter(db: Any) -> Letter:
    ConsentTextFactory.create()
    return LetterFactory.create()


def post(client: Client, letter: Letter, data: dict[str, Any]) -> Any:
    with committed():
        return client.post(f"/letters/{letter.slug}/sign/", data)


@pytest.mark.django_db
def test_a_solution_sent_again_for_another_address_is_refused(
    client: Client, letter: Letter
) -> None:
    first = sign_data(client, letter, email="first@example.org")
    assert post(client, letter, first).status_code == 302

    again = {**first, "email": "second@example.org", "full_name": "Someone Else"}
    response = post(client, letter, again)

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert list(Signature.objects.values_list("email", flat=True)) == ["first@example.org"]
    assert [m.to for m in mail.outbox] == [["first@example.org"]]


@pytest.mark.django_db
def test_a_form_refused_for_another_reason_leaves_the_solution_unspent(
    client: Client, letter: Letter
) -> None:
    data = sign_data(client, letter, email="not-an-address")
    assert post(client, letter, data).status_code == 400

    # Corrected, the same form goes through: the signer need not prove work twice.
    assert post(client, letter, {**data, "email": "fixed@example.org"}).status_code == 302
    assert Signature.objects.get().email == "fixed@example.org"


@pytest.mark.django_db
def test_a_new_solution_for_an_unconfirmed_signature_replaces_its_details(
    client: Client, letter: Letter
) -> None:
    assert post(client, letter, sign_data(client, letter, full_name="Ana Typo")).status_code == 302
    data = sign_data(client, letter, full_name="Ana Correct")
    assert post(client, letter, data).status_code == 302
    assert Signature.objects.get().full_name == "Ana Correct"

    # The solution that replaced them is spent like any other.
    other = {**data, "email": "other@example.org"}
    assert post(client, letter, other).status_code == 400


@pytest.mark.django_db
def test_a_spent_solution_cannot_replace_another_signers_details(
    client: Client, letter: Letter
) -> None:
    spent = sign_data(client, letter, email="one@example.org")
    assert post(client, letter, spent).status_code == 302
    pending = SignatureFactory.create(
        letter=letter,
        email="two@example.org",
        full_name="Two Original",
        status=Signature.Status.UNCONFIRMED,
        is_public=False,
        confirmed_at=None,
    )

    response = post(client, letter, {**spent, "email": "two@example.org", "full_name": "Forged"})

    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.full_name == "Two Original"


def confirmed_signer(letter: Letter, email: str) -> Signature:
    return SignatureFactory.create(letter=letter, email=email, status=Signature.Status.CONFIRMED)


@pytest.mark.django_db
def test_a_spent_solution_gets_the_same_answer_whoever_signed(
    client: Client, letter: Letter
) -> None:
    confirmed_signer(letter, "signed@example.org")
    spent = sign_data(client, letter, email="throwaway@example.org")
    assert post(client, letter, spent).status_code == 302
    mail.outbox.clear()

    # Otherwise the page would tell an address that signed from one that did not.
    answers = [
        post(client, letter, {**spent, "email": email})
        for email in ("signed@example.org", "never@example.org")
    ]

    assert [a.status_code for a in answers] == [400, 400]
    assert all(REFUSED in a.content.decode() for a in answers)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_solution_that_stored_nothing_is_spent_all_the_same(
    client: Client, letter: Letter
) -> None:
    confirmed_signer(letter, "signed@example.org")
    data = sign_data(client, letter, email="signed@example.org")
    assert post(client, letter, data).status_code == 302
    assert len(mail.outbox) == 1  # "you have already signed"

    # Sent again, it cannot mail the signer again, nor spend their allowance of emails.
    assert post(client, letter, data).status_code == 400
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_of_one_solution_store_one_signature(settings: Any) -> None:
    if not settings.USING_POSTGRES:
        pytest.fail("The concurrency test needs PostgreSQL (make test sets DATABASE_URL)")
    settings.ACCOUNT_RATE_LIMITS = {}
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    solution = solved_challenge(Client())
    copies = [
        sign_data(Client(), letter, email=f"copy{i}@example.org", altcha=solution)
        for i in range(10)
    ]
    barrier = threading.Barrier(len(copies))

    def submit(data: dict[str, Any]) -> int:
        try:
            barrier.wait()
            return Client().post(f"/letters/{letter.slug}/sign/", data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(copies)) as pool:
        statuses = sorted(pool.map(submit, copies))

    assert statuses == [302] + [400] * 9
    assert Signature.objects.filter(letter=letter).count() == 1
