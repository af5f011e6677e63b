"""Who appears in the curation tests, and how they sign: through the real signing services
(submit, then confirm), so that fraud signals are computed the way the site computes them."""

from __future__ import annotations

from typing import Any

from letters.campaigns.models import Letter
from letters.institutions.models import Institution
from letters.signatures.models import Signature
from letters.signatures.services import SignatureInput, signature_confirm, signature_submit
from tests.factories import ConsentTextFactory, InstitutionFactory
from tests.signing import committed

# Signatories.
ANNA: dict[
    str, Any
] = {  # a researcher at a registered institution, signing from her institutional address
    "full_name": "Anna Beispiel",
    "email": "anna.beispiel@tum.de",
    "title": "Professor of Machine Learning",
    "country": "DE",
}
MALLORY: dict[str, Any] = {  # signs as a famous person from a throwaway free-mail address
    "full_name": "Ada Lovelace",
    "email": "ada.lovelace.real@gmail.com",
    "country": "GB",
}
# Staff.
CLARA = "clara.curator@laion.example"  # a curator
OSKAR = "oskar.organiser@laion.example"  # an organiser


def tum() -> Institution:
    found = Institution.objects.filter(name="Technical University of Munich").first()
    return found or InstitutionFactory.create(
        name="Technical University of Munich", country="DE", domains=["tum.de"]
    )


def sign_and_confirm(
    letter: Letter,
    *,
    ip_hash: str = "",
    institution: Institution | None = None,
    **fields: Any,
) -> Signature:
    """A signature as the web form makes it, confirmed from its email."""
    consent = ConsentTextFactory.create()
    data = {
        "institution_name": institution.name if institution else "",
        **fields,
    }
    with committed():
        result = signature_submit(
            letter=letter,
            version=letter.current_version,  # type: ignore[arg-type]
            data=SignatureInput(institution=institution, **data),
            consent=consent,
            ip_hash=ip_hash,
        )
        return signature_confirm(signature_id=result.signature_id)
