"""Twenty simultaneous submissions for one address end with exactly one signature."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from letters.signatures.models import Signature
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import sign_data


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submissions_store_one_signature(settings) -> None:
    if not settings.USING_POSTGRES:
        pytest.fail("The concurrency test needs PostgreSQL (make test sets DATABASE_URL)")
    settings.ACCOUNT_RATE_LIMITS = {}  # the limiter would otherwise turn most away first
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    client = Client()
    payloads = [
        sign_data(client, letter, email="Same.Person@Example.org", full_name=f"Try {i}")
        for i in range(20)
    ]
    barrier = threading.Barrier(20)

    def submit(data: dict) -> int:
        try:
            barrier.wait()
            return Client().post(f"/letters/{letter.slug}/sign/", data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(submit, payloads))

    assert statuses == [302] * 20
    assert Signature.objects.filter(letter=letter).count() == 1
    assert Signature.objects.get().email_normalized == "same.person@example.org"
