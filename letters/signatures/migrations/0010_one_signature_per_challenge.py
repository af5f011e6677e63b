"""The unique index that lets a solved challenge pay for one signature, built without
locking the table (CREATE INDEX CONCURRENTLY on PostgreSQL, which cannot run inside a
transaction: hence a non-atomic migration)."""

from typing import Any

from django.db import migrations, models

INDEX = "one_signature_per_challenge"
COLUMNS = "signatures_signature (challenge_key) WHERE NOT (challenge_key = '')"


def create(apps: Any, schema_editor: Any) -> None:
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE UNIQUE INDEX {concurrently}IF NOT EXISTS {INDEX} ON {COLUMNS}")


def drop(apps: Any, schema_editor: Any) -> None:
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {INDEX}")


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
