"""An affiliation a signatory chose not to show cannot be found by searching for it on the
public list; organisers still find it in the admin's institution filter."""

from __future__ import annotations

import pytest
from django.test import Client

from letters.signatures.models import Signature
from letters.signatures.services import signature_update_display
from tests.factories import LetterFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_search_finds_only_what_the_list_shows(client: Client) -> None:
    letter = LetterFactory.create()
    shown = SignatureFactory.create(
        letter=letter, full_name="Open Person", institution_name="Secretive University"
    )
    hidden = SignatureFactory.create(
        letter=letter, full_name="Private Person", institution_name="Secretive University"
    )
    for signature in (shown, hidden):
        signature_update_display(
            signature_id=signature.pk,
            actor=None,
            display_name="",
            title="",
            show_affiliation=signature is shown,
        )

    page = client.get(f"/letters/{letter.slug}/signatories/?q=secretive").content.decode()
    assert "Open Person" in page and "Private Person" not in page
    page = client.get(f"/letters/{letter.slug}/signatories/?q=private").content.decode()
    assert "Private Person" in page and "Secretive University" not in page
    hidden.refresh_from_db()
    assert "secretive" not in hidden.search_text
    assert Signature.objects.filter(institution_name__icontains="secretive").count() == 2
