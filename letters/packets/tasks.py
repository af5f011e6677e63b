"""Thin tasks: each takes ids, claims its row with the task's own id (a message redelivered
after its worker died keeps that id, so it can take its work back) and calls a service.

Acknowledged late and rejected if the worker is lost (campaign/settings.py): a killed worker
leaves the message to be delivered again, and `requeue_stale` (beat, every minute) picks up
what is left after PACKET_STALE_SECONDS. Rendering is spread over tasks, never over a
process pool inside one: prefork children are daemons and cannot have children."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from letters.packets import services

# A chunk of the list or a batch of covers takes seconds; these limits only stop a
# pathological document. The worker recycles children that outgrow their memory limit.
RENDER_LIMITS: dict[str, Any] = {"soft_time_limit": 480, "time_limit": 600}


def _token(task: Task) -> str:
    return str(task.request.id)


@shared_task(bind=True, **RENDER_LIMITS)
def prepare_job(self: Task, job_id: int) -> bool:
    return services.packet_job_prepare(job_id=job_id, token=_token(self))


@shared_task(bind=True, **RENDER_LIMITS)
def render_part(self: Task, part_id: int) -> bool:
    return services.packet_part_render(part_id=part_id, token=_token(self))


@shared_task(bind=True, **RENDER_LIMITS)
def assemble_packets(self: Task, job_id: int, packet_ids: list[int]) -> int:
    return services.packets_assemble(job_id=job_id, packet_ids=packet_ids, token=_token(self))


@shared_task
def finish_job(job_id: int) -> bool:
    return services.packet_job_maybe_finish(job_id=job_id)


@shared_task
def requeue_stale() -> dict[str, int]:
    return services.packets_requeue_stale().__dict__
