"""The unique index that lets a solved challenge pay for one signature, built without
locking the table (CREATE INDEX CONCURRENTLY on PostgreSQL, which cannot run inside a
transaction: hence a non-atomic migration)."""

from typing import Any

from django.db import migrations, models

INDEX = "one_signature_per_challenge"
COLUMNS = "signatures_signature (challenge_key) WHERE NOT (challenge_key = '')"


def _concurrently(schema_editor: Any) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def create(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(
        f"CREATE UNIQUE INDEX {_concurrently(schema_editor)}IF NOT EXISTS {INDEX} ON {COLUMNS}"
    )


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP INDEX {_concurrently(schema_editor)}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("signatures", "0009_challenge_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="signature",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("challenge_key", ""), _negated=True),
                        fields=("challenge_key",),
                        name=INDEX,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
