"""The sign-in page and its emails speak to signatories, whose accounts come from confirmed
signatures: no invitation to a sign-up that is closed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.signing import committed

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_sends_signatories_to_a_code(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "sign-in code" in html and "sign up" not in html.lower()
    assert "/accounts/signup/" not in html


def test_an_unknown_address_is_told_how_accounts_come_about(client: Client) -> None:
    with committed():
        client.post("/accounts/login/code/", {"email": "never.signed@example.org"})
    body = str(mail.outbox[-1].body)
    assert "No confirmed signature belongs to this address" in body
    assert not re.search(r"sign up", body, re.IGNORECASE)
