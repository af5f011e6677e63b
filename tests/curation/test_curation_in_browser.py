"""A curator signs in (emailed code, then authenticator code), approves a signature the
watch list held back, and sees it appear on the letter's public page: in Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from letters.accounts.mfa import totp_now
from letters.curation.models import WatchlistEntry
from letters.curation.services import watchlist_entry_save
from letters.signatures.models import Signature
from tests.curation.people import CLARA, MALLORY, sign_and_confirm
from tests.factories import LetterFactory
from tests.staff import login_code, staff_secret, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_curator_approves_a_flagged_signature(live_server: Any, browser_page: Any) -> None:
    letter = LetterFactory.create(title="A Call to Protect Open-Source AI in Europe")
    watchlist_entry_save(entry=WatchlistEntry(name="Ada Lovelace"), actor=None)
    ada = sign_and_confirm(letter, **{**MALLORY, "email": "ada@lovelace.example"})
    assert ada.status == Signature.Status.FLAGGED
    clara = staff_user(CLARA, role="curator")
    EmailAddress.objects.create(user=clara, email=CLARA, verified=True, primary=True)
    secret = staff_secret(clara)
    page = browser_page

    page.goto(f"{live_server.url}/letters/{letter.slug}/signatories/")
    assert "Ada Lovelace" not in page.content()

    page.goto(f"{live_server.url}/admin/")
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=%2Fadmin%2F$"))
    page.get_by_label("Email").fill(CLARA)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r".*/accounts/login/code/confirm/.*"))
    page.get_by_label("Code").fill(login_code(CLARA))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/accounts/2fa/authenticate/$"))
    page.get_by_label("Code").fill(totp_now(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r".*/admin/$"))

    page.goto(f"{live_server.url}/admin/signatures/signature/?status__exact=flagged")
    row = page.locator("#result_list tbody tr", has_text="Ada Lovelace")
    expect(row.locator(".signal", has_text="Name on the watch list")).to_be_visible()
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("1 signature approved.")).to_be_visible()

    page.goto(f"{live_server.url}/letters/{letter.slug}/signatories/")
    expect(page.locator(".signatory", has_text="Ada Lovelace")).to_be_visible()
    ada.refresh_from_db()
    assert ada.status == Signature.Status.APPROVED
    assert ada.events.get(action="approved").actor == clara
