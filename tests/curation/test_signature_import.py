"""Importing signatures collected offline or by a partner from CSV: a dry run that reports
each row's problem, then an all-or-nothing import of rows "imported by" the organiser at
their own verification level; and the round trip from an export to an import."""

from __future__ import annotations

import csv
import io
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from letters.campaigns.models import Letter
from letters.curation.models import FraudSignal, SignatureImport, WatchlistEntry
from letters.curation.services import (
    CurationError,
    signature_import_run,
    signature_import_stage,
    signatures_import_check,
    watchlist_entry_save,
)
from letters.signatures.models import Signature
from letters.signatures.stats import letter_stats_refresh
from tests.curation.admin_helpers import CHANGELIST, messages_of, public_names
from tests.curation.people import ANNA, OSKAR, sign_and_confirm, tum
from tests.factories import InstitutionFactory, LetterFactory, SignatureFactory
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db

HEADER = "full_name,email,title,institution,ror_id,country,capacity,signed_on\n"


def problems(letter: Letter, text: str | bytes) -> list[tuple[int, str, str]]:
    content = text.encode() if isinstance(text, str) else text
    report = signatures_import_check(letter=letter, content=content)
    return [(p.line, p.column, p.message) for p in report.problems]


@pytest.fixture
def oskar() -> Any:
    return staff_user(OSKAR, role="organiser")


@pytest.fixture
def letter() -> Letter:
    letter = LetterFactory.create()
    sign_and_confirm(letter, institution=tum(), **ANNA)
    return letter


def test_the_dry_run_reports_each_row_problem_and_saves_nothing(letter: Letter) -> None:
    text = HEADER + (
        "Jonas Muster,jonas@tum.de,PhD candidate,Technical University of Munich,,DE,,2023-05-02\n"
        "X,,,,,DE,,\n"
        "Maria Esempio,not-an-address,,,,IT,,\n"
        "Piotr Przykład,piotr@mailinator.com,,,,PL,,\n"
        "Anna Beispiel,Anna.Beispiel@tum.de,,,,DE,,\n"
        "Hugo Modèle,hugo@sorbonne.example,,,,Atlantis,,\n"
        "Sanne Voorbeeld,sanne@uva.nl,,,05xxxxxxx,NL,,\n"
        "Mads Eksempel,mads@ku.dk,,,,DK,chairman,2999-01-01\n"
        "Tereza Příkladová,jonas@tum.de,,,,CZ,organisation,\n"
    )
    assert problems(letter, text) == [
        (3, "full_name", "A name is needed."),
        (4, "email", "“not-an-address” is not an email address."),
        (5, "email", "A disposable-email address proves nothing."),
        (6, "email", "This address has signed this letter already."),
        (7, "country", "“Atlantis” is not a country (use DE, FR…)."),
        (8, "ror_id", "No institution with this ROR id is in the registry."),
        (9, "capacity", "Write “individual” or “organisation”."),
        (9, "signed_on", "This date is in the future."),
        (10, "email", "The same address as line 2."),
        (10, "institution", "An organisation signature needs a registered institution."),
    ]
    assert Signature.objects.filter(letter=letter).count() == 1
    assert not SignatureImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name;email\nAnna;a@b.example\n", (1, "country", "The file needs a “country” column.")),
        (b"full_name,country\n\xe9lodie,FR\n", (2, "", "The file is not UTF-8 text. In a "
                                                     "spreadsheet, save it as “CSV UTF-8”.")),
        ("", (1, "", "The file is empty.")),
        ("full_name,country\nAnna,DE,extra\n", (2, "", "3 cells where the header has 2 columns.")),
        ("full_name,country,country\nAnna,DE,DE\n", (1, "country", "This column appears twice.")),
        ("full_name,country\nAn\x00na,DE\n", (2, "", "The file has NUL bytes.")),
    ],
)  # fmt: skip
def test_a_malformed_file_is_reported_and_changes_nothing(
    letter: Letter, content: str | bytes, expected: tuple[int, str, str]
) -> None:
    assert problems(letter, content)[0] == expected
    assert Signature.objects.filter(letter=letter).count() == 1


def test_a_file_without_rows_cannot_be_imported(letter: Letter) -> None:
    report = signatures_import_check(letter=letter, content=HEADER.encode())
    assert not report.ok and report.summary() == "The file has no rows to import."


@override_settings(SIGNATURE_IMPORT_MAX_ROWS=2)
def test_too_many_rows(letter: Letter) -> None:
    text = HEADER + "".join(f"Person {i},,,,,DE,,\n" for i in range(3))
    assert problems(letter, text) == [(4, "", "More than 2 rows: split the file.")]


