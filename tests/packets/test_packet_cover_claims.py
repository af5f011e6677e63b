"""What the cover letter tells a legislator about the signatures is true of the list: it
says every signer confirmed their email address only when every one did."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from letters.signatures.models import Signature
from tests.factories import SignatureFactory
from tests.packets.world import build_world, packet_pdf, render_inline

pytestmark = pytest.mark.django_db


def _cover_text(letter: object, legislator: object) -> str:
    job = render_inline(letter, legislators=[legislator])  # type: ignore[arg-type]
    reader = PdfReader(io.BytesIO(packet_pdf(job.packets.get())))
    return " ".join(reader.pages[0].extract_text().split())


def test_all_confirmed_says_so() -> None:
    world = build_world()
    assert "Every signer confirmed their email address." in _cover_text(world.letter, world.benifei)


def test_signatures_collected_offline_are_counted_apart() -> None:
    world = build_world()
    for name in ("Paper Signatory", "Another Paper Signatory"):
        SignatureFactory.create(
            letter=world.letter,
            full_name=name,
            status=Signature.Status.APPROVED,
            level=Signature.Level.IMPORTED,
        )
    text = _cover_text(world.letter, world.benifei)
    assert "Every signer confirmed" not in text
    assert "Every signer but 2 confirmed their email address" in text
    assert "collected by the organisers" in text
