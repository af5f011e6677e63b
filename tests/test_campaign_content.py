"""The campaign's two letters load from the repository's content files."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from letters.campaigns.content import CONTENT_DIR, content_load
from letters.campaigns.models import Campaign, Letter, LetterVersion, Recommendation

pytestmark = pytest.mark.django_db

# What UTF-8 looks like when decoded as Mac Roman or Latin-1, as in the seed files.
MOJIBAKE = ("\u201a\u00c4\u00f4", "\u201a\u00c4\u00ec", "\u00fc\u00a7\u00f3", "\u00e2\u20ac")


def test_loads_both_letters_with_all_eight_recommendations() -> None:
    content_load()
    laion = Letter.objects.get(slug="protect-open-source-ai-in-europe")
    coalition = Letter.objects.get(slug="supporting-open-source-and-open-science")
    assert laion.title == "A Call to Protect Open-Source AI in Europe"
    assert laion.published_on.isoformat() == "2023-04-28"
    assert "European Parliament" in laion.addressee
    assert [r.title for r in laion.recommendations.all()] == [
        "Ensure open-source R&D can comply with the AI Act",
        "Impose requirements proportional to risk",
        "Establish public research facilities for compute resources",
    ]
    assert coalition.recommendations.count() == 5
    assert coalition.recommendations.get(number=1).title == "Define AI components clearly"
    assert Recommendation.objects.count() == 8
    campaign = Campaign.objects.get()
    assert {p.name for p in campaign.partners.all()} == {
        "Creative Commons", "EleutherAI", "GitHub", "Hugging Face", "LAION", "Open Future",
    }  # fmt: skip
    assert laion.current_version is not None and laion.current_version.number == 1
    assert len(laion.current_version.recommendations) == 3


def test_loading_twice_changes_nothing() -> None:
    content_load()
    summary = content_load()
    assert summary.created == [] and summary.updated == []
    assert Letter.objects.count() == 2
    assert LetterVersion.objects.count() == 2


def test_update_records_a_version_only_when_the_text_changed(tmp_path: Path) -> None:
    content_load()
    for item in CONTENT_DIR.iterdir():
        (tmp_path / item.name).write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
    content_load(directory=tmp_path, update=True)
    assert LetterVersion.objects.count() == 2

    body = tmp_path / "laion-open-letter.md"
    body.write_text(body.read_text(encoding="utf-8") + "\n\nA new paragraph.", encoding="utf-8")
    summary = content_load(directory=tmp_path, update=True)
    laion = Letter.objects.get(slug="protect-open-source-ai-in-europe")
    assert "letter protect-open-source-ai-in-europe" in summary.updated
    assert laion.current_version is not None and laion.current_version.number == 2
    assert laion.versions.get(number=1).body != laion.versions.get(number=2).body


def test_content_has_no_mis_decoded_characters() -> None:
    for path in CONTENT_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        for bad in MOJIBAKE:
            assert bad not in text, f"{bad!r} in {path.name}"


def test_management_command_reports_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_campaign_content")
    assert "9 created" in capsys.readouterr().out
