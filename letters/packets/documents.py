"""The three kinds of document a job renders, from the job's layout file.

- the body: contents, the letter as signed, its recommendations, the partners and the
  summary, rendered once per job;
- the signatory list, in chunks of whole pages that workers render in parallel;
- the sheets of each legislator: a one-page cover letter and a one-page verification page,
  rendered together for a batch of legislators and split when packets are assembled.

Every page number is known before anything is rendered: the cover is page 1, the body's
page count comes from a layout pass while the job is prepared, the list is paginated by
`listing.paginate`, the verification page is last. So chunks print "page X of Y" correctly
however they are split, and every packet of a job has the same page count."""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict, dataclass
from functools import cache
from itertools import zip_longest
from pathlib import Path
from typing import Any

import qrcode
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from qrcode.image.pil import PilImage

from letters.packets import listing, rendering
from letters.packets.listing import ListPage, Row

MARGIN_TOP_MM = 20
MARGIN_SIDE_MM = 18
MARGIN_BOTTOM_MM = 18
CONTENT_WIDTH_MM = 210 - 2 * MARGIN_SIDE_MM
CONTENT_HEIGHT_MM = 297 - MARGIN_TOP_MM - MARGIN_BOTTOM_MM

HIGHLIGHT_FILL = "#fff1c2"
HIGHLIGHT_BAR = "#d99a00"


