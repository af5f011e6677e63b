from __future__ import annotations

from celery import shared_task

from letters.curation.services import (
    fraud_signals_purge_erased,
    signature_imports_purge,
    signatures_assess_burst,
)


@shared_task
def purge_erased_signals() -> int:
    return fraud_signals_purge_erased()


@shared_task
def purge_import_files() -> tuple[int, int]:
    return signature_imports_purge()


@shared_task
def hold_network_burst(signature_id: int) -> int:
    return signatures_assess_burst(signature_id=signature_id)
