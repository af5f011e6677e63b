"""allauth's MFA signals, answered by the account helpers."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver

from letters.accounts.mfa import SECOND_FACTORS, mfa_note_activation


@receiver(authenticator_added)
def second_factor_added(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if request is not None and authenticator.type in SECOND_FACTORS:
        mfa_note_activation(request=request, user=user)
