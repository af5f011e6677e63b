"""Whatever certificate the campaign brings, a packet gets signed and the signature checks.

The room reserved in the PDF for the signature depends on the certificates embedded in it:
chains of odd and of even length, and a production chain (a root, an intermediate and a
document-signing certificate with large keys) must all fit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from letters.packets.signing import (
    DOCUMENT_SIGNING,
    campaign_signer,
    check_signature,
)


def _pdf() -> bytes:
    return weasyprint.HTML(string="<h1>Packet</h1><p>To the Member.</p>").write_pdf()


def _sign_and_check(settings: Any, path: Path, passphrase: str) -> None:
    settings.PACKET_SIGNING_PKCS12 = path
    settings.PACKET_SIGNING_PASSPHRASE = passphrase
    signer = campaign_signer()
    signed = signer.sign(_pdf(), reason="Signatures of the letter", location="Brussels")
    check = check_signature(signed, trusted_pems=[signer.pem])
    assert check.ok, check
    assert check.fingerprint == signer.fingerprint


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, "Open Letters Coalition for Open Source AI"
            ),
            x509.NameAttribute(
                NameOID.ORGANIZATIONAL_UNIT_NAME, "Packets to the European Parliament"
            ),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _certificate(
    *,
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: str,
    issuer_key: rsa.RSAPrivateKey,
    ca: bool,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(DOCUMENT_SIGNING), critical=False
        ).add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(f"packets{n}.example.org") for n in range(40)]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _write_pkcs12(
    path: Path, key: rsa.RSAPrivateKey, leaf: x509.Certificate, others: list[x509.Certificate]
) -> None:
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"packets", key, leaf, others, serialization.BestAvailableEncryption(b"pw")
        )
    )


def _der(*certificates: x509.Certificate) -> int:
    return sum(len(c.public_bytes(serialization.Encoding.DER)) for c in certificates)


@pytest.mark.parametrize("parity", [0, 1], ids=["even-length", "odd-length"])
def test_chain_of_either_length_signs(settings: Any, tmp_path: Path, parity: int) -> None:
    # pyHanko reserves room in hexadecimal digits, so it takes only even sizes: a chain
    # of odd length once made every packet fail. A self-signed certificate names its
    # subject twice, so its length hardly ever changes parity; one issued by a CA does.
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _certificate(
        subject="Root CA", key=root_key, issuer="Root CA", issuer_key=root_key, ca=True
    )
    for extra in range(4):
        leaf = _certificate(
            subject="Packets" + "s" * extra,
            key=leaf_key,
            issuer="Root CA",
            issuer_key=root_key,
            ca=False,
        )
        if _der(leaf, root) % 2 == parity:
            break
    else:
        pytest.fail("no chain of the wanted length")
    _write_pkcs12(tmp_path / "chain.p12", leaf_key, leaf, [root])
    _sign_and_check(settings, tmp_path / "chain.p12", "pw")


def test_production_chain_with_large_keys_signs(settings: Any, tmp_path: Path) -> None:
    # A qualified trust service's chain: a root, a policy CA and an issuing CA above the
    # campaign's certificate, 4096-bit keys throughout.
    keys = [rsa.generate_private_key(public_exponent=65537, key_size=4096) for _ in range(4)]
    names = ["Root CA", "Policy CA", "Document Signing CA", "Open Letters packets"]
    chain: list[x509.Certificate] = []
    for level, (name, key) in enumerate(zip(names, keys, strict=True)):
        issuer = max(level - 1, 0)
        chain.append(
            _certificate(
                subject=name,
                key=key,
                issuer=names[issuer],
                issuer_key=keys[issuer],
                ca=level < 3,
            )
        )
    *authorities, leaf = chain
    _write_pkcs12(tmp_path / "production.p12", keys[3], leaf, authorities[::-1])
    # Large enough to overflow room counted in bytes where pyHanko counts digits.
    assert _der(*chain) > 6000
    _sign_and_check(settings, tmp_path / "production.p12", "pw")
