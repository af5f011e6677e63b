"""A worker killed in the middle of a job (as an out-of-memory kill would) leaves it
resumable: nothing it had not finished writing is marked done, what it had finished stays
done and is not rendered again, and re-queuing the stale work lets another worker finish."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from letters.legislators.models import Legislator
from letters.packets.models import Packet, PacketJob
from letters.packets.services import packet_job_create, packets_requeue_stale
from letters.packets.storage import packets_dir
from tests.conftest import wait_for
from tests.packets.world import build_world

pytestmark = pytest.mark.celery


def test_killed_worker_leaves_a_resumable_job(packet_worker: Callable[..., Any]) -> None:
    world = build_world()
    members = [
        Legislator.objects.create(ep_id=500_000 + n, full_name=f"Member {n:02d}", country="DE")
        for n in range(24)
    ]
    # One packet per task, one at a time: the kill lands between two packets or inside one.
    first = packet_worker(concurrency=1, PACKET_ASSEMBLE_BATCH="1")
    job = packet_job_create(letter=world.letter, audience="selected", legislators=members)

    wait_for(lambda: Packet.objects.filter(job=job, status="done").count() >= 3, timeout=120)
    first.kill()
    job.refresh_from_db()
    assert job.status == PacketJob.Status.RUNNING
    before = {
        p.pk: (p.rendered_at, p.sha256)
        for p in Packet.objects.filter(job=job, status=Packet.Status.DONE)
    }
    assert 3 <= len(before) < len(members)
    for packet in Packet.objects.filter(job=job).exclude(status=Packet.Status.DONE):
        assert not packet.sha256 and packet.rendered_at is None

    packet_worker(concurrency=2)
    summary = packets_requeue_stale(older_than=dt.timedelta(0))
    assert summary.packets >= 1

    job = wait_for(
        lambda: PacketJob.objects.filter(pk=job.pk, status__in=("done", "failed")).first(),
        timeout=120,
    )
    assert job.status == PacketJob.Status.DONE, job.error
    for packet in Packet.objects.filter(job=job):
        assert packet.status == Packet.Status.DONE
        data = (packets_dir(job.pk) / packet.file_name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == packet.sha256
        if packet.pk in before:
            assert (packet.rendered_at, packet.sha256) == before[packet.pk]
            assert packet.attempts == 1
    assert job.zip_name
