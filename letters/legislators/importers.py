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
from django_countries import countries

from letters.legislators import labels

# A full list is ~1 MB; anything far larger is not what we think it is.
MAX_FILE_BYTES = 64 * 1024 * 1024

# The EP's role vocabulary (``def/ep-roles/...``) has spelt the same roles more than one way.
ROLE_NAMES = {
    "CHAIR": "chair",
    "CHAIR_VICE": "vice_chair",
    "VICE_CHAIR": "vice_chair",
    "MEMBER": "member",
    "MEMBER_SUBSTITUTE": "substitute",
    "SUBSTITUTE": "substitute",
    "SUBSTITUTE_MEMBER": "substitute",
}
# A Member listed twice in one committee at once (a substitute who became chair) keeps this.
ROLE_RANK = {"substitute": 0, "member": 1, "vice_chair": 2, "chair": 3}


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
    # Committees with an entry we could not read: what we know of them stays as it is.
    unreadable_committees: set[str] = field(default_factory=set)


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
    # Members whose row was rejected: they are on the list, so they have not left.
    rejected_ep_ids: set[int] = field(default_factory=set)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", " ", plain).strip()


def _without_article(folded: str) -> str:
    first, _, rest = folded.partition(" ")
    return rest if rest and first in labels.MALTESE_ARTICLES else folded


@cache
def _country_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, by_language in labels.COUNTRY_NAMES.items():
        for names in by_language.values():
            for name in names:
                folded = fold(name)
                lookup.setdefault(folded, code)
                lookup.setdefault(_without_article(folded), code)
    return lookup


def country_code(label: str) -> str | None:
    """The ISO code for a country label in any official EU language, or for a code."""
    label = label.strip()
    if len(label) == 2 and label.isalpha():
        code = labels.COUNTRY_CODE_ALIASES.get(label.upper(), label.upper())
        return code if code in countries else None
    folded = fold(label.replace("\u2019", "'"))
    lookup = _country_lookup()
    return lookup.get(folded) or lookup.get(_without_article(folded))


