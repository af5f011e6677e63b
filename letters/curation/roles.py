"""The two staff roles, as Django groups.

Groups are created if missing and given the permissions listed here, after every
`migrate`; permissions are only ever added, never taken away, so that later concerns
(packets) and organisers' own choices in the admin add to a role without being undone."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

logger = logging.getLogger(__name__)

CURATOR = "curator"
ORGANISER = "organiser"


def _model(app: str, model: str, *actions: str) -> list[str]:
    return [f"{app}.{action}_{model}" for action in actions]


# Curators moderate signatures and keep the institution registry; they do not touch letters.
CURATOR_PERMISSIONS = [
    *_model("signatures", "signature", "view", "change"),
    "signatures.moderate_signature",
    *_model("signatures", "signatureevent", "view"),
    *_model("curation", "fraudsignal", "view"),
    *_model("curation", "watchlistentry", "view"),
    *_model("curation", "signatureimport", "view"),
    *_model("institutions", "institution", "view", "add", "change"),
    "institutions.merge_institution",
    *_model("institutions", "institutiondomain", "view", "add", "change", "delete"),
]
# Organisers do all that, and run the campaign: letters, imports and exports, the watch list.
ORGANISER_PERMISSIONS = [
    *CURATOR_PERMISSIONS,
    "signatures.export_signatures",
    "signatures.import_signatures",
    *_model("curation", "watchlistentry", "add", "change", "delete"),
    "institutions.import_institutions",
    *(
        perm
        for model in ("campaign", "campaignpartner", "letter", "recommendation", "organisation")
        for perm in _model("campaigns", model, "view", "add", "change", "delete")
    ),
    *_model("campaigns", "letterversion", "view"),
    *_model("signatures", "consenttext", "view", "add", "change"),
]
ROLES = {CURATOR: CURATOR_PERMISSIONS, ORGANISER: ORGANISER_PERMISSIONS}


def roles_sync(*, using: str = "default") -> dict[str, Group]:
    """Make sure each role exists and has at least its permissions."""
    groups: dict[str, Group] = {}
    for name, wanted in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        query = Q()
        for perm in wanted:
            app_label, codename = perm.split(".")
            query |= Q(content_type__app_label=app_label, codename=codename)
        found = list(Permission.objects.using(using).filter(query))
        if len(found) != len(set(wanted)):
            have = {f"{p.content_type.app_label}.{p.codename}" for p in found}
            logger.warning("Role %s: permissions not found: %s", name, set(wanted) - have)
        group.permissions.add(*found)
        groups[name] = group
    return groups


def roles_sync_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    roles_sync(using=using)
