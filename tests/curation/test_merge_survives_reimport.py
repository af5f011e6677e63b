"""A merge an organiser made survives the next import of the registry: the duplicate stays
merged and inactive, the kept institution keeps its name and every domain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from letters.curation.services import institutions_merge
from letters.institutions.models import Institution, InstitutionDomain
from letters.institutions.services import institutions_import

pytestmark = pytest.mark.django_db

# The same university twice, as the university list sometimes has it.
ENTRIES = [
    {"name": "TU München", "country": "Germany", "alpha_two_code": "DE",
     "domains": ["mytum.de"], "web_pages": [], "state-province": None},
    {"name": "Technical University of Munich", "country": "Germany", "alpha_two_code": "DE",
     "domains": ["tum.de"], "web_pages": [], "state-province": None},
]  # fmt: skip


def test_a_merge_survives_the_next_import(tmp_path: Path) -> None:
    path = tmp_path / "world_universities_and_domains.json"
    path.write_text(json.dumps(ENTRIES))
    institutions_import(path=path)
    duplicate = Institution.objects.get(name="TU München")
    kept = Institution.objects.get(name="Technical University of Munich")
    institutions_merge(target_id=kept.pk, duplicate_ids=[duplicate.pk], actor=None)

    again = institutions_import(path=path)

    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert kept.name == "Technical University of Munich" and kept.is_active
    assert duplicate.merged_into_id == kept.pk and not duplicate.is_active
    domains = dict(InstitutionDomain.objects.values_list("domain", "institution_id"))
    assert domains == {"mytum.de": kept.pk, "tum.de": kept.pk}
    assert (again.created, again.updated, again.domains_removed) == (0, 0, 0)
