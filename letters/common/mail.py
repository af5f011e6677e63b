"""Outgoing mail leaves through a Celery task, after the transaction that caused it commits.

A request never waits on an SMTP server, and a failing mail server or broker never undoes
what the user was told was saved: queueing is `robust`, so an error is logged, not raised.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction


class MailPayload(TypedDict):
    subject: str
    body: str
    from_email: str
    to: list[str]
    reply_to: list[str]
    headers: dict[str, str]
    alternatives: list[tuple[str, str]]


def message_to_payload(message: EmailMessage) -> MailPayload:
    alternatives: list[tuple[str, str]] = []
    if isinstance(message, EmailMultiAlternatives):
        alternatives = [(str(alt[0]), str(alt[1])) for alt in message.alternatives]
    return MailPayload(
        subject=str(message.subject),
        body=str(message.body),
        from_email=str(message.from_email),
        to=[str(addr) for addr in message.to],
        reply_to=[str(addr) for addr in message.reply_to],
        headers={str(k): str(v) for k, v in (message.extra_headers or {}).items()},
        alternatives=alternatives,
    )


def payload_to_message(payload: MailPayload) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        reply_to=payload["reply_to"] or None,
        headers=payload["headers"] or None,
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def mail_send_later(*, message: EmailMessage, **task_options: Any) -> None:
    from letters.common.tasks import send_email

    payload = message_to_payload(message)
    transaction.on_commit(
        lambda: send_email.apply_async(args=(payload,), **task_options), robust=True
    )
