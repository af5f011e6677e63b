"""What a signature proves: pure functions over an email address, a claimed institution and
what the signer connected. Kept free of I/O so the same rules apply on the web, in imports
and in tests."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import unicodedata
from collections.abc import Iterable

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from django.conf import settings

from letters.signatures.models import Signature

# Providers that give anyone an address: never evidence of an affiliation.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk",
        "hotmail.fr", "hotmail.de", "hotmail.it", "hotmail.es", "live.com", "live.fr",
        "live.de", "msn.com", "yahoo.com", "yahoo.fr", "yahoo.de", "yahoo.co.uk", "yahoo.it",
        "yahoo.es", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de",
        "gmx.net", "gmx.at", "gmx.ch", "gmx.com", "web.de", "t-online.de", "freenet.de",
        "posteo.de", "posteo.net", "mailbox.org", "protonmail.com", "proton.me", "pm.me",
        "tutanota.com", "tuta.io", "zoho.com", "yandex.ru", "yandex.com", "mail.ru",
        "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "libero.it",
        "virgilio.it", "tiscali.it", "seznam.cz", "wp.pl", "o2.pl", "onet.pl", "interia.pl",
        "fastmail.com", "hey.com", "qq.com", "163.com", "naver.com", "bluewin.ch",
        "telenet.be", "skynet.be", "ziggo.nl", "kpnmail.nl", "sapo.pt", "abv.bg",
    }
)  # fmt: skip


def email_normalize(email: str) -> str:
    """The key for "the same address": trimmed and case-folded.

    Local parts are case-sensitive in theory; no provider signatories use treats them so."""
    return email.strip().lower()


def email_domain(email: str) -> str:
    return email_normalize(email).rpartition("@")[2].rstrip(".")


def _domain_and_parents(domain: str) -> Iterable[str]:
    parts = domain.split(".")
    for i in range(len(parts) - 1):
        yield ".".join(parts[i:])


def is_disposable(email: str) -> bool:
    return any(d in DISPOSABLE_DOMAINS for d in _domain_and_parents(email_domain(email)))


def is_free_mail(email: str) -> bool:
    return any(d in FREE_MAIL_DOMAINS for d in _domain_and_parents(email_domain(email)))


def domain_matches(email: str, domains: Iterable[str]) -> bool:
    """Whether the address is at one of the domains or a subdomain of one."""
    domain = email_domain(email)
    for registered in domains:
        registered = registered.strip().lower().lstrip("@").rstrip(".")
        if registered and (domain == registered or domain.endswith("." + registered)):
            return True
    return False


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


def fold(text: str) -> str:
    """Accents, case and spacing folded: "Müller, José" and "jose muller" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
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
