"""What a packet does to a signer's text before layout: invisible and layout-changing
characters go, every kind of line break or run of white space becomes one space. Names that
need none of it take a quick path; it must give the same text as the full cleaning."""

from __future__ import annotations

import random

import pytest

from letters.packets import rendering

SPOOFING = ["\u200b", "\u200e", "\u202e", "\u2066", "\u2069", "\ufeff", "\u00ad"]
BREAKS = ["\n", "\r", "\t", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\u00a0", "\u3000"]
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x9f"]
PLAIN = ["a", "Z", "é", "Ж", "Ω", "-", "'", " ", "  "]


def _full(value: str) -> str:
    value = rendering._CONTROL.sub("", rendering._INVISIBLE.sub("", value))
    return rendering._BREAKS.sub(" ", value).strip()


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Anna Müller", "Anna Müller"),
        ("  Anna   Müller ", "Anna Müller"),
        ("Anna\u202e rellüM", "Anna rellüM"),
        ("Anna\nMüller\u2028Jr", "Anna Müller Jr"),
        ("Ad\u200ba Love\u00adlace\x07", "Ada Lovelace"),
        ("Jean\u00a0Exemple", "Jean Exemple"),
    ],
)
def test_text_is_shown_on_one_clean_line(typed: str, shown: str) -> None:
    assert rendering.clean_text(typed) == shown


def test_the_quick_path_gives_what_the_full_cleaning_gives() -> None:
    pick = random.Random(20261202)
    alphabet = SPOOFING + BREAKS + CONTROLS + PLAIN * 4
    for _ in range(20_000):
        value = "".join(pick.choice(alphabet) for _ in range(pick.randint(0, 10)))
        assert rendering.clean_text(value) == _full(value), repr(value)
