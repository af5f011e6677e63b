from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from letters.packets.signing import create_development_certificate, fingerprint


class Command(BaseCommand):
    help = (
        "Create a self-signed certificate for signing packets in development, as a PKCS#12 "
        "file at PACKET_SIGNING_PKCS12 protected by PACKET_SIGNING_PASSPHRASE. In production, "
        "point those two settings at the campaign's real certificate instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, help="where to write (default: the setting)")
        parser.add_argument(
            "--common-name", default=f"{settings.SITE_NAME} (development certificate)"
        )
        parser.add_argument("--organisation", default=settings.SITE_NAME)
        parser.add_argument("--days", type=int, default=825)
        parser.add_argument("--force", action="store_true", help="replace an existing file")
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing if the file exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"] or Path(settings.PACKET_SIGNING_PKCS12)
        if path.exists():
            if options["if_missing"]:
                self.stdout.write(f"Signing certificate present: {path}")
                return
            if not options["force"]:
                raise CommandError(
                    f"{path} exists. Packets signed with it verify only while the site knows "
                    "its certificate; use --force to replace it anyway."
                )
        certificate = create_development_certificate(
            path=path,
            passphrase=settings.PACKET_SIGNING_PASSPHRASE,
            common_name=options["common_name"],
            organisation=options["organisation"],
            days=options["days"],
        )
        self.stdout.write(self.style.SUCCESS(f"Self-signed signing certificate written to {path}"))
        self.stdout.write(f"  subject: {certificate.subject.rfc4514_string()}")
        self.stdout.write(f"  SHA-256 fingerprint: {fingerprint(certificate)}")
        self.stdout.write(
            f"  valid until {certificate.not_valid_after_utc:%Y-%m-%d}; PDF readers will call "
            "the signer unknown: for real packets use a certificate from a trusted authority."
        )
