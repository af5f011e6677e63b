"""Moderation: pre- and post-moderated letters, approving, rejecting with a reason,
flagging and featuring, from the list and from a signature's own page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from letters.campaigns.models import Letter
from letters.signatures.models import Signature, SignatureEvent
from letters.signatures.stats import letter_stats_refresh
from tests.curation.admin_helpers import act, act_on_page, messages_of, public_names
from tests.curation.people import ANNA, CLARA, sign_and_confirm, tum
from tests.factories import LetterFactory, SignatureFactory
from tests.signing import committed
from tests.staff import staff_login, staff_user

pytestmark = pytest.mark.django_db
Status = Signature.Status


@pytest.fixture
def curator(client: Client) -> Client:
    return staff_login(client, staff_user(CLARA, role="curator"))


def shown(client: Client, letter: Letter) -> list[str]:
    letter_stats_refresh(letter_id=letter.pk)
    return public_names(Client(), letter.slug)


def test_pre_moderated_signatures_wait_for_approval(curator: Client) -> None:
    letter = LetterFactory.create(moderation=Letter.Moderation.PRE)
    anna = sign_and_confirm(letter, institution=tum(), **ANNA)
    assert anna.status == Status.CONFIRMED and not anna.is_public
    assert shown(curator, letter) == []
    queue = curator.get("/admin/signatures/signature/", {"status__exact": "queue"})
    assert "Anna Beispiel" in queue.content.decode()
    counts = {"letter__id__exact": str(letter.pk)}
    listed = curator.get("/admin/signatures/signature/", counts).content.decode()
    assert "Confirmed (1)" in listed and "Waiting for review (1)" in listed

    response = act(curator, "approve", [anna])

    assert "1 signature approved." in messages_of(response)
    page = curator.get("/admin/signatures/signature/", counts).content.decode()
    assert "Approved (1)" in page and "Confirmed (0)" in page  # the counts follow at once
    anna.refresh_from_db()
    assert anna.status == Status.APPROVED and anna.is_public
    assert shown(curator, letter) == ["Anna Beispiel"]
    event = anna.events.get(action="approved")
    assert event.actor is not None and event.actor.email == CLARA
    assert (event.from_status, event.to_status) == (Status.CONFIRMED, Status.APPROVED)


def test_post_moderated_signatures_show_and_can_be_rejected_with_a_reason(
    curator: Client,
) -> None:
    letter = LetterFactory.create(moderation=Letter.Moderation.POST)
    anna = sign_and_confirm(letter, institution=tum(), **ANNA)
    assert shown(curator, letter) == ["Anna Beispiel"]

    form = act(curator, "reject", [anna])  # asks for the reason first
    assert "Reject signatures" in form.content.decode()
    act(curator, "reject", [anna], apply="yes", reason="")  # no reason: refused
    anna.refresh_from_db()
    assert anna.status == Status.CONFIRMED

    act(curator, "reject", [anna], apply="yes", reason="Not the real Anna: her office says so")
    anna.refresh_from_db()
    assert anna.status == Status.REJECTED and not anna.is_public
    assert anna.events.get(action="rejected").reason == "Not the real Anna: her office says so"
    assert shown(curator, letter) == []


def test_flagging_hides_until_approved(curator: Client) -> None:
    letter = LetterFactory.create()
    anna = sign_and_confirm(letter, institution=tum(), **ANNA)
    act(curator, "flag", [anna], apply="yes", reason="Checking with her university")
    anna.refresh_from_db()
    assert anna.status == Status.FLAGGED and shown(curator, letter) == []
    act(curator, "approve", [anna])
    assert shown(curator, letter) == ["Anna Beispiel"]


def test_an_action_from_the_signature_page(curator: Client) -> None:
    letter = LetterFactory.create(moderation=Letter.Moderation.PRE)
    anna = sign_and_confirm(letter, institution=tum(), **ANNA)
    page = curator.get(f"/admin/signatures/signature/{anna.pk}/change/").content.decode()
    assert "Approve: show on the letter" in page
    act_on_page(curator, "approve", anna)
    anna.refresh_from_db()
    assert anna.status == Status.APPROVED


def test_what_nobody_proved_is_never_approved(curator: Client) -> None:
    letter = LetterFactory.create()
    pending = SignatureFactory.create(letter=letter, status=Status.UNCONFIRMED, is_public=False,
                                      confirmed_at=None)  # fmt: skip
    gone = SignatureFactory.create(letter=letter, status=Status.WITHDRAWN, is_public=False)
    response = act(curator, "approve", [pending, gone])
    assert messages_of(response) == [
        "0 signatures approved. Left as they were: 1 not confirmed by their signer yet; "
        "1 withdrawn by their signer."
    ]
    assert not SignatureEvent.objects.filter(action="approved").exists()


def test_featured_signatories_come_first_in_the_order_set(curator: Client) -> None:
    letter = LetterFactory.create()
    ana = SignatureFactory.create(letter=letter, full_name="Ana")
    ben = SignatureFactory.create(letter=letter, full_name="Ben")
    SignatureFactory.create(letter=letter, full_name="Cy")
    assert shown(curator, letter) == ["Cy", "Ben", "Ana"]  # newest first
    form = act(curator, "feature", [ben, ana]).content.decode()
    assert 'name="rank-' in form  # positions proposed, to be set
    ranks: dict[str, Any] = {f"rank-{ana.pk}": 1, f"rank-{ben.pk}": 2}
    act(curator, "feature", [ben, ana], apply="yes", **ranks)
    assert shown(curator, letter) == ["Ana", "Ben", "Cy"]
    ana.refresh_from_db()
    event = ana.events.get(action="featured")
    assert event.changes == {"featured_rank": [None, 1]}
    act(curator, "unfeature", [ana])
    assert shown(curator, letter) == ["Ben", "Cy", "Ana"]


def test_select_all_acts_on_everything_the_filters_select(curator: Client) -> None:
    letter = LetterFactory.create(moderation=Letter.Moderation.PRE)
    other = LetterFactory.create(moderation=Letter.Moderation.PRE)
    waiting = SignatureFactory.create_batch(130, letter=letter, is_public=False)
    elsewhere = SignatureFactory.create(letter=other, is_public=False)
    response = act(
        curator,
        "approve",
        waiting[:1],
        query=f"?letter__id__exact={letter.pk}&status__exact=confirmed",
        select_across=1,
    )
    assert "130 signatures approved." in messages_of(response)
    assert Signature.objects.filter(letter=letter, status=Status.APPROVED).count() == 130
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.CONFIRMED


@override_settings(CURATION_BULK_MAX=5)
def test_a_bulk_action_over_the_limit_changes_nothing(curator: Client) -> None:
    signatures = SignatureFactory.create_batch(6, is_public=False)
    response = act(curator, "approve", signatures)
    assert "more than 5 signatures" in messages_of(response)[0]
    assert not Signature.objects.filter(status=Status.APPROVED).exists()


def test_switching_a_letter_to_pre_moderation_holds_what_nobody_approved(
    curator: Client,
) -> None:
    letter = LetterFactory.create(moderation=Letter.Moderation.POST)
    anna = sign_and_confirm(letter, institution=tum(), **ANNA)
    approved = SignatureFactory.create(letter=letter, full_name="Ben", status=Status.APPROVED)
    assert shown(curator, letter) == ["Ben", "Anna Beispiel"]
    letter.moderation = Letter.Moderation.PRE
    with committed():
        letter.save()
    assert shown(curator, letter) == ["Ben"]
    anna.refresh_from_db()
    assert anna.status == Status.CONFIRMED and not anna.is_public
    letter.moderation = Letter.Moderation.POST
    with committed():
        letter.save()
    assert shown(curator, letter) == ["Ben", "Anna Beispiel"]
    approved.refresh_from_db()
    assert approved.is_public


def test_the_queue_holds_organisation_signatures_of_a_post_moderated_letter(
    curator: Client,
) -> None:
    letter = LetterFactory.create(moderation=Letter.Moderation.POST)
    SignatureFactory.create(letter=letter, full_name="Shown Person")
    SignatureFactory.create(
        letter=letter, full_name="Open Future", capacity="organisation", is_public=False
    )
    queue = curator.get("/admin/signatures/signature/", {"status__exact": "queue"})
    page = queue.content.decode()
    assert "Open Future" in page and "Shown Person" not in page


def test_the_country_filter_offers_countries_of_signatures_not_shown_yet(
    curator: Client,
) -> None:
    letter = LetterFactory.create(moderation=Letter.Moderation.PRE)
    SignatureFactory.create(letter=letter, country="PT", is_public=False)
    SignatureFactory.create_batch(2, letter=letter, country="PT", status="approved")
    SignatureFactory.create(letter=letter, country="FI", status="approved")
    letter_stats_refresh(letter_id=letter.pk)
    page = curator.get("/admin/signatures/signature/", {"letter__id__exact": str(letter.pk)})
    html = page.content.decode()
    assert "Portugal (3)" in html and "Finland (1)" in html
