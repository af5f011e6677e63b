"""An organiser starts a packet job in the admin, in a real browser, and watches its
progress bar reach the end while a real Celery worker renders the packets."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from letters.packets.models import PacketJob
from tests.factories import UserFactory
from tests.packets.world import build_world
from tests.staff import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.celery]

grant = importlib.import_module("letters.packets.migrations.0002_organiser_group").grant


def test_start_a_job_and_watch_it_finish(
    live_server: Any, browser_page: Any, packet_worker: Callable[..., Any]
) -> None:
    world = build_world(crowd=60)
    grant(apps, None)
    olga = UserFactory.create(email="olga.organiser@example.org", is_staff=True)
    olga.groups.add(Group.objects.get(name="organiser"))
    client = staff_login(Client(), olga)
    packet_worker()

    page = browser_page
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/admin/packets/packetjob/add/")
    page.get_by_label("Letter").select_option(label=world.letter.title)
    page.get_by_label("Members of one or more committees").check()
    assert page.locator("select[name=countries]").is_hidden()  # only this audience's fields
    page.get_by_role("checkbox", name=re.compile("IMCO")).check()
    page.get_by_role("button", name="Start the job").click()

    page.wait_for_url(re.compile(r".*/admin/packets/packetjob/\d+/change/$"))
    assert page.locator("progress").is_visible()
    page.get_by_role("link", name=re.compile("Download all")).wait_for(timeout=90_000)
    assert page.locator("[data-field=status_label]").inner_text() == "Done"
    assert page.locator("[data-field=done]").inner_text() == "2"
    assert page.locator("progress").get_attribute("value") == "100"
    assert PacketJob.objects.get().status == "done"