@dataclass
class Layout:
    """What preparing a job decided, read back by every part and every packet."""

    data: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> Layout:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def dumps(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    @property
    def pages(self) -> list[ListPage]:
        return listing.pages_from_json(self.data["pages"])

    @property
    def probe(self) -> listing.Probe:
        return listing.Probe.from_dict(self.data["probe"])

    @property
    def list_first_page(self) -> int:
        return int(self.data["body_pages"]) + 2

    @property
    def total_pages(self) -> int:
        return int(self.data["body_pages"]) + int(self.data["list_pages"]) + 2


def _page_label(number: int, total: int) -> str:
    return _("Page %(number)s of %(total)s") % {"number": f"{number:,}", "total": f"{total:,}"}


def stylesheet(*, title: str, footer: str, total_pages: int = 0, body_first_page: int = 0) -> str:
    line = listing.LINE_PT
    return render_to_string(
        "packets/pdf/packet.css",
        {
            "margin_top": MARGIN_TOP_MM,
            "margin_side": MARGIN_SIDE_MM,
            "margin_bottom": MARGIN_BOTTOM_MM,
            "content_h": CONTENT_HEIGHT_MM,
            "running_title": rendering.css_string(_shorten(title, 90)),
            "footer_left": rendering.css_string(footer),
            "page_word": rendering.css_string(_("Page")),
            "of_word": rendering.css_string(_("of")),
            "total_pages": f"{total_pages:,}",
            "body_first_page": body_first_page,
            "line_pt": line,
            "title_h": listing.TITLE_LINES * line,
            "intro_h": listing.INTRO_LINES * line,
            "group_h": listing.GROUP_LINES * line,
            "empty_h": listing.EMPTY_LINES * line,
            "list_font_pt": listing.LIST_FONT_PT,
            "country_left_px": listing.COUNTRY_AT_PX,
            "badge_left_px": listing.BADGE_AT_PX,
            "affiliation_left_px": listing.AFFILIATION_AT_PX,
            "highlight_fill": HIGHLIGHT_FILL,
            "highlight_bar": HIGHLIGHT_BAR,
        },
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _footer(layout: Layout) -> str:
    return f"{layout['site']['name']} · {layout['site']['verify_url']}"


# The probe


@cache
def probe() -> listing.Probe:
    """Render one over-full list page and count the lines that land on its first page, and
    where they are. Once per process."""
    html = render_to_string(
        "packets/pdf/probe.html",
        {"lines": mark_safe("\n".join(f"Probe {i}" for i in range(300)))},
    )
    css = stylesheet(title="probe", footer="probe")
    rendered = rendering.render(html, css, keep_document=True, layout_only=True)
    first = rendered.document.pages[0]._page_box
    lines = _line_boxes(first, "text")
    if len(lines) < 20:
        raise rendering.RenderError("The layout probe could not measure the signatory list.")
    return listing.Probe(
        lines_per_page=len(lines),
        line_px=lines[1].position_y - lines[0].position_y,
        top_px=lines[0].position_y,
        left_px=first.children[0].content_box_x(),
        width_px=first.children[0].width,
        page_height_px=first.margin_height(),
    )


def _line_boxes(root: Any, css_class: str) -> list[Any]:
    from weasyprint.formatting_structure import boxes

    found = []
    stack = [root]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.LineBox):
            element = getattr(box, "element", None)
            if element is not None and css_class in (element.get("class") or "").split():
                found.append(box)
            continue
        stack.extend(getattr(box, "children", ()))
    return sorted(found, key=lambda b: b.position_y)


# The body


def render_body(layout: Layout) -> rendering.Rendered:
    return rendering.render(
        body_html(layout),
        stylesheet(
            title=layout["letter"]["title"],
            footer=_footer(layout),
            total_pages=layout.total_pages if layout.data.get("body_pages") else 9999,
            body_first_page=2,
        ),
        layout_only=not layout.data.get("body_pages"),
    )


def body_html(layout: Layout) -> str:
    letter = dict(layout["letter"])
    # Sanitised by letters.common.markdown when the job was prepared.
    letter["body_html"] = mark_safe(letter["body_html"])
    letter["closing_html"] = mark_safe(letter["closing_html"])
    letter["recommendations"] = [
        {**rec, "body_html": mark_safe(rec["body_html"])} for rec in letter["recommendations"]
    ]
    body_pages = layout.data.get("body_pages") or 0
    return render_to_string(
        "packets/pdf/body.html",
        {
            "letter": letter,
            "sender": layout["sender"],
            "site": layout["site"],
            "partners": layout["partners"],
            "campaign_title": layout["campaign_title"],
            "stats": layout["stats"],
            "versions": layout["stats"]["versions"],
            "options_text": layout["options_text"],
            "csv_name": layout["csv_name"],
            "sections": _sections(layout, body_pages),
            "country_blocks": _country_blocks(layout["stats"]["by_country"]),
            "total_pages": f"{body_pages + layout['list_pages'] + 2:,}" if body_pages else "9,999",
            "letter_section_css": rendering.css_string(_("The letter")),
        },
    )


# Countries in one column up to this many; beyond, two columns read down then across, in
# blocks of at most twice COUNTRY_BLOCK_ROWS that never break across a page.
COUNTRY_COLUMN_MAX = 12
COUNTRY_BLOCK_ROWS = 25


def _country_blocks(by_country: list[dict[str, Any]]) -> list[list[tuple[Any, Any]]]:
    """The by-country table in two columns as rows of pairs. CSS columns would balance
    the table by laying it out again and again: a quarter of the body's layout time."""
    if len(by_country) <= COUNTRY_COLUMN_MAX:
        return []
    blocks = []
    for start in range(0, len(by_country), 2 * COUNTRY_BLOCK_ROWS):
        chunk = by_country[start : start + 2 * COUNTRY_BLOCK_ROWS]
        half = math.ceil(len(chunk) / 2)
        blocks.append(list(zip_longest(chunk[:half], chunk[half:])))
    return blocks


def _sections(layout: Layout, body_pages: int) -> dict[str, int]:
    first = body_pages + 2 if body_pages else 9999
    found = {"list": first}
    # Page numbers as printed: the cover is page 1, the body's first page is page 2.
    found["recommendations"] = 2 + layout.data.get("body_anchors", {}).get("recommendations", 0)
    for index, page in enumerate(layout.pages):
        for segment in page.segments:
            if segment.kind == "group":
                found.setdefault(segment.group, first + index)
    return found


# The signatory list


def render_list_chunk(layout: Layout, *, start: int, count: int, csv: bytes) -> rendering.Rendered:
    pages = layout.pages[start : start + count]
    first_row = next((p.row_range[0] for p in pages if p.row_range), 0)
    last_row = next((p.row_range[1] for p in reversed(pages) if p.row_range), 0)
    rows = listing.rows_from_csv(csv, first_row, last_row)
    html = list_html(layout, pages=pages, start=start, rows=rows, first_row=first_row)
    return rendering.render(
        html, stylesheet(title=layout["letter"]["title"], footer=_footer(layout))
    )


def list_html(
    layout: Layout, *, pages: list[ListPage], start: int, rows: list[Row], first_row: int
) -> str:
    probe_data = layout.probe
    total = layout.total_pages
    first_number = layout.list_first_page + start
    page_contexts = []
    for offset, page in enumerate(pages):
        segments = []
        for segment in page.segments:
            context: dict[str, Any] = {"kind": segment.kind, "group": segment.group}
            if segment.kind == "rows":
                chunk = rows[segment.first - first_row : segment.first - first_row + segment.count]
                context["text"] = listing.rows_block(chunk, probe_data.width_px)
                context["height_pt"] = round(segment.lines * listing.LINE_PT, 3)
            segments.append(context)
        row_range = page.row_range
        section = _("List of signatories")
        if row_range:
            section = _("Signatories %(first)s\u2013%(last)s") % {
                "first": f"{row_range[0] + 1:,}",
                "last": f"{row_range[1]:,}",
            }
        page_contexts.append(
            {
                "segments": segments,
                "section_css": rendering.css_string(section),
                "pageno_css": rendering.css_string(_page_label(first_number + offset, total)),
            }
        )
    return render_to_string(
        "packets/pdf/list.html",
        {
            "lang": "en",
            "title": layout["letter"]["title"],
            "pages": page_contexts,
            "stats": layout["stats"],
            "featured_first": layout["options"]["featured_first"],
        },
    )


# Covers and verification pages


@dataclass(frozen=True)
class Sheet:
    """One legislator's own pages, from the Packet row."""

    index: int
    identifier: str
    name: str
    country: str
    country_name: str
    group: str
    group_code: str
    party: str
    roles: str
    verify_url: str


# How much a cover letter leaves out to fit its one page, tried in this order: nothing; the
# list of the recommendations (a sentence says where they are); the names of signatories
# from the legislator's country; the type set smaller.
COVER_FITS = ("full", "no-recommendations", "no-examples", "small")


def render_sheets(layout: Layout, sheets: list[Sheet]) -> rendering.Rendered:
    """The covers and verification pages of a batch of legislators, each cover one page.

    A cover never cuts text off: the text is laid out, and a cover whose last line would
    pass the foot of its page is laid out again leaving more out (COVER_FITS). One that
    fits in none of them stops the job with the reason, rather than sending a cut letter."""
    fits = dict.fromkeys((sheet.identifier for sheet in sheets), 0)
    css = stylesheet(title=layout["letter"]["title"], footer=_footer(layout))
    generated = {f"qr-{sheet.identifier}.png": qr_png(sheet.verify_url) for sheet in sheets}
    while True:
        html = sheets_html(layout, sheets, fits=fits)
        rendered = rendering.render(html, css, generated=generated)
        over = [sheet for sheet in sheets if _cover_overflows(rendered, sheet)]
        if not over:
            return rendered
        for sheet in over:
            if fits[sheet.identifier] == len(COVER_FITS) - 1:
                raise rendering.RenderError(
                    f"The cover letter for {sheet.name} does not fit on one page, even with "
                    "the recommendations and example names left out and the type set "
                    "smaller: shorten the letter's title, addressee or partner names."
                )
            fits[sheet.identifier] += 1


def _cover_overflows(rendered: rendering.Rendered, sheet: Sheet) -> bool:
    """Whether the cover's text ends below its foot, or (too long for the page, so broken
    across two) on another page than it starts."""
    names = (f"cover-{sheet.index}", f"cover-end-{sheet.index}", f"cover-foot-{sheet.index}")
    if any(name not in rendered.extents for name in names):
        raise rendering.RenderError(f"The cover letter for {sheet.name} lost its markers.")
    start, end, foot = names
    if len({rendered.anchors[start], rendered.anchors[end], rendered.anchors[foot]}) > 1:
        return True
    return rendered.extents[end][1] > rendered.extents[foot][0]


def sheets_html(layout: Layout, sheets: list[Sheet], *, fits: dict[str, int] | None = None) -> str:
    total = layout.total_pages
    by_country = {c["code"]: c["count"] for c in layout["stats"]["by_country"]}
    examples = layout["country_examples"]
    contexts = []
    for sheet in sheets:
        contexts.append(
            {
                **asdict(sheet),
                "country_count": by_country.get(sheet.country, 0),
                "examples": examples.get(sheet.country, []),
                "first_css": rendering.css_string(_page_label(1, total)),
                "last_css": rendering.css_string(_page_label(total, total)),
                "qr_url": rendering.generated_url(f"qr-{sheet.identifier}.png"),
                "fit": COVER_FITS[(fits or {}).get(sheet.identifier, 0)],
            }
        )
    partners = [p["name"] for p in layout["partners"]]
    return render_to_string(
        "packets/pdf/covers.html",
        {
            "sheets": contexts,
            "letter": layout["letter"],
            "sender": layout["sender"],
            "site": layout["site"],
            "stats": layout["stats"],
            "sections": _sections(layout, layout["body_pages"]),
            "total_pages": f"{total:,}",
            "issued_on": layout["issued_on"],
            "issued_at": layout.data.get("issued_at", layout["issued_on"]),
            "cutoff": layout["options"]["cutoff_text"],
            "csv_name": layout["csv_name"],
            "list_sha256": layout["list_sha256"],
            "certificate": layout["certificate"],
            "partner_names": ", ".join(partners[:6]) + (", …" if len(partners) > 6 else ""),
            "verification_css": rendering.css_string(_("Verification")),
        },
    )


def qr_png(url: str) -> bytes:
    """The QR code as a small black-and-white PNG, drawn unsmoothed: a vector path of every
    module costs WeasyPrint's SVG code far more to draw. Eight pixels a module keep the
    edges sharp in viewers that smooth images anyway."""
    code = qrcode.QRCode(border=2, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=PilImage).save(buffer, format="PNG")
    return buffer.getvalue()
