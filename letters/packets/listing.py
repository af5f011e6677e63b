"""The signatory list: the snapshot rows, their CSV, and how they are laid out on pages.

Every row is one line of fixed height, so the list is paginated here rather than by
WeasyPrint: a probe render tells how many lines fit on a page, and each page is then a
sequence of segments whose heights are whole lines (a heading, the column header, a block of
rows). That makes page-aligned chunks possible (each chunk is a run of whole pages that
another worker renders), gives every page its number before anything is rendered, and puts
each row at a known height on its page, which is how a legislator's country is highlighted
without rendering the list again (see assembly.py).

A page's rows are drawn as two `white-space: pre` blocks side by side, names and the rest,
rather than one box per row or a table: WeasyPrint's cost grows with the number of boxes
and line fragments, and this is two fragments per row. Country, verification and
affiliation share the second block, aligned with tab stops whose number per value the probe
measures."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_countries import countries

from letters.packets import rendering
from letters.signatures.models import Signature

CSV_COLUMNS = [
    "number", "name", "title", "institution", "country", "country_name", "verification",
    "verification_label", "signed_as", "featured", "letter_version", "confirmed_on",
]  # fmt: skip

# Heights, in lines, of the segments a list page is made of.
TITLE_LINES = 3
INTRO_LINES = 4
GROUP_LINES = 2
COLHEAD_LINES = 1
GAP_LINES = 1
EMPTY_LINES = 2
# A group heading is not left at the foot of a page without at least this many rows.
MIN_ROWS_AFTER_HEADING = 3

# Line height of the list, in points; the stylesheet (documents.py) uses the same.
LINE_PT = 10.8
# The meta block's columns, in CSS pixels from its left edge. Pango puts tab stops every
# TAB_PX (WeasyPrint hands it whole pixels); both columns start on a stop, so one or two
# tabs, counted from the probe's measurements, align them exactly. Many small stops would
# align anything too, but each tab costs layout time.
TAB_PX = 44
BADGE_AT_PX = 44
AFFILIATION_AT_PX = 132


def badge_label(level: str) -> str:
    """The verification badge drawn as text (a per-row image would cost a quarter more)."""
    labels: dict[str, Any] = {
        Signature.Level.ORGANISATION: _("Organisation ✓"),
        Signature.Level.ORCID: _("ORCID ✓"),
        Signature.Level.AFFILIATION: _("Affiliation ✓"),
        Signature.Level.EMAIL: _("Email"),
        Signature.Level.IMPORTED: _("Collected"),
    }
    return str(labels.get(level, level))


@dataclass(frozen=True)
class Row:
    number: int
    name: str
    title: str
    institution: str
    country: str
    level: str
    capacity: str
    featured: bool
    version: int | None
    confirmed_on: str

    @property
    def affiliation(self) -> str:
        return ", ".join(part for part in (self.title, self.institution) if part)

    @property
    def is_organisation(self) -> bool:
        return self.capacity == Signature.Capacity.ORGANISATION


def rows_from_signatures(signatures: Iterable[Signature]) -> list[Row]:
    rows = []
    for number, s in enumerate(signatures, start=1):
        rows.append(
            Row(
                number=number,
                name=rendering.clean_text(s.public_name),
                title=rendering.clean_text(s.title) if s.show_affiliation else "",
                institution=rendering.clean_text(s.public_affiliation),
                country=str(s.country),
                level=s.level,
                capacity=s.capacity,
                featured=s.featured_rank is not None,
                version=getattr(s, "version_number", None),
                confirmed_on=s.confirmed_at.date().isoformat() if s.confirmed_at else "",
            )
        )
    return rows


def rows_to_csv(rows: list[Row]) -> bytes:
    """The machine-readable list embedded in every packet; its SHA-256 is printed on the
    verification page. UTF-8 with a byte-order mark, so spreadsheet programs read the names
    right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.number, r.name, r.title, r.institution, r.country,
                countries.name(r.country) if r.country else "", r.level,
                Signature.Level(r.level).label if r.level in Signature.Level.values else r.level,
                r.capacity, "yes" if r.featured else "", r.version or "", r.confirmed_on,
            ]
        )  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_from_csv(data: bytes, start: int = 0, stop: int | None = None) -> list[Row]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    rows = []
    for index, record in enumerate(reader):
        if index < start:
            continue
        if stop is not None and index >= stop:
            break
        rows.append(
            Row(
                number=int(record["number"]),
                name=record["name"],
                title=record["title"],
                institution=record["institution"],
                country=record["country"],
                level=record["verification"],
                capacity=record["signed_as"],
                featured=record["featured"] == "yes",
                version=int(record["letter_version"]) if record["letter_version"] else None,
                confirmed_on=record["confirmed_on"],
            )
        )
    return rows


