"""Bad input to the sign form: a clear message next to the field, and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from letters.campaigns.models import Letter
from letters.signatures.models import Signature
from tests.factories import ConsentTextFactory, InstitutionFactory, LetterFactory
from tests.signing import committed, sign, sign_data, solved_challenge

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter() -> Letter:
    ConsentTextFactory.create()
    return LetterFactory.create()


def assert_refused(response: Any, message: str, status: int = 400) -> None:
    assert response.status_code == status
    assert message in response.content.decode()
    assert Signature.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": ""}, "This field is required."),
        ({"full_name": " \t"}, "This field is required."),
        ({"full_name": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "someone@example..org"}, "Enter a valid email address."),
        ({"email": "someone@mailinator.com"}, "disposable email services"),
        ({"email": "someone@eu.mailinator.com"}, "disposable email services"),
        ({"title": "t" * 201}, "Ensure this value has at most 200 characters"),
        ({"institution_name": "i" * 256}, "Ensure this value has at most 255 characters"),
        ({"country": "XX"}, "Select a valid choice."),
        ({"country": ""}, "This field is required."),
        ({"consent": None}, "we need your consent"),
        ({"capacity": "government"}, "Select a valid choice."),
        ({"website": "http://spam.example"}, "looks automated"),
        ({"altcha": ""}, "has not finished"),
        ({"altcha": "bm90IGEgcGF5bG9hZA=="}, "failed. Please reload"),
    ],
)
def test_each_bad_field_gets_its_own_message(
    client: Client, letter: Letter, fields: dict[str, Any], message: str
) -> None:
    assert_refused(sign(client, letter, **fields), message)


def test_a_challenge_can_be_used_only_once(client: Client, letter: Letter) -> None:
    payload = solved_challenge(client)
    assert sign(client, letter, altcha=payload).status_code == 302
    second = sign(client, letter, email="other@example.org", altcha=payload)
    assert second.status_code == 400
    assert "failed. Please reload" in second.content.decode()
    assert Signature.objects.count() == 1


def test_closed_letter_refuses_signatures(client: Client, letter: Letter) -> None:
    letter.status = Letter.Status.CLOSED
    letter.save()
    assert_refused(sign(client, letter), "closed for signatures", status=409)


def test_organisation_signature_needs_a_registered_institution(
    client: Client, letter: Letter
) -> None:
    response = sign(client, letter, capacity="organisation", institution_name="Some NGO")
    assert_refused(response, "pick it from the registry")


def test_organisation_signature_needs_an_address_at_its_domain(
    client: Client, letter: Letter
) -> None:
    ellis = InstitutionFactory.create(name="ELLIS", domains=["ellis.eu"])
    response = sign(
        client, letter, capacity="organisation", institution=ellis.pk, email="rep@gmail.com"
    )
    assert_refused(response, "use your email address at that organisation")


def test_an_unknown_institution_id_is_refused(client: Client, letter: Letter) -> None:
    assert_refused(sign(client, letter, institution=999_999), "not in the registry")


def test_names_are_stored_as_typed_and_escaped_on_output(client: Client, letter: Letter) -> None:
    name = '<script>alert("x")</script> Ünïcødé & Co'
    sign(client, letter, full_name=name)
    signature = Signature.objects.get()
    assert signature.full_name == name
    text_email = str(mail.outbox[0].body)
    assert name in text_email  # plain text is not HTML-escaped
    html_email = str(mail.outbox[0].alternatives[0][0])  # type: ignore[union-attr]
    assert "<script>" not in html_email and "&lt;script&gt;" in html_email
    from letters.signatures.services import signature_confirm

    with committed():
        signature_confirm(signature_id=signature.pk)
    page = client.get(f"/letters/{letter.slug}/signatories/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_invisible_characters_are_removed_from_names(client: Client, letter: Letter) -> None:
    sign(client, letter, full_name="Anna  Bei\u200bspiel\n\u202e")
    assert Signature.objects.get().full_name == "Anna Beispiel"


def test_null_characters_are_refused(client: Client, letter: Letter) -> None:
    assert_refused(sign(client, letter, full_name="Anna\x00"), "Null characters are not allowed.")


def test_form_errors_keep_what_was_typed(client: Client, letter: Letter) -> None:
    data = sign_data(client, letter, full_name="Anna Beispiel", email="bad")
    html = client.post(f"/letters/{letter.slug}/sign/", data).content.decode()
    assert 'value="Anna Beispiel"' in html
