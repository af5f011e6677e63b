"""The signatory list's columns, as a PDF reader sees them drawn, start exactly under their
headings on every row, whatever the length and script of the name before them. Read back
with poppler's word boxes, since a layout can be right and its drawing still off (tabs
were: WeasyPrint draws a tab's advance 1024/1000 times too wide)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.factories import SignatureFactory
from tests.packets.world import build_world, packet_pdf, render_inline

pytestmark = pytest.mark.django_db

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" [^>]*>([^<]*)</word>')


def _list_rows(pdf: Path) -> tuple[list[tuple[float, str]], list[list[tuple[float, str]]]]:
    """The column heading of the list and every line drawn below a heading on its page,
    each as (x, word) in reading order."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    heading: list[tuple[float, str]] = []
    rows = []
    for page in boxes.split("<page ")[1:]:
        lines: dict[float, list[tuple[float, str]]] = {}
        for x, y, word in WORD.findall(page):
            lines.setdefault(round(float(y), 1), []).append((float(x), word))
        below = False
        for _y, words in sorted(lines.items()):
            words.sort()
            if [w for _x, w in words][1:3] == ["Country", "Verification"]:
                heading, below = words, True
            elif below:
                rows.append(words)
    return heading, rows


def test_every_row_s_columns_start_under_their_headings(tmp_path: Path) -> None:
    world = build_world(crowd=90)
    # Drawn with the CJK fallback font; shaped right to left (a box of the column's width).
    for name in ("王小明", "김민준", "さくら ひなた", "محمد العلي", "שרה לוי"):
        SignatureFactory.create(letter=world.letter, full_name=name, country="JP")
        world.listed.append(name)
    job = render_inline(world.letter, legislators=[world.benifei])
    path = tmp_path / "packet.pdf"
    path.write_bytes(packet_pdf(job.packets.get()))
    heading, lines = _list_rows(path)
    country_x, badge_x, role_x = heading[1][0], heading[2][0], heading[3][0]
    rows = with_affiliation = 0
    for line in lines:
        if not any(re.fullmatch(r"[A-Z]{2}", w) for _x, w in line):
            continue  # a group heading, the page's foot
        rows += 1
        starts = [x for x, _w in line]
        for column in (country_x, badge_x) + ((role_x,) if starts[-1] > role_x - 1 else ()):
            # A fifth of a point: invisible (CJK glyph advances round a little differently);
            # the tab drift this test was written for was 4 pt.
            assert any(abs(x - column) < 0.2 for x in starts), (column, line)
        with_affiliation += starts[-1] > role_x - 1
    assert rows == len(world.listed)
    assert with_affiliation >= 4
