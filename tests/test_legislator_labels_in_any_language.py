# ruff: noqa: RUF001 (Greek letters, en dashes and curly quotes are what the EP writes)
"""The EP publishes its MEP list in each of the EU's 24 languages: country and political
group labels read the same in all of them, and the group is stored under its code and its
English name (packets are in English)."""

from __future__ import annotations

import unicodedata
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from letters.legislators import importers, labels
from letters.legislators.models import Legislator

FIXTURES = Path(__file__).parent / "fixtures" / "ep"

EU_LANGUAGES = {
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
    "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
}  # fmt: skip
MEMBER_STATES = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip

EPP = "Group of the European People's Party (Christian Democrats)"
GUE_NGL = "Confederal Group of the European United Left - Nordic Green Left"


@pytest.mark.django_db
def test_a_list_with_maltese_irish_greek_hungarian_and_polish_labels_imports_whole() -> None:
    out = StringIO()
    call_command("import_meps", str(FIXTURES / "full_list_mt_ga_el_hu_pl.xml"), stdout=out)

    assert "Members: 12 created" in out.getvalue()
    assert "Rejected rows: 0" in out.getvalue()
    found = {
        m.ep_id: (m.country, m.political_group_code, m.political_group)
        for m in Legislator.objects.all()
    }
    assert found == {
        118859: ("MT", "EPP", EPP),
        124806: ("DE", "EPP", EPP),  # "Il-Ġermanja"
        28115: ("IE", "EPP", EPP),  # "Éire"
        124984: ("IE", "GUE/NGL", GUE_NGL),
        96932: ("DE", "S&D", labels.POLITICAL_GROUPS[-2].name),  # "An Ghearmáin"
        125068: ("GR", "EPP", EPP),
        28586: ("GR", "GUE/NGL", GUE_NGL),
        124721: ("HU", "Greens/EFA", "Group of the Greens/European Free Alliance"),
        96661: ("HU", "NI", "Non-attached Members"),
        28372: ("PL", "ECR", "European Conservatives and Reformists Group"),
        124902: ("PL", "ENF", "Europe of Nations and Freedom Group"),
        96776: ("PL", "EPP", EPP),
    }


# The Parliament's label for Germany in each official language, as its lists write it.
GERMANY = {
    "bg": "Германия", "cs": "Německo", "da": "Tyskland", "de": "Deutschland",
    "el": "Γερμανία", "en": "Germany", "es": "Alemania", "et": "Saksamaa", "fi": "Saksa",
    "fr": "Allemagne", "ga": "An Ghearmáin", "hr": "Njemačka", "hu": "Németország",
    "it": "Germania", "lt": "Vokietija", "lv": "Vācija", "mt": "Il-Ġermanja",
    "nl": "Duitsland", "pl": "Niemcy", "pt": "Alemanha", "ro": "Germania", "sk": "Nemecko",
    "sl": "Nemčija", "sv": "Tyskland",
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(GERMANY))
def test_germany_reads_in_every_official_language(language: str) -> None:
    assert importers.country_code(GERMANY[language]) == "DE"


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("L-Italja", "IT"),
        ("Italja", "IT"),  # without the article
        ("Iċ-Ċekja", "CZ"),
        ("L-Iżvezja", "SE"),
        ("An tSualainn", "SE"),
        ("Poblacht na Seice", "CZ"),
        ("AN ÍSILTÍR", "NL"),
        ("Ţările de Jos", "NL"),  # the cedilla some Romanian text still uses
        ("EL", "GR"),  # the EU's code for Greece
        ("Atlantide", None),
    ],
)
def test_country_labels_with_articles_and_variants(label: str, code: str | None) -> None:
    assert importers.country_code(label) == code


def test_the_country_table_covers_every_member_state_in_every_language_unambiguously() -> None:
    assert set(labels.COUNTRY_NAMES) == MEMBER_STATES | {"GB"}
    seen: dict[str, str] = {}
    for code, by_language in labels.COUNTRY_NAMES.items():
        assert set(by_language) == EU_LANGUAGES, code
        for names in by_language.values():
            for name in names:
                assert unicodedata.is_normalized("NFC", name), name
                folded = importers.fold(name)
                assert seen.setdefault(folded, code) == code, name
                assert importers.country_code(name) == code, name


