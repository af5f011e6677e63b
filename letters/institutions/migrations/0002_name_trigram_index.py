from django.db import migrations

from letters.common.migrations_util import postgres_only


class Migration(migrations.Migration):
    """The sign form's institution autocomplete matches any part of a name among some
    110,000 registry entries; a trigram index on PostgreSQL keeps that instant."""

    dependencies = [("institutions", "0001_initial")]

    operations = [
        postgres_only(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX IF NOT EXISTS institution_name_trgm "
            "ON institutions_institution USING gin (UPPER(name) gin_trgm_ops)",
            reverse=("DROP INDEX IF EXISTS institution_name_trgm",),
        )
    ]
