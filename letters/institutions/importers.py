"""Reading the two public registries of institutions into plain records.

- ROR's data dump, schema v2 (https://ror.org/): a JSON list of organisations, each with a
  persistent id, names by type, status, types, locations, domains and links. The dump comes
  as a ZIP that holds the list twice (v1 and v2 schemas); the v2 file is picked from it.
- Hipo's university-domains-list: a JSON list of universities with their email domains.

Parsing only: `services.institutions_import` decides what the records change. Files are
read as a stream with limits (see `letters.common.jsonstream`), from a local path."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django_countries import countries

from letters.common.emaildomains import domain_normalize, domain_problem
from letters.common.jsonstream import JSONStreamError, Limits, iter_array
from letters.institutions.models import Institution


class RegistryFormat(StrEnum):
    ROR = "ror"
    HIPO = "hipo"

    @property
    def label(self) -> str:
        return {"ror": "ROR v2", "hipo": "university-domains-list"}[self.value]


class RegistryFileError(ValueError):
    """The file as a whole cannot be read; nothing is imported."""


@dataclass(frozen=True)
class InstitutionRecord:
    position: int  # 1-based place of the entry in the file, for reports
    name: str
    country: str
    kind: str
    ror_id: str = ""
    website: str = ""
    domains: tuple[str, ...] = ()
    is_active: bool = True
    withdrawn: bool = False  # ROR withdrew the id: deactivate what we have, create nothing
    # Domains the entry lists that can never identify an institution, with the reason.
    refused_domains: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RejectedEntry:
    position: int
    label: str
    reason: str


ROR_ID = re.compile(r"^https://ror\.org/(0[a-z0-9]{8})$")
ROR_KINDS = {
    "education": Institution.Kind.UNIVERSITY,
    "facility": Institution.Kind.RESEARCH,
    "company": Institution.Kind.COMPANY,
    "nonprofit": Institution.Kind.NONPROFIT,
    "funder": Institution.Kind.NONPROFIT,
    "government": Institution.Kind.GOVERNMENT,
}
# Websites hosted on these say nothing about where an institution's people get their mail:
# a ROR entry whose only link is a page on one of them gets no domain from it.
SHARED_HOSTS = frozenset(
    {
        "facebook.com", "google.com", "sites.google.com", "github.io", "github.com",
        "wordpress.com", "blogspot.com", "wixsite.com", "weebly.com", "linkedin.com",
        "twitter.com", "x.com", "instagram.com", "youtube.com", "academia.edu",
        "researchgate.net", "wikipedia.org", "tumblr.com", "medium.com", "squarespace.com",
    }
)  # fmt: skip
MAX_NAME = Institution._meta.get_field("name").max_length or 255
MAX_WEBSITE = Institution._meta.get_field("website").max_length or 500


def limits() -> Limits:
    return Limits(max_bytes=settings.REGISTRY_IMPORT_MAX_MB << 20)


def _clean_domains(raw: Any) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    kept: list[str] = []
    refused: list[tuple[str, str]] = []
    for value in raw if isinstance(raw, list) else []:
        if not isinstance(value, str):
            continue
        domain = domain_normalize(value)
        problem = domain_problem(domain)
        if problem:
            refused.append((value[:253], problem))
        elif domain not in kept:
            kept.append(domain)
    return tuple(kept), tuple(refused)


def _website(raw: Any) -> str:
    if not isinstance(raw, str) or len(raw) > MAX_WEBSITE:
        return ""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return raw.strip()


def _host_domain(website: str) -> str:
    """The email domain a website suggests: its host without "www.", unless shared."""
    host = (urlsplit(website).hostname or "").lower()
    host = host.removeprefix("www.")
    if not host or any(host == h or host.endswith("." + h) for h in SHARED_HOSTS):
        return ""
    domain = domain_normalize(host)
    return "" if domain_problem(domain) else domain


def _country(code: Any) -> str:
    if isinstance(code, str) and code.upper() in countries:
        return code.upper()
    return ""


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def ror_entry(entry: Any, position: int) -> InstitutionRecord | RejectedEntry:
    if not isinstance(entry, dict):
        return RejectedEntry(position, "", "not a JSON object")
    match = ROR_ID.match(entry.get("id") or "") if isinstance(entry.get("id"), str) else None
    names = [n for n in entry.get("names") or [] if isinstance(n, dict)]
    display = next((n for n in names if "ror_display" in (n.get("types") or [])), None)
    label = next((n for n in names if "label" in (n.get("types") or [])), None)
    name = _text((display or label or {}).get("value"))
    if match is None:
        return RejectedEntry(position, name, "no ROR id of the form https://ror.org/0xxxxxxxx")
    if not name:
        return RejectedEntry(position, match.group(1), "no display name")
    if len(name) > MAX_NAME:
        return RejectedEntry(position, name[:80], f"name longer than {MAX_NAME} characters")
    status = entry.get("status")
    if status not in ("active", "inactive", "withdrawn"):
        return RejectedEntry(position, name, f"unknown status {status!r}")
    types = [t for t in entry.get("types") or [] if isinstance(t, str)]
    kind = next((ROR_KINDS[t] for t in types if t in ROR_KINDS), Institution.Kind.OTHER)
    locations = [loc for loc in entry.get("locations") or [] if isinstance(loc, dict)]
    details = (locations[0].get("geonames_details") or {}) if locations else {}
    country = _country(details.get("country_code") if isinstance(details, dict) else None)
    links = [link for link in entry.get("links") or [] if isinstance(link, dict)]
    website = next((_website(x.get("value")) for x in links if x.get("type") == "website"), "")
    domains, refused = _clean_domains(entry.get("domains"))
    if not domains and website and (host := _host_domain(website)):
        domains = (host,)  # ROR often lists no domain: its website's host stands in
    return InstitutionRecord(
        position=position,
        name=name,
        country=country,
        kind=kind,
        ror_id=match.group(1),
        website=website,
        domains=domains,
        is_active=status == "active",
        withdrawn=status == "withdrawn",
        refused_domains=refused,
    )


def hipo_entry(entry: Any, position: int) -> InstitutionRecord | RejectedEntry:
    if not isinstance(entry, dict):
        return RejectedEntry(position, "", "not a JSON object")
    name = _text(entry.get("name"))
    if not name:
        return RejectedEntry(position, "", "no name")
    if len(name) > MAX_NAME:
        return RejectedEntry(position, name[:80], f"name longer than {MAX_NAME} characters")
    domains, refused = _clean_domains(entry.get("domains"))
    pages = entry.get("web_pages")
    pages = pages if isinstance(pages, list) else []
    website = next((w for w in (_website(p) for p in pages) if w), "")
    return InstitutionRecord(
        position=position,
        name=name,
        country=_country(entry.get("alpha_two_code")),
        kind=Institution.Kind.UNIVERSITY,
        website=website,
        domains=domains,
        refused_domains=refused,
    )


def detect_format(entry: Any) -> RegistryFormat:
    if isinstance(entry, dict):
        if isinstance(entry.get("names"), list) and "id" in entry:
            return RegistryFormat.ROR
        if "id" in entry and "name" in entry and "country" in entry and "links" in entry:
            raise RegistryFileError(
                "This is a ROR file in the old schema (v1). Use the file whose name ends in "
                "“_schema_v2.json” from the same dump."
            )
        if "name" in entry and "domains" in entry:
            return RegistryFormat.HIPO
    raise RegistryFileError(
        "The entries are neither ROR v2 records nor university-domains-list entries."
    )


PARSERS = {RegistryFormat.ROR: ror_entry, RegistryFormat.HIPO: hipo_entry}


def _zip_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [m for m in archive.infolist() if m.filename.endswith(".json") and not m.is_dir()]
    v2 = [m for m in members if m.filename.endswith("_schema_v2.json")]
    if len(v2) == 1:
        return v2[0]
    if len(members) == 1:
        return members[0]
    names = ", ".join(m.filename for m in members) or "none"
    raise RegistryFileError(f"Cannot tell which JSON file in the ZIP to read (found: {names}).")


@contextmanager
def open_registry(path: Path) -> Iterator[IO[bytes]]:
    """The JSON bytes of a registry file: the file itself, or the right member of a ZIP."""
    if not path.is_file():
        raise RegistryFileError(f"{path} is not a file.")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive, archive.open(_zip_member(archive)) as member:
            yield member
    else:
        with path.open("rb") as stream:
            yield stream


def read_registry(
    stream: IO[bytes], *, expected: RegistryFormat | None = None
) -> Iterator[tuple[RegistryFormat, InstitutionRecord | RejectedEntry]]:
    """Each entry of the file, parsed, with the format it was read as (told by the first
    entry unless `expected` says). RegistryFileError for a file that cannot be read."""
    format_: RegistryFormat | None = None
    try:
        for position, entry in enumerate(iter_array(stream, limits()), start=1):
            if format_ is None:
                format_ = detect_format(entry)
                if expected is not None and format_ != expected:
                    raise RegistryFileError(
                        f"This looks like a {format_.label} file, not a {expected.label} one."
                    )
            yield format_, PARSERS[format_](entry, position)
    except JSONStreamError as exc:
        raise RegistryFileError(str(exc)) from exc
    except ValueError as exc:  # e.g. a number of more digits than Python will convert
        raise RegistryFileError(f"The file has a value that cannot be read: {exc}") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise RegistryFileError(f"The file cannot be read: {exc}") from exc
