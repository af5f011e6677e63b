from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


def sync_site(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """allauth names the site in its emails from django.contrib.sites: keep that row equal
    to SITE_URL and SITE_NAME instead of Django's example.com."""
    if sender.label != "sites":
        return
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "Campaign site"

    def ready(self) -> None:
        # Sent per app with models; this one has none, so listen for the sites app's.
        post_migrate.connect(sync_site, dispatch_uid="campaign.sync_site")
