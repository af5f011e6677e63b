"""Each error on the sign form is tied to its field for screen readers: the field's
aria-describedby names the list of errors shown next to it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from letters.campaigns.models import Letter
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import sign_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter() -> Letter:
    ConsentTextFactory.create()
    return LetterFactory.create()


def test_every_error_is_described_by_its_field(client: Client, letter: Letter) -> None:
    data = sign_data(client, letter, full_name="", email="not-an-email", country="XX")
    data.pop("consent")
    html = client.post(f"/letters/{letter.slug}/sign/", data).content.decode()

    for field in ("full_name", "email", "country", "consent"):
        error_list = re.search(rf'<ul class="errorlist" id="(id_{field}_error)"', html)
        assert error_list, field
        described = re.search(rf'<[^>]*id="id_{field}"[^>]*>', html)
        assert described and error_list.group(1) in described.group(0), field
