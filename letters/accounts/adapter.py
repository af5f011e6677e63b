from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from letters.common.mail import mail_send_later


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come into being when someone confirms a signature; there is nothing to
        # sign up for otherwise.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Rendered now, while the request is at hand; delivered by a worker so that no
        # request waits on the mail server.
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, full_context)
        mail_send_later(message=message)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # ORCID is connected to an existing signatory's account, never a way to create one.
        return False
