"""Curation hooks into signing: fraud signals are looked for the moment a signature is
confirmed, inside the confirming transaction, so a signature that must wait for review is
never shown, not even for an instant; and a letter switched to the other kind of moderation
re-applies its rule to the signatures already there."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_save

from letters.campaigns.models import Letter
from letters.curation.services import (
    letter_moderation_changed,
    signature_assess,
    signature_reassess_after_edit,
)
from letters.signatures.models import Signature
from letters.signatures.signals import signature_confirmed, signature_display_changed


def assess_confirmed(sender: Any, signature: Signature, **kwargs: Any) -> None:
    signature_assess(signature=signature)


def assess_display_changed(
    sender: Any, signature: Signature, changed: list[str], **kwargs: Any
) -> None:
    # The name shown is what the watch list and the duplicate check read; a title or the
    # affiliation's visibility changes neither. Unconfirmed signatures are assessed when
    # they are confirmed, and withdrawn or rejected ones are no longer anyone's concern.
    looked_at = (Signature.Status.CONFIRMED, Signature.Status.APPROVED, Signature.Status.FLAGGED)
    if "display_name" in changed and signature.status in looked_at:
        signature_reassess_after_edit(signature=signature)


def remember_moderation(sender: Any, instance: Letter, **kwargs: Any) -> None:
    instance._moderation_before = (  # type: ignore[attr-defined]
        Letter.objects.filter(pk=instance.pk).values_list("moderation", flat=True).first()
        if instance.pk
        else None
    )


def moderation_saved(sender: Any, instance: Letter, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_moderation_before", None)
    if not created and before is not None and before != instance.moderation:
        letter_id = instance.pk
        transaction.on_commit(lambda: letter_moderation_changed(letter_id=letter_id))


def connect() -> None:
    signature_confirmed.connect(assess_confirmed, dispatch_uid="curation.assess_confirmed")
    signature_display_changed.connect(
        assess_display_changed, dispatch_uid="curation.assess_display_changed"
    )
    # A letter's moderation decides who shows: switching it re-applies the rule.
    pre_save.connect(remember_moderation, sender=Letter, dispatch_uid="curation.moderation")
    post_save.connect(moderation_saved, sender=Letter, dispatch_uid="curation.moderation")
