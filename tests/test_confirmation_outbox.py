"""Confirmation emails wait in the database and leave in batches: a burst of signatures costs
one task, nothing is mailed twice by two senders, and nothing waiting is forgotten."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client

from letters.signatures.emails import (
    SENDER_LOCK,
    SenderBusy,
    confirmations_pending,
    confirmations_send_pending,
)
from letters.signatures.models import Signature
from letters.signatures.tasks import send_pending_confirmations
from tests.factories import ConsentTextFactory, LetterFactory, SignatureFactory
from tests.signing import committed, sign, sign_data

pytestmark = pytest.mark.django_db


def waiting(letter: Any, n: int) -> list[Signature]:
    return SignatureFactory.create_batch(
        n,
        letter=letter,
        status=Signature.Status.UNCONFIRMED,
        is_public=False,
        confirmed_at=None,
        token_nonce="n1",
    )


def test_one_run_sends_every_waiting_email_and_marks_each() -> None:
    letter = LetterFactory.create()
    people = waiting(letter, 5)
    SignatureFactory.create(letter=letter)  # confirmed long ago: nothing to send

    outcome = confirmations_send_pending(batch_size=2)

    assert outcome.sent == 5 and not outcome.more_waiting
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert not confirmations_pending().exists()
    assert cache.get(SENDER_LOCK) is None  # released for the next run


def test_a_later_run_sends_nothing_again() -> None:
    waiting(LetterFactory.create(), 2)
    confirmations_send_pending()
    mail.outbox.clear()
    assert confirmations_send_pending().sent == 0
    assert mail.outbox == []


def test_a_second_sender_does_not_mail_the_same_people() -> None:
    waiting(LetterFactory.create(), 1)
    cache.add(SENDER_LOCK, 1)
    with pytest.raises(SenderBusy):
        confirmations_send_pending()
    assert mail.outbox == []


def test_a_signature_resubmitted_during_the_send_still_gets_the_newer_link() -> None:
    (signature,) = waiting(LetterFactory.create(), 1)

    class ResubmittedMeanwhile(EmailBackend):
        def send_messages(self, messages: Any) -> int:
            Signature.objects.filter(pk=signature.pk).update(token_nonce="n2")
            return super().send_messages(messages)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.core.mail.backends.locmem.EmailBackend", ResubmittedMeanwhile)
        confirmations_send_pending()
    signature.refresh_from_db()
    assert signature.confirmation_sent_at is None  # the email with link "n2" is still due
    assert confirmations_pending().get() == signature


def test_a_mail_server_failing_half_way_keeps_the_rest_waiting(settings: Any) -> None:
    letter = LetterFactory.create()
    people = waiting(letter, 3)
    settings.MAILERS = {"default": {"BACKEND": "tests.test_confirmation_outbox.FailsOnThird"}}
    FailsOnThird.count = 0

    with pytest.raises(OSError):
        confirmations_send_pending()

    still = list(confirmations_pending().values_list("pk", flat=True))
    assert still == [people[2].pk]
    assert cache.get(SENDER_LOCK) is None


class FailsOnThird(EmailBackend):
    count = 0

    def send_messages(self, messages: Any) -> int:
        FailsOnThird.count += 1
        if FailsOnThird.count == 3:
            raise OSError("connection reset by the mail server")
        return super().send_messages(messages)


def test_the_periodic_run_sends_what_no_request_scheduled() -> None:
    (signature,) = waiting(LetterFactory.create(), 1)
    assert send_pending_confirmations.apply().get() == 1
    assert [m.to for m in mail.outbox] == [[signature.email]]


def test_signing_in_a_burst_schedules_one_run_per_window(client: Client, settings: Any) -> None:
    """With a window (as in production), the first signature schedules the run and the
    others find it scheduled; the run then mails them all."""
    settings.CONFIRMATION_BATCH_SECONDS = 5
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    scheduled: list[dict[str, Any]] = []
    window_checks: list[str] = []
    real_add = cache.add

    def add(key: str, *args: Any, **kwargs: Any) -> bool:
        if key.startswith("run-after-window:"):
            window_checks.append(key)
        return real_add(key, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            send_pending_confirmations,
            "apply_async",
            lambda **options: scheduled.append(options),
        )
        patch.setattr(cache, "add", add)
        for n in range(4):
            data = sign_data(client, letter, email=f"burst{n}@example.org")
            with committed():
                assert client.post(f"/letters/{letter.slug}/sign/", data).status_code == 302
    assert len(scheduled) == 1 and scheduled[0]["countdown"] > 5
    assert mail.outbox == []  # nothing sent by the requests themselves
    # Only the first asked the cache: the process knew its own run covers the rest.
    assert window_checks == ["run-after-window:confirmations"]
    assert confirmations_send_pending().sent == 4
    assert len(mail.outbox) == 4


def test_in_process_mode_sends_at_once(client: Client) -> None:
    ConsentTextFactory.create()
    letter = LetterFactory.create()
    sign(client, letter, email="now@example.org")
    assert [m.to for m in mail.outbox] == [["now@example.org"]]
