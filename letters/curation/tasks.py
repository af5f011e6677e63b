from __future__ import annotations

from celery import shared_task

from letters.curation.services import fraud_signals_purge_erased


@shared_task
def purge_erased_signals() -> int:
    return fraud_signals_purge_erased()
