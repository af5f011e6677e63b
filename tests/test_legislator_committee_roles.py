"""Committee roles from the EP Open Data Portal: every spelling of the EP's role vocabulary
maps to one of ours, a Member holding two current roles in one committee keeps the highest,
and an entry whose role we do not know is reported, not silently dropped."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from letters.legislators.models import CommitteeMembership

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "ep"


def import_meps(*names: str) -> str:
    out = StringIO()
    call_command("import_meps", *(str(FIXTURES / n) for n in names), stdout=out)
    return out.getvalue()


def roles(ep_id: int) -> set[tuple[str, str, bool]]:
    return {
        (m.committee.code, m.role, m.is_active)
        for m in CommitteeMembership.objects.filter(legislator__ep_id=ep_id)
    }


def test_ep_role_uris_map_and_the_highest_current_role_wins() -> None:
    # show_current.json gives the countries; mep_roles.json the memberships
    output = import_meps("show_current.json", "corporate_bodies.json", "mep_roles.json")

    # IMCO: MEMBER then CHAIR_VICE, both current; LIBE: MEMBER_SUBSTITUTE
    assert roles(124867) == {("IMCO", "vice_chair", True), ("LIBE", "substitute", True)}
    # LIBE: CHAIR then MEMBER, both current; IMCO: a past SUBSTITUTE, a current
    # MEMBER_SUBSTITUTE
    assert roles(197665) == {("LIBE", "chair", True), ("IMCO", "substitute", True)}
    # show_current.json's row without a numeric identifier
    assert "Rejected rows: 1" in output

    again = import_meps("show_current.json", "corporate_bodies.json", "mep_roles.json")
    assert "memberships: 0 created, 0 updated, 0 ended" in again


def test_an_unknown_role_is_rejected_with_its_reason_and_ends_nothing() -> None:
    import_meps("show_current.json", "corporate_bodies.json", "mep_124867.json")
    assert roles(124867) == {("IMCO", "member", True), ("LIBE", "substitute", True)}

    output = import_meps("corporate_bodies.json", "mep_124867_unknown_role.json")

    assert "Rejected rows: 1" in output
    assert "Member 124867: unknown committee role 'OBSERVER' in LIBE" in output
    # We cannot tell what the Member now is in LIBE, so what we knew stays.
    assert "0 ended" in output
    assert roles(124867) == {("IMCO", "member", True), ("LIBE", "substitute", True)}
