"""Members of the European Parliament load from the EP's public files, idempotently."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from letters.legislators.models import Committee, CommitteeMembership, Legislator

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "ep"


def import_meps(*names: str, **options: object) -> str:
    out = StringIO()
    call_command("import_meps", *(str(FIXTURES / n) for n in names), stdout=out, **options)
    return out.getvalue()


def test_french_mep_list_creates_members_with_codes_and_reports_bad_rows() -> None:
    output = import_meps("full_list_fr.xml")

    assert "Members: 5 created, 0 updated, 0 unchanged, 0 marked inactive" in output
    assert "Rejected rows: 2" in output
    assert "entry 6: Unknown country 'Atlantide'." in output
    assert "entry 7: Missing id." in output
    benifei = Legislator.objects.get(ep_id=124867)
    assert (benifei.full_name, benifei.sort_name) == ("Brando Benifei", "Benifei, Brando")
    assert benifei.country == "IT"
    assert benifei.political_group_code == "S&D"
    assert benifei.national_party == "Partito Democratico"
    assert benifei.source == Legislator.Source.EP_XML
    # "Tchéquie" is the EP's French label, not django-countries' "Tchéquie (République)"
    assert Legislator.objects.get(ep_id=124708).country == "CZ"
    assert Legislator.objects.get(ep_id=124708).political_group_code == "ALDE"
    aguilera = Legislator.objects.get(ep_id=125045)
    assert aguilera.full_name == "Clara Eugenia Aguilera García"
    assert aguilera.sort_name == "Aguilera García, Clara Eugenia"
    assert Legislator.objects.get(ep_id=124953).full_name == "Patrick O'Flynn"
    assert Legislator.objects.get(ep_id=124953).political_group_code == "EFDD"
    assert Legislator.objects.get(ep_id=28266).full_name == "Sophia in 't Veld"


def test_importing_again_changes_nothing() -> None:
    import_meps("full_list_fr.xml")
    before = list(Legislator.objects.order_by("pk").values())

    output = import_meps("full_list_fr.xml")

    assert "Members: 0 created, 0 updated, 5 unchanged, 0 marked inactive" in output
    after = list(Legislator.objects.order_by("pk").values())
    assert [{**r, "last_imported_at": None, "updated_at": None} for r in after] == [
        {**r, "last_imported_at": None, "updated_at": None} for r in before
    ]


def test_a_later_list_in_another_language_updates_and_retires_members() -> None:
    import_meps("full_list_fr.xml")

    output = import_meps("full_list_de.xml")

    # Benifei unchanged except the label's language; Charanzová moved group; two new;
    # three no longer listed become inactive and stay in the database.
    assert "2 created" in output
    assert "3 marked inactive" in output
    charanzova = Legislator.objects.get(ep_id=124708)
    # stored under the group's English name, whatever the list's language
    assert charanzova.political_group == "Renew Europe Group"
    assert charanzova.political_group_code == "Renew"
    assert Legislator.objects.get(ep_id=197445).political_group_code == "Greens/EFA"
    assert Legislator.objects.get(ep_id=96932).country == "DE"
    assert set(Legislator.objects.filter(is_active=False).values_list("ep_id", flat=True)) == {
        28266,
        125045,
        124953,
    }
    assert Legislator.objects.count() == 7


def test_outgoing_list_marks_only_those_listed_inactive() -> None:
    import_meps("full_list_fr.xml")

    output = import_meps("outgoing_fr.xml", outgoing=True)

    assert "1 marked inactive" in output
    assert list(Legislator.objects.filter(is_active=False).values_list("ep_id", flat=True)) == [
        124953
    ]


def test_open_data_json_brings_members_email_and_committee_roles() -> None:
    output = import_meps(
        "show_current.json", "corporate_bodies.json", "mep_124867.json", "mep_197665.json"
    )

    assert "Members: 3 created" in output
    assert "Rejected rows: 1" in output
    assert {c.code: c.name for c in Committee.objects.all()} == {
        "IMCO": "Committee on the Internal Market and Consumer Protection",
        "LIBE": "Committee on Civil Liberties, Justice and Home Affairs",
    }
    benifei = Legislator.objects.get(ep_id=124867)
    assert benifei.email == "brando.benifei@europarl.europa.eu"
    assert benifei.source == Legislator.Source.EP_OPEN_DATA
    assert benifei.political_group_code == "S&D"
    roles = {
        (m.committee.code, m.role, m.is_active)
        for m in CommitteeMembership.objects.filter(legislator=benifei)
    }
    # The current LIBE substitute period wins over the one that ended in 2024.
    assert roles == {("IMCO", "member", True), ("LIBE", "substitute", True)}
    tudorache = CommitteeMembership.objects.get(legislator__ep_id=197665)
    assert (tudorache.committee.code, tudorache.is_active) == ("LIBE", False)
    # The political group in corporate-bodies is not a committee.
    assert not Committee.objects.filter(code="SD").exists()

    again = import_meps(
        "show_current.json", "corporate_bodies.json", "mep_124867.json", "mep_197665.json"
    )
    assert "memberships: 0 created, 0 updated, 0 ended" in again
    assert "0 created, 0 updated, 3 unchanged" in again


def test_xml_then_open_data_keeps_the_national_party() -> None:
    import_meps("full_list_fr.xml")
    import_meps("show_current.json", partial=True)

    benifei = Legislator.objects.get(ep_id=124867)
    assert benifei.national_party == "Partito Democratico"
    assert benifei.is_active
    # --partial: members missing from the file are left alone
    assert Legislator.objects.filter(is_active=False).count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("entity_expansion.xml", "forbidden construct"),
        ("external_entity.xml", "forbidden construct"),
        ("truncated.json", "not valid JSON"),
    ],
)
def test_unsafe_or_broken_files_import_nothing(name: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        import_meps(name)
    assert not Legislator.objects.exists()


def test_a_missing_file_says_so() -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        import_meps("no_such_file.xml")


def test_demo_seeds_imco_and_libe_with_the_rapporteurs() -> None:
    from letters.legislators.demo import seed

    seed(stdout=StringIO())
    seed(stdout=StringIO())

    assert set(Committee.objects.values_list("code", flat=True)) == {"IMCO", "LIBE"}
    assert Legislator.objects.get(ep_id=124867).memberships.get(committee__code="IMCO")
    assert Legislator.objects.get(ep_id=197665).memberships.get(committee__code="LIBE")
    assert CommitteeMembership.objects.count() == 10
