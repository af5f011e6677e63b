"""Cancelling a job stops what has not started; what was already written stays."""

from __future__ import annotations

import pytest

from letters.packets import services
from letters.packets.models import Packet, PacketJob, PacketPart
from letters.packets.storage import packets_dir
from tests.packets.world import build_world, prepared_job

pytestmark = pytest.mark.django_db


def test_a_cancelled_job_renders_nothing_more() -> None:
    world = build_world()
    job = services.packet_job_create(
        letter=world.letter, audience="committees", committees=[world.imco], start=False
    )
    services.packet_job_prepare(job_id=job.pk, token="t", enqueue=False)
    assert services.packet_job_cancel(job_id=job.pk)
    assert not services.packet_job_cancel(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == PacketJob.Status.CANCELLED and job.finished_at
    assert set(PacketPart.objects.filter(job=job).values_list("status", flat=True)) == {"cancelled"}
    assert set(Packet.objects.filter(job=job).values_list("status", flat=True)) == {"cancelled"}
    part = PacketPart.objects.filter(job=job).first()
    assert part is not None
    assert not services.packet_part_render(part_id=part.pk, token="late", enqueue=False)
    ids = list(Packet.objects.filter(job=job).values_list("pk", flat=True))
    assert services.packets_assemble(job_id=job.pk, packet_ids=ids, token="late") == 0
    assert not packets_dir(job.pk).exists()


def test_cancelling_midway_keeps_the_packets_already_made() -> None:
    world = build_world()
    job = prepared_job(world.letter, audience="committees", committees=[world.imco])
    first, second = Packet.objects.filter(job=job).order_by("index")
    assert services.packets_assemble(job_id=job.pk, packet_ids=[first.pk], token="t") == 1

    services.packet_job_cancel(job_id=job.pk)
    assert services.packets_assemble(job_id=job.pk, packet_ids=[second.pk], token="t") == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "done" and (packets_dir(job.pk) / first.file_name).exists()
    assert second.status == "cancelled" and not second.file_name
    job.refresh_from_db()
    assert job.status == "cancelled"
