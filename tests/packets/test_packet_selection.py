"""Which signatures a packet lists, and in what order: only what the public may see, never
a withdrawn, rejected, flagged or unconfirmed one; organisations apart and first, featured
signatories first; the options "approved only" and a cut-off date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from letters.packets.listing import rows_from_signatures
from letters.packets.selectors import packet_signatories, packet_signatory_rows
from letters.signatures.models import Signature
from tests.packets.world import APPROVED, build_world

pytestmark = pytest.mark.django_db


def names(
    *,
    letter_id: int,
    approved_only: bool = False,
    cutoff: dt.datetime | None = None,
    featured_first: bool = True,
) -> list[str]:
    signatures = packet_signatories(
        letter_id=letter_id,
        approved_only=approved_only,
        cutoff=cutoff,
        featured_first=featured_first,
    )
    return [s.public_name for s in signatures]


def test_lists_what_the_public_sees_organisations_then_featured_then_confirmation_order() -> None:
    world = build_world()
    listed = names(letter_id=world.letter.pk)
    assert listed == [
        "Open Future",
        "Ada Lovelace",
        "Jana Nováková",
        "Maria Rossi",
        "Luca Bianchi",
        "Αλέξανδρος Παπαδόπουλος",
        "Дмитрий Иванов",
    ]
    assert not set(listed) & set(world.never_listed)


def test_without_featured_first_the_confirmation_order_rules() -> None:
    world = build_world()
    listed = names(letter_id=world.letter.pk, featured_first=False)
    assert listed[:3] == ["Open Future", "Ada Lovelace", "Maria Rossi"]


def test_approved_only() -> None:
    world = build_world()
    assert sorted(names(letter_id=world.letter.pk, approved_only=True)) == sorted(APPROVED)


def test_cutoff_keeps_signatures_confirmed_up_to_it() -> None:
    world = build_world()
    luca = Signature.objects.get(full_name="Luca Bianchi")
    listed = names(letter_id=world.letter.pk, cutoff=luca.confirmed_at)
    assert "Luca Bianchi" in listed
    assert "Дмитрий Иванов" not in listed  # confirmed after Luca
    assert names(letter_id=world.letter.pk, cutoff=timezone.now() - dt.timedelta(days=30)) == []


def test_display_choices_are_honoured() -> None:
    world = build_world()
    Signature.objects.filter(full_name="Maria Rossi").update(
        display_name="M. Rossi", title="Professor", show_affiliation=False
    )
    Signature.objects.filter(full_name="Ada Lovelace").update(title="Countess")
    maria = next(
        s
        for s in packet_signatories(
            letter_id=world.letter.pk, approved_only=False, cutoff=None, featured_first=True
        )
        if s.full_name == "Maria Rossi"
    )
    assert (maria.public_name, maria.public_affiliation) == ("M. Rossi", "")
    # The rows a job lists are read from plain rows of the same columns, the same way.
    rows = rows_from_signatures(
        packet_signatory_rows(
            letter_id=world.letter.pk, approved_only=False, cutoff=None, featured_first=True
        )
    )
    assert world.letter.current_version is not None
    version = world.letter.current_version.number
    shown = {(r.name, r.title, r.institution, r.version) for r in rows}
    assert ("M. Rossi", "", "", version) in shown
    assert ("Ada Lovelace", "Countess", "University of London", version) in shown
    assert not any(r.name == "Maria Rossi" for r in rows)
