"""A signer who presses Sign while the proof of work is still running is not sent back with
an error: the form waits for the check and then goes, once."""

from __future__ import annotations

import re
from typing import Any

import pytest

from letters.signatures.models import Signature
from tests.factories import ConsentTextFactory, LetterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_pressed_early_waits_for_the_check(
    live_server: Any, browser_page: Any, settings: Any
) -> None:
    # Enough work to take the browser a noticeable moment (a second or more here).
    settings.ALTCHA_COST = 1000
    settings.ALTCHA_COUNTER = 20_000
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    page = browser_page
    page.goto(f"{live_server.url}/letters/{letter.slug}/sign/")
    page.evaluate(
        """() => { window.powStates = [];
        document.querySelector('altcha-widget').addEventListener('statechange',
            e => window.powStates.push(e.detail.state)); }"""
    )
    page.get_by_label("Full name", exact=True).fill("Early Presser")
    page.get_by_label("Email", exact=True).fill("early.presser@example.org")
    page.get_by_label("Country", exact=True).select_option("PT")
    page.get_by_label("I agree that my name").check()
    assert page.evaluate("window.powStates") == ["verifying"]
    page.get_by_role("button", name="Sign", exact=True).click()
    assert page.get_by_role("status").filter(has_text="not a robot").is_visible()

    page.wait_for_url(re.compile(r".*/sign/check-email/$"), timeout=60_000)
    signature = Signature.objects.get()
    assert signature.full_name == "Early Presser"
