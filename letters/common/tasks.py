from __future__ import annotations

import smtplib

from celery import shared_task

from letters.common.mail import MailPayload, payload_to_message


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_email(payload: MailPayload) -> None:
    payload_to_message(payload).send()
