"""Organisers start packet jobs in the admin, watch them, cancel, retry and download; the
pages keep a constant number of queries however many jobs and packets there are; curators
cannot generate packets."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from letters.accounts.models import User
from letters.packets import services
from letters.packets.models import Packet, PacketJob
from tests.factories import UserFactory
from tests.packets.world import World, build_world
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

grant = importlib.import_module("letters.packets.migrations.0002_organiser_group").grant
ADD = "/admin/packets/packetjob/add/"


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def olga() -> User:
    """An organiser of the campaign."""
    grant(apps, None)
    user = UserFactory.create(email="olga.organiser@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="organiser"))
    return user


@pytest.fixture
def carl() -> User:
    """A curator: moderates signatures, does not send packets."""
    user = UserFactory.create(email="carl.curator@example.org", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="curator")[0])
    return user


def start(client: Client, world: World, **fields: Any) -> Any:
    form = client.get(ADD)
    key = form.context["form"].initial["request_key"]
    data = {
        "letter": world.letter.pk,
        "audience": "committees",
        "committees": [world.imco.pk],
        "include_substitutes": "on",
        "featured_first": "on",
        "request_key": key,
        **fields,
    }
    return client.post(ADD, data)


def test_an_organiser_starts_watches_and_downloads_a_job(
    client: Client, world: World, olga: User, django_capture_on_commit_callbacks: Any
) -> None:
    staff_login(client, olga)
    page = client.get(ADD)
    assert page.status_code == 200
    assert "A Call to Protect Open-Source AI in Europe" in page.content.decode()
    assert "IMCO" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, world)
    job = PacketJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/packets/packetjob/{job.pk}/change/"
    assert job.created_by == olga

    progress = json.loads(client.get(f"/admin/packets/packetjob/{job.pk}/progress/").content)
    expected = {"status": "done", "done": 2, "total": 2, "failed": 0, "percent": 100,
                "has_zip": True, "error": ""}  # fmt: skip
    assert {key: progress[key] for key in expected} == expected
    detail = client.get(f"/admin/packets/packetjob/{job.pk}/change/").content.decode()
    assert "Brando Benifei" in detail and "Dita Charanzová" in detail
    assert "Download all (ZIP" in detail

    packet = job.packets.first()
    assert packet is not None
    pdf = client.get(f"/admin/packets/packetjob/{job.pk}/packets/{packet.pk}/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    archive = client.get(f"/admin/packets/packetjob/{job.pk}/zip/")
    assert archive["Content-Disposition"].startswith("attachment")
    manifest = client.get(f"/admin/packets/packetjob/{job.pk}/manifest/")
    assert b"packet_identifier" in b"".join(manifest.streaming_content)  # type: ignore[attr-defined]


def test_the_form_explains_what_is_missing(client: Client, world: World, olga: User) -> None:
    staff_login(client, olga)
    response = start(client, world, committees=[])
    assert response.status_code == 200
    assert "Choose at least one committee." in response.content.decode()
    response = start(client, world, audience="countries", countries=["LU"])
    assert "Select a valid choice" in response.content.decode()  # no active Member there
    assert not PacketJob.objects.exists()


def test_submitting_the_form_twice_makes_one_job(client: Client, world: World, olga: User) -> None:
    staff_login(client, olga)
    key = client.get(ADD).context["form"].initial["request_key"]
    for _ in range(2):
        start(client, world, request_key=key)
    assert PacketJob.objects.count() == 1


def test_cancel_and_retry_from_the_job_page(
    client: Client, world: World, olga: User, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    staff_login(client, olga)
    start(client, world)  # callbacks not run: the job waits in the queue
    job = PacketJob.objects.get()
    assert client.post(f"/admin/packets/packetjob/{job.pk}/cancel/").status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert set(job.packets.values_list("status", flat=True)) == {"cancelled"}

    certificate = settings.PACKET_SIGNING_PKCS12
    settings.PACKET_SIGNING_PKCS12 = settings.PACKETS_DIR / "missing.p12"
    with django_capture_on_commit_callbacks(execute=True):
        start(client, world)
    failed = PacketJob.objects.latest("pk")
    assert failed.status == "failed"
    page = client.get(f"/admin/packets/packetjob/{failed.pk}/change/").content.decode()
    assert "Retry what failed" in page and "packets_dev_certificate" in page
    settings.PACKET_SIGNING_PKCS12 = certificate
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/packets/packetjob/{failed.pk}/retry/")
    failed.refresh_from_db()
    assert failed.status == "done"
    assert client.get(f"/admin/packets/packetjob/{failed.pk}/cancel/").status_code == 405


def test_curators_cannot_generate_packets(client: Client, world: World, carl: User) -> None:
    job = services.packet_job_create(
        letter=world.letter, audience="committees", committees=[world.imco], start=False
    )
    staff_login(client, carl)
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"letter": world.letter.pk}).status_code == 403
    assert client.get("/admin/packets/packetjob/").status_code == 403
    assert client.post(f"/admin/packets/packetjob/{job.pk}/cancel/").status_code == 403
    assert client.get(f"/admin/packets/packetjob/{job.pk}/progress/").status_code == 403
    assert PacketJob.objects.get().status == "queued"


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_admin_pages_cost_the_same_queries_whatever_their_size(
    client: Client, world: World, olga: User
) -> None:
    staff_login(client, olga)
    job = services.packet_job_create(
        letter=world.letter, audience="committees", committees=[world.imco], start=False
    )
    small = {
        "list": queries(client, "/admin/packets/packetjob/"),
        "job": queries(client, f"/admin/packets/packetjob/{job.pk}/change/"),
        "progress": queries(client, f"/admin/packets/packetjob/{job.pk}/progress/"),
    }
    for _ in range(5):
        services.packet_job_create(letter=world.letter, audience="all", start=False)
    Packet.objects.filter(job=job).update(status="done")
    big = services.packet_job_create(letter=world.letter, audience="all", start=False)
    assert big.packets.count() == 3
    assert small == {
        "list": queries(client, "/admin/packets/packetjob/"),
        "job": queries(client, f"/admin/packets/packetjob/{big.pk}/change/"),
        "progress": queries(client, f"/admin/packets/packetjob/{big.pk}/progress/"),
    }
    assert small["progress"] <= 6
