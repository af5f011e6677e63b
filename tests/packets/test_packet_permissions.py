"""Organisers generate packets; curators do not. The data migration gives the "organiser"
group every permission of the packets app and leaves the "curator" group alone."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

grant = importlib.import_module("letters.packets.migrations.0002_organiser_group").grant


def test_the_organiser_group_gets_the_packet_permissions_and_curators_do_not() -> None:
    Group.objects.filter(name="organiser").delete()  # as on a database made before
    curator, _ = Group.objects.get_or_create(name="curator")
    grant(apps, None)
    grant(apps, None)  # idempotent, as it must be beside the curation migration

    organiser = Group.objects.get(name="organiser")
    codenames = set(organiser.permissions.values_list("codename", flat=True))
    assert {"generate_packets", "view_packetjob", "add_packetjob", "view_packet"} <= codenames
    assert not curator.permissions.filter(content_type__app_label="packets").exists()
