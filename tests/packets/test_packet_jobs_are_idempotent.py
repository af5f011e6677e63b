"""Starting a job twice, or a task delivered twice, renders nothing twice: every step claims
its row with a conditional UPDATE keyed by the task's id, and done rows stay done. A message
redelivered with its own id (its worker died) may take its work back."""

from __future__ import annotations

from typing import Any

import pytest

from letters.packets import services, tasks
from letters.packets.models import Packet, PacketJob, PacketPart
from letters.packets.storage import packets_dir
from tests.packets.world import build_world

pytestmark = pytest.mark.django_db


def test_starting_twice_prepares_once_and_each_part_and_packet_is_made_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    world = build_world()
    job = services.packet_job_create(
        letter=world.letter, audience="committees", committees=[world.imco], start=False
    )
    with django_capture_on_commit_callbacks() as queued:
        assert services.packet_job_start(job_id=job.pk)
    assert len(queued) == 1

    assert tasks.prepare_job.apply(args=(job.pk,), task_id="prepare-1").get() is True
    parts = list(PacketPart.objects.filter(job=job).values_list("pk", flat=True))
    # The same start delivered again, or the button pressed again: nothing more happens.
    assert tasks.prepare_job.apply(args=(job.pk,), task_id="prepare-2").get() is False
    assert not services.packet_job_start(job_id=job.pk)
    assert list(PacketPart.objects.filter(job=job).values_list("pk", flat=True)) == parts

    for pk in parts:
        assert tasks.render_part.apply(args=(pk,), task_id=f"part-{pk}").get() is True
    rendered = dict(PacketPart.objects.filter(job=job).values_list("pk", "rendered_at"))
    for pk in parts:
        assert tasks.render_part.apply(args=(pk,), task_id=f"again-{pk}").get() is False
        # Its own redelivery, once the part is done, finds nothing to do either.
        assert tasks.render_part.apply(args=(pk,), task_id=f"part-{pk}").get() is False
    assert dict(PacketPart.objects.filter(job=job).values_list("pk", "rendered_at")) == rendered
    assert set(PacketPart.objects.filter(job=job).values_list("attempts", flat=True)) == {1}

    ids = list(Packet.objects.filter(job=job).values_list("pk", flat=True))
    assert tasks.assemble_packets.apply(args=(job.pk, ids), task_id="assemble-1").get() == 2
    files = {
        p.pk: (packets_dir(job.pk) / p.file_name).stat().st_mtime_ns for p in job.packets.all()
    }
    assert tasks.assemble_packets.apply(args=(job.pk, ids), task_id="assemble-2").get() == 0
    assert {p.pk: (packets_dir(job.pk) / p.file_name).stat().st_mtime_ns
            for p in job.packets.all()} == files  # fmt: skip
    job.refresh_from_db()
    assert job.status == PacketJob.Status.DONE


def test_a_redelivered_message_takes_its_claim_back() -> None:
    world = build_world()
    job = services.packet_job_create(
        letter=world.letter, audience="selected", legislators=[world.benifei], start=False
    )
    assert services.packet_job_prepare(job_id=job.pk, token="worker-a", enqueue=False)
    part = PacketPart.objects.filter(job=job).first()
    assert part is not None
    # Worker A claimed the part and died before finishing it.
    PacketPart.objects.filter(pk=part.pk).update(status="running", claim_token="task-1")
    assert not services.packet_part_render(part_id=part.pk, token="task-2", enqueue=False)
    assert services.packet_part_render(part_id=part.pk, token="task-1", enqueue=False)
    part.refresh_from_db()
    assert (part.status, part.attempts) == ("done", 1)


def test_the_same_form_submitted_twice_makes_one_job() -> None:
    world = build_world()
    first, second = (
        services.packet_job_create(
            letter=world.letter,
            audience="committees",
            committees=[world.imco],
            request_key="a1b2c3",
            start=False,
        )
        for _ in range(2)
    )
    assert first.pk == second.pk
    assert PacketJob.objects.count() == 1
    assert Packet.objects.filter(job=first).count() == 2
