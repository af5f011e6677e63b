"""A cover letter is one page and never cuts text off: everything it says ends above its
foot, read back from the drawn PDF; when the letter has too much to list, the cover says
where the recommendations are instead of listing them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from letters.campaigns.models import Letter
from letters.campaigns.services import (
    RecommendationData,
    letter_record_version,
    letter_set_recommendations,
)
from letters.packets import documents
from tests.factories import SignatureFactory
from tests.packets.world import build_world, packet_pdf, render_inline

pytestmark = pytest.mark.django_db

WORD = re.compile(
    r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
)


def _cover_words(pdf: bytes, tmp_path: Path) -> list[tuple[float, float, str]]:
    path = tmp_path / "packet.pdf"
    path.write_bytes(pdf)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(float(top), float(bottom), word) for top, bottom, word in WORD.findall(boxes)]


def _assert_nothing_below_the_foot(words: list[tuple[float, float, str]]) -> None:
    foot_top = min(top for top, _bottom, word in words if word == "Packet")
    body = [(bottom, word) for top, bottom, word in words if top < foot_top - 1]
    assert body and all(bottom < foot_top for bottom, _word in body)
    # The letter's last words are there, above the foot: nothing was cut off below them.
    assert "sincerely," in [word for _bottom, word in body]
    assert "behalf" in [word for _bottom, word in body]


def _render(letter: Letter, legislator: object) -> Any:
    """The packet of the letter's newest text (the signatures of the world are older)."""
    letter.refresh_from_db()
    return render_inline(letter, legislators=[legislator], letter_version=letter.current_version)


def _recommend(letter: Letter, titles: list[str]) -> None:
    letter_set_recommendations(
        letter=letter,
        recommendations=[
            RecommendationData(slug=f"rec-{n}", title=title, body="Because.")
            for n, title in enumerate(titles, start=1)
        ],
    )
    letter_record_version(letter=letter)


def test_five_recommendations_are_all_listed(tmp_path: Path) -> None:
    world = build_world()
    # Two lines each, as the coalition paper's longest: more than the list once had room for.
    titles = [
        f"Recommendation {n}: clarify that collaborative development of open-source AI "
        "components does not subject developers to the requirements"
        for n in range(1, 6)
    ]
    _recommend(world.letter, titles)
    job = _render(world.letter, world.benifei)
    words = _cover_words(packet_pdf(job.packets.get()), tmp_path)
    _assert_nothing_below_the_foot(words)
    text = " ".join(word for _t, _b, word in words)
    assert all(title in text for title in titles), text


def test_too_many_to_list_are_pointed_to(tmp_path: Path) -> None:
    world = build_world()
    titles = [f"A long recommendation, number {n}, " + "with many words " * 12 for n in range(12)]
    _recommend(world.letter, titles)
    # Eight signatories from Italy: the cover names a few of them, and has to say it.
    for n in range(8):
        SignatureFactory.create(
            letter=world.letter, full_name=f"Giulia Esempio {n}", country="IT",
            institution_name="Università degli Studi di un nome molto lungo",
        )  # fmt: skip
    job = _render(world.letter, world.benifei)
    words = _cover_words(packet_pdf(job.packets.get()), tmp_path)
    _assert_nothing_below_the_foot(words)
    text = " ".join(word for _t, _b, word in words)
    assert "The letter makes 12 recommendations, from page" in text
    assert "number 3" not in text


def test_the_longest_fields_still_give_a_whole_cover(tmp_path: Path) -> None:
    world = build_world()
    world.letter.addressee = ("the Members of the European Parliament and " * 7)[:300]
    world.letter.title = ("A Call to Protect Open-Source AI in Europe, " * 7)[:300]
    world.letter.save()
    letter_record_version(letter=world.letter)
    _recommend(world.letter, ["A recommendation " * 17] * 9)
    world.benifei.political_group = ("A political group with a very long name " * 6)[:200]
    world.benifei.national_party = ("A national party with a very long name " * 6)[:200]
    world.benifei.save()

    job = _render(world.letter, world.benifei)

    _assert_nothing_below_the_foot(_cover_words(packet_pdf(job.packets.get()), tmp_path))


def test_a_cover_that_fits_nowhere_stops_the_job_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = build_world()
    monkeypatch.setattr(documents, "_cover_overflows", lambda rendered, sheet: True)

    job = render_inline(world.letter, legislators=[world.benifei])

    job.refresh_from_db()
    assert job.status == "failed"
    assert "The cover letter for Brando Benifei does not fit on one page" in job.error
    assert not job.packets.filter(status="done").exists()
