"""Joining a legislator's packet from the job's rendered parts, then signing it.

The body's PDF is the base (`PdfWriter(clone_from=...)` keeps its document metadata and
language), the legislator's cover goes in front, the list chunks and the verification page
after. The legislator's country is highlighted by drawing a band under its rows, beneath the
text of the shared list pages: the rows' positions are known from the pagination and the
probe, so no page is rendered again. The CSV goes in as an attachment, then the packet is
signed: signing must be the last change."""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from letters.packets import documents, rendering, storage

PX_PT = 0.75


def _hex_rgb(colour: str) -> str:
    value = colour.lstrip("#")
    return " ".join(f"{int(value[i : i + 2], 16) / 255:.3f}" for i in (0, 2, 4))


@dataclass
class JobParts:
    """A job's shared files, opened once per task and reused for every packet it joins."""

    job_id: int
    layout: documents.Layout
    csv: bytes
    _readers: dict[str, PdfReader] = field(default_factory=dict)

    @classmethod
    def open(cls, job_id: int) -> JobParts:
        folder = storage.job_dir(job_id)
        return cls(
            job_id=job_id,
            layout=documents.Layout.load(folder / "layout.json"),
            csv=(folder / "signatories.csv").read_bytes(),
        )

    @cached_property
    def compressed_csv(self) -> bytes:
        return zlib.compress(self.csv, 6)

    def reader(self, file_name: str) -> PdfReader:
        if file_name not in self._readers:
            path = storage.parts_dir(self.job_id) / file_name
            self._readers[file_name] = PdfReader(io.BytesIO(Path(path).read_bytes()))
        return self._readers[file_name]


@dataclass(frozen=True)
class PacketFiles:
    body: str
    chunks: list[str]
    covers: str
    sheet: int  # index of the legislator's sheet in the covers file


def assemble(
    parts: JobParts,
    files: PacketFiles,
    *,
    country: str,
    title: str,
    subject: str,
    identifier: str,
    author: str,
) -> tuple[bytes, int]:
    """The unsigned packet and its page count."""
    layout = parts.layout
    writer = PdfWriter(clone_from=parts.reader(files.body))
    covers = parts.reader(files.covers)
    writer.insert_page(covers.pages[2 * files.sheet], 0)
    for chunk in files.chunks:
        writer.append(parts.reader(chunk), import_outline=False)
    writer.add_page(covers.pages[2 * files.sheet + 1])
    pages = len(writer.pages)
    if pages != layout.total_pages:
        raise rendering.RenderError(
            f"The joined packet has {pages} pages instead of {layout.total_pages}."
        )
    _highlight(writer, layout, country)
    _outline(writer, layout)
    _attach(writer, layout["csv_name"], parts)
    writer.add_metadata(
        {
            "/Title": title,
            "/Subject": subject,
            "/Author": author,
            "/Creator": "Open Letters packets",
            "/Keywords": f"open letter; signatories; packet {identifier}",
            "/PacketIdentifier": identifier,
        }
    )
    writer.page_mode = "/UseOutlines"
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), pages


def _attach(writer: PdfWriter, name: str, parts: JobParts) -> None:
    """The CSV as an embedded file, compressed once per task rather than once per packet."""
    attachment = writer.add_attachment(name, b"")
    attachment.subtype = NameObject("/text/csv")
    attachment.description = TextStringObject(
        "Signatories of the letter, as listed in this packet (UTF-8 CSV)"
    )
    files = attachment.pdf_object["/EF"]
    assert isinstance(files, DictionaryObject)
    reference = files.raw_get("/F")
    stream = EncodedStreamObject()
    stream._data = parts.compressed_csv
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Type")] = NameObject("/EmbeddedFile")
    stream[NameObject("/Subtype")] = NameObject("/text/csv")
    stream[NameObject("/Params")] = DictionaryObject(
        {NameObject("/Size"): NumberObject(len(parts.csv))}
    )
    writer._replace_object(reference, stream)


def _highlight(writer: PdfWriter, layout: documents.Layout, country: str) -> None:
    runs = layout["highlights"].get(country)
    if not runs:
        return
    probe = layout.probe
    first = layout.list_first_page - 1  # index of the list's first page in the packet
    fill, bar = _hex_rgb(documents.HIGHLIGHT_FILL), _hex_rgb(documents.HIGHLIGHT_BAR)
    left = (probe.left_px - 4) * PX_PT
    width = (probe.width_px + 8) * PX_PT
    bar_left = (probe.left_px - 9) * PX_PT
    for page_index, blocks in runs:
        page = writer.pages[first + page_index]
        height = float(page.mediabox.height)
        bands = []
        marks = []
        for start, count in blocks:
            top = probe.top_px + start * probe.line_px
            y = height - (top + count * probe.line_px) * PX_PT
            h = count * probe.line_px * PX_PT
            bands.append(f"{left:.2f} {y:.2f} {width:.2f} {h:.2f} re")
            marks.append(f"{bar_left:.2f} {y:.2f} 2.2 {h:.2f} re")
        stream = DecodedStreamObject()
        stream.set_data(
            (f"q {fill} rg {' '.join(bands)} f {bar} rg {' '.join(marks)} f Q\n").encode()
        )
        _prepend_content(writer, page, stream)


def _prepend_content(writer: PdfWriter, page: Any, stream: DecodedStreamObject) -> None:
    """Draw `stream` before the page's own content, so the text stays on top."""
    reference = writer._add_object(stream)
    contents = page.get(NameObject("/Contents"))
    existing = contents.get_object() if contents is not None else None
    if isinstance(existing, ArrayObject):
        items = list(existing)
    elif contents is not None:
        items = [contents]
    else:
        items = []
    page[NameObject("/Contents")] = ArrayObject([reference, *items])


def _outline(writer: PdfWriter, layout: documents.Layout) -> None:
    body_anchors: dict[str, int] = layout.data.get("body_anchors", {})
    entries: list[tuple[str, int, bool]] = [("Cover letter", 0, False)]
    for anchor, label in (
        ("contents", "Contents"),
        ("letter", "The letter"),
        ("recommendations", "Recommendations"),
        ("partners", "Partner organisations"),
        ("summary", "Summary of the signatories"),
    ):
        if anchor in body_anchors:
            entries.append((label, 1 + body_anchors[anchor], anchor == "recommendations"))
    entries.append(("List of signatories", layout.list_first_page - 1, False))
    sections = layout.data.get("list_sections", {})
    for group, label in (("organisations", "Organisations"), ("people", "People")):
        if group in sections:
            entries.append((label, layout.list_first_page - 1 + sections[group], True))
    entries.append(("Verification", layout.total_pages - 1, False))
    parent = None
    for label, page, nested in entries:
        item = writer.add_outline_item(
            title=label, page_number=page, parent=parent if nested else None
        )
        if not nested:
            parent = item
