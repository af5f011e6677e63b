"""Emails from allauth name this site (SITE_NAME, SITE_URL), not Django's example.com."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client

from tests.factories import UserFactory
from tests.signing import committed

pytestmark = pytest.mark.django_db


def test_the_site_row_follows_the_settings() -> None:
    site = Site.objects.get_current()
    assert site.name == settings.SITE_NAME
    assert site.domain == settings.SITE_URL.split("://", 1)[1]


def test_a_sign_in_code_email_names_the_site(client: Client) -> None:
    user = UserFactory.create(email="jean.exemple@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Site.objects.clear_cache()

    with committed():  # allauth's mail leaves through a task after the commit
        response = client.post("/accounts/login/code/", {"email": user.email})
    assert response.status_code == 302

    (message,) = mail.outbox
    assert "example.com" not in str(message.body)
    assert settings.SITE_NAME in str(message.body)
