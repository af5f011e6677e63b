"""Demo institutions with their real email domains (the registry proper comes from the
ROR and university-domains imports)."""

from __future__ import annotations

from typing import Any

from letters.institutions.models import Institution, InstitutionDomain

INSTITUTIONS = [
    ("Technical University of Munich", "DE", Institution.Kind.UNIVERSITY, "02kkvpp62", ["tum.de"]),
    ("University of Amsterdam", "NL", Institution.Kind.UNIVERSITY, "04dkp9463", ["uva.nl"]),
    ("Sorbonne Université", "FR", Institution.Kind.UNIVERSITY, "02en5vm52", ["sorbonne-universite.fr"]),
    ("ETH Zurich", "CH", Institution.Kind.UNIVERSITY, "05a28rw58", ["ethz.ch"]),
    ("Max Planck Society", "DE", Institution.Kind.RESEARCH, "01hhn8329", ["mpg.de"]),
    ("Inria", "FR", Institution.Kind.RESEARCH, "02kvxyf05", ["inria.fr"]),
    ("University of Warsaw", "PL", Institution.Kind.UNIVERSITY, "039bjqg32", ["uw.edu.pl"]),
    ("Charles University", "CZ", Institution.Kind.UNIVERSITY, "024d6js02", ["cuni.cz"]),
    ("University of Copenhagen", "DK", Institution.Kind.UNIVERSITY, "035b05819", ["ku.dk"]),
    ("Sapienza University of Rome", "IT", Institution.Kind.UNIVERSITY, "02be6w209", ["uniroma1.it"]),
    ("European Laboratory for Learning and Intelligent Systems (ELLIS)", "DE", Institution.Kind.NONPROFIT, "", ["ellis.eu"]),
    ("KI Bundesverband (German AI Association)", "DE", Institution.Kind.NONPROFIT, "", ["ki-verband.de"]),
]  # fmt: skip


def seed(*, stdout: Any) -> None:
    created = 0
    for name, country, kind, ror_id, domains in INSTITUTIONS:
        institution, was_created = Institution.objects.get_or_create(
            name=name, defaults={"country": country, "kind": kind, "ror_id": ror_id}
        )
        created += was_created
        for domain in domains:
            InstitutionDomain.objects.get_or_create(institution=institution, domain=domain)
    stdout.write(f"Institutions: {created} created, {len(INSTITUTIONS) - created} present")
