"""What failed can be retried: a packet that could not be signed, a job whose preparation
failed. The error says what to fix, and the retry finishes the job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from letters.packets import services
from letters.packets.models import Packet, PacketJob
from tests.packets.world import build_world, prepared_job

pytestmark = pytest.mark.django_db


def test_packets_that_could_not_be_signed_are_retried(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world = build_world()
    job = prepared_job(world.letter, audience="committees", committees=[world.imco])
    certificate = settings.PACKET_SIGNING_PKCS12
    settings.PACKET_SIGNING_PKCS12 = Path("/nonexistent/campaign.p12")
    ids = list(Packet.objects.filter(job=job).values_list("pk", flat=True))
    assert services.packets_assemble(job_id=job.pk, packet_ids=ids, token="t") == 0

    job.refresh_from_db()
    assert job.status == PacketJob.Status.FAILED
    assert "2 of 2 packets failed" in job.error
    errors = set(Packet.objects.filter(job=job).values_list("error", flat=True))
    assert len(errors) == 1 and "PACKET_SIGNING_PKCS12" in errors.pop()

    settings.PACKET_SIGNING_PKCS12 = certificate
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packet_job_retry_failed(job_id=job.pk) == 2
    job.refresh_from_db()
    assert job.status == PacketJob.Status.DONE, job.error
    assert set(Packet.objects.filter(job=job).values_list("status", flat=True)) == {"done"}
    assert set(Packet.objects.filter(job=job).values_list("attempts", flat=True)) == {2}
    with pytest.raises(services.PacketJobError):
        services.packet_job_retry_failed(job_id=job.pk)


def test_a_job_that_failed_to_prepare_is_prepared_again(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world = build_world()
    certificate = settings.PACKET_SIGNING_PKCS12
    settings.PACKET_SIGNING_PKCS12 = Path("/nonexistent/campaign.p12")
    job = services.packet_job_create(
        letter=world.letter, audience="selected", legislators=[world.benifei], start=False
    )
    services.packet_job_prepare(job_id=job.pk, token="t", enqueue=False)
    job.refresh_from_db()
    assert job.status == PacketJob.Status.FAILED
    assert "packets_dev_certificate" in job.error
    assert not job.parts.exists()

    settings.PACKET_SIGNING_PKCS12 = certificate
    with django_capture_on_commit_callbacks(execute=True):
        services.packet_job_retry_failed(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PacketJob.Status.DONE, job.error
