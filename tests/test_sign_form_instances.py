"""Sign forms share their declared fields rather than copying them (letters.signatures.forms
`_SharedFields`): what one form instance shows or reports must never leak into another."""

from __future__ import annotations

import pytest

from letters.signatures.forms import SignForm
from tests.factories import ConsentTextFactory

pytestmark = pytest.mark.django_db


def test_each_form_shows_its_own_consent_text() -> None:
    old = ConsentTextFactory.create(
        version="v1", text="I agree to the old wording.", is_current=False
    )
    new = ConsentTextFactory.create(
        version="v2", text="I agree to the new wording.", is_current=False
    )

    first, second = SignForm(consent=old), SignForm(consent=new)

    assert first.fields["consent"].label == "I agree to the old wording."
    assert second.fields["consent"].label == "I agree to the new wording."
    assert "old wording" in str(first["consent"].label_tag())
    assert "new wording" not in str(first["consent"].label_tag())


def test_errors_of_one_form_do_not_reach_the_next() -> None:
    consent = ConsentTextFactory.create()
    bad = SignForm({"full_name": "x", "email": "not-an-address"}, consent=consent)
    assert not bad.is_valid()
    assert "email" in bad.errors and "full_name" in bad.errors

    fresh = SignForm(consent=consent)
    html = str(fresh["email"]) + str(fresh["full_name"])
    assert "aria-invalid" not in html
    assert fresh.errors == {}  # unbound: nothing to report
