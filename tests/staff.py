"""Staff in the tests: one place that logs an organiser or curator into the admin, so that
what the admin requires of staff (two-factor authentication) is satisfied the same way by
every test that uses it."""

from __future__ import annotations

from django.test import Client

from letters.accounts.models import User


def staff_login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client
