"""WeasyPrint, configured for text that signers and organisers wrote.

- Every `HTML()` and `CSS()` gets the same `AssetFetcher`: it serves the project's own fonts
  and nothing else. It never opens a file or a connection for a URL it does not know, and a
  render during which anything else was asked for fails instead of producing a packet.
- Text goes through Django's autoescaping; `presentational_hints` stay off.
- Characters that no shipped font covers are replaced before layout (the exact spelling is
  in the attached CSV): a glyph missing from every font can make Pango's layout crawl.
- Python's garbage collector is paused during a render: WeasyPrint builds millions of small
  objects that live exactly as long as the render, and collecting them mid-way only costs.
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib import request

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# A host that can never resolve (RFC 2606): asset URLs are names, not addresses.
ASSET_ORIGIN = "https://assets.packets.invalid/"

# (CSS family, weight, style) -> file name in PACKET_FONT_DIR. DejaVu covers the Latin,
# Greek and Cyrillic scripts of European names; the first two of each family are required
# (Debian's fonts-dejavu-core), the others come with fonts-dejavu-extra.
FONTS: dict[tuple[str, str, str], tuple[str, bool]] = {
    ("Packet Sans", "normal", "normal"): ("DejaVuSans.ttf", True),
    ("Packet Sans", "bold", "normal"): ("DejaVuSans-Bold.ttf", True),
    ("Packet Sans", "normal", "italic"): ("DejaVuSans-Oblique.ttf", False),
    ("Packet Sans", "bold", "italic"): ("DejaVuSans-BoldOblique.ttf", False),
    ("Packet Serif", "normal", "normal"): ("DejaVuSerif.ttf", True),
    ("Packet Serif", "bold", "normal"): ("DejaVuSerif-Bold.ttf", True),
    ("Packet Serif", "normal", "italic"): ("DejaVuSerif-Italic.ttf", False),
    ("Packet Serif", "bold", "italic"): ("DejaVuSerif-BoldItalic.ttf", False),
}


# The scripts DejaVu lacks, Chinese, Japanese and Korean names above all, come from one
# fallback font (PACKET_CJK_FONT: WenQuanYi Micro Hei, Debian's fonts-wqy-microhei), as the
# family "Packet CJK" after the others. Optional: without it, those characters print as a
# replacement character and the CSV keeps the exact spelling.
FALLBACK_FAMILY = "Packet CJK"


def fallback_font_file() -> Path | None:
    path = settings.PACKET_CJK_FONT
    return path if path and path.is_file() else None


class RenderError(Exception):
    """A packet part could not be rendered as it must be; the message says why."""


class AssetRefused(OSError):
    """Raised for every URL that is not one of the project's own assets."""


def font_dir() -> Path:
    return Path(settings.PACKET_FONT_DIR)


@cache
def _assets() -> dict[str, Path]:
    """The only URLs a render may load: asset URL -> file."""
    assets: dict[str, Path] = {}
    for (_family, _weight, _style), (name, required) in FONTS.items():
        path = font_dir() / name
        if path.is_file():
            assets[f"{ASSET_ORIGIN}fonts/{name}"] = path
        elif required:
            raise RenderError(
                f"The font {name} is missing from PACKET_FONT_DIR ({font_dir()}). Install "
                "Debian's fonts-dejavu-core (scripts/system-deps) or point PACKET_FONT_DIR at "
                "a folder holding the DejaVu fonts."
            )
    fallback = fallback_font_file()
    if fallback is not None:
        assets[f"{ASSET_ORIGIN}fonts/{fallback.name}"] = fallback
    return assets


@cache
def _asset_bytes(url: str) -> bytes:
    return _assets()[url].read_bytes()


def generated_url(name: str) -> str:
    """Where a render finds an image made for it (a QR code), by name."""
    return f"{ASSET_ORIGIN}generated/{name}"


class AssetFetcher(URLFetcher):
    """Serves the project's own fonts and the images made for this render; raises for
    every other URL, whatever its scheme (file, http to localhost, data, ftp). No request is
    ever made, so there is no redirect to follow either."""

    def __init__(self, generated: dict[str, bytes] | None = None) -> None:
        # URLFetcher's own constructor installs network handlers (and builds an SSL context
        # for each render); this fetcher opens nothing, so it starts without any.
        request.OpenerDirector.__init__(self)
        # A refused URL stops the render at once (weasyprint.urls.fetch reads this).
        self._fail_on_errors = True
        self.generated = {generated_url(name): data for name, data in (generated or {}).items()}
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        body = self.generated.get(url)
        if body is None and url in _assets():
            body = _asset_bytes(url)
        if body is not None:
            self.served.append(url)
            logger.debug("packet render: serving own asset %s", url)
            content_type = mimetypes.guess_type(url)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
        self.refused.append(url)
        logger.warning("packet render: refused to fetch %.200s", url)
        raise AssetRefused(f"Packets load only their own assets, not {url[:200]}")


def list_font_file() -> Path:
    """The regular sans-serif the signatory list is set in (measured by listing.TextMeter)."""
    return font_dir() / FONTS[("Packet Sans", "normal", "normal")][0]


