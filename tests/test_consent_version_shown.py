"""A signature stores the consent wording its signer read: when the wording changes while
the page is open, the box is unticked again beside the new words."""

from __future__ import annotations

import pytest
from django.test import Client

from letters.campaigns.models import Letter
from letters.signatures.models import Signature
from letters.signatures.services import consent_publish
from tests.factories import ConsentTextFactory, LetterFactory
from tests.signing import committed, sign_data

pytestmark = pytest.mark.django_db

NEW_WORDING = "I agree that my name and country are published, and my affiliation if I give one."


@pytest.fixture
def letter() -> Letter:
    ConsentTextFactory.create()
    return LetterFactory.create()


def test_the_page_says_which_wording_it_shows(client: Client, letter: Letter) -> None:
    html = client.get(f"/letters/{letter.slug}/sign/").content.decode()
    assert 'name="consent_version" value="2026-11"' in html


def test_a_wording_changed_meanwhile_is_asked_again(client: Client, letter: Letter) -> None:
    data = sign_data(client, letter, consent_version="2026-11")
    consent_publish(version="2026-12", text=NEW_WORDING)

    with committed():
        response = client.post(f"/letters/{letter.slug}/sign/", data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "The consent text changed after you opened this page" in html
    assert NEW_WORDING in html and 'name="consent_version" value="2026-12"' in html
    assert 'name="consent" required id="id_consent" checked' not in html
    assert 'id="id_consent" checked' not in html
    assert not Signature.objects.exists()

    data = sign_data(client, letter, consent_version="2026-12")
    with committed():
        assert client.post(f"/letters/{letter.slug}/sign/", data).status_code == 302
    assert Signature.objects.get().consent.version == "2026-12"  # type: ignore[union-attr]


def test_the_wording_it_showed_is_the_one_stored(client: Client, letter: Letter) -> None:
    with committed():
        response = client.post(
            f"/letters/{letter.slug}/sign/", sign_data(client, letter, consent_version="2026-11")
        )
    assert response.status_code == 302
    assert Signature.objects.get().consent.version == "2026-11"  # type: ignore[union-attr]
