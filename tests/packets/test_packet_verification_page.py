"""The public verification page: a packet as issued is verified, with what it is; a changed,
foreign, unsigned or broken file is "not verified" with the reason; identifiers can be
looked up however they were typed; oversized uploads are refused before they are read."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from letters.packets import rendering, services
from letters.packets.signing import _load, create_development_certificate
from tests.packets.world import build_world, packet_pdf, render_inline

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued() -> Any:
    world = build_world()
    job = render_inline(world.letter, legislators=[world.benifei])
    packet = job.packets.get()
    return packet, packet_pdf(packet)


def upload(client: Client, data: bytes, name: str = "packet.pdf") -> Any:
    file = io.BytesIO(data)
    file.name = name
    return client.post("/packets/verify/", {"file": file})


def inside_a_stream(pdf: bytes) -> int:
    """A byte in the middle of some page content: changing it leaves the file readable."""
    for match in re.finditer(rb"(?<!end)stream\r?\n", pdf):
        start = match.end()
        end = pdf.index(b"endstream", start)
        if end - start > 200 and start > len(pdf) // 3:
            return start + (end - start) // 2
    raise AssertionError("no long stream found")


def verdict(response: Any) -> str:
    text = response.content.decode()
    found = re.search(r'<section class="verdict[^"]*".*?</section>', text, re.S)
    assert found, text[:2000]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


def test_the_packet_as_issued_is_verified(client: Client, issued: Any) -> None:
    packet, pdf = issued
    response = upload(client, pdf)
    assert response.status_code == 200
    text = verdict(response)
    assert "✓ Verified" in text
    assert "this is the file this site issued" in text
    assert packet.identifier in text
    assert "Brando Benifei" in text
    assert "A Call to Protect Open-Source AI in Europe" in text
    assert f"Signatories {packet.signatories}" in text


def test_one_changed_byte_is_not_verified(client: Client, issued: Any) -> None:
    _packet, pdf = issued
    tampered = bytearray(pdf)
    tampered[inside_a_stream(pdf)] ^= 0x20
    text = verdict(upload(client, bytes(tampered)))
    assert "✗ Not verified" in text
    assert "changed after it was signed" in text


def test_a_file_signed_by_someone_else_is_not_verified(
    client: Client, issued: Any, tmp_path: Path
) -> None:
    packet, _pdf = issued
    path = tmp_path / "other.p12"
    create_development_certificate(
        path=path, passphrase="", common_name="Someone Else", organisation="Elsewhere"
    )
    foreign = _load(path.read_bytes(), "").sign(
        services.packet_unsigned_bytes(packet=packet), reason="x", location="y"
    )
    text = verdict(upload(client, foreign))
    assert "✗ Not verified" in text
    assert "not with this site's certificate" in text
    # It names a genuine packet: the page shows which, and the SHA-256 of the real file.
    assert f"The file names packet {packet.identifier}" in text
    assert packet.sha256 in text


def test_something_added_after_signing_is_not_verified(client: Client, issued: Any) -> None:
    _packet, pdf = issued
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root[NameObject("/Lang")] = TextStringObject("fr")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    text = verdict(upload(client, output.getvalue()))
    assert "✗ Not verified" in text
    assert "something was added after signing" in text


def test_unsigned_and_broken_files_are_not_verified(client: Client) -> None:
    unsigned = rendering.render("<html><body><p>A lookalike</p></body></html>", "").pdf
    assert "carries no digital signature" in verdict(upload(client, unsigned))
    assert "This file is not a PDF." in verdict(upload(client, b"not a pdf at all", "a.pdf"))
    assert "could not be read" in verdict(upload(client, b"%PDF-1.7\n" + b"\x00" * 500))


def test_uploads_have_a_size_limit(client: Client, settings: Any) -> None:
    settings.PACKET_VERIFY_MAX_BYTES = 1000
    response = upload(client, b"%PDF-1.7\n" + b"0" * 200_000)
    assert response.status_code == 413
    assert "larger than 1000" in response.content.decode()
    response = upload(client, b"%PDF-1.7\n" + b"0" * 5_000)
    assert response.status_code == 400
    assert "larger than 1000" in response.content.decode()
    response = client.post("/packets/verify/", {})
    assert response.status_code == 400


def test_identifiers_are_looked_up_however_typed(client: Client, issued: Any) -> None:
    packet, _pdf = issued
    response = client.get(f"/packets/verify/{packet.identifier}/")
    assert response.status_code == 200
    assert "This site issued packet" in verdict(response)
    typed = packet.identifier.lower().replace("-", " ").replace("0", "o")
    response = client.get("/packets/verify/", {"identifier": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/packets/verify/{packet.identifier}/"
    response = client.get("/packets/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ/")
    assert response.status_code == 404
    assert "No packet with the identifier ZZZZ-ZZZZ-ZZZZ-ZZZZ" in verdict(response)
    response = client.get("/packets/verify/", {"identifier": "hello"})
    assert "not a packet identifier" in verdict(response)
