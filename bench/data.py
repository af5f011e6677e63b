"""Bulk data for the benchmark: a letter with many signatures, written with COPY."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from django.db import connection

FIRST = [
    "Anna",
    "José",
    "Marie",
    "Łukasz",
    "Søren",
    "Ioana",
    "Άννα",
    "Дмитрий",
    "Eva",
    "Jonas",
    "Chiara",
    "Pieter",
    "Zoë",
    "Mateo",
    "Hanna",
    "Nikos",
    "Aoife",
    "Mihai",
    "Lena",
    "Tomás",
]
LAST = [
    "Müller",
    "García",
    "Dubois",
    "Kowalski",
    "Jensen",
    "Popescu",
    "Παπαδοπούλου",
    "Иванов",
    "Novák",
    "Schmidt",
    "Rossi",
    "de Vries",
    "O'Brien",
    "Fernández",
    "Virtanen",
    "Nagy",
    "Horvat",
    "Silva",
    "Bianchi",
    "Lindqvist",
    "Janssen",
    "Costa",
    "Keller",
]
INSTITUTIONS = [
    f"{kind} of {city}"
    for kind in ("University", "Institute", "Academy")
    for city in (
        "Munich",
        "Lyon",
        "Bologna",
        "Kraków",
        "Aarhus",
        "Cluj",
        "Ghent",
        "Leiden",
        "Tartu",
        "Porto",
        "Graz",
        "Turku",
    )
]
COUNTRIES = (
    ["DE"] * 20
    + ["FR"] * 14
    + ["IT"] * 10
    + ["ES"] * 8
    + ["NL"] * 6
    + ["PL"] * 6
    + [
        "SE",
        "DK",
        "FI",
        "AT",
        "BE",
        "PT",
        "CZ",
        "RO",
        "GR",
        "IE",
        "HU",
        "BG",
        "HR",
        "SK",
        "SI",
        "LT",
        "LV",
        "EE",
        "LU",
        "MT",
        "CY",
        "GB",
        "CH",
        "NO",
        "US",
    ]
)


def load_signatures(
    *,
    letter_id: int,
    version_id: int,
    consent_id: int,
    total: int,
    seed: int = 1,
    public_only: bool = False,
) -> None:
    """`total` signatures on one letter; with `public_only`, all of them shown publicly
    (no unconfirmed or withdrawn ones), so a packet lists exactly `total`."""
    from letters.signatures.verification import fold, name_key

    rng = random.Random(seed)
    now = datetime.now(UTC)
    columns = (
        "letter_id, letter_version_id, email, email_normalized, full_name, display_name, title, "
        "institution_name, show_affiliation, country, capacity, consent_id, status, is_public, "
        "level, orcid_id, featured_rank, source, search_text, name_key, ip_hash, token_nonce, "
        "challenge_key, created_at, updated_at, confirmed_at"
    )
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(
            f"COPY signatures_signature ({columns}) FROM STDIN"
        ) as copy,
    ):
        for i in range(total):
            name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
            institution = rng.choice(INSTITUTIONS) if rng.random() < 0.7 else ""
            roll = rng.random()
            status, public = "confirmed", True
            if public_only:
                pass
            elif roll < 0.02:
                status, public = "unconfirmed", False
            elif roll < 0.03:
                status, public = "withdrawn", False
            capacity = "organisation" if rng.random() < 0.005 else "individual"
            level = rng.choices(["email", "affiliation", "orcid"], [60, 27, 13])[0]
            if capacity == "organisation":
                level, status, public = "organisation", "approved", True
            if status == "unconfirmed":
                level = "none"
            when = now - timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            copy.write_row(
                (
                    letter_id,
                    version_id,
                    f"s{i}@bench.example.org",
                    f"s{i}@bench.example.org",
                    name,
                    "",
                    rng.choice(["", "Researcher", "Professor", "Engineer"]),
                    institution,
                    True,
                    rng.choice(COUNTRIES),
                    capacity,
                    consent_id,
                    status,
                    public,
                    level,
                    "",
                    (i + 1) if i < 10 else None,
                    "web",
                    fold(f"{name} {institution}")[:500],
                    name_key(name),
                    f"{rng.getrandbits(64):016x}",
                    "n",
                    "",
                    when,
                    when,
                    when if status != "unconfirmed" else None,
                )
            )
    with connection.cursor() as cursor:
        # As autovacuum would by then: index-only scans need the visibility map.
        cursor.execute("VACUUM ANALYZE signatures_signature")
