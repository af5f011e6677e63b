"""docker-compose.yml describes the production shape: web, worker, beat, PostgreSQL, Redis.

No Docker engine runs where the tests run, so this checks the file's structure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def services() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_all_five_parts_are_there_with_health_checks() -> None:
    found = services()
    assert {"web", "worker", "beat", "db", "redis"} <= set(found)
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in found[name], name
    assert found["web"]["command"][0] == "gunicorn"
    assert found["worker"]["command"][:4] == ["celery", "-A", "campaign", "worker"]
    assert found["beat"]["command"][:4] == ["celery", "-A", "campaign", "beat"]


def test_the_app_containers_share_one_configuration() -> None:
    found = services()
    for name in ("web", "worker", "beat", "migrate"):
        env = found[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert found["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert found["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_image_builds_from_the_locked_dependencies() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "libpango" in dockerfile and "collectstatic" in dockerfile
