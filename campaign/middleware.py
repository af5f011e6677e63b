"""Two-factor authentication in front of the admin.

The admin's own login page hands over to allauth's (campaign/urls.py), so staff sign in
through allauth, which asks for their second factor. This middleware makes the second
factor a requirement rather than an option: a staff member without an authenticator is
sent to set one up, and one whose session did not use it is asked for a code."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from letters.accounts.mfa import StaffMFAProblem, staff_mfa_problem


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.gate(request) or self.get_response(request)

    def gate(self, request: HttpRequest) -> HttpResponse | None:
        if not settings.STAFF_MFA_REQUIRED:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return None
        admin = reverse("admin:index")
        if not request.path.startswith(admin) or request.path == reverse("admin:logout"):
            return None
        problem = staff_mfa_problem(request, user)
        if problem is None:
            return None
        query = urlencode({"next": request.get_full_path()})
        if problem == StaffMFAProblem.NO_AUTHENTICATOR:
            messages.warning(
                request,
                _(
                    "Staff accounts need two-factor authentication. Set up an authenticator "
                    "app to continue to the admin."
                ),
            )
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
