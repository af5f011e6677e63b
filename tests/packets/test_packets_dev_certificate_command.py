"""`manage.py packets_dev_certificate` makes a self-signed PKCS#12 that the signer loads
with the configured passphrase, and does not silently replace an existing one."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from letters.packets.signing import SigningUnavailable, campaign_signer


def test_creates_a_certificate_the_signer_loads(settings: Any, tmp_path: Path) -> None:
    settings.PACKET_SIGNING_PKCS12 = tmp_path / "dev.p12"
    settings.PACKET_SIGNING_PASSPHRASE = "s3cret"
    out = io.StringIO()
    call_command("packets_dev_certificate", stdout=out)
    assert "SHA-256 fingerprint" in out.getvalue()
    assert (tmp_path / "dev.p12").stat().st_mode & 0o077 == 0
    signer = campaign_signer()
    assert "development certificate" in signer.subject
    assert signer.fingerprint in out.getvalue()

    with pytest.raises(CommandError, match="exists"):
        call_command("packets_dev_certificate", stdout=io.StringIO())
    call_command("packets_dev_certificate", "--if-missing", stdout=io.StringIO())
    assert campaign_signer().fingerprint == signer.fingerprint
    call_command("packets_dev_certificate", "--force", stdout=io.StringIO())
    assert campaign_signer().fingerprint != signer.fingerprint

    settings.PACKET_SIGNING_PASSPHRASE = "wrong"
    with pytest.raises(SigningUnavailable, match="wrong PACKET_SIGNING_PASSPHRASE"):
        campaign_signer()
