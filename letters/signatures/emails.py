"""The signature emails, rendered and sent by a worker from a signature id."""

from __future__ import annotations

import logging
import re
import smtplib
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from letters.campaigns.models import Letter
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


def _context(
    *, signature: Any, letter: Letter, confirm_url: str, withdraw_url: str
) -> dict[str, Any]:
    return {
        "signature": signature,
        "letter": letter,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "confirm_url": confirm_url,
        "withdraw_url": withdraw_url,
        "login_url": _absolute(reverse("account_request_login_code")),
        "letter_url": _absolute(letter.get_absolute_url()),
        "link_days": settings.CONFIRMATION_LINK_DAYS,
    }


_LINK_SLOT = "token-goes-here"


class _Links:
    """A signature's confirm and withdraw links. They differ only by their token, which
    needs no quoting in a path, so each is reversed once and the token put in its place."""

    def __init__(self) -> None:
        self._confirm = _absolute(reverse("signatures:confirm", kwargs={"token": _LINK_SLOT}))
        self._withdraw = _absolute(reverse("signatures:withdraw", kwargs={"token": _LINK_SLOT}))

    def __call__(self, signature: Signature) -> tuple[str, str]:
        return (
            self._confirm.replace(_LINK_SLOT, confirm_token(signature)),
            self._withdraw.replace(_LINK_SLOT, withdraw_token(signature)),
        )


def _render(prefix: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one email."""
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    return (
        f"[{settings.SITE_NAME}] {subject}",
        render_to_string(f"{prefix}_message.txt", context),
        render_to_string(f"{prefix}_message.html", context),
    )


def _message(*, to: str, subject: str, text: str, html: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def signature_email_build(*, signature: Signature, kind: EmailKind) -> EmailMultiAlternatives:
    confirm_url, withdraw_url = _Links()(signature)
    return _build_alone(signature, confirm_url, withdraw_url, kind=kind)


def _build_alone(
    signature: Signature,
    confirm_url: str,
    withdraw_url: str,
    *,
    kind: EmailKind = EmailKind.CONFIRM,
) -> EmailMultiAlternatives:
    context = _context(
        signature=signature,
        letter=signature.letter,
        confirm_url=confirm_url,
        withdraw_url=withdraw_url,
    )
    subject, text, html = _render(TEMPLATES[kind], context)
    return _message(to=signature.email, subject=subject, text=text, html=html)


def _content(message: EmailMultiAlternatives) -> tuple[Any, ...]:
    return (message.subject, message.body, message.alternatives)


# Markers for a signer's details in an email rendered once for many signers. Characters of
# Unicode's private use area: HTML escaping leaves them as they are, and no template text
# contains them.
_MARK = "\ue000{}\ue001"
_MARKED = re.compile("\ue000([a-z_]+)\ue001")


class _Stand:
    """Stands in for a signature (or its country) in the templates, with a marker for each
    detail the merge fills in. Asked for anything else, it notes the name: such a template
    cannot be rendered once for everyone, and the merge falls back to rendering each email."""

    def __init__(self, unknown: set[str], **details: Any) -> None:
        self.__dict__.update(details)
        self._unknown = unknown

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("__"):
            self._unknown.add(name)
        raise AttributeError(name)


class ConfirmationMerge:
    """Confirmation emails for a batch of signatures, the templates rendered once per letter
    and shape (with or without a title and an institution) and each signer's details filled
    in, escaped for the HTML part as the template would have escaped them.

    The text is the same as `signature_email_build` gives (tests/test_confirmation_merge.py);
    rendering three templates with their translated strings for each signature cost more
    than anything else a signature costs the worker."""

    def __init__(self) -> None:
        # Per letter and shape: the email with markers, or None where the merge steps aside.
        self._shapes: dict[tuple[int, bool, bool], tuple[str, str, str] | None] = {}
        self._countries: dict[str, str] = {}
        self._capacities: dict[str, str] = {}
        self._links = _Links()

    def _marked(self, signature: Signature) -> tuple[str, str, str] | None:
        """The email of this signature's shape with markers, or None if the templates need
        more than the merge fills in."""
        unknown: set[str] = set()
        stand = _Stand(
            unknown,
            full_name=_MARK.format("full_name"),
            title=_MARK.format("title") if signature.title else "",
            institution_name=_MARK.format("institution_name") if signature.institution_name else "",
            country=_Stand(unknown, name=_MARK.format("country")),
            get_capacity_display=lambda: _MARK.format("capacity"),
        )
        context = _context(
            signature=stand,
            letter=signature.letter,
            confirm_url=_MARK.format("confirm_url"),
            withdraw_url=_MARK.format("withdraw_url"),
        )
        try:
            parts = _render(TEMPLATES[EmailKind.CONFIRM], context)
        except Exception:  # a template the stand-in cannot serve, e.g. {% url %} with its id
            logger.warning("Confirmation templates fail with stand-ins", exc_info=True)
            return None
        if unknown or any("\ue000" in _MARKED.sub("", part) for part in parts):
            logger.warning(
                "Confirmation templates use %s: each email is rendered on its own",
                ", ".join(sorted(unknown)) or "a signer's detail through a filter",
            )
            return None
        return parts

    def _details(self, signature: Signature) -> dict[str, str]:
        confirm_url, withdraw_url = self._links(signature)
        code = str(signature.country)  # a Country object, whose str is its code
        country = self._countries.get(code)
        if country is None:
            place: Any = signature.country
            country = self._countries[code] = str(place.name)
        capacity = self._capacities.get(signature.capacity)
        if capacity is None:
            capacity = self._capacities[signature.capacity] = str(signature.get_capacity_display())
        return {
            "full_name": signature.full_name,
            "title": signature.title,
            "institution_name": signature.institution_name,
            "country": country,
            "capacity": capacity,
            "confirm_url": confirm_url,
            "withdraw_url": withdraw_url,
        }

    def build(self, signature: Signature) -> EmailMultiAlternatives:
        key = (signature.letter_id, bool(signature.title), bool(signature.institution_name))
        if key in self._shapes:
            parts = self._shapes[key]
            if parts is None:
                return signature_email_build(signature=signature, kind=EmailKind.CONFIRM)
            return self._fill(parts, signature, self._details(signature))
        # The first email of each shape is rendered both ways: should a template do with a
        # signer's detail what the markers cannot stand for, the two differ, and the merge
        # steps aside for this shape.
        details = self._details(signature)
        alone = _build_alone(signature, details["confirm_url"], details["withdraw_url"])
        parts = self._marked(signature)
        if parts is not None:
            merged = self._fill(parts, signature, details)
            if _content(merged) != _content(alone):
                logger.warning("A merged confirmation email differs: each is rendered alone")
                parts = None
        self._shapes[key] = parts
        return alone

    @staticmethod
    def _fill(
        parts: tuple[str, str, str], signature: Signature, details: dict[str, str]
    ) -> EmailMultiAlternatives:
        subject, text, html = parts
        escaped = {name: str(escape(value)) for name, value in details.items()}
        return _message(
            to=signature.email,
            subject=" ".join(_MARKED.sub(lambda m: details[m[1]], subject).split()),
            text=_MARKED.sub(lambda m: details[m[1]], text),
            html=_MARKED.sub(lambda m: escaped[m[1]], html),
        )


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
    merge = ConfirmationMerge()
    try:
        with mailers.default as connection:
            for signature in batch:
                message = merge.build(signature)
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
