"""The two staff roles: curators moderate signatures and keep the registry; organisers do
that and run the campaign (letters, exports, imports, the watch list)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from letters.curation.roles import CURATOR, ORGANISER, roles_sync
from letters.signatures.models import Signature
from tests.curation.people import CLARA, OSKAR
from tests.factories import InstitutionFactory, LetterFactory, SignatureFactory
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db


def perms(group: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group).permissions.select_related("content_type")
    }


@pytest.fixture
def curator(client: Client) -> Client:
    return staff_login(client, staff_user(CLARA, role=CURATOR))


@pytest.fixture
def organiser() -> Client:
    return staff_login(Client(), staff_user(OSKAR, role=ORGANISER))


def test_the_roles_exist_after_migrating_with_their_permissions() -> None:
    curator, organiser = perms(CURATOR), perms(ORGANISER)
    assert {"signatures.moderate_signature", "institutions.change_institution",
            "institutions.merge_institution"} <= curator  # fmt: skip
    assert not {p for p in curator if p.startswith("campaigns.")}
    assert "signatures.export_signatures" not in curator
    assert curator < organiser
    assert {"campaigns.change_letter", "signatures.export_signatures",
            "signatures.import_signatures", "curation.add_watchlistentry",
            "signatures.add_consenttext"} <= organiser  # fmt: skip
    assert "signatures.add_consenttext" not in curator


def test_syncing_only_adds_permissions() -> None:
    organiser = Group.objects.get(name=ORGANISER)
    curator = Group.objects.get(name=CURATOR)
    # Another concern (packets) gives organisers its own permission; an organiser removes
    # one from curators by hand and it comes back: the roles' floor is what is listed.
    extra = Permission.objects.get(codename="view_logentry")
    organiser.permissions.add(extra)
    curator.permissions.remove(Permission.objects.get(codename="moderate_signature"))
    roles_sync()
    assert "admin.view_logentry" in perms(ORGANISER)
    assert "signatures.moderate_signature" in perms(CURATOR)


def test_a_curator_moderates_and_edits_institutions(curator: Client) -> None:
    signature = SignatureFactory.create(status=Signature.Status.FLAGGED, is_public=False)
    assert curator.get("/admin/signatures/signature/").status_code == 200
    response = curator.post(
        "/admin/signatures/signature/",
        {"action": "approve", "_selected_action": [signature.pk], "index": 0},
    )
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.status == Signature.Status.APPROVED
    institution = InstitutionFactory.create(name="Universität Wien", country="AT")
    page = curator.get(f"/admin/institutions/institution/{institution.pk}/change/")
    assert page.status_code == 200


def test_a_curator_cannot_touch_letters_exports_imports_or_the_watch_list(
    curator: Client,
) -> None:
    letter = LetterFactory.create()
    assert curator.get(f"/admin/campaigns/letter/{letter.pk}/change/").status_code == 403
    assert curator.get("/admin/campaigns/letter/").status_code == 403
    assert curator.get("/admin/signatures/signature/export/csv/").status_code == 403
    assert curator.get("/admin/signatures/signature/import/").status_code == 403
    assert curator.get("/admin/curation/watchlistentry/add/").status_code == 403
    assert curator.get("/admin/curation/watchlistentry/").status_code == 200  # may read it
    page = curator.get("/admin/signatures/signature/").content.decode()
    assert "Export list as CSV" not in page and "export_csv" not in page


def test_an_organiser_runs_the_campaign(organiser: Client) -> None:
    letter = LetterFactory.create()
    assert organiser.get(f"/admin/campaigns/letter/{letter.pk}/change/").status_code == 200
    assert organiser.get("/admin/signatures/signature/export/csv/").status_code == 200
    assert organiser.get("/admin/signatures/signature/import/").status_code == 200
    assert organiser.get("/admin/curation/watchlistentry/add/").status_code == 200


def test_staff_without_a_role_see_nothing(client: Client) -> None:
    staff_login(client, staff_user("nobody@laion.example"))
    assert client.get("/admin/signatures/signature/").status_code == 403
