"""A person signs in a real browser, confirms from the email, and finds their name listed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from letters.signatures.models import Signature
from tests.factories import ConsentTextFactory, InstitutionFactory, LetterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_confirm_and_see_the_badge(live_server: Any, browser_page: Any) -> None:
    ConsentTextFactory.create()
    InstitutionFactory.create(name="Technical University of Munich", country="DE",
                              domains=["tum.de"])  # fmt: skip
    letter = LetterFactory.create(title="A Call to Protect Open-Source AI in Europe")
    page = browser_page

    page.goto(f"{live_server.url}/letters/{letter.slug}/")
    page.get_by_label("Full name", exact=True).fill("Anna Beispiel")
    page.get_by_label("Email", exact=True).fill("anna.beispiel@tum.de")
    page.get_by_label("Role or title (optional)").fill("Professor")
    page.get_by_label("Institution (optional)").fill("Technical Univ")
    page.wait_for_function("document.querySelectorAll('#institution-options option').length > 0")
    page.get_by_label("Institution (optional)").fill("Technical University of Munich (DE)")
    assert page.locator("input[name=institution]").input_value() != ""
    page.get_by_label("Country", exact=True).select_option("DE")
    page.get_by_label("I agree that my name").check()
    page.wait_for_function(
        "document.querySelector('input[name=altcha]') && "
        "document.querySelector('input[name=altcha]').value.length > 20",
        timeout=30_000,
    )
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url(re.compile(r".*/sign/check-email/$"))
    assert page.get_by_role("heading", name="Check your email").is_visible()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/signatures/confirm/\S+/", str(mail.outbox[0].body))
    assert link
    path = link.group(0).split("/signatures/", 1)[1]
    page.goto(f"{live_server.url}/signatures/{path}")
    assert Signature.objects.get().status == Signature.Status.UNCONFIRMED  # the GET did nothing
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_url(re.compile(r".*/sign/thank-you/$"))
    assert "your signature counts" in page.content()

    page.goto(f"{live_server.url}/letters/{letter.slug}/signatories/")
    row = page.locator(".signatory", has_text="Anna Beispiel")
    assert row.is_visible()
    assert row.locator(".badge").inner_text() == "Affiliation verified"
    assert "Technical University of Munich" in row.inner_text()
