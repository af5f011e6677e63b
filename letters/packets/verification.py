"""Is this PDF a packet this site issued, unaltered? For the public verification page.

A file verifies when its SHA-256 is that of a packet this site wrote and its PAdES signature
validates against one of this site's own signing certificates, over the whole file. Anything
else gets "not verified" and the most specific reason we can give."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from pypdf import PdfReader

from letters.packets import selectors, signing
from letters.packets.models import Packet, SigningCertificate


@dataclass(frozen=True)
class Verification:
    verified: bool
    reason: str
    packet: Packet | None = None
    sha256: str = ""
    signer: str = ""
    claimed_identifier: str = ""


def _claimed_identifier(data: bytes) -> str:
    try:
        metadata: Any = PdfReader(io.BytesIO(data), strict=False).metadata or {}
    except Exception:  # a broken file names nothing
        return ""
    value = str(metadata.get("/PacketIdentifier", ""))[:40]
    return selectors.normalise_identifier(value) or ""


def packet_verify_file(*, data: bytes) -> Verification:
    digest = hashlib.sha256(data).hexdigest()
    if b"%PDF-" not in data[:1024]:
        return Verification(False, _("This file is not a PDF."), sha256=digest)
    trusted = list(SigningCertificate.objects.values_list("pem", flat=True))
    check = signing.check_signature(data, trusted_pems=trusted)
    packet = selectors.packet_by_sha256(sha256=digest)
    if packet is not None and check.ok:
        return Verification(
            True,
            _("Intact: this is the file this site issued, and its digital signature is valid."),
            packet=packet,
            sha256=digest,
            signer=check.subject,
        )
    claimed = _claimed_identifier(data)
    claimed_packet = selectors.packet_by_identifier(identifier=claimed) if claimed else None
    if check.problem.startswith("unreadable"):
        reason = _("This PDF could not be read; it may be damaged or incomplete.")
    elif not check.signed:
        reason = _(
            "This PDF carries no digital signature: it was not issued by this site, or it was "
            "saved again by a program that removed the signature."
        )
    elif not check.intact:
        reason = _(
            "The file was changed after it was signed: its digital signature no longer "
            "matches its content."
        )
    elif not check.trusted:
        reason = _("The file is signed, but not with this site's certificate.")
    elif not check.whole_file:
        reason = _(
            "The part of the file this site signed is intact, but something was added after "
            "signing (notes, form data or another signature). Ask the sender for the original "
            "file."
        )
    elif claimed_packet is not None:
        reason = _(
            "The file is signed with this site's certificate, but it is not the file issued "
            "as packet %(identifier)s."
        ) % {"identifier": claimed}
    else:
        reason = _("The file is signed with this site's certificate, but this site has no "
                   "record of it.")  # fmt: skip
    return Verification(
        False,
        reason,
        packet=claimed_packet,
        sha256=digest,
        signer=check.subject,
        claimed_identifier=claimed,
    )


def packet_look_up(*, raw: str) -> Verification:
    identifier = selectors.normalise_identifier(raw)
    if identifier is None:
        return Verification(
            False, _("That is not a packet identifier: it has 16 letters and digits.")
        )
    packet = selectors.packet_by_identifier(identifier=identifier)
    if packet is None or packet.status != Packet.Status.DONE:
        return Verification(
            False,
            _("No packet with the identifier %(identifier)s was issued by this site.")
            % {"identifier": identifier},
            claimed_identifier=identifier,
        )
    return Verification(
        True,
        _(
            "This site issued packet %(identifier)s. To check that a file is this packet, "
            "unaltered, upload it below."
        )
        % {"identifier": identifier},
        packet=packet,
        claimed_identifier=identifier,
    )
