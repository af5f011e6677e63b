"""The floor of the packet figures: the same signatory list drawn with reportlab's canvas,
in the same columns and fonts, with the same page header and footer. Run as its own
process (`python -m bench.packets_floor CSV PDF`) so that its peak memory is its own."""

from __future__ import annotations

import csv
import gc
import io
import json
import resource
import sys
import time
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LINE = 10.8
BADGES = {
    "organisation": "Organisation ✓",
    "orcid": "ORCID ✓",
    "affiliation": "Affiliation ✓",
    "email": "Email",
    "imported": "Collected",
}


def fit(text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with an ellipsis to `width`, as the packet's columns do."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def draw(rows: list[dict[str, str]], target: Path) -> int:
    pdfmetrics.registerFont(TTFont("Sans", str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("Sans-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    width, height = A4
    left, top, bottom = 18 * mm, height - 20 * mm, 18 * mm
    per_page = int((top - bottom) // LINE)
    total_pages = -(-len(rows) // per_page)
    pdf = canvas.Canvas(str(target), pagesize=A4)
    for page, start in enumerate(range(0, len(rows), per_page), start=1):
        pdf.setFont("Sans", 7)
        pdf.drawString(left, height - 14 * mm, "List of signatories")
        pdf.drawRightString(width - left, 10 * mm, f"Page {page:,} of {total_pages:,}")
        y = top
        for row in rows[start : start + per_page]:
            y -= LINE
            pdf.setFont("Sans-Bold", 7.8)
            pdf.drawString(left, y, fit(row["name"], "Sans-Bold", 7.8, 58 * mm))
            pdf.setFont("Sans", 7.8)
            pdf.drawString(left + 60 * mm, y, row["country"])
            pdf.drawString(left + 71.6 * mm, y, BADGES.get(row["verification"], ""))
            affiliation = ", ".join(p for p in (row["title"], row["institution"]) if p)
            pdf.drawString(left + 95 * mm, y, fit(affiliation, "Sans", 7.8, 79 * mm))
        pdf.showPage()
    pdf.save()
    return total_pages


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    gc.disable()
    started = time.perf_counter()
    pages = draw(rows, target)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "pages": pages, "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
