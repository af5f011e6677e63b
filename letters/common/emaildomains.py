"""Email addresses and their domains: what an address says about who holds it.

Shared by the institution registry (which must never register a free-mail provider as an
institution's domain) and by signing and curation (which decide what a confirmed address
proves). Pure functions, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS

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
        "mail.com", "email.com", "usa.com", "inbox.ru", "list.ru", "bk.ru", "rambler.ru",
        "ukr.net", "i.ua", "meta.ua", "126.com", "yeah.net", "sina.com", "sohu.com",
        "hanmail.net", "daum.net", "rediffmail.com", "mail.bg", "centrum.cz", "atlas.cz",
        "azet.sk", "zoznam.sk", "post.cz", "freemail.hu", "citromail.hu", "inbox.lv",
        "inbox.lt", "one.lt", "mail.ee", "suomi24.fi", "luukku.com", "online.no",
        "telia.com", "bredband.net", "spray.se", "jubii.dk", "eircom.net", "iol.pt",
        "netcabo.pt", "alice.it", "tin.it", "email.it", "arcor.de", "ok.de", "vodafone.de",
        "aim.com", "verizon.net", "comcast.net", "att.net", "sbcglobal.net", "mail.de",
        "tutamail.com", "tutanota.de", "duck.com", "rocketmail.com", "yahoo.co.jp",
    }
)  # fmt: skip
# Providers whose brand is free mail under any country's domain (hotmail.nl, yahoo.com.br,
# gmx.fr, outlook.de): matched on the registrable label, never on a subdomain's.
FREE_MAIL_BRANDS = frozenset(
    {
        "gmail", "googlemail", "hotmail", "outlook", "live", "msn", "yahoo", "ymail",
        "rocketmail", "aol", "gmx", "yandex", "protonmail", "icloud",
    }
)  # fmt: skip
# Second-level labels under which a country's registry sells names (yahoo.co.uk).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ne", "or"})

# A DNS name as registries write email domains: labels of letters, digits and inner
# hyphens, a top-level label of at least two characters (IDNs in their xn-- form).
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def email_normalize(email: str) -> str:
    """The key for "the same address": trimmed and case-folded.

    Local parts are case-sensitive in theory; no provider signatories use treats them so."""
    return email.strip().lower()


def email_domain(email: str) -> str:
    return email_normalize(email).rpartition("@")[2].rstrip(".")


def domain_and_parents(domain: str) -> Iterable[str]:
    """ "mail.cs.tum.de", then "cs.tum.de", then "tum.de" (never the bare top-level label)."""
    parts = domain.split(".")
    for i in range(len(parts) - 1):
        yield ".".join(parts[i:])


def domain_is_free_mail(domain: str) -> bool:
    if any(d in FREE_MAIL_DOMAINS for d in domain_and_parents(domain)):
        return True
    labels = domain.split(".")
    if len(labels) < 2:
        return False
    registrable = labels[-2]
    if registrable in _SECOND_LEVEL and len(labels) >= 3 and len(labels[-1]) == 2:
        registrable = labels[-3]
    return registrable in FREE_MAIL_BRANDS


def domain_is_disposable(domain: str) -> bool:
    return any(d in DISPOSABLE_DOMAINS for d in domain_and_parents(domain))


def is_disposable(email: str) -> bool:
    return domain_is_disposable(email_domain(email))


def is_free_mail(email: str) -> bool:
    return domain_is_free_mail(email_domain(email))


def domain_normalize(domain: str) -> str:
    """How a domain is stored: lower case, IDNA-encoded, without a leading "@" or a trailing dot."""
    cleaned = domain.strip().lower().lstrip("@").rstrip(".")
    try:
        return cleaned.encode("idna").decode("ascii")
    except UnicodeError:
        return cleaned  # left as typed: `domain_problem` says what is wrong with it


def domain_problem(domain: str) -> str:
    """Why a (normalised) domain cannot be an institution's email domain, or "" if it can."""
    if not _DOMAIN.match(domain):
        return f"“{domain}” is not a domain name (like university.edu)."
    if domain_is_free_mail(domain):
        return f"{domain} is a free-mail provider: anyone can get an address there."
    if domain_is_disposable(domain):
        return f"{domain} is a disposable-email service."
    return ""


def domain_matches(email: str, domains: Iterable[str]) -> bool:
    """Whether the address is at one of the domains or a subdomain of one."""
    domain = email_domain(email)
    for registered in domains:
        registered = registered.strip().lower().lstrip("@").rstrip(".")
        if registered and (domain == registered or domain.endswith("." + registered)):
            return True
    return False