@dataclass
class Segment:
    kind: str  # title, intro, group, colhead, rows, gap, empty
    lines: int
    first: int = 0
    count: int = 0
    group: str = ""

    def as_list(self) -> list[Any]:
        return [self.kind, self.lines, self.first, self.count, self.group]

    @classmethod
    def from_list(cls, data: list[Any]) -> Segment:
        return cls(*data)


@dataclass
class ListPage:
    segments: list[Segment] = field(default_factory=list)

    @property
    def used(self) -> int:
        return sum(s.lines for s in self.segments)

    @property
    def row_range(self) -> tuple[int, int] | None:
        blocks = [s for s in self.segments if s.kind == "rows"]
        if not blocks:
            return None
        return blocks[0].first, blocks[-1].first + blocks[-1].count


def paginate(*, organisations: int, people: int, lines_per_page: int) -> list[ListPage]:
    """Lay the list out in pages of `lines_per_page` lines: organisations first, then
    people, each group under its heading, a column header at the top of every page."""
    if lines_per_page < TITLE_LINES + INTRO_LINES + GROUP_LINES + COLHEAD_LINES + 4:
        raise rendering.RenderError(f"A page holds only {lines_per_page} lines of the list.")
    pages = [ListPage([Segment("title", TITLE_LINES), Segment("intro", INTRO_LINES)])]
    if not organisations and not people:
        pages[0].segments.append(Segment("empty", EMPTY_LINES))
        return pages
    groups = [(g, n, f) for g, n, f in (("organisations", organisations, 0),
              ("people", people, organisations)) if n]  # fmt: skip
    for group_index, (group, count, first) in enumerate(groups):
        page = pages[-1]
        needed = GROUP_LINES + COLHEAD_LINES + min(count, MIN_ROWS_AFTER_HEADING)
        gap = GAP_LINES if group_index else 0
        if lines_per_page - page.used < gap + needed:
            page = ListPage()
            pages.append(page)
        elif gap:
            page.segments.append(Segment("gap", gap))
        page.segments += [Segment("group", GROUP_LINES, group=group), Segment("colhead", 1)]
        done = 0
        while done < count:
            room = lines_per_page - page.used
            if room <= 0:
                page = ListPage([Segment("colhead", COLHEAD_LINES, group=group)])
                pages.append(page)
                continue
            take = min(room, count - done)
            page.segments.append(Segment("rows", take, first=first + done, count=take))
            done += take
    return pages


def pages_to_json(pages: list[ListPage]) -> list[list[list[Any]]]:
    return [[s.as_list() for s in page.segments] for page in pages]


def pages_from_json(data: list[list[list[Any]]]) -> list[ListPage]:
    return [ListPage([Segment.from_list(s) for s in page]) for page in data]


def chunk_ranges(page_count: int, pages_per_chunk: int) -> list[tuple[int, int]]:
    """Split the list into runs of whole pages of about equal length."""
    chunks = max(1, math.ceil(page_count / max(1, pages_per_chunk)))
    size = math.ceil(page_count / chunks)
    return [(start, min(size, page_count - start)) for start in range(0, page_count, size)]


@dataclass(frozen=True)
class Probe:
    """What a probe render measured (documents.probe), in CSS pixels."""

    lines_per_page: int
    line_px: float
    top_px: float
    left_px: float
    width_px: float
    page_height_px: float
    widths: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Probe:
        return cls(**data)


def _tab_stops(width_px: float, start_px: int, target_px: int) -> str:
    """Tab characters that take text starting at `start_px` and `width_px` wide to the
    tab stop at `target_px` (stops every TAB_PX from the block's left edge)."""
    end_stops = math.floor((start_px + width_px) / TAB_PX + 1e-6)
    return "\t" * max(1, target_px // TAB_PX - end_stops)


def measured_values() -> list[str]:
    """What the meta block aligns with tab stops, so what the probe measures."""
    labels = {badge_label(value) for value in Signature.Level.values}
    return sorted({*(code for code, _name in countries), *labels})


def meta_text(row: Row, widths: dict[str, float]) -> str:
    badge = badge_label(row.level)
    return (
        f"{row.country}{_tab_stops(widths.get(row.country, 0.0), 0, BADGE_AT_PX)}"
        f"{badge}{_tab_stops(widths.get(badge, 0.0), BADGE_AT_PX, AFFILIATION_AT_PX)}"
        f"{row.affiliation}"
    )


def rows_block(rows: list[Row], widths: dict[str, float]) -> tuple[SafeString, SafeString]:
    """The two `pre` blocks of a run of rows. Escaped here, line by line: inside `pre` a
    template's own whitespace would shift the rows."""
    names = "\n".join(escape(r.name) for r in rows)
    meta = "\n".join(escape(meta_text(r, widths)) for r in rows)
    return mark_safe(names), mark_safe(meta)
