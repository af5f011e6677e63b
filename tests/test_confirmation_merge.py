"""A batch of confirmation emails renders the templates once per letter and shape and fills
in each signer's details: every email must read exactly as if it had been rendered alone,
with the signer's details escaped in the HTML part, and a template the merge cannot serve
must fall back to rendering each email."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from letters.signatures.emails import (
    ConfirmationMerge,
    EmailKind,
    confirmations_send_pending,
    signature_email_build,
)
from letters.signatures.models import Signature
from tests.factories import LetterFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_second() -> Any:
    # Links carry a timestamp to the second: both renderings must meet in the same one.
    with mock.patch("django.core.signing.time.time", return_value=1_800_000_000.0):
        yield


TEMPLATE_DIR = "signatures/email/"


def pending(**details: Any) -> Signature:
    return SignatureFactory.create(
        status=Signature.Status.UNCONFIRMED,
        is_public=False,
        confirmed_at=None,
        token_nonce="n1",
        **details,
    )


def as_sent(message: Any) -> tuple[Any, ...]:
    return (
        message.subject,
        message.body,
        message.alternatives,
        message.to,
        message.from_email,
        message.extra_headers,
    )


@pytest.fixture
def signers() -> list[Signature]:
    letter = LetterFactory.create(title='Open & "free" <models>')
    other = LetterFactory.create(title="Another letter")
    return [
        pending(letter=letter, full_name="Ada Lovelace", title="", institution_name=""),
        pending(
            letter=letter,
            full_name='<img src="file:///etc/passwd"> & Co',
            title="Prof. <b>bold</b>",
            institution_name="Université d'Amsterdam & \ue000full_name\ue001",
            country="FR",
            capacity=Signature.Capacity.ORGANISATION,
        ),
        pending(letter=letter, full_name="Grace Hopper", title="Rear admiral", country="US"),
        pending(letter=other, full_name="Alan Turing", institution_name="Bletchley Park"),
    ]


def test_each_merged_email_reads_as_if_rendered_alone(signers: list[Signature]) -> None:
    merge = ConfirmationMerge()
    for signature in signers:
        merged = merge.build(signature)
        alone = signature_email_build(signature=signature, kind=EmailKind.CONFIRM)
        assert as_sent(merged) == as_sent(alone)


def test_details_are_escaped_in_html_and_kept_as_typed_in_text(signers: list[Signature]) -> None:
    message = ConfirmationMerge().build(signers[1])
    html = str(message.alternatives[0][0])
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt; &amp; Co" in html
    assert "<img" not in html and "<b>" not in html
    assert '<img src="file:///etc/passwd"> & Co' in message.body
    # A marker typed by a signer is their text, not a place to fill in.
    assert "\ue000full_name\ue001" in message.body


def test_a_batch_sends_merged_emails(signers: list[Signature]) -> None:
    expected = {
        s.email: as_sent(signature_email_build(signature=s, kind=EmailKind.CONFIRM))
        for s in signers
    }
    assert confirmations_send_pending().sent == len(signers)
    assert {m.to[0]: as_sent(m) for m in mail.outbox} == expected


def _templates_with(name: str, source: str) -> list[dict[str, Any]]:
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": False,
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {TEMPLATE_DIR + name: source}),
                    "django.template.loaders.filesystem.Loader",
                ],
                "builtins": [],
            },
        }
    ]


@pytest.mark.parametrize(
    "source",
    [
        # A detail the merge does not fill in.
        "{{ signature.email }} {{ confirm_url }}",
        # A detail passed through a filter that changes the marker.
        "{{ signature.full_name|upper }} {{ confirm_url }}",
        "{{ signature.full_name|truncatechars:4 }} {{ confirm_url }}",
        # A filter that drops the markers themselves.
        '{{ signature.full_name|slice:"1:-1" }} {{ confirm_url }}',
        # A template that fails with the stand-in, and works with a signature.
        "{% url 'signatures:withdraw' token=signature.pk %} {{ confirm_url }}",
    ],
)
def test_a_template_the_merge_cannot_serve_renders_each_email(
    signers: list[Signature], source: str
) -> None:
    templates = _templates_with("confirm_message.txt", source)
    templates[0]["DIRS"] = settings.TEMPLATES[0]["DIRS"]
    with override_settings(TEMPLATES=templates):
        merge = ConfirmationMerge()
        # Twice: the first email of a shape is rendered whole anyway; the second must be too.
        for signature in [*signers, *signers]:
            merged = merge.build(signature)
            alone = signature_email_build(signature=signature, kind=EmailKind.CONFIRM)
            assert as_sent(merged) == as_sent(alone)
            assert "\ue000" not in merged.body
