"""A packet job runs on a real Celery worker through Redis, on PostgreSQL, and each packet
says what it must: addressed to its Member, every listed signatory in and nobody who may not
be, page numbers right across list chunks rendered by different tasks, the list attached as
CSV, and a signature pyHanko accepts until one byte of the file changes."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from typing import Any

import pytest

from letters.packets.models import Packet, PacketJob
from letters.packets.services import packet_job_create
from letters.packets.storage import job_dir, packets_dir
from tests.conftest import wait_for
from tests.packets.conftest import Certificate, validate
from tests.packets.world import attachments, build_world, list_names, pages_text

pytestmark = pytest.mark.celery


def test_worker_renders_signed_packets_for_a_committee(
    packet_worker: Callable[..., Any], packet_certificate: Certificate, settings: Any
) -> None:
    # One list page per chunk: the 150 signatories span several chunks, each its own task.
    settings.PACKET_CHUNK_PAGES = 1
    world = build_world(crowd=150, crowd_country="IT")
    packet_worker(PACKET_CHUNK_PAGES="1")

    job = packet_job_create(letter=world.letter, audience="committees", committees=[world.imco])
    job = wait_for(
        lambda: (
            PacketJob.objects.filter(pk=job.pk).exclude(status__in=("queued", "running")).first()
        ),
        timeout=120,
    )
    assert job.status == PacketJob.Status.DONE, job.error
    assert job.parts.filter(kind="list").count() >= 3
    packets = {p.legislator_id: p for p in job.packets.all()}
    assert set(packets) == {world.benifei.pk, world.charanzova.pk}

    benifei = packets[world.benifei.pk]
    pdf = (packets_dir(job.pk) / benifei.file_name).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == benifei.sha256
    texts = pages_text(pdf)
    assert len(texts) == benifei.pages == job.total_pages

    cover_names_the_member(texts[0], world)
    list_holds_exactly_the_listed(pdf, world)
    page_numbers_run_across_chunks(texts)
    csv_is_attached_and_fingerprinted(pdf, texts[-1], job)
    signature_validates_and_one_byte_breaks_it(pdf, packet_certificate)

    charanzova = packets[world.charanzova.pk]
    other = (packets_dir(job.pk) / charanzova.file_name).read_bytes()
    assert "Dear Dita Charanzová," in pages_text(other)[0]
    assert "Vice-chair, IMCO" in pages_text(other)[0]
    assert charanzova.identifier != benifei.identifier
    assert Packet.objects.filter(job=job, status="done").count() == 2


def cover_names_the_member(cover: str, world: Any) -> None:
    assert "Dear Brando Benifei," in cover
    assert "Group of the Progressive Alliance of Socialists and Democrats" in cover
    assert "Partito Democratico" in cover
    assert "Italy" in cover
    assert "Member, IMCO" in cover
    # 150 crowd signatories and two personas are from Italy: the count is on the cover.
    assert re.search(r"152\s+signatories are from Italy", cover), cover


def list_holds_exactly_the_listed(pdf: bytes, world: Any) -> None:
    names = list_names(pdf)
    assert sorted(names) == sorted(world.listed)
    for name in world.never_listed:
        assert name not in names
    # Organisations apart and first, then featured people, then in order of confirmation.
    assert names[:3] == ["Open Future", "Ada Lovelace", "Jana Nováková"]


def page_numbers_run_across_chunks(texts: list[str]) -> None:
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text, f"page {number}: {text[-200:]!r}"


def csv_is_attached_and_fingerprinted(pdf: bytes, last_page: str, job: PacketJob) -> None:
    files = attachments(pdf)
    assert set(files) == {"signatories.csv"}
    data = files["signatories.csv"]
    assert data == (job_dir(job.pk) / "signatories.csv").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == job.list_sha256
    assert digest in last_page.replace("\n", "")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == job.signatories
    assert {"Open Future", "Ada Lovelace", "Дмитрий Иванов"} <= {r["name"] for r in rows}
    assert "Wendy Withdrawn" not in {r["name"] for r in rows}


def signature_validates_and_one_byte_breaks_it(pdf: bytes, certificate: Certificate) -> None:
    status = validate(pdf, certificate)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    # A digit of a page number in the middle of the file, changed from one to another.
    tampered = bytearray(pdf)
    position = len(pdf) // 2
    tampered[position] ^= 0x01
    try:
        broken = validate(bytes(tampered), certificate)
    except Exception:  # a parse error is just as much a refusal
        return
    assert not (broken.intact and broken.valid)
