"""What a signature proves: pure functions over an email address, a claimed institution and
what the signer connected. Kept free of I/O so the same rules apply on the web, in imports
and in tests."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import unicodedata

from django.conf import settings

from letters.signatures.models import Signature


def level_for(
    *,
    email_confirmed: bool,
    affiliation_verified: bool,
    orcid_verified: bool,
    organisation_approved: bool,
    imported: bool = False,
) -> str:
    """The strongest evidence wins: organisation > ORCID > affiliation > email."""
    if imported and not email_confirmed:
        return Signature.Level.IMPORTED
    if not email_confirmed:
        return Signature.Level.NONE
    if organisation_approved:
        return Signature.Level.ORGANISATION
    if orcid_verified:
        return Signature.Level.ORCID
    if affiliation_verified:
        return Signature.Level.AFFILIATION
    return Signature.Level.EMAIL


# Letters that Unicode does not decompose into a base letter and a mark, as written in
# European names: Wałęsa, Løkke, Đoković, Ægir, Œuvray, Þórsdóttir, Ħal.
UNDECOMPOSED = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE", "\u0131": "i", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "ħ": "h",
    "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŀ": "l", "Ŀ": "L",
})  # fmt: skip


def fold(text: str) -> str:
    """Accents, case and spacing folded: "Müller, José" and "jose muller" compare equal, as
    do "Wałęsa" and "Walesa"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(UNDECOMPOSED))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.casefold())
    return " ".join(cleaned.split())


def name_key(name: str) -> str:
    """A folded name with its words sorted, so that word order does not matter either."""
    return " ".join(sorted(fold(name).split()))[:200]


def network_of(ip: str) -> str:
    """The network an address belongs to (/24 for IPv4, /64 for IPv6): one household or
    office, so that a burst from it shows even when its addresses rotate."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def ip_hash(ip: str) -> str:
    """A keyed hash of the client's network: enough to see bursts, useless for finding the
    address again without the key."""
    if not ip:
        return ""
    network = network_of(ip)
    digest = hmac.new(settings.IP_HASH_KEY.encode(), network.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
