from django.db import migrations

from letters.common.migrations_util import postgres_only


class Migration(migrations.Migration):
    """Searching signatories by any part of a name or institution (LIKE '%...%') uses a
    trigram index on PostgreSQL instead of reading every signature of the letter."""

    dependencies = [("signatures", "0002_initial_consent_text")]

    operations = [
        postgres_only(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX IF NOT EXISTS signature_search_trgm "
            "ON signatures_signature USING gin (search_text gin_trgm_ops)",
            reverse=("DROP INDEX IF EXISTS signature_search_trgm",),
        )
    ]
