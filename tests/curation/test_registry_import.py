"""Importing the institution registry from ROR's v2 dump and Hipo's university list: what
is created and updated, idempotency, refused domains, and files that change nothing."""

from __future__ import annotations

import json
import re
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from letters.institutions.importers import RegistryFileError, RegistryFormat
from letters.institutions.models import Institution, InstitutionDomain
from letters.institutions.services import institutions_import

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "institutions"
ROR = FIXTURES / "ror_v2_sample.json"
HIPO = FIXTURES / "hipo_sample.json"


def domains(name: str) -> set[str]:
    return set(
        InstitutionDomain.objects.filter(institution__name=name).values_list("domain", flat=True)
    )


def test_ror_dump_creates_institutions_with_their_domains() -> None:
    summary = institutions_import(path=ROR)
    assert summary.format == "ROR v2"
    assert (summary.created, summary.updated, summary.unchanged) == (4, 0, 0)
    assert [(r.position, r.reason) for r in summary.rejected] == [
        (4, "withdrawn from the registry"),
        (6, "no ROR id of the form https://ror.org/0xxxxxxxx"),
    ]
    tum = Institution.objects.get(ror_id="02kkvpp62")
    assert tum.name == "Technical University of Munich"  # the display name, not the acronym
    assert (str(tum.country), tum.kind, tum.source) == ("DE", "university", "ror")
    assert tum.website == "https://www.tum.de/"
    assert domains("Technical University of Munich") == {"tum.de"}
    # No domain listed: the website's host stands in.
    assert domains("Max Planck Society") == {"mpg.de"}
    assert not Institution.objects.get(ror_id="00inact01").is_active


def test_free_mail_is_never_an_institution_domain() -> None:
    summary = institutions_import(path=ROR)
    lab = Institution.objects.get(ror_id="03freemai")
    assert lab.name == "Independent Open Source Lab"  # a label when there is no display name
    # gmail.com refused; the listed domain kept (lower-cased); the Google Sites website is
    # no evidence of a mail domain either.
    assert domains(lab.name) == {"openlab.example"}
    assert [(r.domain, r.reason.split(" ")[1]) for r in summary.refused_domains] == [
        ("gmail.com", "is")
    ]
    assert "free-mail" in summary.refused_domains[0].reason


