"""Migration operations that only apply on PostgreSQL (SQLite is the demo database)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def postgres_only(*statements: str, reverse: tuple[str, ...] = ()) -> migrations.RunPython:
    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in reverse:
                schema_editor.execute(statement)

    return migrations.RunPython(forwards, backwards)
