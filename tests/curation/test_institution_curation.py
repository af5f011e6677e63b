"""Keeping the registry in the admin: email domains (never free mail) and merging duplicates,
which moves their signatures and recomputes what those signatures prove."""

from __future__ import annotations

import pytest
from django.test import Client

from letters.institutions.models import Institution, InstitutionDomain
from letters.signatures.models import Signature
from tests.curation.admin_helpers import change_form_data, messages_of
from tests.curation.people import CLARA, sign_and_confirm
from tests.factories import InstitutionFactory, LetterFactory
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/institutions/institution/"


@pytest.fixture
def curator(client: Client) -> Client:
    return staff_login(client, staff_user(CLARA, role="curator"))


def test_a_curator_adds_a_domain_but_never_a_free_mail_one(curator: Client) -> None:
    vienna = InstitutionFactory.create(
        name="Universität Wien", country="AT", domains=["univie.ac.at"]
    )
    url = f"{CHANGELIST}{vienna.pk}/change/"
    data = change_form_data(curator, url, form_id="institution_form")
    data.update({"domains-1-domain": "GMAIL.com"})
    refused = curator.post(url, data)
    assert refused.status_code == 200
    assert "gmail.com is a free-mail provider" in refused.content.decode()
    assert set(vienna.domains.values_list("domain", flat=True)) == {"univie.ac.at"}

    data.update({"domains-1-domain": "@Univie.at."})
    assert curator.post(url, data).status_code == 302
    assert set(vienna.domains.values_list("domain", flat=True)) == {"univie.ac.at", "univie.at"}


def test_correcting_an_imported_institution_makes_it_the_organisers(curator: Client) -> None:
    imported = InstitutionFactory.create(name="Univ. Wien", source=Institution.Source.HIPO)
    url = f"{CHANGELIST}{imported.pk}/change/"
    data = change_form_data(curator, url, form_id="institution_form")
    data["name"] = "Universität Wien"
    assert curator.post(url, data).status_code == 302
    imported.refresh_from_db()
    assert imported.name == "Universität Wien" and imported.source == Institution.Source.MANUAL


def test_merging_duplicates_moves_domains_and_signatures(curator: Client) -> None:
    duplicate = InstitutionFactory.create(name="TU München", source="hipo", domains=["tum.de"])
    keep = InstitutionFactory.create(
        name="Technical University of Munich", ror_id="02kkvpp62", domains=["mytum.de"]
    )
    letter = LetterFactory.create()
    jonas = sign_and_confirm(
        letter, full_name="Jonas Muster", email="jonas@mytum.de", country="DE",
        institution=duplicate,
    )  # fmt: skip
    assert jonas.level == Signature.Level.EMAIL  # mytum.de is not TU München's domain

    form = curator.post(
        CHANGELIST,
        {"action": "merge", "_selected_action": [duplicate.pk, keep.pk], "index": 0},
    )
    assert "Choose the entry to keep" in form.content.decode()
    response = curator.post(
        CHANGELIST,
        {"action": "merge", "_selected_action": [duplicate.pk, keep.pk], "index": 0,
         "apply": "yes", "keep": keep.pk},
        follow=True,
    )  # fmt: skip
    assert messages_of(response)[-1] == (
        "Merged TU München into Technical University of Munich: 1 email domains and "
        "1 signatures moved."
    )
    jonas.refresh_from_db()
    assert jonas.institution == keep
    assert jonas.institution_name == "Technical University of Munich"
    assert jonas.level == Signature.Level.AFFILIATION
    event = jonas.events.get(action="institution_merged")
    assert event.actor is not None and event.actor.email == CLARA
    assert event.changes["institution"] == ["TU München", "Technical University of Munich"]
    duplicate.refresh_from_db()
    assert not duplicate.is_active and duplicate.merged_into == keep
    assert set(
        InstitutionDomain.objects.filter(institution=keep).values_list("domain", flat=True)
    ) == {
        "tum.de",
        "mytum.de",
    }

    # Gone from the sign form's autocomplete; the one kept is there.
    def search(q: str) -> list[str]:
        return [
            r["name"] for r in Client().get("/institutions/search/", {"q": q}).json()["results"]
        ]

    assert search("München") == []
    assert search("Munich") == ["Technical University of Munich"]


def test_a_curator_cannot_delete_institutions(curator: Client) -> None:
    institution = InstitutionFactory.create()
    assert curator.get(f"{CHANGELIST}{institution.pk}/delete/").status_code == 403
