"""The list's own pagination and column alignment: every row on exactly one page, no page
over-full, no heading stranded at a page's foot, chunks of whole pages covering the list
once; text widths measured from the font match WeasyPrint's layout, so tab stops align."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from letters.packets import listing, rendering
from letters.packets.documents import _line_boxes, probe

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("organisations", "people", "lines"),
    [(0, 0, 60), (3, 0, 60), (0, 1000, 67), (37, 5000, 67), (60, 61, 67), (1, 1, 20)],
)
def test_pagination_places_every_row_once(organisations: int, people: int, lines: int) -> None:
    pages = listing.paginate(organisations=organisations, people=people, lines_per_page=lines)
    seen: list[int] = []
    for page in pages:
        assert page.used <= lines
        for index, segment in enumerate(page.segments):
            if segment.kind == "rows":
                seen.extend(range(segment.first, segment.first + segment.count))
            if segment.kind == "group":
                following = page.segments[index + 2 :]
                assert following and following[0].kind == "rows"
        assert page.segments[0].kind in ("title", "colhead")
    assert seen == list(range(organisations + people))
    chunks = listing.chunk_ranges(len(pages), 7, 6)
    covered = [p for start, count in chunks for p in range(start, start + count)]
    assert covered == list(range(len(pages)))
    assert all(0 < count <= 7 for _start, count in chunks)
    if len(chunks) >= 4:
        # The last runs are the short ones, so that workers finish close together.
        assert max(c for _s, c in chunks[-2:]) <= (max(c for _s, c in chunks) + 1) // 2


def test_measured_widths_match_the_layout() -> None:
    names = ["Anna Müller", "Άννα Παπαδοπούλου", "Дмитрий Иванов", "AVAWAY Tomás", "ffi fl"]
    html = (
        '<html><body><section class="list-page probe"><div class="text">'
        + "\n".join(escape(n) for n in names)
        + "</div></section></body></html>"
    )
    from letters.packets.documents import stylesheet

    rendered = rendering.render(
        html, stylesheet(title="t", footer="f"), keep_document=True, layout_only=True
    )
    lines = _line_boxes(rendered.document.pages[0]._page_box, "text")
    meter = listing.text_meter()
    for name, line in zip(names, lines, strict=True):
        assert abs(sum(c.width for c in line.children) - meter.width(name)) < 0.05


def test_padding_reaches_each_column_within_a_tenth_of_a_pixel() -> None:
    meter = listing.text_meter()
    column = listing.COUNTRY_AT_PX
    # Text is cut to leave COLUMN_GAP_PX before the next column; closer than that, the
    # finest step is a hair space.
    near = column - listing.COLUMN_GAP_PX
    for end in [0.0, 1.5, 43.99, 44.0, 100.01, 150.3, near, column - 3, column - 0.2]:
        padding, reported = listing.pad_to(column, end, meter)
        reached = end + meter.width(padding)
        hair = meter.width("\u200a")
        assert abs(reached - column) < (0.1 if end <= near else hair), (end, reached)
        assert abs(reported - reached) < 1e-9
        assert padding.strip() == ""


def test_a_row_s_columns_start_where_the_header_says_whatever_came_before() -> None:
    meter = listing.text_meter()
    starts = (listing.COUNTRY_AT_PX, listing.BADGE_AT_PX, listing.AFFILIATION_AT_PX)
    for name, country, level in [
        ("Anna Beispiel", "DE", "affiliation"),
        ("Jeanne Exemple", "FR", "email"),
        ("Αλέξανδρος Παράδειγμα", "GR", "orcid"),
        ("W", "IT", "organisation"),
    ]:
        row = listing.Row(
            number=1, name=name, title="Researcher", institution="", country=country,
            level=level, capacity="individual", featured=False, version=1, confirmed_on="",
        )  # fmt: skip
        line = listing.row_line(row, meter, 600.0)
        cells = [c for c in re.split(r"[\u2000-\u200a]+", line) if c]
        at = [meter.width(line[: line.index(cell)]) for cell in cells[1:]]
        for reached, start in zip(at, starts, strict=True):
            assert abs(reached - start) < 0.1, (name, reached, start)
    assert probe().lines_per_page > 50
