"""Parsers for the European Parliament's public lists of its Members.

Two formats, both read from a local file:

- the MEP list XML published at ``meps/<lang>/full-list/xml`` (and its sister lists of
  incoming and outgoing Members): ``<meps><mep>`` with ``fullName`` (family name in
  capitals), ``country`` and ``politicalGroup`` as labels in the page's language, ``id`` and
  ``nationalPoliticalGroup``;
- the Open Data Portal API v2 JSON-LD: ``meps/show-current`` (persons), ``meps/{id}`` (a
  person with ``hasEmail`` and ``hasMembership``) and ``corporate-bodies`` (organisation ids
  to labels such as IMCO).

Parsers only turn bytes into plain records and collect per-row problems; writing is the
service's job (``services.legislators_import``)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.utils import translation
from django_countries import countries

# A full list is ~1 MB; anything far larger is not what we think it is.
MAX_FILE_BYTES = 64 * 1024 * 1024

EU_LANGUAGES = tuple(
    "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()  # noqa: SIM905
)

# Names the Parliament has used that differ from django-countries' own in some language.
COUNTRY_ALIASES = {
    "tchequie": "CZ",
    "republique tcheque": "CZ",
    "czech republic": "CZ",
    "tschechische republik": "CZ",
    "royaume uni": "GB",
    "united kingdom": "GB",
    "vereinigtes konigreich": "GB",
}

# Group labels change with the language of the list; codes are what organisers filter by.
# Checked in order: narrower names first ("liberte ... democratie directe" before "libera").
GROUP_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("NI", ("non inscrit", "non attached", "fraktionslos", "non iscritt", "no inscrit")),
    ("ESN", ("nations souveraines", "sovereign nations", "souveranen nationen")),
    ("PfE", ("patriot",)),
    ("ID", ("identite et democratie", "identity and democracy", "identitat und demokratie")),
    ("ENF", ("nations et des libertes", "nations and freedom", "nationen und der freiheit")),
    ("EFDD", ("democratie directe", "direct democracy", "direkte demokratie")),
    ("Renew", ("renew",)),
    ("ALDE", ("liberaux", "liberals", "liberalen", "liberali", "liberales")),
    ("ECR", ("conservat", "konservativ", "konserwatyst")),
    ("GUE/NGL", ("gauche", "left", "linke", "sinistra", "izquierda", "lewica")),
    ("Greens/EFA", ("verts", "greens", "grunen", "verdi", "verdes", "zieloni")),
    ("S&D", ("socialist", "sozialdemokrat", "socialdemokrat")),
    ("EPP", ("people's party", "populaire", "volkspartei", "popolare", "popular", "ludowa")),
)

ROLE_NAMES = {
    "CHAIR": "chair",
    "VICE_CHAIR": "vice_chair",
    "MEMBER": "member",
    "SUBSTITUTE": "substitute",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read; nothing is imported."""


@dataclass
class MembershipRecord:
    committee_code: str
    role: str
    is_active: bool


@dataclass
class LegislatorRecord:
    ep_id: int
    full_name: str
    sort_name: str
    country: str
    political_group: str = ""
    political_group_code: str = ""
    national_party: str = ""
    email: str = ""
    # None: the file says nothing about memberships, so leave existing ones alone.
    memberships: list[MembershipRecord] | None = None


@dataclass
class CommitteeRecord:
    code: str
    name: str


@dataclass
class RowProblem:
    row: int
    message: str


@dataclass
class ParsedFile:
    kind: str  # "ep_xml" or "ep_open_data"
    legislators: list[LegislatorRecord] = field(default_factory=list)
    committees: dict[str, CommitteeRecord] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    # A complete list of sitting Members: those missing from it have left.
    is_full_list: bool = False


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", " ", plain).strip()


@cache
def _country_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for language in EU_LANGUAGES:
        with translation.override(language):
            for code, name in countries:
                lookup.setdefault(fold(str(name)), code)
    lookup.update(COUNTRY_ALIASES)
    return lookup


def country_code(label: str) -> str | None:
    label = label.strip()
    if len(label) == 2 and label.upper() in countries:
        return label.upper()
    return _country_lookup().get(fold(label))


