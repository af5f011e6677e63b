from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from letters.campaigns.models import Letter
from letters.curation import selectors
from letters.signatures.models import Signature


class Command(BaseCommand):
    help = (
        "Export a letter's signatories (every state, with verification levels) as CSV or "
        "JSON, to a file or the standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("letter", help="the letter's slug")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--status", action="append", choices=Signature.Status.values, help="only these"
        )
        parser.add_argument("-o", "--output", type=Path, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        letter = Letter.objects.filter(slug=options["letter"]).first()
        if letter is None:
            raise CommandError(f"No letter with the slug {options['letter']!r}.")
        queryset = Signature.objects.filter(letter=letter)
        if options["status"]:
            queryset = queryset.filter(status__in=options["status"])
        rows = selectors.signatory_rows(queryset)
        if options["format"] == "csv":
            chunks = selectors.csv_lines(selectors.SIGNATORY_COLUMNS, rows)
        else:
            filters = {"status": ",".join(options["status"])} if options["status"] else {}
            chunks = selectors.signatories_json(letter=letter, rows=rows, filters=filters)
        output: Path | None = options["output"]
        if output is None:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        with output.open("w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        self.stderr.write(f"Written to {output}")
