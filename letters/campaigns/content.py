"""Loads the campaign's own content (organisations, campaigns, letters) from data files.

The files live in the repository (`letters/campaigns/content/`), so a fresh deployment can
publish the letters without any other source. Loading is idempotent: by default it creates
what is missing and leaves letters an organiser may have edited alone; `update=True`
rewrites them from the files (recording a new version when the text changed)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from letters.accounts.models import User
from letters.campaigns.models import Campaign, CampaignPartner, Letter, Organisation
from letters.campaigns.services import (
    RecommendationData,
    letter_record_version,
    letter_set_recommendations,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"


@dataclass
class ContentLoadSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


def _read(directory: Path, name: str | None) -> str:
    if not name:
        return ""
    return (directory / name).read_text(encoding="utf-8").strip()


def _upsert(
    model: type[Any], *, slug: str, values: dict[str, Any], update: bool
) -> tuple[Any, str]:
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        return model.objects.create(slug=slug, **values), "created"
    if not update:
        return obj, "unchanged"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
        return obj, "updated"
    return obj, "unchanged"


@transaction.atomic
def content_load(
    *, directory: Path = CONTENT_DIR, update: bool = False, user: User | None = None
) -> ContentLoadSummary:
    data = json.loads((directory / "campaign.json").read_text(encoding="utf-8"))
    summary = ContentLoadSummary()

    def note(outcome: str, label: str) -> None:
        getattr(summary, outcome).append(label)

    organisations: dict[str, Organisation] = {}
    for item in data.get("organisations", []):
        org, outcome = _upsert(
            Organisation,
            slug=item["slug"],
            values={
                "name": item["name"],
                "website": item.get("website", ""),
                "description": item.get("description", ""),
            },
            update=update,
        )
        organisations[item["slug"]] = org
        note(outcome, f"organisation {item['slug']}")

    campaigns: dict[str, Campaign] = {}
    for item in data.get("campaigns", []):
        campaign, outcome = _upsert(
            Campaign,
            slug=item["slug"],
            values={
                "title": item["title"],
                "summary": item.get("summary", ""),
                "description": _read(directory, item.get("description_file")),
            },
            update=update,
        )
        campaigns[item["slug"]] = campaign
        note(outcome, f"campaign {item['slug']}")
        if outcome == "created" or update:
            for position, partner in enumerate(item.get("partners", [])):
                CampaignPartner.objects.update_or_create(
                    campaign=campaign,
                    organisation=organisations[partner["organisation"]],
                    defaults={"role": partner.get("role", ""), "position": position},
                )

    for item in data.get("letters", []):
        letter, outcome = _upsert(
            Letter,
            slug=item["slug"],
            values={
                "campaign": campaigns.get(item.get("campaign", "")),
                "position": item.get("position", 0),
                "title": item["title"],
                "subtitle": item.get("subtitle", ""),
                "addressee": item["addressee"],
                "summary": item.get("summary", ""),
                "body": _read(directory, item.get("body_file")),
                "closing": _read(directory, item.get("closing_file")),
                "language": item.get("language", "en"),
                "published_on": dt.date.fromisoformat(item["published_on"]),
                "status": item.get("status", Letter.Status.DRAFT),
                "moderation": item.get("moderation", Letter.Moderation.POST),
            },
            update=update,
        )
        if outcome == "created" or update:
            letter_set_recommendations(
                letter=letter,
                recommendations=[
                    RecommendationData(slug=r["slug"], title=r["title"], body=r.get("body", ""))
                    for r in item.get("recommendations", [])
                ],
            )
            before = letter.current_version_id
            letter_record_version(letter=letter, user=user, note="Loaded from content files")
            if outcome == "unchanged" and letter.current_version_id != before:
                outcome = "updated"
        note(outcome, f"letter {item['slug']}")
    return summary
