"""The EP writes family names in capitals, prefixes and particles included in various ways
("Mairead McGUINNESS", "Johannes Cornelis van BAALEN", "Ramon TREMOSA i BALCELLS"): the
display name gets the family name in its usual case, and the sort name starts with it."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from letters.legislators.importers import split_ep_name
from letters.legislators.models import Legislator

FIXTURES = Path(__file__).parent / "fixtures" / "ep"


@pytest.mark.parametrize(
    ("full_name", "display", "sort_name"),
    [
        ("Mairead McGUINNESS", "Mairead McGuinness", "McGuinness, Mairead"),
        ("David McALLISTER", "David McAllister", "McAllister, David"),
        ("Mairead MCGUINNESS", "Mairead McGuinness", "McGuinness, Mairead"),  # all capitals
        ("Fiona MacDONALD", "Fiona MacDonald", "MacDonald, Fiona"),
        ("Monica MACOVEI", "Monica Macovei", "Macovei, Monica"),  # Mac is not a prefix here
        ("Patrick O'FLYNN", "Patrick O'Flynn", "O'Flynn, Patrick"),
        (
            "Christine REVAULT D'ALLONNES BONNEFOY",
            "Christine Revault d'Allonnes Bonnefoy",
            "Revault d'Allonnes Bonnefoy, Christine",
        ),
        ("Rosa D'AMATO", "Rosa D'Amato", "D'Amato, Rosa"),
        (
            "Johannes Cornelis van BAALEN",
            "Johannes Cornelis van Baalen",
            "Baalen, Johannes Cornelis van",
        ),
        ("Sophia in 't VELD", "Sophia in 't Veld", "Veld, Sophia in 't"),
        (
            "Lidia Joanna GERINGER de OEDENBERG",
            "Lidia Joanna Geringer de Oedenberg",
            "Geringer de Oedenberg, Lidia Joanna",
        ),
        (
            "Róża Gräfin von THUN UND HOHENSTEIN",
            "Róża Gräfin von Thun und Hohenstein",
            "Thun und Hohenstein, Róża Gräfin von",
        ),
        ("Ramon TREMOSA i BALCELLS", "Ramon Tremosa i Balcells", "Tremosa i Balcells, Ramon"),
        ("António MARINHO E PINTO", "António Marinho e Pinto", "Marinho e Pinto, António"),
        (
            "Agustín DÍAZ DE MERA GARCÍA CONSUEGRA",
            "Agustín Díaz de Mera García Consuegra",
            "Díaz de Mera García Consuegra, Agustín",
        ),
        ("Paolo DE CASTRO", "Paolo De Castro", "De Castro, Paolo"),
        (
            "Clara Eugenia AGUILERA GARCÍA",
            "Clara Eugenia Aguilera García",
            "Aguilera García, Clara Eugenia",
        ),
        ("Jean-Marie CAVADA", "Jean-Marie Cavada", "Cavada, Jean-Marie"),
        ("Cher", "Cher", "Cher"),
    ],
)
def test_family_names_in_capitals(full_name: str, display: str, sort_name: str) -> None:
    assert split_ep_name(full_name) == (display, sort_name)


@pytest.mark.django_db
def test_imported_mcguinness_is_named_and_sorted_by_her_family_name() -> None:
    call_command("import_meps", str(FIXTURES / "full_list_mt_ga_el_hu_pl.xml"), stdout=StringIO())

    mcguinness = Legislator.objects.get(ep_id=28115)
    assert (mcguinness.full_name, mcguinness.sort_name) == (
        "Mairead McGuinness",
        "McGuinness, Mairead",
    )
    names = list(Legislator.objects.values_list("sort_name", flat=True))
    assert names.index("McGuinness, Mairead") < names.index("Metsola, Roberta")
