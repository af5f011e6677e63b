"""Links in signature emails.

allauth verifies an *address* once; a signature needs its own proof of consent, because an
address verified last year says nothing about a letter signed today in someone else's name.
So each signature gets signed, expiring links built on Django's signing (the primitive
allauth's own HMAC confirmation keys use): one to confirm, bound to a nonce that changes
with every new confirmation email, and one to withdraw, valid for the signature's life."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing

from letters.signatures.models import Signature

CONFIRM_SALT = "letters.signatures.confirm"
WITHDRAW_SALT = "letters.signatures.withdraw"


def _email_tag(signature: Signature) -> str:
    return hashlib.sha256(signature.email_normalized.encode()).hexdigest()[:12]


def confirm_token(signature: Signature) -> str:
    return signing.dumps({"s": signature.pk, "n": signature.token_nonce}, salt=CONFIRM_SALT)


def withdraw_token(signature: Signature) -> str:
    return signing.dumps({"s": signature.pk, "e": _email_tag(signature)}, salt=WITHDRAW_SALT)


class InvalidToken(Exception):
    pass


def signature_for_confirm_token(token: str) -> Signature:
    try:
        data = signing.loads(
            token, salt=CONFIRM_SALT, max_age=settings.CONFIRMATION_LINK_DAYS * 86400
        )
    except signing.SignatureExpired as exc:
        raise InvalidToken("expired") from exc
    except signing.BadSignature as exc:
        raise InvalidToken("invalid") from exc
    signature = (
        Signature.objects.select_related("letter", "institution", "letter_version")
        .filter(pk=data.get("s"))
        .first()
    )
    if signature is None or signature.token_nonce != data.get("n"):
        raise InvalidToken("superseded")
    return signature


def signature_for_withdraw_token(token: str) -> Signature:
    try:
        data = signing.loads(token, salt=WITHDRAW_SALT)
    except signing.BadSignature as exc:
        raise InvalidToken("invalid") from exc
    signature = Signature.objects.select_related("letter").filter(pk=data.get("s")).first()
    if signature is None or _email_tag(signature) != data.get("e"):
        raise InvalidToken("unknown")
    return signature
