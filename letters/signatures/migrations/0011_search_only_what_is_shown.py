"""Search text held affiliations their signatories had hidden; index only what is shown."""

from typing import Any

from django.db import migrations

from letters.common.migrations_util import postgres_only
from letters.signatures.verification import fold


def reindex_hidden_affiliations(apps: Any, schema_editor: Any) -> None:
    Signature = apps.get_model("signatures", "Signature")
    rows = Signature.objects.filter(show_affiliation=False).exclude(institution_name="")
    batch = []
    for signature in rows.only("pk", "full_name", "display_name").iterator(chunk_size=2000):
        signature.search_text = fold(signature.display_name or signature.full_name)[:500]
        batch.append(signature)
        if len(batch) >= 2000:
            Signature.objects.bulk_update(batch, ["search_text"])
            batch = []
    Signature.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("signatures", "0010_one_signature_per_challenge")]

    operations = [
        migrations.RunPython(reindex_hidden_affiliations, migrations.RunPython.noop),
        # The admin's institution filter reads typed affiliations, shown or hidden, as
        # Django's icontains does (UPPER(...) LIKE UPPER(...)).
        postgres_only(
            "CREATE INDEX IF NOT EXISTS signature_institution_name_trgm "
            "ON signatures_signature USING gin (UPPER(institution_name) gin_trgm_ops)",
            reverse=("DROP INDEX IF EXISTS signature_institution_name_trgm",),
        ),
    ]