def test_importing_the_same_file_again_changes_nothing() -> None:
    institutions_import(path=ROR)
    institutions_import(path=HIPO)
    before = sorted(InstitutionDomain.objects.values_list("institution__name", "domain"))
    count = Institution.objects.count()
    again = institutions_import(path=ROR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    hipo_again = institutions_import(path=HIPO)
    assert (hipo_again.created, hipo_again.updated) == (0, 0)
    assert Institution.objects.count() == count
    assert sorted(InstitutionDomain.objects.values_list("institution__name", "domain")) == before


def test_the_university_list_joins_what_ror_has_and_never_duplicates() -> None:
    institutions_import(path=ROR)
    summary = institutions_import(path=HIPO)
    assert summary.format == "university-domains-list"
    # TUM matched by its domain: one institution, with the list's extra domain.
    assert Institution.objects.filter(name="Technical University of Munich").count() == 1
    assert domains("Technical University of Munich") == {"tum.de", "mytum.de"}
    assert Institution.objects.get(name="Technical University of Munich").source == "ror"
    # Vienna is listed twice in the file: one institution with both domains.
    assert Institution.objects.filter(name="Universität Wien").count() == 1
    assert domains("Universität Wien") == {"univie.ac.at", "univie.at"}
    assert summary.repeated == 1
    assert domains("Free Mail University") == {"fmu.example"}
    assert Institution.objects.get(name="Free Mail University").website == ""  # not a web URL
    assert str(Institution.objects.get(name="University of Prishtina").country) == ""
    assert [r.reason for r in summary.rejected] == ["no name"]
    assert (summary.created, summary.updated, summary.unchanged) == (3, 1, 0)


def test_a_re_import_follows_the_source_but_keeps_organisers_edits(tmp_path: Path) -> None:
    institutions_import(path=ROR)
    tum = Institution.objects.get(ror_id="02kkvpp62")
    InstitutionDomain.objects.create(institution=tum, domain="tum.example")  # by hand
    records = json.loads(ROR.read_text())
    records[0]["domains"] = ["tum.de", "cit.tum.de"]
    records[0]["names"][2]["value"] = "Technical University of Munich (TUM)"
    records[1]["names"][0]["value"] = "Max-Planck-Gesellschaft"
    changed = tmp_path / "ror.json"
    changed.write_text(json.dumps(records))
    mpg = Institution.objects.get(ror_id="01hhn8329")
    mpg.name = "Max Planck Society (edited)"
    mpg.source = Institution.Source.MANUAL  # what an organiser's edit in the admin does
    mpg.save()

    summary = institutions_import(path=changed)

    tum.refresh_from_db()
    assert tum.name == "Technical University of Munich (TUM)"
    assert domains(tum.name) == {"tum.de", "cit.tum.de", "tum.example"}
    assert Institution.objects.get(ror_id="01hhn8329").name == "Max Planck Society (edited)"
    assert summary.updated == 1


def test_the_dump_zip_is_read_from_its_v2_file(tmp_path: Path) -> None:
    archive = tmp_path / "v1.55-2024-10-31-ror-data.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("v1.55-2024-10-31-ror-data.json", (FIXTURES / "ror_v1_record.json").read_text())
        z.writestr("v1.55-2024-10-31-ror-data_schema_v2.json", ROR.read_text())
    summary = institutions_import(path=archive)
    assert summary.created == 4


def test_a_dry_run_saves_nothing() -> None:
    summary = institutions_import(path=ROR, dry_run=True)
    assert summary.created == 4
    assert not Institution.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ((FIXTURES / "truncated.json").read_text(), "Entry 2 is not valid JSON"),
        ('{"name": "not a list"}', "not a JSON list"),
        ((FIXTURES / "ror_v1_record.json").read_text(), "old schema (v1)"),
        ('[{"title": "something else"}]', "neither ROR v2 records"),
        ("[" + "[" * 200 + "]" * 200 + "]", "nested"),
        ("[" + "[" * 100_000 + "]" * 100_000 + "]", "nested"),
        ('[{"name": "Ok", "domains": []}] trailing', "more after the end"),
        (b"\xff\xfe[]", "not UTF-8"),
        ('[{"name": "Ok", "domains": [], "n": ' + "9" * 5000 + "}]", "cannot be read"),
    ],
)
def test_a_malformed_file_says_what_and_where_and_changes_nothing(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(RegistryFileError, match=re.escape(message)):
        institutions_import(path=path)
    assert not Institution.objects.exists()


def test_a_file_that_breaks_late_rolls_back_what_came_before(tmp_path: Path) -> None:
    good = [json.loads(HIPO.read_text())[1]] * 600  # past the first batch of writes
    path = tmp_path / "late.json"
    path.write_text(json.dumps(good)[:-1] + ", {]")
    with pytest.raises(RegistryFileError, match="Entry 601"):
        institutions_import(path=path)
    assert not Institution.objects.exists()


@override_settings(REGISTRY_IMPORT_MAX_MB=1)
def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    entry = {"name": "U" * 200, "domains": ["u.example"], "alpha_two_code": "DE"}
    path.write_text(json.dumps([entry] * 6000))
    with pytest.raises(RegistryFileError, match="larger than the limit of 1 MB"):
        institutions_import(path=path)
    assert not Institution.objects.exists()


def test_the_format_can_be_insisted_on() -> None:
    with pytest.raises(RegistryFileError, match="looks like a ROR v2 file"):
        institutions_import(path=ROR, expected=RegistryFormat.HIPO)


def test_the_command_prints_the_summary_and_refuses_bad_files(tmp_path: Path) -> None:
    out = StringIO()
    call_command("import_institutions", str(HIPO), stdout=out)
    text = out.getvalue()
    assert "6 entries read (university-domains-list)" in text
    assert "created:   4" in text and "rejected:  1" in text
    assert "yahoo.com refused" in text
    bad = tmp_path / "bad.json"
    bad.write_text("[1,")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_institutions", str(bad), stdout=StringIO())
