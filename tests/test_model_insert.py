"""The signing path's INSERT writes the same row the ORM would, and fails the same way."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.forms.models import model_to_dict

from letters.common.insert import model_insert
from letters.signatures.models import Signature, SignatureEvent
from tests.factories import (
    ConsentTextFactory,
    InstitutionFactory,
    LetterFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _row(pk: int) -> dict[str, Any]:
    values = model_to_dict(Signature.objects.get(pk=pk), exclude=["id"])
    values.pop("created_at", None)
    return values


def test_the_row_is_the_one_the_orm_writes() -> None:
    letter, consent = LetterFactory.create(), ConsentTextFactory.create()
    details: dict[str, Any] = {
        "letter": letter,
        "letter_version": letter.current_version,
        "consent": consent,
        "institution": InstitutionFactory.create(),
        "full_name": "Zoë <b>O'Brien</b>",
        "title": "",
        "country": "IE",
        "featured_rank": 3,
        "ip_hash": "0123abcd",
        "confirmation_sent_at": None,
        "status": Signature.Status.UNCONFIRMED,
    }
    mine = Signature(email="zoe@example.org", email_normalized="zoe@example.org", **details)
    theirs = Signature(email="twin@example.org", email_normalized="twin@example.org", **details)

    model_insert(mine)
    theirs.save(force_insert=True)

    assert mine.pk is not None and mine._state.adding is False
    stored = Signature.objects.get(pk=mine.pk)
    assert stored.created_at == mine.created_at and stored.updated_at == mine.updated_at
    assert stored.full_name == "Zoë <b>O'Brien</b>"
    assert _row(mine.pk) | {"email": "", "email_normalized": "", "updated_at": None} == _row(
        theirs.pk
    ) | {"email": "", "email_normalized": "", "updated_at": None}


def test_a_duplicate_raises_and_writes_nothing() -> None:
    first = SignatureFactory.create(status=Signature.Status.UNCONFIRMED)
    again = SignatureFactory.build(
        letter=first.letter,
        consent=first.consent,
        email=first.email,
        email_normalized=first.email_normalized,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        model_insert(again)
    assert Signature.objects.filter(letter=first.letter).count() == 1


def test_a_model_with_save_receivers_is_refused() -> None:
    def receiver(**kwargs: Any) -> None:
        pass

    post_save.connect(receiver, sender=SignatureEvent, weak=False)
    try:
        with pytest.raises(TypeError, match="save receivers"):
            model_insert(SignatureEvent(action="x"))
    finally:
        post_save.disconnect(receiver, sender=SignatureEvent)
