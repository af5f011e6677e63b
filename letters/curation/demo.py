"""Demo curation: a watch list, and a famous name that signed and waits for a curator."""

from __future__ import annotations

from typing import Any

from letters.campaigns.models import Letter
from letters.curation.models import WatchlistEntry
from letters.curation.services import watchlist_entry_save
from letters.signatures.models import Signature
from letters.signatures.services import (
    SignatureInput,
    consent_current,
    signature_confirm,
    signature_submit,
)

WATCHED = [
    ("Ada Lovelace", "Demo: a famous name. Check with her office before the signature shows."),
    ("Alan Turing", "Demo: a famous name. Check by phone before the signature shows."),
]


def seed(*, stdout: Any) -> None:
    for name, note in WATCHED:
        if not WatchlistEntry.objects.filter(name=name).exists():
            watchlist_entry_save(entry=WatchlistEntry(name=name, note=note), actor=None)
    letter = Letter.objects.filter(status=Letter.Status.OPEN).order_by("position").first()
    if letter is None or Signature.objects.filter(full_name="Ada Lovelace").exists():
        stdout.write("Curation: demo watch list present")
        return
    result = signature_submit(
        letter=letter,
        version=letter.current_version,  # type: ignore[arg-type]
        data=SignatureInput(
            full_name="Ada Lovelace",
            email="ada.lovelace.demo@gmail.com",
            title="Mathematician",
            institution_name="Analytical Engine Society",
            country="GB",
        ),
        consent=consent_current(),
    )
    signature = signature_confirm(signature_id=result.signature_id)
    stdout.write(
        f"Curation: watch list of {len(WATCHED)} names; “Ada Lovelace” signed and is "
        f"{signature.get_status_display().lower()}"
    )
