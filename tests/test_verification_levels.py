"""Verification levels: the rules, ORCID through allauth, and organisation signatures."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount, SocialLogin
from allauth.socialaccount.signals import social_account_added, social_account_removed
from django.test import RequestFactory

from letters.common.emaildomains import domain_matches, is_disposable, is_free_mail
from letters.signatures.models import Signature
from letters.signatures.services import (
    SignatureInput,
    signature_confirm,
    signature_submit,
    signature_transition,
)
from letters.signatures.verification import level_for
from tests.factories import ConsentTextFactory, InstitutionFactory, LetterFactory
from tests.signing import committed


@pytest.mark.parametrize(
    ("email", "domains", "expected"),
    [
        ("a@tum.de", ["tum.de"], True),
        ("a@cit.tum.de", ["tum.de"], True),
        ("a@TUM.DE", ["tum.de"], True),
        ("a@nottum.de", ["tum.de"], False),
        ("a@tum.de.evil.com", ["tum.de"], False),
        ("a@gmail.com", ["tum.de", "mytum.de"], False),
        ("a@mytum.de", ["tum.de", "mytum.de"], True),
    ],
)
def test_domain_matching_includes_subdomains_only(
    email: str, domains: list[str], expected: bool
) -> None:
    assert domain_matches(email, domains) is expected


def test_disposable_and_free_mail_checks_include_parent_domains() -> None:
    assert is_disposable("x@mailinator.com") and is_disposable("x@sub.mailinator.com")
    assert not is_disposable("x@tum.de")
    assert is_free_mail("x@gmail.com") and not is_free_mail("x@tum.de")


@pytest.mark.parametrize(
    "address",
    ["x@outlook.de", "x@hotmail.nl", "x@yahoo.co.jp", "x@yahoo.com.br", "x@gmx.fr",
     "x@live.com.au", "x@mail.com", "x@inbox.ru", "x@ukr.net", "x@126.com"],
)  # fmt: skip
def test_free_mail_in_any_country(address: str) -> None:
    assert is_free_mail(address)


@pytest.mark.parametrize(
    "address",
    ["x@mail.tum.de", "x@live.ox.ac.uk", "x@outlook-lab.eu", "x@orange.com", "x@cs.yale.edu"],
)
def test_institutions_that_only_look_like_it(address: str) -> None:
    assert not is_free_mail(address)


def test_the_strongest_evidence_wins() -> None:
    base = {"email_confirmed": True, "affiliation_verified": False, "orcid_verified": False,
            "organisation_approved": False}  # fmt: skip
    assert level_for(**base) == "email"
    assert level_for(**{**base, "affiliation_verified": True}) == "affiliation"
    assert level_for(**{**base, "affiliation_verified": True, "orcid_verified": True}) == "orcid"
    assert level_for(**{**base, "orcid_verified": True, "organisation_approved": True}) == (
        "organisation"
    )
    assert level_for(**{**base, "email_confirmed": False}) == "none"


def _signed(letter, email: str, **extra) -> Signature:
    with committed():
        result = signature_submit(
            letter=letter,
            version=letter.current_version,
            data=SignatureInput(full_name="Anna Beispiel", email=email, country="DE", **extra),
            consent=ConsentTextFactory.create(),
        )
        return signature_confirm(signature_id=result.signature_id)


@pytest.mark.django_db
def test_connecting_orcid_through_allauth_upgrades_signatures() -> None:
    letter = LetterFactory.create()
    signature = _signed(letter, "anna@example.org")
    assert signature.level == Signature.Level.EMAIL
    user = signature.signer
    assert user is not None
    account = SocialAccount.objects.create(user=user, provider="orcid", uid="0000-0002-1825-0097")
    request = RequestFactory().get("/")
    with committed():
        social_account_added.send(
            sender=SocialLogin, request=request, sociallogin=SocialLogin(user=user, account=account)
        )
    signature.refresh_from_db()
    assert signature.level == Signature.Level.ORCID
    assert signature.orcid_id == "0000-0002-1825-0097"
    assert signature.events.filter(action="orcid_connected").exists()

    with committed():
        social_account_removed.send(sender=SocialAccount, request=request, socialaccount=account)
    signature.refresh_from_db()
    assert signature.level == Signature.Level.EMAIL and signature.orcid_id == ""


@pytest.mark.django_db
def test_a_signer_who_already_has_orcid_gets_the_level_on_confirmation() -> None:
    letter = LetterFactory.create()
    first = _signed(letter, "anna@example.org")
    assert first.signer is not None
    SocialAccount.objects.create(user=first.signer, provider="orcid", uid="0000-0001-5109-3700")
    second = _signed(LetterFactory.create(), "anna@example.org")
    assert second.level == Signature.Level.ORCID


@pytest.mark.django_db
def test_organisation_signature_waits_for_an_organiser_then_shows_as_organisation() -> None:
    letter = LetterFactory.create()
    ellis = InstitutionFactory.create(name="ELLIS", domains=["ellis.eu"])
    signature = _signed(
        letter, "director@ellis.eu", institution=ellis, capacity=Signature.Capacity.ORGANISATION
    )
    assert signature.status == Signature.Status.CONFIRMED
    assert not signature.is_public  # even on a post-moderated letter
    assert signature.level == Signature.Level.AFFILIATION
    with committed():
        locked = Signature.objects.select_related("letter", "institution").get(pk=signature.pk)
        signature_transition(
            signature=locked, to_status=Signature.Status.APPROVED, action="approved"
        )
    signature.refresh_from_db()
    assert signature.is_public and signature.level == Signature.Level.ORGANISATION
