from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from letters.accounts.models import User
from letters.campaigns.models import Letter
from letters.curation.services import (
    CurationError,
    signatures_import,
    signatures_import_check,
)


class Command(BaseCommand):
    help = (
        "Import signatures collected offline or by a partner from a CSV file into a letter, "
        "as collected by the organiser named with --as. Every row is checked first; one "
        "problem and nothing is imported. --dry-run only reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("letter", help="the letter's slug")
        parser.add_argument("path", type=Path, help="the CSV file")
        parser.add_argument("--as", dest="organiser", help="the organiser's email address")
        parser.add_argument("--note", default="", help="where the signatures come from")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        letter = Letter.objects.filter(slug=options["letter"]).first()
        if letter is None:
            raise CommandError(f"No letter with the slug {options['letter']!r}.")
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        content = path.read_bytes()
        if options["dry_run"]:
            report = signatures_import_check(letter=letter, content=content)
            for line in report.lines():
                self.stdout.write(line)
            if not report.ok:
                raise CommandError("The file cannot be imported as it is.")
            return
        organiser = User.objects.filter(email__iexact=options["organiser"] or "").first()
        if organiser is None or not organiser.has_perm("signatures.import_signatures"):
            raise CommandError("Name an organiser who may import signatures: --as EMAIL.")
        try:
            result = signatures_import(
                letter=letter,
                content=content,
                filename=path.name,
                actor=organiser,
                note=options["note"],
            )
        except CurationError as exc:
            for line in signatures_import_check(letter=letter, content=content).lines():
                self.stdout.write(line)
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.created} signatures imported into {letter.slug} "
            f"(import #{result.batch.pk}), as collected by {organiser.email}."
        )
