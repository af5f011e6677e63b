"""A staff session for measuring the admin: signed in the way staff sign in, through
allauth's views (the emailed sign-in code, then the authenticator's code), so the session
passes the admin's two-factor requirement for real.

The sign-in runs in this process with Django's test client against the benchmark's own
database and Redis, which the server under test shares: the session it leaves is one the
server accepts. In-process because the code travels by email, which the server under test
does not deliver (its mail backend is a dummy); here it is caught in memory."""

from __future__ import annotations

import logging
import re
import urllib.request

from bench.env import HOST, PORT

ADMIN_EMAIL = "bench-admin@example.org"
LOGIN_CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)


def _login_code(outbox: list) -> str:
    for message in reversed(outbox):
        if ADMIN_EMAIL in message.to and (found := LOGIN_CODE.search(str(message.body))):
            return found.group(1)
    raise RuntimeError("allauth mailed no sign-in code")


def admin_cookie() -> str:
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.core import mail
    from django.test import Client, override_settings

    from campaign.celery import app as celery_app
    from letters.accounts.mfa import totp_now, totp_provision, totp_secret_new
    from letters.accounts.models import User

    user = User.objects.filter(email=ADMIN_EMAIL).first()
    if user is None:
        user = User.objects.create_superuser(email=ADMIN_EMAIL)
    EmailAddress.objects.update_or_create(
        user=user, email=ADMIN_EMAIL, defaults={"verified": True, "primary": True}
    )
    secret = totp_secret_new()
    totp_provision(user=user, secret=secret)

    memory_mail = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the code's email is sent here, not by a worker
    trace = logging.getLogger("celery.app.trace")
    trace_level = trace.level
    trace.setLevel(logging.WARNING)  # the in-process task's "succeeded" line is noise here
    try:
        with override_settings(MAILERS=memory_mail):
            mail.outbox = []
            client = Client(HTTP_HOST=HOST)
            response = client.post("/accounts/login/", {"login": ADMIN_EMAIL})
            if response.status_code != 302:
                raise RuntimeError(f"sign-in form answered {response.status_code}")
            response = client.post(
                "/accounts/login/code/confirm/", {"code": _login_code(mail.outbox)}
            )
            if response.get("Location") != "/accounts/2fa/authenticate/":
                raise RuntimeError(f"no second-factor step after the code: {response}")
            response = client.post("/accounts/2fa/authenticate/", {"code": totp_now(secret)})
            if response.status_code != 302:
                raise RuntimeError(f"authenticator code refused ({response.status_code})")
    finally:
        celery_app.conf.task_always_eager = eager
        trace.setLevel(trace_level)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    # The server under test must take it: the admin answers 200, not a redirect to sign in.
    request = urllib.request.Request(
        f"http://{HOST}:{PORT}/admin/signatures/signature/", headers={"Cookie": cookie}
    )
    with urllib.request.urlopen(request) as answer:  # noqa: S310 (our own server)
        if answer.status != 200 or "/accounts/" in answer.url:
            raise RuntimeError(f"the server did not accept the session ({answer.url})")
    return cookie
