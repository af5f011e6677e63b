"""Retention: what is never confirmed, withdrawn or a network trace does not stay forever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from letters.signatures.models import Signature, SignatureEvent
from letters.signatures.services import signature_update_display, signature_withdraw
from letters.signatures.tasks import purge_expired
from tests.factories import LetterFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def aged(signature: Signature, days: float, **fields: object) -> Signature:
    then = timezone.now() - timedelta(days=days)
    Signature.objects.filter(pk=signature.pk).update(created_at=then, updated_at=then, **fields)
    signature.refresh_from_db()
    return signature


def test_purge_after_the_configured_days(settings) -> None:
    settings.UNCONFIRMED_RETENTION_DAYS = 10
    settings.IP_HASH_RETENTION_DAYS = 30
    letter = LetterFactory.create()
    unconfirmed = {"status": "unconfirmed", "is_public": False, "confirmed_at": None}
    old_pending = aged(SignatureFactory.create(letter=letter, **unconfirmed), 11)
    new_pending = aged(SignatureFactory.create(letter=letter, **unconfirmed), 9)
    old_withdrawn = aged(
        SignatureFactory.create(letter=letter, status="withdrawn", is_public=False), 40,
        withdrawn_at=timezone.now() - timedelta(days=11),
    )  # fmt: skip
    old_confirmed = aged(SignatureFactory.create(letter=letter, ip_hash="abc"), 31)
    new_confirmed = aged(SignatureFactory.create(letter=letter, ip_hash="def"), 29)

    summary = purge_expired()

    assert summary == {"unconfirmed_deleted": 1, "withdrawn_erased": 1, "ip_hashes_cleared": 1}
    assert not Signature.objects.filter(pk=old_pending.pk).exists()
    assert Signature.objects.filter(pk=new_pending.pk).exists()
    old_withdrawn.refresh_from_db()
    assert old_withdrawn.email == "" and old_withdrawn.full_name == "(withdrawn)"
    old_confirmed.refresh_from_db()
    new_confirmed.refresh_from_db()
    assert old_confirmed.ip_hash == "" and new_confirmed.ip_hash == "def"
    assert old_confirmed.full_name.startswith("Signatory")  # confirmed signatures stay


def test_an_erased_signature_keeps_no_personal_detail_in_its_audit_trail(settings) -> None:
    settings.UNCONFIRMED_RETENTION_DAYS = 10
    signature = SignatureFactory.create(
        full_name="Anna Beispiel", orcid_id="0000-0002-1825-0097", institution_name="TUM"
    )
    signature_update_display(
        signature_id=signature.pk, actor=None, display_name="Anna B.", title="Professor",
        show_affiliation=True, reason="Anna Beispiel asked for a shorter name",
    )  # fmt: skip
    signature_withdraw(signature_id=signature.pk, reason="Withdrawn by Anna Beispiel")
    Signature.objects.filter(pk=signature.pk).update(
        withdrawn_at=timezone.now() - timedelta(days=11)
    )

    purge_expired()

    signature.refresh_from_db()
    assert (signature.orcid_id, signature.institution_name, signature.display_name) == ("", "", "")
    events = list(SignatureEvent.objects.filter(signature=signature))
    assert {e.action for e in events} == {"edited", "withdrawn"}  # what happened stays
    text = repr([(e.changes, e.reason) for e in events])
    assert "Anna" not in text and "Professor" not in text


def test_a_signature_submitted_again_lives_as_long_as_its_newest_link(settings) -> None:
    settings.UNCONFIRMED_RETENTION_DAYS = 10
    letter = LetterFactory.create()
    unconfirmed = {"status": "unconfirmed", "is_public": False, "confirmed_at": None}
    first_signed_long_ago = aged(SignatureFactory.create(letter=letter, **unconfirmed), 12)
    # Signed again two days ago: a fresh link went out then.
    Signature.objects.filter(pk=first_signed_long_ago.pk).update(
        updated_at=timezone.now() - timedelta(days=2)
    )

    purge_expired()

    assert Signature.objects.filter(pk=first_signed_long_ago.pk).exists()


def test_the_admin_history_forgets_the_names_of_erased_signatures(settings) -> None:
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from letters.accounts.models import User

    settings.UNCONFIRMED_RETENTION_DAYS = 10
    letter = LetterFactory.create()
    admin = User.objects.create_user(email="oskar@example.org", is_staff=True)
    gone = aged(
        SignatureFactory.create(letter=letter, full_name="Wendy Withdrawn", status="withdrawn",
                                is_public=False), 40,
        withdrawn_at=timezone.now() - timedelta(days=11),
    )  # fmt: skip
    kind = ContentType.objects.get_for_model(Signature)
    LogEntry.objects.create(
        user=admin, content_type=kind, object_id=str(gone.pk), object_repr=str(gone),
        action_flag=CHANGE, change_message="[]",
    )  # fmt: skip

    purge_expired()

    entry = LogEntry.objects.get(object_id=str(gone.pk))
    assert "Wendy" not in entry.object_repr and entry.object_repr == "(erased signature)"
