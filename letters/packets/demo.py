"""`make demo`: a self-signed certificate so that packets can be signed straight away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from letters.packets.signing import create_development_certificate


def seed(*, stdout: Any) -> None:
    path = Path(settings.PACKET_SIGNING_PKCS12)
    if path.exists():
        stdout.write(f"Packets: signing certificate at {path}")
        return
    create_development_certificate(
        path=path,
        passphrase=settings.PACKET_SIGNING_PASSPHRASE,
        common_name=f"{settings.SITE_NAME} (development certificate)",
        organisation=settings.SITE_NAME,
    )
    stdout.write(f"Packets: self-signed development certificate created at {path}")
