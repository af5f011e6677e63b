"""The summary's table by country: one column for a few countries; for more, two columns
read down then across, in blocks that never run over a page, every country once in rank
order. One test renders a real packet body, so a block split across pages would show."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from django_countries import countries
from pypdf import PdfReader

from letters.packets import services
from letters.packets.documents import COUNTRY_BLOCK_ROWS, Layout, _country_blocks
from letters.packets.models import PacketPart
from letters.packets.storage import parts_dir
from tests.factories import SignatureFactory
from tests.packets.world import build_world

pytestmark = pytest.mark.django_db


def _countries(n: int) -> list[dict[str, Any]]:
    return [
        {"code": f"C{i:03d}", "name": f"Country {i}", "count": 1000 - i, "share": "1 %"}
        for i in range(n)
    ]


def test_a_few_countries_stay_in_one_column() -> None:
    assert _country_blocks(_countries(12)) == []


@pytest.mark.parametrize("n", [13, 47, 2 * COUNTRY_BLOCK_ROWS, 131])
def test_columns_read_down_then_across(n: int) -> None:
    listed = _countries(n)
    blocks = _country_blocks(listed)
    read = []
    for block in blocks:
        assert len(block) <= COUNTRY_BLOCK_ROWS
        read += [left for left, _right in block] + [right for _left, right in block if right]
        # Only the last row of a block may have nothing on its right.
        assert all(right is not None for _left, right in block[:-1])
    assert read == listed


def test_a_long_table_breaks_only_between_blocks() -> None:
    world = build_world()
    # 120 more countries, the first 60 with two signatories each: three blocks of 50 or less.
    codes = [code for code, _name in countries if code not in {"GB", "IT", "CZ", "GR", "BG"}]
    first = timezone.now() - dt.timedelta(hours=1)
    minute = 0
    for rank, code in enumerate(codes[:120]):
        for _ in range(2 if rank < 60 else 1):
            minute += 1
            SignatureFactory.create(
                letter=world.letter, country=code, confirmed_at=first + dt.timedelta(minutes=minute)
            )
    job = services.packet_job_create(
        letter=world.letter, audience="committees", committees=[world.imco], start=False
    )
    services.packet_job_run_inline(job_id=job.pk)
    body = PacketPart.objects.get(job=job, kind=PacketPart.Kind.BODY)
    reader = PdfReader(io.BytesIO((parts_dir(job.pk) / body.file_name).read_bytes()))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    by_country = Layout.load(parts_dir(job.pk).parent / "layout.json")["stats"]["by_country"]
    assert len(by_country) == 126

    def entry(country: dict[str, Any]) -> str:
        return f"{country['code']} {country['name'].split()[0]}"

    blocks = _country_blocks(by_country)
    assert len(blocks) == 3
    for block in blocks:
        entries = [entry(c) for row in block for c in row if c]
        on = [i for i, text in enumerate(pages) if entries[0] in text]
        assert len(on) == 1, entries[0]
        missing = [e for e in entries if e not in pages[on[0]]]
        assert not missing, f"page {on[0] + 1} lacks {missing}"