def test_an_import_marks_the_rows_as_collected_by_the_organiser(
    letter: Letter, oskar: Any, client: Client
) -> None:
    watchlist_entry_save(entry=WatchlistEntry(name="Lukas Beispielmann"), actor=None)
    InstitutionFactory.create(name="Max Planck Society", ror_id="01hhn8329", domains=["mpg.de"])
    text = HEADER + (
        "Jonas Muster,jonas@tum.de,PhD candidate,Technical University of Munich,,DE,,2023-05-02\n"
        "Lukas Beispielmann,,Group leader,,01hhn8329,Germany,,\n"
        "\"=cmd|' /C calc'!A0\",,,,,FR,,\n"
    )
    staged, report = signature_import_stage(
        letter=letter, content=text.encode(), filename="paper-forms.csv", actor=oskar
    )
    assert staged is not None and report.ok and staged.rows == 3
    assert report.notes[0].message.startswith("“Lukas Beispielmann” is on")
    assert Signature.objects.filter(letter=letter).count() == 1  # checked, not imported yet

    result = signature_import_run(staged_id=staged.pk, actor=oskar)

    assert result.created == 3
    imported = {s.full_name: s for s in Signature.objects.filter(source="import")}
    jonas = imported["Jonas Muster"]
    assert jonas.status == Signature.Status.APPROVED and jonas.is_public
    assert jonas.level == Signature.Level.IMPORTED  # their own level, never "verified"
    assert jonas.imported_by == oskar and jonas.institution is not None
    event = jonas.events.get()
    assert event.action == "imported" and event.actor == oskar
    assert "paper-forms.csv" in event.reason and OSKAR in event.reason
    assert event.changes == {"signed_on": "2023-05-02"}
    lukas = imported["Lukas Beispielmann"]
    assert lukas.institution_name == "Max Planck Society" and str(lukas.country) == "DE"
    assert lukas.fraud_signals.get().kind == FraudSignal.Kind.WATCHLIST
    # The organiser vouches for the list, but a watch-list name waits for a curator.
    assert lukas.status == Signature.Status.FLAGGED and not lukas.is_public
    assert "watch list" in lukas.events.get().reason
    assert "=cmd|' /C calc'!A0" in imported
    staged.refresh_from_db()
    assert staged.status == SignatureImport.Status.IMPORTED and staged.imported_by == oskar
    with pytest.raises(CurationError, match="imported already"):
        signature_import_run(staged_id=staged.pk, actor=oskar)
    letter_stats_refresh(letter_id=letter.pk)
    shown = set(public_names(client, letter.slug))
    assert {"Jonas Muster", "Anna Beispiel"} <= shown and "Lukas Beispielmann" not in shown


def test_an_address_that_signs_after_the_check_stops_the_whole_import(
    letter: Letter, oskar: Any
) -> None:
    text = HEADER + "Jonas Muster,jonas@tum.de,,,,DE,,\nMaria Esempio,maria@uniroma1.it,,,,IT,,\n"
    staged, _ = signature_import_stage(
        letter=letter, content=text.encode(), filename="f.csv", actor=oskar
    )
    assert staged is not None
    sign_and_confirm(letter, full_name="Maria Esempio", email="maria@uniroma1.it", country="IT")
    with pytest.raises(CurationError, match="line 3, column “email”: This address has signed"):
        signature_import_run(staged_id=staged.pk, actor=oskar)
    assert not Signature.objects.filter(source="import").exists()


def test_export_then_import_into_another_letter(letter: Letter, oskar: Any) -> None:
    SignatureFactory.create(letter=letter, full_name="Søren Jensen", institution_name="Aarhus",
                            country="DK", email="soren@au.dk")  # fmt: skip
    SignatureFactory.create(letter=letter, full_name="Gone Person", status="withdrawn",
                            is_public=False)  # fmt: skip
    out = StringIO()
    call_command("export_signatures", letter.slug, stdout=out)
    exported = out.getvalue()
    other = LetterFactory.create(slug="the-second-letter")
    path = io.BytesIO(exported.encode())
    staged, report = signature_import_stage(
        letter=other, content=path.getvalue(), filename="export.csv", actor=oskar
    )
    assert staged is not None, report.lines()
    assert [s.message for s in report.skipped] == ["Skipped: withdrawn in the file."]
    signature_import_run(staged_id=staged.pk, actor=oskar)

    def people(of: Letter) -> list[tuple[str, str, str, str, str]]:
        rows = Signature.objects.filter(letter=of).exclude(status="withdrawn").order_by("pk")
        return [(s.full_name, s.email, s.title, s.institution_name, str(s.country)) for s in rows]

    assert people(other) == people(letter)
    assert Signature.objects.get(letter=other, full_name="Anna Beispiel").institution == tum()
    again = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert {r["full_name"] for r in again} == {"Anna Beispiel", "Søren Jensen", "Gone Person"}