def _words(text: str) -> str:
    """Folded, with punctuation as spaces; a space at either end is kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("\u2019", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^\w'&]+", " ", plain)


@cache
def _group_stems() -> tuple[tuple[labels.PoliticalGroup, tuple[str, ...]], ...]:
    return tuple(
        (group, tuple(_words(stem) for stems in group.stems.values() for stem in stems))
        for group in labels.POLITICAL_GROUPS
    )


@cache
def _group_names() -> dict[str, str]:
    return {g.code: g.name for g in labels.POLITICAL_GROUPS}


def political_group(label: str) -> tuple[str, str]:
    """The code and English name of a political group from its label or acronym in any
    official EU language; no code, and the label as given, for a group we do not know."""
    label = " ".join(label.split())
    code = labels.POLITICAL_GROUP_ACRONYMS.get(label.upper())
    if code is None:
        words = f" {_words(label).strip()} "
        code = next((g.code for g, stems in _group_stems() if any(s in words for s in stems)), "")
    return (code, _group_names()[code]) if code else ("", label)


# Written in mixed case before a family name in capitals: "McGUINNESS", "MacDONALD",
# "d'ALLONNES". The family name is what follows; the prefix keeps its case.
_FAMILY_PREFIX = re.compile(
    r"(?:Mc|Mac|Fitz|[DdLlO]['\u2019]|[Vv]an|[Vv]on|[Dd]e|[Dd]i|[Dd]a|[Dd]u|[Ll]e|[Ll]a)"
    r"(?=[^\W\d_]{2})"
)
# Small words inside a family name, written in lower case there ("Thun und Hohenstein",
# "Marinho e Pinto", "Díaz de Mera").
_PARTICLES = frozenset(
    ["d'", "da", "das", "de", "del", "della", "der", "den", "di", "do", "dos", "du", "e", "i",
     "la", "las", "los", "und", "van", "von", "y", "zu"]
)  # fmt: skip


def _is_family_token(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return True
    prefix = _FAMILY_PREFIX.match(token)
    rest = [c for c in token[prefix.end() :] if c.isalpha()] if prefix else []
    return len(rest) > 1 and all(c.isupper() for c in rest)


def _capitalise(token: str) -> str:
    # "O'SULLIVAN" -> "O'Sullivan", "GARCÍA-PÉREZ" -> "García-Pérez"
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), token.lower())


def _family_case(token: str, *, first: bool) -> str:
    if not first and token.lower() in _PARTICLES:
        return token.lower()
    prefix = _FAMILY_PREFIX.match(token)
    if prefix and not token.isupper():
        return prefix.group(0) + _capitalise(token[prefix.end() :])
    if token[:2].upper() == "MC" and len(token) > 3 and token[2:3].isalpha():
        return "Mc" + _capitalise(token[2:])  # "MCGUINNESS": Mc names go on in capitals
    if not first and token[:2].upper() in ("D'", "D\u2019") and len(token) > 3:
        return "d" + token[1] + _capitalise(token[2:])  # "Revault d'Allonnes"
    return _capitalise(token)


def _family_span(tokens: list[str]) -> tuple[int, int] | None:
    """From the first token in capitals to the last: particles between them belong to the
    family name ("GERINGER de OEDENBERG", "TREMOSA i BALCELLS")."""
    marked = [i for i, token in enumerate(tokens) if _is_family_token(token)]
    return (marked[0], marked[-1] + 1) if marked else None


def _family_display(tokens: list[str]) -> str:
    shown = []
    for i, token in enumerate(tokens):
        if _is_family_token(token):
            token = _family_case(token, first=i == 0)
        elif i and token.lower() in _PARTICLES:
            token = token.lower()  # "MARINHO E PINTO"
        shown.append(token)
    return " ".join(shown)


def split_ep_name(full_name: str) -> tuple[str, str]:
    """The EP writes family names in capitals ("Clara Eugenia AGUILERA GARCÍA", "Mairead
    McGUINNESS"): return a display name in normal case and a sort name with the family name
    first. Particles before it stay with the given names ("Baalen, Johannes Cornelis van"),
    as the EP's own alphabetical lists have them."""
    tokens = full_name.split()
    span = _family_span(tokens)
    if span is None:
        display = " ".join(tokens)
        return display, display
    start, end = span
    family = _family_display(tokens[start:end])
    given = " ".join(tokens[:start] + tokens[end:])
    display = " ".join([*tokens[:start], family, *tokens[end:]])
    return display, f"{family}, {given}" if given else family


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
        code = country_code(text.get("country", ""))
        problem = _xml_problem(text) or (
            f"Unknown country {text['country']!r}." if code is None else ""
        )
        if problem or code is None:
            parsed.problems.append(RowProblem(number, problem))
            if text.get("id", "").isdigit():
                parsed.rejected_ep_ids.add(int(text["id"]))
            continue
        display, sort_name = split_ep_name(text["fullName"])
        group_code, group_name = political_group(text.get("politicalGroup", ""))
        parsed.legislators.append(
            LegislatorRecord(
                ep_id=int(text["id"]),
                full_name=display,
                sort_name=sort_name,
                country=code,
                political_group=group_name,
                political_group_code=group_code,
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
        parsed.rejected_ep_ids.add(int(identifier))
        return None
    country_label = _label(person.get("api:country-of-representation"))
    code = country_code(_last_segment(country_label)) if country_label else None
    if country_label and code is None:
        parsed.problems.append(RowProblem(number, f"Unknown country {country_label!r}."))
        parsed.rejected_ep_ids.add(int(identifier))
        return None
    display, sort_name = split_ep_name(label)
    if family and given:
        family = _family_display(family.split())
        display, sort_name = f"{given} {family}", f"{family}, {given}"
    group = _label(person.get("api:political-group"))
    group_code, group_name = political_group(group)
    if not group_code and len(group) <= 12 and " " not in group:
        group_code = group  # an acronym we do not know yet: still something to filter by
    record = LegislatorRecord(
        ep_id=int(identifier),
        full_name=display,
        sort_name=sort_name,
        country=code or "",
        political_group=group_name,
        political_group_code=group_code,
        email=_label(person.get("hasEmail")).removeprefix("mailto:"),
    )
    if "hasMembership" in person:
        entries = person.get("hasMembership") or []
        record.memberships = _memberships(
            entries, bodies, today, record=record, parsed=parsed, row=number
        )
    return record


def _memberships(
    entries: list[Any],
    bodies: dict[str, str],
    today: date,
    *,
    record: LegislatorRecord,
    parsed: ParsedFile,
    row: int,
) -> list[MembershipRecord]:
    found: dict[str, MembershipRecord] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        classification = str(entry.get("membershipClassification", ""))
        if classification and "COMMITTEE" not in classification:
            continue
        code = bodies.get(_last_segment(entry.get("organization")))
        if code is None:
            continue
        role_name = _last_segment(entry.get("role"))
        role = ROLE_NAMES.get(role_name.upper().replace("-", "_"))
        if role is None:
            parsed.problems.append(
                RowProblem(
                    row,
                    f"Member {record.ep_id}: unknown committee role {role_name!r} in {code}; "
                    "entry skipped.",
                )
            )
            record.unreadable_committees.add(code)
            continue
        membership = MembershipRecord(code, role, _is_current(entry.get("memberDuring"), today))
        previous = found.get(code)
        # Several entries per committee: a current one wins over past ones, and of two
        # current ones (a substitute who became chair) the higher role.
        if previous is None or _membership_rank(membership) > _membership_rank(previous):
            found[code] = membership
    return list(found.values())


def _membership_rank(membership: MembershipRecord) -> tuple[bool, int]:
    return membership.is_active, ROLE_RANK[membership.role]


def _merge_person(into: LegislatorRecord, other: LegislatorRecord) -> None:
    for name in ("country", "political_group", "political_group_code", "email"):
        if not getattr(into, name) and getattr(other, name):
            setattr(into, name, getattr(other, name))
    if other.memberships is not None:
        into.memberships = other.memberships
        into.unreadable_committees = other.unreadable_committees
