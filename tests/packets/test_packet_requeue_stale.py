"""The beat task re-queues what was abandoned: claims older than the stale limit, and work
whose message was lost. Fresh claims are left to their workers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from letters.packets import services
from letters.packets.models import Packet, PacketJob
from letters.packets.tasks import requeue_stale
from tests.packets.world import build_world, prepared_job

pytestmark = pytest.mark.django_db


def prepared(world: Any) -> PacketJob:
    return prepared_job(world.letter, audience="committees", committees=[world.imco])


def test_a_packet_claimed_by_a_dead_worker_is_made_by_another(
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = prepared(build_world())
    long_ago = timezone.now() - dt.timedelta(hours=2)
    Packet.objects.filter(job=job).update(
        status="running", claim_token="dead-task", claimed_at=long_ago, updated_at=long_ago
    )
    with django_capture_on_commit_callbacks(execute=True):
        summary = requeue_stale.apply().get()
    assert summary["packets"] == 2
    job.refresh_from_db()
    assert job.status == PacketJob.Status.DONE, job.error


def test_fresh_claims_are_left_alone(django_capture_on_commit_callbacks: Any) -> None:
    job = prepared(build_world())
    Packet.objects.filter(job=job).update(
        status="running", claim_token="alive-task", claimed_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True) as queued:
        summary = services.packets_requeue_stale()
    assert (summary.packets, summary.parts, summary.jobs) == (0, 0, 0)
    assert queued == []
    assert set(Packet.objects.filter(job=job).values_list("claim_token", flat=True)) == {
        "alive-task"
    }


def test_a_job_whose_start_was_lost_is_started(django_capture_on_commit_callbacks: Any) -> None:
    world = build_world()
    job = services.packet_job_create(
        letter=world.letter, audience="selected", legislators=[world.benifei], start=False
    )
    PacketJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packets_requeue_stale().jobs == 1
    job.refresh_from_db()
    assert job.status == PacketJob.Status.DONE, job.error