def group_code(label: str) -> str:
    folded = fold(label).replace("\u2019", "'")
    for code, keywords in GROUP_KEYWORDS:
        if any(keyword in folded for keyword in keywords):
            return code
    return ""


def _is_family_token(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def _capitalise(token: str) -> str:
    # "O'SULLIVAN" -> "O'Sullivan", "GARCÍA-PÉREZ" -> "García-Pérez"
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), token.lower())


def split_ep_name(full_name: str) -> tuple[str, str]:
    """The EP writes family names in capitals ("Clara Eugenia AGUILERA GARCÍA"): return a
    display name in normal case and a sort name with the family name first."""
    tokens = full_name.split()
    family = [t for t in tokens if _is_family_token(t)]
    given = [t for t in tokens if not _is_family_token(t)]
    display = " ".join(_capitalise(t) if _is_family_token(t) else t for t in tokens)
    if not family:
        return display, display
    family_display = " ".join(_capitalise(t) for t in family)
    sort_name = f"{family_display}, {' '.join(given)}" if given else family_display
    return display, sort_name


def _read_limited(data: bytes) -> bytes:
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    return data


def parse_ep_xml(data: bytes, *, is_full_list: bool = True) -> ParsedFile:
    try:
        root = SafeET.fromstring(_read_limited(data))
    except DefusedXmlException as exc:
        raise ImportFileError(f"The XML uses a forbidden construct ({exc}).") from exc
    except SafeET.ParseError as exc:
        raise ImportFileError(f"The file is not well-formed XML: {exc}.") from exc
    if root.tag != "meps":
        raise ImportFileError(f"Expected a <meps> list, found <{root.tag}>.")
    parsed = ParsedFile(kind="ep_xml", is_full_list=is_full_list)
    for number, mep in enumerate(root.findall("mep"), start=1):
        text = {child.tag: (child.text or "").strip() for child in mep}
        problem = _xml_problem(text)
        if problem:
            parsed.problems.append(RowProblem(number, problem))
            continue
        code = country_code(text["country"])
        if code is None:
            parsed.problems.append(RowProblem(number, f"Unknown country {text['country']!r}."))
            continue
        display, sort_name = split_ep_name(text["fullName"])
        parsed.legislators.append(
            LegislatorRecord(
                ep_id=int(text["id"]),
                full_name=display,
                sort_name=sort_name,
                country=code,
                political_group=text.get("politicalGroup", ""),
                political_group_code=group_code(text.get("politicalGroup", "")),
                national_party=text.get("nationalPoliticalGroup", ""),
            )
        )
    if not parsed.legislators and not parsed.problems:
        raise ImportFileError("The list has no <mep> entries.")
    return parsed


def _xml_problem(text: dict[str, str]) -> str:
    missing = [tag for tag in ("id", "fullName", "country") if not text.get(tag)]
    if missing:
        return f"Missing {', '.join(missing)}."
    if not text["id"].isdigit():
        return f"The id {text['id']!r} is not a number."
    return ""


def _last_segment(value: Any) -> str:
    return str(value or "").rstrip("/").rsplit("/", 1)[-1]


def _label(value: Any) -> str:
    """JSON-LD labels come as a string, or a language map that may hold lists."""
    if isinstance(value, dict):
        for language in ("en", "fr", "de", *value.keys()):
            if language in value:
                return _label(value[language])
        return ""
    if isinstance(value, list):
        return _label(value[0]) if value else ""
    return str(value or "").strip()


def _is_current(period: Any, today: date) -> bool:
    if not isinstance(period, dict):
        return True
    end = str(period.get("endDate") or "")[:10]
    try:
        return not end or date.fromisoformat(end) >= today
    except ValueError:
        return True


