from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from letters.institutions.importers import RegistryFileError, RegistryFormat
from letters.institutions.services import institutions_import


class Command(BaseCommand):
    help = (
        "Import institutions and their email domains from a local file: a ROR data dump "
        "(schema v2, the .json or the dump's .zip) or Hipo's university-domains-list JSON. "
        "Idempotent: a second import of the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the file to read")
        parser.add_argument(
            "--format",
            choices=[f.value for f in RegistryFormat],
            help="refuse the file unless it is in this format (told from the file otherwise)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, save nothing"
        )
        parser.add_argument(
            "--details", type=int, default=20, help="how many problems to list (default 20)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = institutions_import(
                path=options["path"],
                expected=RegistryFormat(options["format"]) if options["format"] else None,
                dry_run=options["dry_run"],
            )
        except RegistryFileError as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        for line in summary.lines(details=options["details"]):
            self.stdout.write(line)
