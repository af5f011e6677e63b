"""Staff in the tests: one place that logs an organiser or curator into the admin, so that
what the admin requires of staff is satisfied the same way by every test that uses it: the
real way, through allauth. Staff sign in like everyone on this site, with a code sent to
their address (there are no passwords), and then give the code of their authenticator app,
which this helper computes from the secret of the authenticator it gives them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from campaign.celery import app as celery_app
from letters.accounts.mfa import totp_now, totp_provision, totp_secret_new
from letters.accounts.models import User
from tests.signing import committed

LOGIN_CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)


def staff_user(email: str, *, role: str | None = None, superuser: bool = False) -> User:
    """A staff account in a role ("curator", "organiser"), or a superuser."""
    if superuser:
        user = User.objects.create_superuser(email=email)
    else:
        user = User.objects.create_user(email=email, is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def staff_secret(user: User) -> str:
    """The user's TOTP secret, giving them an authenticator first if they have none."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return decrypt(existing.data["secret"])
    secret = totp_secret_new()
    totp_provision(user=user, secret=secret)
    return secret


def login_code(email: str) -> str:
    """The sign-in code allauth last mailed to the address."""
    for message in reversed(mail.outbox):
        if email in message.to and (found := LOGIN_CODE.search(str(message.body))):
            return found.group(1)
    raise AssertionError(f"no sign-in code was mailed to {email}")


@contextmanager
def tasks_in_this_process() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def staff_login(client: Client, user: User) -> Client:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    secret = staff_secret(user)
    # The code leaves by mail once the request's transaction commits, through a task: run
    # here even while a test's real worker takes the queue, so it reaches this outbox.
    with committed(), tasks_in_this_process():
        response = client.post(reverse("account_login"), {"login": user.email})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(reverse("account_confirm_login_code"), {"code": login_code(user.email)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("mfa_authenticate"), response["Location"]
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.session.get("_auth_user_id") == str(user.pk)
    # Land on the admin as staff do; that also shows (and clears) the sign-in messages.
    assert client.get(reverse("admin:index")).status_code == 200
    return client
