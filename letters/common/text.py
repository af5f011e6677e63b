"""Text as people type it, for names and affiliations from forms and files."""

from __future__ import annotations

import unicodedata


def clean_text(value: str) -> str:
    """Text as typed, minus what can never be meant: control characters and edge spaces."""
    kept = "".join(ch for ch in value if not unicodedata.category(ch).startswith("C") or ch == " ")
    return " ".join(kept.split())
