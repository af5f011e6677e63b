from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


def sync_site(**kwargs: Any) -> None:
    """allauth names the site in its emails from django.contrib.sites: keep that row equal
    to SITE_URL and SITE_NAME instead of Django's example.com."""
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "Campaign site"

    def ready(self) -> None:
        post_migrate.connect(sync_site, sender=self)
