"""Curation hooks into signing: fraud signals are looked for the moment a signature is
confirmed, inside the confirming transaction, so a signature that must wait for review is
never shown, not even for an instant."""

from __future__ import annotations

from typing import Any

from letters.curation.services import signature_assess
from letters.signatures.models import Signature
from letters.signatures.signals import signature_confirmed


def assess_confirmed(sender: Any, signature: Signature, **kwargs: Any) -> None:
    signature_assess(signature=signature)


def connect() -> None:
    signature_confirmed.connect(assess_confirmed, dispatch_uid="curation.assess_confirmed")
