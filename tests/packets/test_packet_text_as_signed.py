"""A packet prints the text its signatories signed: when the letter was edited after they
signed, the packet still shows the version they gave their names to, unless an organiser
asks for another."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from letters.campaigns.services import letter_record_version
from tests.packets.world import build_world, packet_pdf, render_inline

pytestmark = pytest.mark.django_db

ADDED = "A paragraph added after everyone had signed."


def _text(job: object) -> str:
    reader = PdfReader(io.BytesIO(packet_pdf(job.packets.get())))  # type: ignore[attr-defined]
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_text_most_signed_not_the_newest() -> None:
    world = build_world()
    signed = world.letter.current_version
    world.letter.body += f"\n\n{ADDED}"
    world.letter.save()
    newest = letter_record_version(letter=world.letter)
    assert newest.number == 2 and signed is not None

    job = render_inline(world.letter, legislators=[world.benifei])

    assert job.letter_version_id == signed.pk
    assert ADDED not in _text(job)

    chosen = render_inline(world.letter, legislators=[world.benifei], letter_version=newest)
    assert ADDED in _text(chosen)


def test_the_command_names_a_version_it_does_not_have(tmp_path: Path) -> None:
    world = build_world()
    with pytest.raises(CommandError, match="The letter has no version 7"):
        call_command(
            "render_packets",
            world.letter.slug,
            "--committee=IMCO",
            "--text-version=7",
            f"--output={tmp_path}",
        )
