"""allauth tells us when a signer connects or removes their ORCID iD, the registry when an
institution's email domains change; the services decide what that means for signatures."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount, SocialLogin
from allauth.socialaccount.signals import (
    social_account_added,
    social_account_removed,
    social_account_updated,
)
from django.dispatch import receiver

from letters.institutions.signals import institution_domains_changed
from letters.signatures.services import signatures_apply_orcid

ORCID = "orcid"


@receiver(social_account_added)
@receiver(social_account_updated)
def orcid_connected(sender: Any, request: Any, sociallogin: SocialLogin, **kwargs: Any) -> None:
    if sociallogin.account.provider == ORCID:
        signatures_apply_orcid(user=sociallogin.user, orcid_id=sociallogin.account.uid)


@receiver(social_account_removed)
def orcid_removed(sender: Any, request: Any, socialaccount: SocialAccount, **kwargs: Any) -> None:
    if socialaccount.provider == ORCID:
        signatures_apply_orcid(user=socialaccount.user, orcid_id="")


@receiver(institution_domains_changed)
def domains_changed(sender: Any, institution_ids: list[int], **kwargs: Any) -> None:
    # Already after the commit; thousands of signatures may claim a university.
    from letters.signatures.tasks import recheck_affiliations

    recheck_affiliations.delay(list(institution_ids))