# Labels of the groups as the Parliament writes them, the 10th term's (2024-) and earlier.
GROUP_LABELS = [
    ("el", "Ομάδα «Πατριώτες για την Ευρώπη»", "PfE"),
    ("el", "Ομάδα της Αριστεράς στο Ευρωπαϊκό Κοινοβούλιο - GUE/NGL", "The Left"),
    ("el", "Ομάδα των Ευρωπαίων Συντηρητικών και Μεταρρυθμιστών", "ECR"),
    ("el", "Ομάδα «Ευρώπη των Κυρίαρχων Εθνών»", "ESN"),
    ("el", "Μη εγγεγραμμένοι", "NI"),
    ("el", "Ομάδα «Ταυτότητα και Δημοκρατία»", "ID"),
    ("hu", "Patrióták Európáért képviselőcsoport", "PfE"),
    ("hu", "az Európai Néppárt (Kereszténydemokraták) képviselőcsoportja", "EPP"),
    ("hu", "Szuverén Nemzetek Európája képviselőcsoport", "ESN"),
    ("hu", "Baloldali képviselőcsoport az Európai Parlamentben – GUE/NGL", "The Left"),
    ("nl", "Fractie van de Progressieve Alliantie van Socialisten en Democraten in het "
     "Europees Parlement", "S&D"),
    ("nl", "Fractie Patriotten voor Europa", "PfE"),
    ("nl", "Fractie Europa van Soevereine Naties", "ESN"),
    ("nl", "Fractie De Groenen/Vrije Europese Alliantie", "Greens/EFA"),
    ("nl", "Fractie Links in het Europees Parlement - GUE/NGL", "The Left"),
    ("nl", "Fractie Identiteit en Democratie", "ID"),
    ("lt", "Europos liaudies partijos (krikščionių demokratų) frakcija", "EPP"),
    ("lt", "Frakcija „Patriotai už Europą“", "PfE"),
    ("lt", "Europos konservatorių ir reformuotojų frakcija", "ECR"),
    ("lt", "Žaliųjų ir Europos laisvojo aljanso frakcija", "Greens/EFA"),
    ("lt", "Kairiųjų frakcija Europos Parlamente – GUE/NGL", "The Left"),
    ("lt", "Nepriklausomi nariai", "NI"),
    ("cs", "Skupina Evropské lidové strany (křesťanských demokratů)", "EPP"),
    ("cs", "Skupina Patrioti pro Evropu", "PfE"),
    ("cs", "Skupina Evropských konzervativců a reformistů", "ECR"),
    ("cs", "Skupina Evropa suverénních národů", "ESN"),
    ("cs", "Skupina Zelených / Evropské svobodné aliance", "Greens/EFA"),
    ("cs", "Nezařazení poslanci", "NI"),
    ("sv", "Europeiska folkpartiets grupp (kristdemokrater)", "EPP"),
    ("sv", "Gruppen Progressiva förbundet av socialdemokrater i Europaparlamentet", "S&D"),
    ("sv", "Gruppen Patrioter för Europa", "PfE"),
    ("sv", "Vänstergruppen i Europaparlamentet – GUE/NGL", "The Left"),
    ("sv", "Gruppen De gröna/Europeiska fria alliansen", "Greens/EFA"),
    ("sv", "Grupplösa", "NI"),
    ("pl", "Grupa Patrioci dla Europy", "PfE"),
    ("pl", "Grupa Europa Suwerennych Narodów", "ESN"),
    ("pl", "Grupa Lewicy w Parlamencie Europejskim – GUE/NGL", "The Left"),
    ("pl", "Grupa Zielonych / Wolne Przymierze Europejskie", "Greens/EFA"),
    ("pl", "Grupa Postępowego Sojuszu Socjalistów i Demokratów w Parlamencie Europejskim", "S&D"),
    ("pl", "Niezrzeszeni", "NI"),
    ("mt", "Grupp tal-Alleanza Progressiva tas-Soċjalisti u d-Demokratiċi fil-Parlament "
     "Ewropew", "S&D"),
    ("mt", "Grupp tal-Ħodor/Alleanza Libera Ewropea", "Greens/EFA"),
    ("it", "Gruppo Verde/Alleanza libera europea", "Greens/EFA"),
    ("ro", "Grupul Verzilor/Alianța Liberă Europeană", "Greens/EFA"),
    ("ro", "Grupul Alianței Liberalilor și Democraților pentru Europa", "ALDE"),
    ("de", "Fraktion Renew Europe", "Renew"),
    ("de", "Fraktion der Europäischen Volkspartei (Christdemokraten)", "EPP"),
    ("fr", "Groupe confédéral de la Gauche unitaire européenne/Gauche verte nordique", "GUE/NGL"),
    ("fr", "Groupe Europe de la liberté et de la démocratie directe", "EFDD"),
    ("fr", "Groupe Europe des Nations et des Libertés", "ENF"),
    ("fr", "Groupe des Patriotes pour l'Europe", "PfE"),
    ("en", "Group of the European People’s Party (Christian Democrats)", "EPP"),
    ("en", "Europe of Sovereign Nations Group", "ESN"),
    ("en", "S&D", "S&D"),  # the Open Data Portal's acronyms
    ("en", "RENEW", "Renew"),
    ("en", "GREENS_EFA", "Greens/EFA"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "label", "code"), GROUP_LABELS)
def test_group_labels_map_to_their_code_and_english_name(
    language: str, label: str, code: str
) -> None:
    found_code, name = importers.political_group(label)

    assert found_code == code, language
    assert name == next(g.name for g in labels.POLITICAL_GROUPS if g.code == code)


def test_an_unknown_group_keeps_its_label_and_no_code() -> None:
    assert importers.political_group("Grupo de los Astronautas") == ("", "Grupo de los Astronautas")


def test_every_group_has_words_in_every_language() -> None:
    for group in labels.POLITICAL_GROUPS:
        assert "*" in group.stems or set(group.stems) == EU_LANGUAGES, group.code
