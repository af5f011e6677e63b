"""Staff reach the admin through allauth's login and with a second factor they must have
and must have used; nobody else reaches it."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import Client

from letters.accounts.mfa import totp_now
from letters.accounts.models import User
from tests.curation.people import CLARA
from tests.signing import committed
from tests.staff import login_code, staff_login, staff_secret, staff_user

pytestmark = pytest.mark.django_db


def code_login(client: Client, user: User) -> None:
    """The first step of signing in: the emailed code."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    with committed():
        client.post("/accounts/login/?next=/admin/", {"login": user.email})
    response = client.post("/accounts/login/code/confirm/", {"code": login_code(user.email)})
    assert response.status_code == 302


def test_the_admin_login_hands_over_to_allauth(client: Client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


# Committed for real: allauth announces a new authenticator once its transaction commits,
# while the request is still running, as in production.
@pytest.mark.django_db(transaction=True)
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client: Client) -> None:
    clara = staff_user(CLARA, role="curator")
    code_login(client, clara)
    response = client.get("/admin/signatures/signature/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    page = client.get(response["Location"])
    assert "Staff accounts need two-factor authentication" in page.content.decode()
    secret = client.session["mfa.totp.secret"]  # what the page shows as a QR code and text
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=clara, type=Authenticator.Type.TOTP).exists()
    # The code she just typed proved the new authenticator: no second prompt.
    assert client.get("/admin/signatures/signature/").status_code == 200


def test_staff_with_an_authenticator_give_its_code_before_they_are_signed_in(
    client: Client,
) -> None:
    clara = staff_user(CLARA, role="curator")
    secret = staff_secret(clara)
    code_login(client, clara)
    assert "_auth_user_id" not in client.session  # the emailed code alone is not enough
    assert client.get("/admin/").status_code == 302
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": totp_now(secret)})
    assert client.get("/admin/").status_code == 200


def test_a_session_that_skipped_the_second_factor_is_asked_for_it(client: Client) -> None:
    clara = staff_user(CLARA, role="curator")
    secret = staff_secret(clara)
    client.force_login(clara)  # a session made any other way than allauth's login
    response = client.get("/admin/signatures/signature/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    response = client.post(response["Location"], {"code": totp_now(secret)})
    assert response["Location"] == "/admin/signatures/signature/"
    assert client.get("/admin/signatures/signature/").status_code == 200


def test_signatories_never_reach_the_admin(client: Client) -> None:
    signatory = User.objects.create_user(email="anna.beispiel@tum.de")
    code_login(client, signatory)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403


def test_the_test_helper_signs_in_the_real_way(client: Client) -> None:
    clara = staff_user(CLARA, role="curator")
    staff_login(client, clara)
    methods = [r["method"] for r in client.session["account_authentication_methods"]]
    assert methods == ["code", "mfa"]
