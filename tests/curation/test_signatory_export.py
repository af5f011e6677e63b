"""Exporting a letter's signatories as CSV and JSON, with their verification and state."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from letters.campaigns.models import Letter
from letters.signatures.models import Signature
from tests.curation.admin_helpers import CHANGELIST, act
from tests.curation.people import ANNA, OSKAR, sign_and_confirm, tum
from tests.factories import LetterFactory, SignatureFactory
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client: Client) -> Client:
    return staff_login(client, staff_user(OSKAR, role="organiser"))


@pytest.fixture
def letter() -> Letter:
    letter = LetterFactory.create(slug="protect-open-source-ai")
    sign_and_confirm(letter, institution=tum(), **ANNA)
    SignatureFactory.create(letter=letter, full_name="Withdrawn Person", status="withdrawn",
                            is_public=False)  # fmt: skip
    SignatureFactory.create(letter=letter, full_name="=HYPERLINK(\"http://evil\")",
                            institution_name="@SUM(A1)")  # fmt: skip
    SignatureFactory.create(full_name="On another letter")
    return letter


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_csv_export_of_a_letter(organiser: Client, letter: Letter) -> None:
    response = organiser.get(f"{CHANGELIST}export/csv/", {"letter__id__exact": letter.pk})
    assert response["Content-Disposition"] == (
        'attachment; filename="protect-open-source-ai-signatories.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert len(rows) == 3  # every state, this letter only
    anna = rows[0]
    assert anna["full_name"] == "Anna Beispiel"
    assert anna["verification"] == "affiliation"
    assert anna["verification_label"] == "Affiliation verified"
    assert (anna["status"], anna["shown"]) == ("confirmed", "yes")
    assert anna["institution"] == "Technical University of Munich"
    assert anna["email"] == "anna.beispiel@tum.de" and anna["country"] == "DE"
    assert rows[1]["status"] == "withdrawn" and rows[1]["shown"] == "no"


def test_cells_that_a_spreadsheet_would_run_are_made_text(
    organiser: Client, letter: Letter
) -> None:
    text = body(organiser.get(f"{CHANGELIST}export/csv/", {"letter__id__exact": letter.pk}))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[2]["full_name"] == '\'=HYPERLINK("http://evil")'
    assert rows[2]["institution"] == "'@SUM(A1)"


def test_the_export_follows_the_list_filters(organiser: Client, letter: Letter) -> None:
    response = organiser.get(
        f"{CHANGELIST}export/csv/",
        {"letter__id__exact": str(letter.pk), "status__exact": "withdrawn"},
    )
    assert [r["full_name"] for r in csv.DictReader(io.StringIO(body(response)))] == [
        "Withdrawn Person"
    ]


def test_json_export(organiser: Client, letter: Letter) -> None:
    response = organiser.get(f"{CHANGELIST}export/json/", {"letter__id__exact": letter.pk})
    assert response["Content-Type"] == "application/json"
    data = json.loads(body(response))
    assert data["letter"]["slug"] == "protect-open-source-ai"
    assert data["count"] == 3 == len(data["signatories"])
    anna = data["signatories"][0]
    assert anna["verification"] == "affiliation" and anna["status"] == "confirmed"
    assert anna["shown"] is True and anna["fraud_signals"] == []
    assert data["filters"] == {"letter__id__exact": str(letter.pk)}


def test_selected_rows_export_as_an_action(organiser: Client, letter: Letter) -> None:
    anna = Signature.objects.get(full_name="Anna Beispiel")
    response = act(organiser, "export_json", [anna], follow=False)
    assert [s["full_name"] for s in json.loads(body(response))["signatories"]] == ["Anna Beispiel"]


def test_the_export_costs_the_same_queries_at_any_size(organiser: Client, letter: Letter) -> None:
    def export() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            text = body(organiser.get(f"{CHANGELIST}export/csv/", {"letter__id__exact": letter.pk}))
        return text.count("\n") - 1, len(queries)

    export()  # warm what is kept between requests (permissions, the state counts)
    rows, small = export()
    SignatureFactory.create_batch(40, letter=letter)
    more_rows, large = export()
    assert (rows, more_rows) == (3, 43)
    assert large == small