@cache
def _fallback_only() -> re.Pattern[str] | None:
    """Characters only the fallback font has: a document without any is laid out without
    loading it (a few megabytes, about 20 ms a render)."""
    from fontTools.ttLib import TTFont

    fallback = fallback_font_file()
    if fallback is None:
        return None
    covered: set[int] = set()
    for path in _assets().values():
        if path != fallback:
            covered.update(TTFont(path, lazy=True).getBestCmap())
    only = sorted(set(TTFont(fallback, lazy=True, fontNumber=0).getBestCmap()) - covered)
    return re.compile(f"[{char_ranges(only)}]") if only else None


def char_ranges(points: list[int]) -> str:
    """The body of a regular expression character class matching these sorted points."""
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


def font_faces_css(*, fallback: bool = True) -> str:
    rules = []
    for (family, weight, style), (name, _required) in FONTS.items():
        url = f"{ASSET_ORIGIN}fonts/{name}"
        if url in _assets():
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                f'font-style: {style}; src: url("{url}"); }}'
            )
    fallback_file = fallback_font_file()
    if fallback and fallback_file is not None:
        rules.append(
            f'@font-face {{ font-family: "{FALLBACK_FAMILY}"; '
            f'src: url("{ASSET_ORIGIN}fonts/{fallback_file.name}"); }}'
        )
    return "\n".join(rules)


# Invisible or layout-changing characters a signer could use to spoof a line: bidirectional
# overrides and isolates, zero-width characters, and every kind of line break.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_BREAKS = re.compile(r"[\s\u0085\u2028\u2029]+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@cache
def _uncovered_pattern() -> re.Pattern[str]:
    """Characters outside every shipped font (ASCII and markup are always covered)."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set(range(0x20, 0x7F))
    for url in _assets():
        if "Sans" in url:
            covered.update(TTFont(_assets()[url], lazy=True).getBestCmap())
    fallback = fallback_font_file()
    if fallback is not None:
        covered.update(TTFont(fallback, lazy=True, fontNumber=0).getBestCmap())
    return re.compile(f"[^\t\n\r{char_ranges(sorted(covered))}]")


# Anything the three patterns above would change (for _BREAKS: any white space but a
# single plain space): most names have none of it, and a job cleans three fields of each of
# 50,000 rows before any worker can start.
_NEEDS_CLEANING = re.compile(f"{_INVISIBLE.pattern}|{_CONTROL.pattern}|[^\\S ]|  ")


def clean_text(value: str) -> str:
    """One line of user text as a packet shows it."""
    if not _NEEDS_CLEANING.search(value):
        return value.strip()
    value = _CONTROL.sub("", _INVISIBLE.sub("", value))
    return _BREAKS.sub(" ", value).strip()


def cover_glyphs(html: str) -> str:
    """Replace what no shipped font can draw; done on the whole document just before layout."""
    return _uncovered_pattern().sub("\ufffd", html)


_CSS_SAFE = re.compile(r"[A-Za-z0-9 .,:;()\-]")


def css_string(value: str) -> str:
    """A quoted CSS string for any text: everything but a few plain characters is escaped
    as a six-digit code point, so nothing in the text can end the string or the rule."""
    return '"' + "".join(c if _CSS_SAFE.match(c) else f"\\{ord(c):06x} " for c in value) + '"'


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    # Anchor (HTML id) -> index of the page it is on.
    anchors: dict[str, int] = field(default_factory=dict)
    # Anchor (HTML id) -> top and bottom of its box on that page, in CSS px.
    extents: dict[str, tuple[float, float]] = field(default_factory=dict)
    document: Any = None


def render(
    html: str,
    css: str,
    *,
    generated: dict[str, bytes] | None = None,
    keep_document: bool = False,
    layout_only: bool = False,
) -> Rendered:
    """Lay out and write one PDF. Raises RenderError if the document asked for anything that
    is not an own asset."""
    fetcher = AssetFetcher(generated)
    fonts = FontConfiguration()
    try:
        with gc_paused():
            document, pdf = _render(html, css, fetcher, fonts, layout_only=layout_only)
    except FatalURLFetchingError as exc:
        raise RenderError(
            f"The document asked for a resource that is not one of this site's own assets "
            f"({fetcher.refused[0][:200] if fetcher.refused else exc}); nothing rendered."
        ) from None
    if fetcher.refused:
        raise RenderError(
            f"The document asked for {len(fetcher.refused)} resource(s) that are not "
            f"this site's own assets (first: {fetcher.refused[0][:200]}); nothing rendered."
        )
    # An element broken across pages has its id on each of them: it starts on the first.
    anchors: dict[str, int] = {}
    extents: dict[str, tuple[float, float]] = {}
    for index, page in enumerate(document.pages):
        for name, box in page.anchors.items():
            if name not in anchors:
                anchors[name] = index
                extents[name] = (box[1], box[3])
    return Rendered(
        pdf=pdf,
        pages=len(document.pages),
        anchors=anchors,
        extents=extents,
        document=document if keep_document else None,
    )


def _render(
    html: str, css: str, fetcher: AssetFetcher, fonts: Any, *, layout_only: bool
) -> tuple[Any, bytes]:
    only_fallback = _fallback_only()
    faces = font_faces_css(fallback=bool(only_fallback and only_fallback.search(html)))
    stylesheet = CSS(
        string=faces + "\n" + css,
        base_url=ASSET_ORIGIN,
        url_fetcher=fetcher,
        font_config=fonts,
    )
    document = HTML(string=cover_glyphs(html), base_url=ASSET_ORIGIN, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=fonts, presentational_hints=False
    )
    if fetcher.refused:
        return document, b""
    return document, b"" if layout_only else document.write_pdf()