def parse_open_data(documents: Iterable[bytes], *, today: date) -> ParsedFile:
    """Read one or more Open Data Portal responses together: corporate bodies first give
    committee codes, persons then refer to them by organisation id."""
    items: list[dict[str, Any]] = []
    for data in documents:
        try:
            loaded = json.loads(_read_limited(data))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportFileError(f"The file is not valid JSON: {exc}.") from exc
        entries = loaded.get("data") if isinstance(loaded, dict) else loaded
        if not isinstance(entries, list):
            raise ImportFileError('Expected a JSON-LD response with a "data" list.')
        items.extend(entry for entry in entries if isinstance(entry, dict))

    parsed = ParsedFile(kind="ep_open_data")
    bodies: dict[str, str] = {}
    for item in items:
        if "hasMembership" in item or str(item.get("type", "")).endswith("Person"):
            continue
        code = _label(item.get("label"))
        if code and re.fullmatch(r"[A-Z]{2,6}\d?", code):
            org_id = _last_segment(item.get("id") or item.get("identifier"))
            bodies[org_id] = code
            classification = str(item.get("classification", ""))
            if "COMMITTEE" in classification or not classification:
                name = _label(item.get("prefLabel") or item.get("altLabel")) or code
                parsed.committees[code] = CommitteeRecord(code=code, name=name)

    persons = [
        i for i in items if "hasMembership" in i or str(i.get("type", "")).endswith("Person")
    ]
    # show-current lists every sitting Member; a detail file alone describes only some.
    parsed.is_full_list = any("hasMembership" not in p for p in persons)
    merged: dict[int, LegislatorRecord] = {}
    for number, person in enumerate(persons, start=1):
        record = _person_record(number, person, bodies, parsed, today)
        if record is None:
            continue
        if record.ep_id in merged:
            _merge_person(merged[record.ep_id], record)
        else:
            merged[record.ep_id] = record
    parsed.legislators = list(merged.values())
    if not persons and not parsed.committees:
        raise ImportFileError("The file holds neither Members nor corporate bodies.")
    return parsed


def _person_record(
    number: int,
    person: dict[str, Any],
    bodies: dict[str, str],
    parsed: ParsedFile,
    today: date,
) -> LegislatorRecord | None:
    identifier = str(person.get("identifier") or _last_segment(person.get("id")))
    if not identifier.isdigit():
        parsed.problems.append(RowProblem(number, f"No numeric identifier ({identifier!r})."))
        return None
    given = _label(person.get("givenName"))
    family = _label(person.get("familyName"))
    label = _label(person.get("label")) or f"{given} {family}".strip()
    if not label:
        parsed.problems.append(RowProblem(number, f"Member {identifier} has no name."))
        return None
    country_label = _label(person.get("api:country-of-representation"))
    code = country_code(_last_segment(country_label)) if country_label else None
    if country_label and code is None:
        parsed.problems.append(RowProblem(number, f"Unknown country {country_label!r}."))
        return None
    display, sort_name = split_ep_name(label)
    if family and given:
        display, sort_name = f"{given} {family}", f"{family}, {given}"
    group = _label(person.get("api:political-group"))
    record = LegislatorRecord(
        ep_id=int(identifier),
        full_name=display,
        sort_name=sort_name,
        country=code or "",
        political_group=group,
        political_group_code=group if len(group) <= 12 else group_code(group),
        email=_label(person.get("hasEmail")).removeprefix("mailto:"),
    )
    if "hasMembership" in person:
        record.memberships = _memberships(person.get("hasMembership") or [], bodies, today)
    return record


def _memberships(entries: list[Any], bodies: dict[str, str], today: date) -> list[MembershipRecord]:
    found: dict[str, MembershipRecord] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        classification = str(entry.get("membershipClassification", ""))
        if classification and "COMMITTEE" not in classification:
            continue
        code = bodies.get(_last_segment(entry.get("organization")))
        role = ROLE_NAMES.get(_last_segment(entry.get("role")).upper())
        if code is None or role is None:
            continue
        record = MembershipRecord(code, role, _is_current(entry.get("memberDuring"), today))
        previous = found.get(code)
        # Several periods per committee: the current one wins over past ones.
        if previous is None or (record.is_active and not previous.is_active):
            found[code] = record
    return list(found.values())


def _merge_person(into: LegislatorRecord, other: LegislatorRecord) -> None:
    for name in ("country", "political_group", "political_group_code", "email"):
        if not getattr(into, name) and getattr(other, name):
            setattr(into, name, getattr(other, name))
    if other.memberships is not None:
        into.memberships = other.memberships
