from __future__ import annotations

import smtplib

from celery import Task, shared_task

from letters.campaigns.models import Letter
from letters.signatures.emails import (
    SenderBusy,
    confirmations_send_pending,
    signature_email_send,
)
from letters.signatures.services import (
    EmailKind,
    signatures_purge_expired,
    signatures_recheck_affiliation,
)
from letters.signatures.stats import letter_stats_refresh


@shared_task
def refresh_letter_stats(letter_id: int) -> None:
    letter_stats_refresh(letter_id=letter_id)


@shared_task
def refresh_all_letter_stats() -> None:
    # A safety net for refreshes lost with a broker restart.
    for letter_id in Letter.objects.exclude(status=Letter.Status.DRAFT).values_list(
        "id", flat=True
    ):
        letter_stats_refresh(letter_id=letter_id)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_signature_email(signature_id: int, kind: str) -> None:
    signature_email_send(signature_id=signature_id, kind=EmailKind(kind))


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_pending_confirmations(self: Task) -> int:
    """Scheduled by signing (coalesced) and by beat every minute, as a safety net for a
    schedule lost with the broker."""
    if self.request.is_eager:
        # In-process mode has no worker to come back later: wait for the other sender.
        return confirmations_send_pending(wait_seconds=30).sent
    try:
        outcome = confirmations_send_pending()
    except SenderBusy:
        # The busy sender may have looked for work just before our signatures committed.
        self.apply_async(countdown=2)
        return 0
    if outcome.more_waiting:
        self.apply_async()
    return outcome.sent


@shared_task
def purge_expired() -> dict[str, int]:
    summary = signatures_purge_expired()
    return summary.__dict__


@shared_task
def recheck_affiliations(institution_ids: list[int]) -> None:
    signatures_recheck_affiliation(institution_ids=institution_ids)