def test_the_admin_import_page(letter: Letter, oskar: Any, client: Client) -> None:
    staff_login(client, oskar)
    upload = io.BytesIO((HEADER + "Jonas Muster,jonas@tum.de,,,,DE,,\nX,,,,,DE,,\n").encode())
    upload.name = "partner.csv"
    page = client.post(f"{CHANGELIST}import/", {"letter": letter.pk, "file": upload})
    html = page.content.decode()
    assert "Nothing imported: line 3, column “full_name”: A name is needed." in html
    assert 'name="staged"' not in html

    upload = io.BytesIO((HEADER + "Jonas Muster,jonas@tum.de,,,,DE,,\n").encode())
    upload.name = "partner.csv"
    page = client.post(f"{CHANGELIST}import/", {"letter": letter.pk, "file": upload})
    assert "1 row can be imported" in page.content.decode()
    staged = SignatureImport.objects.get()
    assert client.post(f"{CHANGELIST}import/", {"staged": "1 OR 1=1"}).status_code == 404
    response = client.post(f"{CHANGELIST}import/", {"staged": staged.pk}, follow=True)
    assert "1 signatures imported from partner.csv" in messages_of(response)[0]
    assert Signature.objects.get(full_name="Jonas Muster").imported_by == oskar


def test_the_command_line_import(letter: Letter, oskar: Any, tmp_path: Any) -> None:
    path = tmp_path / "paper.csv"
    path.write_text(HEADER + "Jonas Muster,jonas@tum.de,,,,DE,,\nX,,,,,DE,,\n")
    out = StringIO()
    with pytest.raises(CommandError, match="cannot be imported"):
        call_command("import_signatures", letter.slug, str(path), "--dry-run", stdout=out)
    assert "problem: line 3, full_name: A name is needed." in out.getvalue()
    path.write_text(HEADER + "Jonas Muster,jonas@tum.de,,,,DE,,\n")
    out = StringIO()
    call_command("import_signatures", letter.slug, str(path), "--as", OSKAR, stdout=out)
    assert "1 signatures imported" in out.getvalue()
    with pytest.raises(CommandError, match="Name an organiser"):
        call_command("import_signatures", letter.slug, str(path), "--as", "x@y.z", stdout=out)


def test_a_row_the_export_says_was_flagged_stays_held(letter: Letter, oskar: Any) -> None:
    SignatureFactory.create(letter=letter, full_name="Held Person", status="flagged",
                            is_public=False, email="held@example.org")  # fmt: skip
    out = StringIO()
    call_command("export_signatures", letter.slug, stdout=out)
    other = LetterFactory.create(slug="a-third-letter")
    staged, report = signature_import_stage(
        letter=other, content=out.getvalue().encode(), filename="export.csv", actor=oskar
    )
    assert staged is not None, report.lines()
    assert "Flagged in the file: imported as flagged." in [n.message for n in report.notes]
    signature_import_run(staged_id=staged.pk, actor=oskar)

    held = Signature.objects.get(letter=other, full_name="Held Person")
    assert held.status == Signature.Status.FLAGGED and not held.is_public
    shown = Signature.objects.get(letter=other, full_name="Anna Beispiel")
    assert shown.status == Signature.Status.APPROVED and shown.is_public


def test_import_files_are_not_kept_forever(letter: Letter, oskar: Any, settings: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from letters.curation.tasks import purge_import_files

    settings.SIGNATURE_IMPORT_CHECKED_DAYS = 7
    settings.SIGNATURE_IMPORT_FILE_DAYS = 90
    content = (HEADER + "Jonas Muster,jonas@tum.de,,,,DE,,\n").encode()
    abandoned, _ = signature_import_stage(
        letter=letter, content=content, filename="a.csv", actor=oskar
    )
    imported, _ = signature_import_stage(
        letter=letter, content=content.replace(b"jonas@", b"jo@"), filename="b.csv", actor=oskar
    )
    assert abandoned is not None and imported is not None
    signature_import_run(staged_id=imported.pk, actor=oskar)
    long_ago = timezone.now() - timedelta(days=100)
    SignatureImport.objects.filter(pk=abandoned.pk).update(created_at=long_ago)
    SignatureImport.objects.filter(pk=imported.pk).update(imported_at=long_ago)

    assert purge_import_files() == (1, 1)

    assert not SignatureImport.objects.filter(pk=abandoned.pk).exists()
    kept = SignatureImport.objects.get(pk=imported.pk)
    assert bytes(kept.content) == b"" and kept.sha256 and kept.filename == "b.csv"
    assert purge_import_files() == (0, 0)
