"""Two-factor authentication for staff, on top of allauth's MFA.

allauth asks for a second factor at login from anyone who has an authenticator; it does
not require one. Staff must have one, and must have used it in the session that opens the
admin: `staff_mfa_problem` says what is missing, `campaign.middleware` acts on it. What
counts as "used" is allauth's own record of the session's authentication steps (an "mfa"
step at login or reauthentication), or the code a staff member typed to activate their
authenticator in this very session."""

from __future__ import annotations

import time
from enum import StrEnum

from allauth.account.authentication import get_authentication_records
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import encrypt, is_mfa_enabled
from django.http import HttpRequest

from letters.accounts.models import User

SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
ACTIVATED_SESSION_KEY = "accounts.mfa_activated_for"


class StaffMFAProblem(StrEnum):
    NO_AUTHENTICATOR = "no_authenticator"
    NOT_USED = "not_used"


def staff_mfa_problem(request: HttpRequest, user: User) -> StaffMFAProblem | None:
    # The session's own records first: every admin request of a signed-in staff member
    # passes here, and only a session without a second factor needs the database.
    if any(r.get("method") == "mfa" for r in get_authentication_records(request, user)):
        return None
    if request.session.get(ACTIVATED_SESSION_KEY) == str(user.pk):
        return None
    if not is_mfa_enabled(user, SECOND_FACTORS):
        return StaffMFAProblem.NO_AUTHENTICATOR
    return StaffMFAProblem.NOT_USED


def mfa_note_activation(*, request: HttpRequest, user: User) -> None:
    """The user just proved a code from a new authenticator in this session."""
    request.session[ACTIVATED_SESSION_KEY] = str(user.pk)


def totp_provision(*, user: User, secret: str) -> Authenticator:
    """Give a user a TOTP authenticator with a known secret, replacing any they had: how
    the demo hands its admin a second factor, and how tests and the benchmark log staff in
    the way a person with an authenticator app would."""
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )


def totp_secret_new() -> str:
    return generate_totp_secret()


def totp_now(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows now for the secret, computed by allauth's own
    TOTP functions with the period and digits allauth is configured with."""
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
