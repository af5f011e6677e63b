"""The legislator's own country is highlighted in the shared list without rendering it
again: a band is drawn under exactly the rows of that country, on every list page, and
nowhere else. Read back from the PDF: the bands from the page's first content stream, the
rows from where their text is drawn."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from letters.legislators.models import Legislator
from letters.signatures.models import Signature
from tests.packets.world import build_world, packet_pdf, render_inline

pytestmark = pytest.mark.django_db

BAND = re.compile(rb"1\.000 0\.945 0\.761 rg (.*?) f", re.S)
RECT = re.compile(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re")


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    ]  # fmt: skip


def bands(page: Any) -> list[tuple[float, float]]:
    contents = page["/Contents"]
    first = contents[0].get_object().get_data() if isinstance(contents, list) else b""
    found = BAND.search(first)
    if not found:
        return []
    return [(float(y), float(y) + float(h)) for _x, y, _w, h in RECT.findall(found.group(1))]


def row_baselines(page: Any, names: set[str]) -> dict[str, float]:
    seen: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        matrix = _multiply(tm, cm)
        for name in names:
            if text.strip().startswith(name):
                seen[name] = matrix[5]

    page.extract_text(visitor_text=visit)
    return seen


def test_rows_of_the_members_country_and_only_those_are_highlighted() -> None:
    world = build_world(crowd=90)
    crowd = Signature.objects.filter(full_name__startswith="Crowd").order_by("full_name")
    italians = {s.full_name for s in crowd[::7]}
    Signature.objects.filter(full_name__in=italians).update(country="IT")
    italians |= {"Maria Rossi", "Luca Bianchi"}

    job = render_inline(world.letter, legislators=[world.benifei])
    reader = PdfReader(io.BytesIO(packet_pdf(job.packets.get())))
    first_list_page = job.body_pages + 1  # index: the cover is page 0
    list_pages = reader.pages[first_list_page : first_list_page + job.list_pages]
    assert len(list_pages) >= 2

    highlighted: set[str] = set()
    plain: set[str] = set()
    for page in list_pages:
        page_bands = bands(page)
        for name, baseline in row_baselines(page, set(world.listed)).items():
            inside = any(low < baseline < high for low, high in page_bands)
            (highlighted if inside else plain).add(name)
    assert highlighted == italians
    assert plain == set(world.listed) - italians
    # The shared pages are not touched for a Member from a country without signatories.
    luxembourg = Legislator.objects.create(ep_id=1, full_name="Léa Luxembourg", country="LU")
    other = render_inline(world.letter, legislators=[luxembourg])
    other_reader = PdfReader(io.BytesIO(packet_pdf(other.packets.get())))
    assert not any(bands(p) for p in other_reader.pages)
