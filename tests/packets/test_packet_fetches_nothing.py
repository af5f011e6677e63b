"""Rendering never fetches what a signer or an organiser could point it at: a name written
as HTML with file: or 127.0.0.1 URLs is printed as text, nothing is requested from a real
local server, and the fetcher is asked only for the project's own assets. If markup ever
got through, the fetcher would refuse it and the render would fail instead."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from letters.packets import rendering
from letters.packets.rendering import ASSET_ORIGIN, RenderError
from letters.signatures.models import Signature
from tests.packets.world import attachments, build_world, list_names, packet_pdf, render_inline

pytestmark = pytest.mark.django_db


class Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        Recorder.requests.append(self.path)
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_markup_in_names_and_texts_is_printed_not_fetched(
    local_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    world = build_world()
    hostile = {
        '<img src="file:///etc/passwd">': "",
        '<link rel="attachment" href="file:///etc/passwd">': "",
        f'<img src="{local_server}/pixel.png">': f"url({local_server}/style.css)",
    }
    for name, institution in hostile.items():
        Signature.objects.create(
            letter=world.letter, letter_version=world.letter.current_version, full_name=name,
            institution_name=institution, country="FR", status="confirmed", is_public=True,
            level="email", confirmed_at=Signature.objects.first().confirmed_at,  # type: ignore[union-attr]
        )  # fmt: skip
    world.letter.body = (
        f"Dear Members,\n\n![tracker]({local_server}/img.png) "
        f'<img src="{local_server}/raw.png"> [a link]({local_server}/page)'
    )
    world.letter.save()
    from letters.campaigns.services import letter_record_version

    letter_record_version(letter=world.letter)

    with caplog.at_level(logging.DEBUG, logger="letters.packets.rendering"):
        job = render_inline(world.letter, legislators=[world.benifei])

    assert job.status == "done", job.error
    assert Recorder.requests == []
    asked = [r.getMessage() for r in caplog.records if r.name == "letters.packets.rendering"]
    assert asked and all(f"own asset {ASSET_ORIGIN}" in m for m in asked), asked
    pdf = packet_pdf(job.packets.get())
    assert set(attachments(pdf)) == {"signatories.csv"}
    printed = list_names(pdf)
    for name in hostile:  # printed as text (long ones cut with an ellipsis at the column)
        assert any(p == name or (p.endswith("…") and name.startswith(p[:-1])) for p in printed)


@pytest.mark.parametrize(
    "html",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/passwd">',
        '<img src="{server}/a.png">',
        '<link rel="stylesheet" href="{server}/s.css">',
        '<div style="background: url({server}/b.png)">x</div>',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
    ],
)
def test_the_fetcher_refuses_everything_but_own_assets(local_server: str, html: str) -> None:
    document = f"<html><body><p>Hello</p>{html.format(server=local_server)}</body></html>"
    with pytest.raises(RenderError, match="own assets"):
        rendering.render(document, "body { font-family: 'Packet Sans' }")
    assert Recorder.requests == []


@pytest.mark.parametrize(
    "css",
    [
        "body {{ background: url({server}/background.png) }}",
        "@font-face {{ font-family: X; src: url({server}/font.ttf) }} body {{ font-family: X }}",
        "@font-face {{ font-family: Y; src: url(file:///etc/passwd) }} body {{ font-family: Y }}",
    ],
)
def test_stylesheets_go_through_the_same_fetcher(local_server: str, css: str) -> None:
    with pytest.raises(RenderError, match="own assets"):
        rendering.render("<html><body>Hello</body></html>", css.format(server=local_server))
    assert Recorder.requests == []
