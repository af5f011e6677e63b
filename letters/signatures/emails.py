"""The signature emails, rendered and sent by a worker from a signature id."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from letters.signatures.models import Signature
from letters.signatures.services import EmailKind, signature_mark_email_sent
from letters.signatures.tokens import confirm_token, withdraw_token

TEMPLATES = {
    EmailKind.CONFIRM: "signatures/email/confirm",
    EmailKind.ALREADY_SIGNED: "signatures/email/already_signed",
}


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def signature_email_build(*, signature: Signature, kind: EmailKind) -> EmailMultiAlternatives:
    context = {
        "signature": signature,
        "letter": signature.letter,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "confirm_url": _absolute(
            reverse("signatures:confirm", kwargs={"token": confirm_token(signature)})
        ),
        "withdraw_url": _absolute(
            reverse("signatures:withdraw", kwargs={"token": withdraw_token(signature)})
        ),
        "login_url": _absolute(reverse("account_request_login_code")),
        "letter_url": _absolute(signature.letter.get_absolute_url()),
        "link_days": settings.CONFIRMATION_LINK_DAYS,
    }
    prefix = TEMPLATES[kind]
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string(f"{prefix}_message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[signature.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string(f"{prefix}_message.html", context), "text/html")
    return message


def signature_email_send(*, signature_id: int, kind: EmailKind) -> bool:
    signature = (
        Signature.objects.select_related("letter", "institution").filter(pk=signature_id).first()
    )
    if signature is None or not signature.email:
        return False
    if kind == EmailKind.CONFIRM and signature.status != Signature.Status.UNCONFIRMED:
        return False  # confirmed (or withdrawn) while the email waited in the queue
    signature_email_build(signature=signature, kind=kind).send()
    if kind == EmailKind.CONFIRM:
        signature_mark_email_sent(signature_id=signature_id)
    return True
