"""PAdES signatures with the campaign's certificate, and checking them.

Production reads a PKCS#12 file and its passphrase from the environment
(PACKET_SIGNING_PKCS12, PACKET_SIGNING_PASSPHRASE); `manage.py packets_dev_certificate`
creates a self-signed one for development. Every certificate that signed a packet is kept
in the database, so a packet stays verifiable after the certificate is replaced.

Signing is the last change made to a packet's bytes: the attachment, the metadata and the
highlighting are all written before, since anything appended later would fall outside the
signed revision."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID, ObjectIdentifier
from django.conf import settings
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from letters.packets.storage import write_atomic

logger = logging.getLogger(__name__)

# What readers look for in a document-signing certificate: RFC 9336's id-kp-documentSigning
# and Microsoft's, which Adobe Reader accepts.
DOCUMENT_SIGNING = [
    ObjectIdentifier("1.3.6.1.5.5.7.3.36"),
    ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),
]

# Room for the CMS container in the PDF beyond the certificates it embeds (signature value,
# signed attributes, signer identifier), so pyHanko need not sign once to measure it.
SIGNATURE_OVERHEAD_BYTES = 4096


class SigningUnavailable(Exception):
    """No usable certificate; the message says what to configure."""


class _KeyCachingSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses its private key again for every signature (twice per
    PDF); parsing and checking an RSA key costs ~90 ms, which would be most of a packet's
    signing time. Keep the parsed key."""

    pyca_key: Any = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self.pyca_key, rsa.RSAPrivateKey):
            return self.pyca_key.sign(data, PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(self.pyca_key, ec.EllipticCurvePrivateKey):
            return self.pyca_key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


@dataclass
class CampaignSigner:
    signer: _KeyCachingSigner
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    fingerprint: str
    subject: str
    bytes_reserved: int

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name="PacketSignature",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location=location,
            name=self.subject,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = signers.sign_pdf(writer, meta, signer=self.signer, bytes_reserved=self.bytes_reserved)
        return out.getvalue()


def _subject(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    organisations = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    common = _text(names[0].value) if names else certificate.subject.rfc4514_string()
    organisation = _text(organisations[0].value) if organisations else ""
    if organisation and organisation not in common:
        return f"{common} ({organisation})"
    return common


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


_loaded: dict[tuple[str, float, str], CampaignSigner] = {}


def campaign_signer() -> CampaignSigner:
    """The campaign's signer, loaded once per process (and again if the file changes)."""
    path = Path(settings.PACKET_SIGNING_PKCS12)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise SigningUnavailable(
            f"No signing certificate at {path}. Set PACKET_SIGNING_PKCS12 and "
            "PACKET_SIGNING_PASSPHRASE to the campaign's PKCS#12 file, or run "
            "`manage.py packets_dev_certificate` for a self-signed development one."
        ) from exc
    passphrase = settings.PACKET_SIGNING_PASSPHRASE
    key = (str(path), mtime, passphrase)
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = _load(path.read_bytes(), passphrase)
    return _loaded[key]


def _load(data: bytes, passphrase: str) -> CampaignSigner:
    try:
        private_key, certificate, others = pkcs12.load_key_and_certificates(
            data, passphrase.encode() if passphrase else None
        )
    except ValueError as exc:
        raise SigningUnavailable(
            "The signing certificate could not be opened: wrong PACKET_SIGNING_PASSPHRASE, or "
            "not a PKCS#12 file."
        ) from exc
    if private_key is None or certificate is None:
        raise SigningUnavailable("The PKCS#12 file holds no private key and certificate.")
    now = dt.datetime.now(dt.UTC)
    if certificate.not_valid_after_utc < now:
        raise SigningUnavailable(
            f"The signing certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d}."
        )
    registry = SimpleCertificateStore()
    registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in others])
    signer = _KeyCachingSigner(
        signing_key=translate_pyca_cryptography_key_to_asn1(private_key),
        signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
        cert_registry=registry,
    )
    signer.pyca_key = private_key
    chain_size = sum(
        len(c.public_bytes(serialization.Encoding.DER)) for c in [certificate, *others]
    )
    return CampaignSigner(
        signer=signer,
        certificate=certificate,
        chain=list(others),
        fingerprint=fingerprint(certificate),
        subject=_subject(certificate),
        # pyHanko reserves hexadecimal digits, two per byte of the CMS container.
        bytes_reserved=2 * (chain_size + SIGNATURE_OVERHEAD_BYTES),
    )


def create_development_certificate(
    *, path: Path, passphrase: str, common_name: str, organisation: str, days: int = 825
) -> x509.Certificate:
    """A self-signed certificate for development and demos: recipients' PDF readers will
    say the signer is unknown, but the site's verification page checks it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(DOCUMENT_SIGNING), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode(), key, certificate, None, encryption
    )
    write_atomic(path, data, mode=0o600)
    return certificate


# Checking


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    fingerprint: str = ""
    subject: str = ""
    signed_at: dt.datetime | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and self.whole_file


def check_signature(data: bytes, *, trusted_pems: list[str]) -> SignatureCheck:
    """Validate the PDF's last signature against this site's own certificates only."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except Exception as exc:  # pyHanko raises many kinds on broken files
        return SignatureCheck(signed=False, problem=f"unreadable: {exc}")
    if not embedded:
        return SignatureCheck(signed=False)
    signature = embedded[-1]
    roots = [asn1_x509.Certificate.load(_pem_to_der(pem)) for pem in trusted_pems]
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = validate_pdf_signature(signature, context)
    except Exception as exc:
        return SignatureCheck(signed=True, problem=f"could not be validated: {exc}")
    cert = status.signing_cert
    cert_fingerprint = hashlib.sha256(cert.dump()).hexdigest() if cert is not None else ""
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        fingerprint=cert_fingerprint,
        subject=cert.subject.human_friendly if cert is not None else "",
        signed_at=getattr(status, "signer_reported_dt", None),
    )


def _pem_to_der(pem: str) -> bytes:
    return x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
