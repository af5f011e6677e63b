"""The signature emails, rendered and sent by a worker from a signature id."""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from letters.signatures.models import Signature
from letters.signatures.services import EmailKind, confirmations_mark_sent
from letters.signatures.tokens import confirm_token, withdraw_token

TEMPLATES = {
    EmailKind.CONFIRM: "signatures/email/confirm",
    EmailKind.ALREADY_SIGNED: "signatures/email/already_signed",
}

logger = logging.getLogger(__name__)


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
    """One email about one signature (the "you have already signed" notice)."""
    signature = (
        Signature.objects.select_related("letter", "institution").filter(pk=signature_id).first()
    )
    if signature is None or not signature.email:
        return False
    signature_email_build(signature=signature, kind=kind).send()
    return True


SENDER_LOCK = "confirmations-sender"
SENDER_LOCK_SECONDS = 300


class SenderBusy(Exception):
    """Another worker is sending the waiting confirmations right now."""


@dataclass(frozen=True)
class SendOutcome:
    sent: int
    more_waiting: bool  # stopped at its time budget with emails still waiting


def confirmations_pending() -> QuerySet[Signature]:
    return (
        Signature.objects.filter(
            status=Signature.Status.UNCONFIRMED, confirmation_sent_at__isnull=True
        )
        .exclude(email="")
        .select_related("letter")
        .order_by("id")
    )


def _sender_lock(wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while not cache.add(SENDER_LOCK, 1, timeout=SENDER_LOCK_SECONDS):
        if time.monotonic() >= deadline:
            raise SenderBusy
        time.sleep(0.05)


def _send_batch(batch: list[Signature]) -> list[tuple[int, str]]:
    sent: list[tuple[int, str]] = []
    try:
        with mailers.default as connection:
            for signature in batch:
                message = signature_email_build(signature=signature, kind=EmailKind.CONFIRM)
                try:
                    connection.send_messages([message])
                except smtplib.SMTPRecipientsRefused:
                    # The server will never take this address: stop trying. The signer can
                    # sign again with the right one.
                    logger.warning("Confirmation for signature %s refused", signature.pk)
                sent.append((signature.pk, signature.token_nonce))
    finally:
        # What was handed over is recorded even if the mail server fails half-way.
        confirmations_mark_sent(sent=sent)
    return sent


def confirmations_send_pending(
    *, batch_size: int = 200, max_seconds: float = 60.0, wait_seconds: float = 0.0
) -> SendOutcome:
    """Send the confirmation emails waiting in the database, in batches over one connection
    to the mail server.

    One sender at a time (a lock in the cache, waited for up to `wait_seconds`), so that
    two workers do not mail the same person twice. Delivery is at least once: a signature is
    marked only after its email was handed to the mail server, and a worker killed in
    between sends it again next time. Raises SenderBusy if the lock stays taken."""
    _sender_lock(wait_seconds)
    sent = 0
    deadline = time.monotonic() + max_seconds
    try:
        while True:
            batch = list(confirmations_pending()[:batch_size])
            sent += len(_send_batch(batch)) if batch else 0
            if len(batch) < batch_size:
                return SendOutcome(sent=sent, more_waiting=False)
            if time.monotonic() >= deadline:
                return SendOutcome(sent=sent, more_waiting=True)
    finally:
        cache.delete(SENDER_LOCK)
