"""Demo data for `make demo`: each concern of `letters` may ship a `demo` module with a
`seed(*, stdout)` function; they run in the order the concerns build on each other."""

from __future__ import annotations

import importlib
import secrets
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

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
            password = self._admin_password()
        self.stdout.write(self.style.SUCCESS("\nDemo data ready."))
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  email {ADMIN_EMAIL}  password {password}"
        )

    def _admin_password(self) -> str:
        """A fresh password on every run, so the terminal always shows one that works."""
        password = secrets.token_urlsafe(12)
        admin = User.objects.filter(email=ADMIN_EMAIL).first()
        if admin is None:
            admin = User.objects.create_superuser(email=ADMIN_EMAIL, password=password)
        else:
            admin.set_password(password)
            admin.save(update_fields=["password"])
        self._after_admin(admin)
        return password

    def _after_admin(self, admin: User) -> None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=admin, email=admin.email, defaults={"verified": True, "primary": True}
        )
