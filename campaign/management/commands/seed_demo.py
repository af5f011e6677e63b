"""Demo data for `make demo`: each concern of `letters` may ship a `demo` module with a
`seed(*, stdout)` function; they run in the order the concerns build on each other."""

from __future__ import annotations

import importlib
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from letters.accounts.mfa import totp_provision, totp_secret_new
from letters.accounts.models import User

ADMIN_EMAIL = "admin@example.org"


class Command(BaseCommand):
    help = "Create demo data (idempotent) and print an admin login."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for config in apps.get_app_configs():
                if not config.name.startswith("letters."):
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(stdout=self.stdout)
            secret, recovery = self._admin()
        self.stdout.write(self.style.SUCCESS("\nDemo data ready."))
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  sign in as {ADMIN_EMAIL}\n"
            "  1. The sign-in code is emailed: with the demo's settings the email is printed "
            "in this terminal.\n"
            "  2. Then the second factor: one of these single-use recovery codes\n"
            f"     {'  '.join(recovery)}\n"
            f"     or the code of an authenticator app to which you add this key: {secret}\n"
            f"     (uv run python manage.py totp_code {secret} prints the current code)"
        )

    def _admin(self) -> tuple[str, list[str]]:
        """The admin account, with a fresh authenticator on every run, so the terminal
        always shows a key that works. Staff need a second factor to open the admin."""
        admin = User.objects.filter(email=ADMIN_EMAIL).first()
        if admin is None:
            admin = User.objects.create_superuser(email=ADMIN_EMAIL)
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=admin, email=admin.email, defaults={"verified": True, "primary": True}
        )
        secret = totp_secret_new()
        totp_provision(user=admin, secret=secret)
        Authenticator.objects.filter(user=admin, type=Authenticator.Type.RECOVERY_CODES).delete()
        recovery = RecoveryCodes.activate(admin).get_unused_codes()[:3]
        return secret, recovery
