"""Packets in the tests: a signing certificate made once per run, packet files in each
test's own folder, and a Celery worker that sees the same folder and certificate."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from letters.packets.signing import create_development_certificate

PASSPHRASE = "test-passphrase"


@dataclass(frozen=True)
class Certificate:
    path: Path
    passphrase: str
    der: bytes


@pytest.fixture(scope="session")
def packet_certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    path = tmp_path_factory.mktemp("signing") / "campaign.p12"
    certificate = create_development_certificate(
        path=path, passphrase=PASSPHRASE, common_name="Open Letters test", organisation="Tests"
    )
    return Certificate(path, PASSPHRASE, certificate.public_bytes(serialization.Encoding.DER))


@pytest.fixture(autouse=True)
def packet_settings(settings: Any, tmp_path: Path, packet_certificate: Certificate) -> Any:
    settings.PACKETS_DIR = tmp_path / "packets"
    settings.PACKET_SIGNING_PKCS12 = packet_certificate.path
    settings.PACKET_SIGNING_PASSPHRASE = packet_certificate.passphrase
    return settings


@pytest.fixture
def packet_worker(
    celery_worker_factory: Callable[..., Any], packet_settings: Any
) -> Callable[..., Any]:
    """Start a real worker rendering into this test's folder, signing with the test
    certificate."""

    def start(concurrency: int = 2, **env: str) -> Any:
        return celery_worker_factory(
            concurrency=concurrency,
            PACKETS_DIR=str(packet_settings.PACKETS_DIR),
            PACKET_SIGNING_PKCS12=str(packet_settings.PACKET_SIGNING_PKCS12),
            PACKET_SIGNING_PASSPHRASE=packet_settings.PACKET_SIGNING_PASSPHRASE,
            **env,
        )

    return start


def validate(pdf: bytes, certificate: Certificate) -> Any:
    """pyHanko's verdict on the packet's signature, trusting only the test certificate."""
    reader = PdfFileReader(io.BytesIO(pdf))
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(certificate.der)],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    return validate_pdf_signature(reader.embedded_signatures[0], context)
