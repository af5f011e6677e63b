"""The signatory list: the snapshot rows, their CSV, and how they are laid out on pages.

Every row is one line of fixed height, so the list is paginated here rather than by
WeasyPrint: a probe render tells how many lines fit on a page, and each page is then a
sequence of segments whose heights are whole lines (a heading, the column header, a block of
rows). That makes page-aligned chunks possible (each chunk is a run of whole pages that
another worker renders), gives every page its number before anything is rendered, and puts
each row at a known height on its page, which is how a legislator's country is highlighted
without rendering the list again (see assembly.py).

A page's rows are one `white-space: pre` block, a line of text per row, rather than a box
per row or a table: WeasyPrint's cost grows with the number of boxes and line fragments,
and this is one fragment per row. The columns (name, country, verification, affiliation)
are aligned by padding with fixed-width spaces, counted from widths measured in the font
itself (`TextMeter`); text that would run into the next column is cut with an ellipsis."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from itertools import combinations_with_replacement
from typing import Any, cast

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
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

# The list's type, in points; the stylesheet (documents.py) uses the same.
LINE_PT = 10.8
LIST_FONT_PT = 7.8
# Its columns, in CSS pixels from the left edge of the list.
COUNTRY_AT_PX = 220
BADGE_AT_PX = 262
AFFILIATION_AT_PX = 350
COLUMN_GAP_PX = 8


def badge_label(level: str) -> str:
    """The verification badge drawn as text (a per-row image would cost a quarter more)."""
    return _badge_labels(get_language()).get(level, level)


@cache
def _badge_labels(language: str | None) -> dict[str, str]:
    labels: dict[str, Any] = {
        Signature.Level.ORGANISATION: _("Organisation ✓"),
        Signature.Level.ORCID: _("ORCID ✓"),
        Signature.Level.AFFILIATION: _("Affiliation ✓"),
        Signature.Level.EMAIL: _("Email"),
        Signature.Level.IMPORTED: _("Collected"),
    }
    return {str(level): str(label) for level, label in labels.items()}


@cache
def _names(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Country names and verification labels, looked up once rather than once a row."""
    return dict(countries), {str(v): str(label) for v, label in Signature.Level.choices}


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


# The model's own properties decide what the public sees; they are read here from plain
# rows (selectors.packet_signatory_rows), which make the rows in half the time model
# instances take, on the path every worker of a job waits for.
_public_name = cast(Callable[[Any], str], vars(Signature)["public_name"].fget)
_public_affiliation = cast(Callable[[Any], str], vars(Signature)["public_affiliation"].fget)


def rows_from_signatures(signatures: Iterable[Any]) -> list[Row]:
    """The list's rows from Signature instances, or from rows with the same field names."""
    rows = []
    zone = timezone.get_current_timezone()
    for number, s in enumerate(signatures, start=1):
        rows.append(
            Row(
                number=number,
                name=rendering.clean_text(_public_name(s)),
                title=rendering.clean_text(s.title) if s.show_affiliation else "",
                institution=rendering.clean_text(_public_affiliation(s)),
                country=str(s.country),
                level=s.level,
                capacity=s.capacity,
                featured=s.featured_rank is not None,
                version=getattr(s, "version_number", None),
                confirmed_on=(
                    s.confirmed_at.astimezone(zone).date().isoformat() if s.confirmed_at else ""
                ),
            )
        )
    return rows


def rows_to_csv(rows: list[Row]) -> bytes:
    """The machine-readable list embedded in every packet; its SHA-256 is printed on the
    verification page. UTF-8 with a byte-order mark, so spreadsheet programs read the names
    right."""
    country_names, level_labels = _names(get_language())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(
        [
            r.number, r.name, r.title, r.institution, r.country,
            country_names.get(r.country, r.country), r.level, level_labels.get(r.level, r.level),
            r.capacity, "yes" if r.featured else "", r.version or "", r.confirmed_on,
        ]
        for r in rows
    )  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_from_csv(data: bytes, start: int = 0, stop: int | None = None) -> list[Row]:
    """Rows `start` to `stop` of the snapshot. Every record is one line (the fields were
    cleaned of line breaks), so a chunk reads only its own lines, not the list up to them."""
    lines = data.split(b"\r\n", -1 if stop is None else stop + 1)
    selected = lines[1 + start : None if stop is None else 1 + stop]
    records = list(csv.reader(line.decode("utf-8") for line in selected if line))
    if any(len(record) != len(CSV_COLUMNS) for record in records):
        raise ValueError("The signatory snapshot is not one record per line.")
    return [
        Row(
            number=int(r[0]), name=r[1], title=r[2], institution=r[3], country=r[4],
            level=r[6], capacity=r[8], featured=r[9] == "yes",
            version=int(r[10]) if r[10] else None, confirmed_on=r[11],
        )
        for r in records
    ]  # fmt: skip


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
        page.segments += [
            Segment("group", GROUP_LINES, group=group),
            Segment("colhead", COLHEAD_LINES, group=group),
        ]
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


