"""`manage.py render_packets`: the same job from the command line, into a folder: one PDF
per Member, the manifest and the ZIP; bad arguments get a clear error."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from letters.packets.models import PacketJob
from tests.packets.world import build_world

pytestmark = pytest.mark.django_db


def test_renders_a_committee_into_a_folder(tmp_path: Path) -> None:
    world = build_world()
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "render_packets", world.letter.slug, "--committee", "imco", "--no-substitutes",
        "--approved-only", "--output", str(tmp_path / "out"), stdout=out, stderr=err,
    )  # fmt: skip
    job = PacketJob.objects.get()
    assert job.status == "done" and job.approved_only and not job.include_substitutes
    assert "2 packet(s)" in out.getvalue()
    assert "packet/s" in err.getvalue() or "2/2" in err.getvalue()  # the progress bar

    folder = tmp_path / "out"
    pdfs = sorted(p.name for p in folder.glob("*.pdf"))
    assert pdfs == ["001-CZ-charanzova-dita.pdf", "002-IT-benifei-brando.pdf"]
    manifest = list(csv.DictReader(io.StringIO((folder / "manifest.csv").read_text("utf-8-sig"))))
    assert [row["legislator"] for row in manifest] == ["Dita Charanzová", "Brando Benifei"]
    for row in manifest:
        data = (folder / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert row["signatories"] == "4"  # the approved ones only
        assert row["packet_identifier"] in row["verify_url"]
        assert int(row["pages"]) == job.total_pages
    with zipfile.ZipFile(folder / job.zip_name) as archive:
        assert sorted(archive.namelist()) == sorted([*pdfs, "manifest.csv", "signatories.csv"])


def test_bad_arguments_are_explained(tmp_path: Path) -> None:
    world = build_world()
    out = ["--output", str(tmp_path)]
    with pytest.raises(CommandError, match="No letter with the slug 'nope'"):
        call_command("render_packets", "nope", "--all", *out)
    with pytest.raises(CommandError, match="Unknown committee"):
        call_command("render_packets", world.letter.slug, "--committee", "AFET", *out)
    with pytest.raises(CommandError, match="Unknown EP id"):
        call_command("render_packets", world.letter.slug, "--member", "1", *out)
    with pytest.raises(CommandError, match="neither a date"):
        call_command("render_packets", world.letter.slug, "--all", "--cutoff", "soon", *out)
    with pytest.raises(CommandError, match="No Member of the European Parliament"):
        call_command("render_packets", world.letter.slug, "--country", "LU", *out)
    assert not PacketJob.objects.exists()


def test_cutoff_date_means_the_end_of_that_day(tmp_path: Path) -> None:
    world = build_world()
    call_command(
        "render_packets", world.letter.slug, "--member", "124867", "--cutoff", "2000-01-01",
        "--output", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    job = PacketJob.objects.get()
    assert job.cutoff is not None
    local = timezone.localtime(job.cutoff)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2000-01-01", 23, 59)
    assert job.signatories == 0 and job.status == "done"
