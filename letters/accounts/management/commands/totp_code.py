from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from letters.accounts.mfa import totp_now


class Command(BaseCommand):
    help = (
        "Print the current code for an authenticator secret, as an authenticator app would "
        "(for trying the demo without a phone at hand). It reads nothing from the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("secret", help="the base32 secret shown when the key was set up")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(totp_now(options["secret"].replace(" ", "")))
        except ValueError as exc:  # binascii.Error is a ValueError
            raise CommandError(f"That is not a base32 secret: {exc}") from exc
