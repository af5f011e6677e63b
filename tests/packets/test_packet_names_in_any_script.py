"""Names in any script get a row of their own in the list: Latin, Greek and Cyrillic are
drawn with the shipped fonts, Chinese, Japanese and Korean with the fallback font; what no
font covers is shown as a replacement character (the exact spelling stays in the CSV);
bidirectional overrides and line breaks cannot shift or disguise a row; a long name is cut
at its column with an ellipsis."""

from __future__ import annotations

import csv
import io

import pytest

from letters.signatures.models import Signature
from tests.packets.world import attachments, build_world, list_rows, packet_pdf, render_inline

pytestmark = pytest.mark.django_db

NAMES = {
    "Σωκράτης Παπαδημητρίου": "Σωκράτης Παπαδημητρίου",
    "Ясна Петровић": "Ясна Петровић",
    "Zoë Ørsted\u2011Łukasiewicz": "Zoë Ørsted\u2011Łukasiewicz",  # a non-breaking hyphen
    "王小明": "王小明",  # with the CJK fallback font, which CI installs
    "김민준": "김민준",
    "さくら": "さくら",
    "Ana 🌍 Silva": "Ana \ufffd Silva",
    "\u202eGod Save\u202c Kaspar": "God Save Kaspar",
    "Two\nLines\tHere": "Two Lines Here",
}
LONG = "Maximiliana Wilhelmina Theodora von und zu Hohenzollern-Sigmaringen-Auersperg"


def test_every_name_gets_one_aligned_row() -> None:
    world = build_world()
    when = Signature.objects.filter(status="confirmed").first().confirmed_at  # type: ignore[union-attr]
    for name in [*NAMES, LONG]:
        Signature.objects.create(
            letter=world.letter, letter_version=world.letter.current_version, full_name=name,
            institution_name="Université de Genève", country="CH", status="confirmed",
            is_public=True, level="email", confirmed_at=when,
        )  # fmt: skip
    job = render_inline(world.letter, legislators=[world.benifei])
    pdf = packet_pdf(job.packets.get())

    rows = list_rows(pdf)
    assert len(rows) == job.signatories
    printed = {row[0] for row in rows}
    for shown in NAMES.values():
        assert shown in printed
    cut = next(name for name in printed if name.startswith("Maximiliana"))
    assert cut.endswith("…") and len(cut) < len(LONG)
    for row in rows:
        if row[0] in NAMES.values() or row[0] == cut:
            assert row[1:3] == ["CH", "Email"], row

    data = attachments(pdf)["signatories.csv"].decode("utf-8-sig")
    in_csv = {r["name"] for r in csv.DictReader(io.StringIO(data))}
    assert {"王小明", "Ana 🌍 Silva", LONG, "God Save Kaspar", "Two Lines Here"} <= in_csv
