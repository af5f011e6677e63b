"""A shared part that fails (the letter's pages, say) fails its job, and the tasks of the
other parts then find the job failed and leave their parts pending. Retrying the job queues
every part and packet that is not done, keeps what is, leaves a live worker's claim to it,
and finishes the job: every packet made once, signed and valid."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.utils import timezone

from letters.packets import rendering, services
from letters.packets.models import Packet, PacketJob, PacketPart
from letters.packets.storage import packets_dir
from tests.packets.conftest import Certificate, validate
from tests.packets.world import build_world, render_inline

pytestmark = pytest.mark.django_db


def body_fails_once(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The letter's pages fail to render the first time; returns the kinds rendered."""
    render = services._render_part
    rendered: list[str] = []

    def flaky(part: PacketPart, layout: Any) -> Any:
        rendered.append(part.kind)
        if part.kind == PacketPart.Kind.BODY and rendered.count(part.kind) == 1:
            raise rendering.RenderError("the printer ran out of ink")
        return render(part, layout)

    monkeypatch.setattr(services, "_render_part", flaky)
    return rendered


def test_a_retry_after_the_letter_failed_renders_the_rest_and_finishes(
    monkeypatch: pytest.MonkeyPatch,
    packet_certificate: Certificate,
    django_capture_on_commit_callbacks: Any,
) -> None:
    world = build_world()
    rendered = body_fails_once(monkeypatch)
    job = render_inline(world.letter, audience="committees", committees=[world.imco])

    assert job.status == PacketJob.Status.FAILED
    assert "the printer ran out of ink" in job.error
    parts = PacketPart.objects.filter(job=job)
    assert parts.get(kind=PacketPart.Kind.BODY).status == PacketPart.Status.FAILED
    others = parts.exclude(kind=PacketPart.Kind.BODY)
    assert others.exists()
    assert set(others.values_list("status", flat=True)) == {PacketPart.Status.PENDING}
    assert set(job.packets.values_list("status", flat=True)) == {Packet.Status.PENDING}

    with django_capture_on_commit_callbacks(execute=True):
        queued = services.packet_job_retry_failed(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PacketJob.Status.DONE, job.error
    assert queued == parts.count() + 2  # every part and packet
    assert job.zip_name and not job.error
    # The letter rendered twice (it failed once), every other part once.
    assert rendered.count(PacketPart.Kind.BODY) == 2
    assert len(rendered) == parts.count() + 1
    assert set(parts.values_list("status", flat=True)) == {PacketPart.Status.DONE}
    assert set(parts.exclude(kind=PacketPart.Kind.BODY).values_list("attempts", flat=True)) == {1}
    packets = list(job.packets.all())
    assert len(packets) == 2
    for packet in packets:
        assert packet.status == Packet.Status.DONE and packet.attempts == 1
        assert packet.pages == job.total_pages
        pdf = (packets_dir(job.pk) / packet.file_name).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == packet.sha256
        status = validate(pdf, packet_certificate)
        assert status.intact and status.valid and status.trusted

    # Retrying again, once done, is refused and renders nothing.
    with pytest.raises(services.PacketJobError):
        services.packet_job_retry_failed(job_id=job.pk)
    assert len(rendered) == parts.count() + 1


def test_a_retry_takes_back_a_dead_claim_and_leaves_a_live_one_to_its_worker(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    world = build_world()
    body_fails_once(monkeypatch)
    job = services.packet_job_create(
        letter=world.letter, audience="committees", committees=[world.imco], start=False
    )
    services.packet_job_prepare(job_id=job.pk, token="t", enqueue=False)
    parts = PacketPart.objects.filter(job=job)
    body = parts.get(kind=PacketPart.Kind.BODY)
    live = parts.filter(kind=PacketPart.Kind.LIST).first()
    dead = parts.filter(kind=PacketPart.Kind.COVERS).first()
    assert live is not None and dead is not None
    services.packet_part_render(part_id=body.pk, token="t", enqueue=False)
    long_ago = timezone.now() - dt.timedelta(hours=2)
    PacketPart.objects.filter(pk=live.pk).update(
        status="running", claim_token="alive-task", claimed_at=timezone.now()
    )
    PacketPart.objects.filter(pk=dead.pk).update(
        status="running", claim_token="dead-task", claimed_at=long_ago
    )
    job.refresh_from_db()
    assert job.status == PacketJob.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        services.packet_job_retry_failed(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PacketJob.Status.RUNNING, job.error
    live.refresh_from_db()
    assert (live.status, live.claim_token) == ("running", "alive-task")
    assert set(parts.exclude(pk=live.pk).values_list("status", flat=True)) == {"done"}
    # The dead worker, back late, finds its part made by another and does nothing.
    assert not services.packet_part_render(part_id=dead.pk, token="dead-task")
    assert set(job.packets.values_list("status", flat=True)) == {"pending"}

    # The live worker finishes its part, and the packets follow.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packet_part_render(part_id=live.pk, token="alive-task")
    job.refresh_from_db()
    assert job.status == PacketJob.Status.DONE, job.error
    assert set(job.packets.values_list("attempts", flat=True)) == {1}


def test_a_worker_whose_part_a_retry_took_back_does_not_fail_the_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = build_world()
    job = services.packet_job_create(
        letter=world.letter, audience="selected", legislators=[world.benifei], start=False
    )
    services.packet_job_prepare(job_id=job.pk, token="t", enqueue=False)
    body = PacketPart.objects.get(job=job, kind=PacketPart.Kind.BODY)

    def slow_then_failing(part: PacketPart, layout: Any) -> Any:
        # While this worker renders, its claim goes stale and the part is claimed anew.
        PacketPart.objects.filter(pk=part.pk).update(claim_token="new-task")
        raise rendering.RenderError("too late")

    monkeypatch.setattr(services, "_render_part", slow_then_failing)
    assert services.packet_part_render(part_id=body.pk, token="old-task", enqueue=False)
    job.refresh_from_db()
    body.refresh_from_db()
    assert job.status == PacketJob.Status.RUNNING and not job.error
    assert (body.status, body.claim_token, body.error) == ("running", "new-task", "")
