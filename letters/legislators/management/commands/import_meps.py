from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from letters.legislators.importers import ImportFileError
from letters.legislators.services import legislators_import, legislators_parse_files


class Command(BaseCommand):
    help = (
        "Import Members of the European Parliament from the EP's MEP list XML (any language) "
        "or Open Data Portal v2 JSON (meps/show-current, meps/{id} details and "
        "corporate-bodies, given together). Idempotent; Members who left are marked inactive."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="local file(s) to read")
        parser.add_argument(
            "--outgoing",
            action="store_true",
            help="the file is the EP's list of outgoing MEPs: mark those listed inactive",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="the file lists only some sitting Members: mark nobody else inactive",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            parsed = legislators_parse_files(paths=options["paths"], outgoing=options["outgoing"])
        except ImportFileError as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        summary = legislators_import(
            parsed=parsed, outgoing=options["outgoing"], partial=options["partial"]
        )
        for line in summary.lines():
            self.stdout.write(line)
