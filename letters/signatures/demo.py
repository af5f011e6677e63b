"""Demo signatories: invented people (their surnames say "example" in their own language),
signed through the same services as the web form, so their levels and counters are real."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from letters.campaigns.models import Letter
from letters.institutions.models import Institution
from letters.signatures.models import Signature
from letters.signatures.services import (
    SignatureInput,
    consent_current,
    signature_confirm,
    signature_submit,
    signature_transition,
)
from letters.signatures.stats import letter_stats_refresh

# (name, title, institution name or free text, email, country, capacity)
PEOPLE = [
    ("Anna Beispiel", "Professor of Machine Learning", "Technical University of Munich", "anna.beispiel@tum.de", "DE"),
    ("Jonas Muster", "PhD candidate", "Technical University of Munich", "jonas.muster@tum.de", "DE"),
    ("Jeanne Exemple", "Research director", "Inria", "jeanne.exemple@inria.fr", "FR"),
    ("Hugo Modèle", "Associate professor", "Sorbonne Université", "hugo.modele@sorbonne-universite.fr", "FR"),
    ("Maria Esempio", "Researcher", "Sapienza University of Rome", "maria.esempio@uniroma1.it", "IT"),
    ("Sanne Voorbeeld", "Assistant professor", "University of Amsterdam", "sanne.voorbeeld@uva.nl", "NL"),
    ("Piotr Przykład", "Postdoctoral researcher", "University of Warsaw", "piotr.przyklad@uw.edu.pl", "PL"),
    ("Tereza Příkladová", "Lecturer", "Charles University", "tereza.prikladova@cuni.cz", "CZ"),
    ("Mads Eksempel", "Professor", "University of Copenhagen", "mads.eksempel@ku.dk", "DK"),
    ("Lukas Beispielmann", "Group leader", "Max Planck Society", "lukas.beispielmann@mpg.de", "DE"),
    ("Nora Exempel", "Software engineer", "", "nora.exempel@example.org", "SE"),
    ("Αλέξανδρος Παράδειγμα", "Researcher", "", "alexandros@example.org", "GR"),
    ("Иван Пример", "Developer", "", "ivan.primer@example.org", "BG"),
    ("Carmen Ejemplo", "Data scientist", "Universidad de Ejemplo", "carmen.ejemplo@example.org", "ES"),
    ("João Exemplo", "Engineer", "", "joao.exemplo@example.org", "PT"),
    ("Aoife Sampla", "Open-source maintainer", "", "aoife.sampla@example.org", "IE"),
    ("Matti Esimerkki", "Researcher", "", "matti.esimerkki@example.org", "FI"),
    ("Eva Príklad", "Student", "", "eva.priklad@example.org", "SK"),
    ("Kristjan Näide", "CTO", "", "kristjan.naide@example.org", "EE"),
    ("Lena Exempel", "Product manager", "", "lena.exempel@example.org", "AT"),
]  # fmt: skip

ORGANISATIONS = [
    ("Dana Beispiel", "Executive director", "European Laboratory for Learning and Intelligent Systems (ELLIS)", "dana.beispiel@ellis.eu", "DE"),
    ("Felix Muster", "Policy lead", "KI Bundesverband (German AI Association)", "felix.muster@ki-verband.de", "DE"),
]  # fmt: skip


def _sign(letter: Letter, row: tuple[str, ...], capacity: str) -> Signature | None:
    name, title, institution_name, email, country = row
    institution = Institution.objects.filter(name=institution_name).first()
    result = signature_submit(
        letter=letter,
        version=letter.current_version,  # type: ignore[arg-type]
        data=SignatureInput(
            full_name=name,
            email=email,
            title=title,
            institution=institution,
            institution_name=institution_name,
            country=country,
            capacity=capacity,
        ),
        consent=consent_current(),
    )
    return signature_confirm(signature_id=result.signature_id)


def seed(*, stdout: Any) -> None:
    letters = list(Letter.objects.filter(status=Letter.Status.OPEN).order_by("position"))
    if not letters or Signature.objects.filter(email__endswith="@example.org").exists():
        stdout.write("Signatures: demo signatories present")
        return
    with transaction.atomic():
        for index, letter in enumerate(letters):
            people = PEOPLE if index == 0 else PEOPLE[::2]
            signed = [_sign(letter, row, Signature.Capacity.INDIVIDUAL) for row in people]
            for rank, signature in enumerate(signed[:3], start=1):
                if signature is not None:
                    Signature.objects.filter(pk=signature.pk).update(featured_rank=rank)
            for row in ORGANISATIONS:
                signature = _sign(letter, row, Signature.Capacity.ORGANISATION)
                if signature is not None:
                    locked = (
                        Signature.objects.select_for_update(of=("self",))
                        .select_related("letter", "institution")
                        .get(pk=signature.pk)
                    )
                    signature_transition(
                        signature=locked,
                        to_status=Signature.Status.APPROVED,
                        action="approved",
                        reason="Demo: representative checked",
                    )
            letter_stats_refresh(letter_id=letter.pk)
    stdout.write(f"Signatures: demo signatories on {len(letters)} letters")
