"""A row of a full MEP list that cannot be read (a country label we do not know, a missing
name) says nothing about whether that Member left: only Members absent from the list are
marked inactive, never those whose row was rejected."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from letters.legislators.models import Legislator

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "ep"


def import_meps(name: str) -> str:
    out = StringIO()
    call_command("import_meps", str(FIXTURES / name), stdout=out)
    return out.getvalue()


def test_members_whose_rows_are_rejected_stay_active() -> None:
    import_meps("full_list_fr.xml")

    # Benifei's country is unreadable, Charanzová's name is missing, O'Flynn is not listed.
    output = import_meps("full_list_fr_unreadable_rows.xml")

    assert "Rejected rows: 2" in output
    assert "entry 1: Unknown country 'Italia (République italienne)'." in output
    assert "entry 2: Missing fullName." in output
    assert "1 marked inactive" in output
    assert set(Legislator.objects.filter(is_active=False).values_list("ep_id", flat=True)) == {
        124953
    }
    benifei = Legislator.objects.get(ep_id=124867)
    assert benifei.is_active
    assert benifei.country == "IT"  # what we had is kept
