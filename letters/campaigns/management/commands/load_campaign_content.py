from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from letters.campaigns.content import CONTENT_DIR, content_load


class Command(BaseCommand):
    help = "Load the campaigns, partner organisations and letters from the content files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=CONTENT_DIR, help="content folder")
        parser.add_argument(
            "--update",
            action="store_true",
            help="overwrite existing letters from the files (records a new text version)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = content_load(directory=options["path"], update=options["update"])
        self.stdout.write(self.style.SUCCESS(f"Campaign content: {summary}"))
        for label in summary.created:
            self.stdout.write(f"  created {label}")
        for label in summary.updated:
            self.stdout.write(f"  updated {label}")
