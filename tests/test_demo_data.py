"""`make demo`'s data: both letters with signatories, registry, legislators, and an admin
login that works the way the terminal says, second factor included. Run twice, it still
holds one of everything."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from letters.campaigns.models import Letter
from letters.institutions.models import Institution
from letters.legislators.models import Committee
from letters.signatures.models import Signature
from tests.signing import committed
from tests.staff import login_code

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("load_campaign_content", stdout=io.StringIO())
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_both_letters_signed_and_the_committees() -> None:
    seed()
    counts = {letter.slug: letter.signatures.filter(is_public=True).count()
              for letter in Letter.objects.all()}  # fmt: skip
    assert len(counts) == 2 and all(n >= 5 for n in counts.values()), counts
    assert Institution.objects.filter(domains__isnull=False).exists()
    assert {"IMCO", "LIBE"} <= set(Committee.objects.values_list("code", flat=True))


def test_seeding_twice_adds_nothing() -> None:
    seed()
    before = (Signature.objects.count(), Institution.objects.count())
    seed()
    assert (Signature.objects.count(), Institution.objects.count()) == before


def test_the_printed_admin_login_opens_the_admin(client: Client) -> None:
    printed = seed()
    email = re.search(r"sign in as (\S+)", printed).group(1)  # type: ignore[union-attr]
    recovery = re.search(r"recovery codes\s+(\d{8})", printed).group(1)  # type: ignore[union-attr]

    with committed():
        client.post(reverse("account_login"), {"login": email})
    client.post(reverse("account_confirm_login_code"), {"code": login_code(email)})
    response = client.post(reverse("mfa_authenticate"), {"code": recovery})

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