def chunk_ranges(
    page_count: int, pages_per_chunk: int, min_chunks: int = 1
) -> list[tuple[int, int]]:
    """Split the list into runs of whole pages: at most `pages_per_chunk` pages each, at
    least `min_chunks` runs where the list has twice as many pages, so that a short list
    still keeps every worker busy; all of about equal length but the last few, shorter."""
    chunks = max(1, math.ceil(page_count / max(1, pages_per_chunk)))
    chunks = max(chunks, min(min_chunks, page_count // 2))
    size = math.ceil(page_count / chunks)
    ranges = [(start, min(size, page_count - start)) for start in range(0, page_count, size)]
    if len(ranges) < 4:
        return ranges
    # The last two runs are cut in halves: workers taking the chunks in order then finish
    # within half a chunk of each other, not a whole one (a second of a 50,000-row job).
    tail = []
    for start, count in ranges[-2:]:
        half = (count + 1) // 2
        tail += [(start, half), (start + half, count - half)] if count > 1 else [(start, count)]
    return ranges[:-2] + tail


@dataclass(frozen=True)
class Probe:
    """What a probe render measured (documents.probe), in CSS pixels."""

    lines_per_page: int
    line_px: float
    top_px: float
    left_px: float
    width_px: float
    page_height_px: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Probe:
        return cls(**data)


class TextMeter:
    """Text widths from the font's own advance widths. The list is laid out with kerning
    and ligatures off, so these match what Pango draws to a hundredth of a pixel, and a
    row can be one line of text aligned by tab stops instead of a box per column."""

    def __init__(self, font_file: str, size_px: float, fallback_file: str | None = None) -> None:
        from fontTools.ttLib import TTFont

        font = TTFont(font_file, lazy=True)
        cmap = font.getBestCmap()
        metrics = font["hmtx"].metrics
        scale = size_px / font["head"].unitsPerEm
        fallback = metrics[".notdef"][0] * scale
        self._advance = {code: metrics[glyph][0] * scale for code, glyph in cmap.items()}
        self._fallback = fallback
        # What the list font lacks is drawn from the fallback font, at its own widths; and
        # Pango draws a space between two such characters with that font too.
        self._other: dict[int, float] = {}
        self._only_other: re.Pattern[str] | None = None
        if fallback_file:
            other = TTFont(fallback_file, lazy=True, fontNumber=0)
            other_metrics = other["hmtx"].metrics
            other_scale = size_px / other["head"].unitsPerEm
            self._other = {
                code: other_metrics[glyph][0] * other_scale
                for code, glyph in other.getBestCmap().items()
            }
            only = sorted(set(self._other) - set(self._advance))
            if only:
                self._only_other = re.compile(f"[{rendering.char_ranges(only)}]")

    def _advances(self, text: str) -> Iterator[float]:
        advance, fallback = self._advance, self._fallback
        if self._only_other is None or not self._only_other.search(text):
            for c in text:
                yield advance.get(ord(c), fallback)
            return
        other, only_other = self._other, self._only_other
        in_other = False
        for c in text:
            code = ord(c)
            if only_other.match(c):
                in_other = True
                yield other[code]
            elif in_other and c.isspace() and code in other:
                yield other[code]
            else:
                in_other = False
                yield advance.get(code, fallback)

    def width(self, text: str) -> float:
        if self._only_other is None or not self._only_other.search(text):
            advance, fallback = self._advance, self._fallback
            return sum(advance.get(ord(c), fallback) for c in text)
        return sum(self._advances(text))

    def fit(self, text: str, width: float) -> str:
        """`text`, cut with an ellipsis where it would pass `width`."""
        if self.width(text) <= width:
            return text
        room = width - self.width("…")
        used = 0.0
        for index, step in enumerate(self._advances(text)):
            used += step
            if used > room:
                return text[:index].rstrip() + "…"
        return text


@cache
def text_meter() -> TextMeter:
    fallback = rendering.fallback_font_file()
    return TextMeter(
        str(rendering.list_font_file()),
        LIST_FONT_PT * 96 / 72,
        str(fallback) if fallback is not None else None,
    )


def _display(text: str) -> str:
    return rendering.cover_glyphs(unicodedata.normalize("NFC", text))


# Fixed-width spaces the columns are padded with: em spaces for the bulk of a gap, and for
# the last one to two ems the combination of up to five spaces (em, en, three-, four- and
# six-per-em, thin, hair) whose width comes nearest: within a tenth of a pixel for any gap
# of a few pixels or more. Padding to the nearest hair space left up to a point of error per
# column, which showed as ragged columns.
BULK_SPACE = "\u2003"
FINE_SPACES = ("\u2003", "\u2002", "\u2004", "\u2005", "\u2009", "\u2006", "\u200a")


@cache
def _fine_paddings(meter: TextMeter) -> tuple[list[float], list[str]]:
    combos = {"": 0.0}
    for count in range(1, 6):
        for spaces in combinations_with_replacement(FINE_SPACES, count):
            text = "".join(spaces)
            combos.setdefault(text, meter.width(text))
    ordered = sorted(combos.items(), key=lambda item: item[1])
    return [width for _, width in ordered], [text for text, _ in ordered]


def pad_to(column_px: float, end_px: float, meter: TextMeter) -> tuple[str, float]:
    """Spaces that take text ending at `end_px` to the column starting at `column_px`, and
    where they really end. Fixed-width spaces rather than tabs, although a tab would be one
    glyph instead of about ten and a ninth less work per list page (callgrind), and Pango
    puts whole-pixel tab stops exactly where asked: WeasyPrint 70 draws a tab's advance
    1024/1000 times too wide, which put the columns after it up to 4 pt right of their
    headings (tests/packets/test_packet_columns_as_drawn.py)."""
    gap = max(column_px - end_px, meter.width(FINE_SPACES[-1]))
    em = meter.width(BULK_SPACE)
    bulk = max(int(gap // em) - 1, 0)
    rest = gap - bulk * em
    widths, texts = _fine_paddings(meter)
    at = bisect_left(widths, rest)
    best = min(
        (i for i in (at - 1, at) if 0 <= i < len(widths)), key=lambda i: abs(widths[i] - rest)
    )
    return BULK_SPACE * bulk + texts[best], end_px + bulk * em + widths[best]


# Scripts whose letters Pango shapes (joins, reorders, combines): their drawn width is not
# the sum of the font's advances, so a name in them gets a box of the column's width
# instead of measured padding.
_SHAPED = re.compile("[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f"
                     "\u1780-\u17ff\ufb1d-\ufdff\ufe70-\ufeff]")  # fmt: skip


def _row_cells(row: Row, meter: TextMeter, width_px: float) -> tuple[str, str | None, str]:
    """The row's name as shown, the padding after it (None for a name in a shaped script,
    which gets a box of the column's width), and the line from the country column on."""
    shown_name, shown_affiliation = row.name, row.affiliation
    if row.is_organisation and row.institution:
        # The organisation signed: its name heads the row, its representative follows.
        shown_name = row.institution
        parts = [gettext("signed by %(name)s") % {"name": row.name}, row.title]
        if meter.width(_display(shown_name)) > COUNTRY_AT_PX - COLUMN_GAP_PX:
            parts.append(row.institution)  # cut in its column: again in the wider one
        shown_affiliation = ", ".join(part for part in parts if part)
    name = meter.fit(_display(shown_name), COUNTRY_AT_PX - COLUMN_GAP_PX)
    badge = badge_label(row.level)
    affiliation = meter.fit(_display(shown_affiliation), width_px - AFFILIATION_AT_PX - 2)
    to_country: str | None = None
    at = float(COUNTRY_AT_PX)  # where the name's box ends, if it has one
    if not _SHAPED.search(name):
        to_country, at = pad_to(COUNTRY_AT_PX, meter.width(name), meter)
    to_badge, at = pad_to(BADGE_AT_PX, at + meter.width(row.country), meter)
    to_affiliation, _ = pad_to(AFFILIATION_AT_PX, at + meter.width(badge), meter)
    return name, to_country, f"{row.country}{to_badge}{badge}{to_affiliation}{affiliation}"


def row_line(row: Row, meter: TextMeter, width_px: float) -> str:
    """One signatory as one line: name, country, verification and affiliation in columns
    padded to their places. Each pad starts from where the text really reached, so what a
    column is off by never carries into the next."""
    name, to_country, rest = _row_cells(row, meter, width_px)
    return f"{name}{to_country or ''}{rest}"


def row_html(row: Row, meter: TextMeter, width_px: float) -> str:
    """`row_line`, escaped; a name in a shaped script in a box as wide as its column."""
    name, to_country, rest = _row_cells(row, meter, width_px)
    if to_country is None:
        return f'<span class="cell-name">{escape(name)}</span>{escape(rest)}'
    return str(escape(f"{name}{to_country}{rest}"))


def rows_block(rows: list[Row], width_px: float) -> SafeString:
    """The `pre` block of a run of rows. Escaped here, line by line: inside `pre` a
    template's own whitespace would shift the rows."""
    meter = text_meter()
    return mark_safe("\n".join(row_html(r, meter, width_px) for r in rows))
