"""Checking a CSV file of signatures collected offline or by a partner, row by row.

The same check serves the dry run and the import itself, so what the dry run reports is
what the import does. Reads only: a handful of queries for the whole file (addresses that
already signed, institutions named, the watch list), whatever its length."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries import countries

from letters.campaigns.models import Letter
from letters.common.emaildomains import email_normalize, is_disposable
from letters.common.text import clean_text
from letters.curation.fraud import Finding
from letters.curation.models import FraudSignal, WatchlistEntry
from letters.institutions.models import Institution
from letters.signatures.models import Signature
from letters.signatures.verification import fold, name_key

# The columns an import reads; the export writes the same names, so an exported file can be
# imported into another letter.
COLUMNS = ("full_name", "email", "title", "institution", "ror_id", "country", "capacity")
REQUIRED = ("full_name", "country")
ALIASES = {
    "name": "full_name",
    "full name": "full_name",
    "affiliation": "institution",
    "institution_name": "institution",
    "role": "title",
    "signed_at": "signed_on",
    "date": "signed_on",
}
OPTIONAL_EXTRA = ("signed_on", "status")
# Exported columns an import does not take over: it sets them itself.
EXPORT_ONLY = {
    "id", "display_name", "public_name", "verification", "verification_label", "shown",
    "featured_rank", "source", "imported_by", "confirmed_at", "withdrawn_at",
    "letter_version", "fraud_signals", "signed_from",
}  # fmt: skip
# Rows an export marks as no longer standing are not carried into another letter.
SKIPPED_STATUSES = {Signature.Status.WITHDRAWN, Signature.Status.REJECTED, "unconfirmed"}
MAX_LENGTHS = {"full_name": 200, "email": 254, "title": 200, "institution": 255, "ror_id": 40}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading
    apostrophe, which spreadsheets hide and `csv_unsafe` takes off again."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_unsafe(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


@dataclass(frozen=True)
class RowProblem:
    line: int  # the line of the file, as a spreadsheet numbers it (the header is line 1)
    column: str
    message: str


@dataclass
class ImportRow:
    line: int
    full_name: str
    email: str
    title: str
    institution: Institution | None
    institution_name: str
    country: str
    capacity: str
    signed_on: str
    findings: list[Finding] = field(default_factory=list)
    # Imported flagged, hidden until a curator approves: a watch-list name, or a row the
    # file itself says was held for review.
    held: str = ""


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(line, column, message))

    def lines(self) -> list[str]:
        """The report as the command line prints it: every problem, where it is."""
        out = [self.summary()]
        for kind, entries in (("problem", self.problems), ("note", self.notes),
                              ("skipped", self.skipped)):  # fmt: skip
            for entry in entries:
                where = f"line {entry.line}" + (f", {entry.column}" if entry.column else "")
                out.append(f"  {kind}: {where}: {entry.message}")
        if self.ignored_columns:
            out.append(f"  columns not read: {', '.join(self.ignored_columns)}")
        return out

    def summary(self) -> str:
        if self.ok:
            return f"{len(self.rows)} rows can be imported."
        if not self.problems:
            return "The file has no rows to import."
        first = self.problems[0]
        where = f"line {first.line}" + (f", column “{first.column}”" if first.column else "")
        more = len(self.problems) - 1
        return f"Nothing imported: {where}: {first.message}" + (
            f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        )


def _decode(content: bytes, report: ImportReport) -> str | None:
    limit = settings.SIGNATURE_IMPORT_MAX_MB << 20
    if len(content) > limit:
        report.problem(0, "", f"The file is larger than {settings.SIGNATURE_IMPORT_MAX_MB} MB.")
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        report.problem(
            line,
            "",
            "The file is not UTF-8 text. In a spreadsheet, save it as “CSV UTF-8”.",
        )
        return None
    if "\x00" in text:
        report.problem(text[: text.index("\x00")].count("\n") + 1, "", "The file has NUL bytes.")
        return None
    return text


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter if counts[delimiter] else ","
    return Dialect


def _header(raw: list[str], report: ImportReport) -> list[str | None]:
    names: list[str | None] = []
    seen: set[str] = set()
    for cell in raw:
        label = clean_text(cell).lower()
        column = ALIASES.get(label, label.replace(" ", "_"))
        if column in COLUMNS or column in OPTIONAL_EXTRA:
            if column in seen:
                report.problem(1, column, "This column appears twice.")
            seen.add(column)
            names.append(column)
        else:
            if column and column not in EXPORT_ONLY:
                report.ignored_columns.append(cell.strip())
            names.append(None)
    for column in REQUIRED:
        if column not in seen:
            report.problem(1, column, f"The file needs a “{column}” column.")
    return names


def _country(value: str) -> str:
    if value.upper() in countries:
        return value.upper()
    by_name = countries.by_name(value)
    return by_name or ""


def _signed_on(value: str) -> tuple[str, str]:
    """An ISO date (or the date of an ISO timestamp), and a problem if it is not one."""
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return "", "Not a date: write it as YYYY-MM-DD."
    if day > timezone.localdate():
        return "", "This date is in the future."
    return day.isoformat(), ""


def import_report(*, letter: Letter, content: bytes) -> ImportReport:
    report = ImportReport()
    text = _decode(content, report)
    if text is None:
        return report
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        raw_header = next(reader, None)
        if raw_header is None:
            report.problem(1, "", "The file is empty.")
            return report
        header = _header(raw_header, report)
        rows: list[tuple[int, dict[str, str]]] = []
        for raw in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in raw):
                continue
            if len(rows) >= settings.SIGNATURE_IMPORT_MAX_ROWS:
                report.problem(
                    line,
                    "",
                    f"More than {settings.SIGNATURE_IMPORT_MAX_ROWS} rows: split the file.",
                )
                return report
            if len(raw) > len(header):
                report.problem(
                    line, "", f"{len(raw)} cells where the header has {len(header)} columns."
                )
                continue
            cells = {
                name: csv_unsafe(clean_text(value))
                for name, value in zip(header, raw, strict=False)
                if name is not None
            }
            rows.append((line, cells))
    except csv.Error as exc:
        report.problem(reader.line_num, "", f"This is not readable CSV: {exc}.")
        return report
    if report.problems:
        return report
    _check_rows(letter, rows, report)
    return report


def _check_rows(
    letter: Letter, rows: list[tuple[int, dict[str, str]]], report: ImportReport
) -> None:
    emails = {email_normalize(cells["email"]) for _, cells in rows if cells.get("email")}
    signed = set(
        Signature.objects.filter(letter=letter, email_normalized__in=emails)
        .exclude(status=Signature.Status.WITHDRAWN)
        .values_list("email_normalized", flat=True)
    )
    ror_ids = {cells["ror_id"] for _, cells in rows if cells.get("ror_id")}
    by_ror = {i.ror_id: i for i in Institution.objects.filter(ror_id__in=ror_ids)}
    names = {cells["institution"].lower() for _, cells in rows if cells.get("institution")}
    by_name: dict[str, list[Institution]] = {}
    for named in (
        Institution.objects.filter(is_active=True)
        .annotate(lname=Lower("name"))
        .filter(lname__in=names)
    ):
        by_name.setdefault(named.name.lower(), []).append(named)
    keys = {name_key(cells.get("full_name", "")) for _, cells in rows}
    watched = {e.name_key: e for e in WatchlistEntry.objects.filter(name_key__in=keys)}
    existing: dict[str, list[tuple[int, str]]] = {}
    for pk, key, institution_name in (
        Signature.objects.filter(letter=letter, name_key__in=keys)
        .exclude(status__in=[Signature.Status.WITHDRAWN, Signature.Status.UNCONFIRMED])
        .values_list("pk", "name_key", "institution_name")
    ):
        existing.setdefault(key, []).append((pk, fold(institution_name)))

    seen_emails: dict[str, int] = {}
    seen_people: dict[tuple[str, str], int] = {}
    for line, cells in rows:
        before = len(report.problems)
        status = cells.get("status", "").lower()
        if status in SKIPPED_STATUSES:
            report.skipped.append(RowProblem(line, "status", f"Skipped: {status} in the file."))
            continue
        for column, limit in MAX_LENGTHS.items():
            if len(cells.get(column, "")) > limit:
                report.problem(line, column, f"Longer than {limit} characters.")
        full_name = cells.get("full_name", "")
        if len(full_name) < 2:
            report.problem(line, "full_name", "A name is needed.")
        email = cells.get("email", "")
        normalized = email_normalize(email)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                report.problem(line, "email", f"“{email}” is not an email address.")
            else:
                if is_disposable(email):
                    report.problem(line, "email", "A disposable-email address proves nothing.")
                if normalized in signed:
                    report.problem(line, "email", "This address has signed this letter already.")
                if normalized in seen_emails:
                    report.problem(
                        line, "email", f"The same address as line {seen_emails[normalized]}."
                    )
                seen_emails.setdefault(normalized, line)
        country = _country(cells.get("country", ""))
        if not country:
            report.problem(
                line, "country", f"“{cells.get('country', '')}” is not a country (use DE, FR…)."
            )
        capacity = cells.get("capacity", "").lower() or Signature.Capacity.INDIVIDUAL
        if capacity not in Signature.Capacity.values:
            report.problem(line, "capacity", "Write “individual” or “organisation”.")
        institution: Institution | None = None
        institution_name = cells.get("institution", "")
        if cells.get("ror_id"):
            institution = by_ror.get(cells["ror_id"])
            if institution is None:
                report.problem(
                    line, "ror_id", "No institution with this ROR id is in the registry."
                )
        elif institution_name:
            matches = by_name.get(institution_name.lower(), [])
            if len(matches) == 1:
                institution = matches[0]
            elif len(matches) > 1:
                report.notes.append(
                    RowProblem(
                        line,
                        "institution",
                        f"{len(matches)} registry entries share this name: kept as text. "
                        "Give a ror_id to link one.",
                    )
                )
        if institution is not None and not institution_name:
            institution_name = institution.name
        if capacity == Signature.Capacity.ORGANISATION and institution is None:
            report.problem(
                line,
                "institution",
                "An organisation signature needs a registered institution.",
            )
        signed_on = ""
        if cells.get("signed_on"):
            signed_on, problem = _signed_on(cells["signed_on"])
            if problem:
                report.problem(line, "signed_on", problem)
        if len(report.problems) > before:
            continue
        row = ImportRow(
            line=line,
            full_name=full_name,
            email=email,
            title=cells.get("title", ""),
            institution=institution,
            institution_name=institution_name,
            country=country,
            capacity=capacity,
            signed_on=signed_on,
        )
        if status == Signature.Status.FLAGGED:
            row.held = "The file says this signature was held for review."
            report.notes.append(
                RowProblem(line, "status", "Flagged in the file: imported as flagged.")
            )
        _notes(row, report, watched, existing, seen_people)
        report.rows.append(row)


def _notes(
    row: ImportRow,
    report: ImportReport,
    watched: dict[str, WatchlistEntry],
    existing: dict[str, list[tuple[int, str]]],
    seen_people: dict[tuple[str, str], int],
) -> None:
    """What curators should know about a row, kept with the signature as fraud signals."""
    key = name_key(row.full_name)
    if key in watched:
        entry = watched[key]
        row.findings.append(
            Finding(
                FraudSignal.Kind.WATCHLIST,
                f"“{entry.name}” is on the organisers' watch list: imported as flagged, it "
                "shows once a curator has checked it was collected in person and approved it.",
                {"entry": entry.pk, "name": entry.name},
            )
        )
        row.held = "The name is on the watch list."
    institution = fold(row.institution_name)
    duplicate = next((pk for pk, inst in existing.get(key, []) if inst == institution), None)
    if duplicate is not None:
        row.findings.append(
            Finding(
                FraudSignal.Kind.DUPLICATE,
                f"Signature #{duplicate} on this letter has the same name and institution.",
                {"other": duplicate},
            )
        )
    elif (key, institution) in seen_people:
        row.findings.append(
            Finding(
                FraudSignal.Kind.DUPLICATE,
                f"Line {seen_people[(key, institution)]} of the same file has the same name and "
                "institution.",
                {"line": seen_people[(key, institution)]},
            )
        )
    seen_people.setdefault((key, institution), row.line)
    for finding in row.findings:
        report.notes.append(RowProblem(row.line, "full_name", finding.explanation))
