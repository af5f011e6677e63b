"""Organisations are listed by their own name, under an "Organisation" heading, with the
representative who signed for them beside it."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from letters.signatures.models import Signature
from tests.factories import SignatureFactory
from tests.packets.world import build_world, packet_pdf, render_inline

pytestmark = pytest.mark.django_db


def test_an_organisation_heads_its_row() -> None:
    world = build_world()
    for name, institution in (
        ("Dana Beispiel", "ELLIS Society"),
        ("Erik Exempel", "Laboratory for Learning and Intelligent Systems"),
    ):
        SignatureFactory.create(
            letter=world.letter, full_name=name, title="Director" if len(institution) < 20 else "",
            institution_name=institution,
            capacity=Signature.Capacity.ORGANISATION, level=Signature.Level.ORGANISATION,
            status=Signature.Status.APPROVED,
        )  # fmt: skip
    job = render_inline(world.letter, legislators=[world.benifei])
    reader = PdfReader(io.BytesIO(packet_pdf(job.packets.get())))
    lines = [
        " ".join(line.split())
        for page in reader.pages[2:]
        for line in page.extract_text().splitlines()
    ]
    heading = next(i for i, line in enumerate(lines) if line.startswith("Organisation Country"))
    ellis = next(line for line in lines if line.startswith("ELLIS Society"))
    assert "signed by Dana Beispiel, Director" in ellis
    long = next(line for line in lines if "signed by Erik Exempel" in line)
    # Too long for the name column: cut there, and given again after who signed.
    assert "Intelligen… DE" in long
    assert "signed by Erik Exempel, Laboratory for Learning" in long
    assert lines.index(ellis) > heading
