"""Folding now maps letters Unicode does not decompose (ł, ø, đ, æ…): the keys that search,
duplicate detection and the watch list compare are computed again for names with them."""

from typing import Any

from django.db import migrations

from letters.signatures.verification import UNDECOMPOSED, fold, name_key

PATTERN = "[" + "".join(chr(code) for code in UNDECOMPOSED) + "]"


def refold(apps: Any, schema_editor: Any) -> None:
    Signature = apps.get_model("signatures", "Signature")
    rows = (
        Signature.objects.filter(full_name__regex=PATTERN)
        | Signature.objects.filter(display_name__regex=PATTERN)
        | Signature.objects.filter(institution_name__regex=PATTERN)
    )
    batch = []
    for s in rows.only(
        "pk", "full_name", "display_name", "institution_name", "show_affiliation"
    ).iterator(chunk_size=2000):
        shown = s.institution_name if s.show_affiliation else ""
        s.search_text = fold(f"{s.display_name or s.full_name} {shown}")[:500]
        s.name_key = name_key(s.full_name)
        batch.append(s)
        if len(batch) >= 2000:
            Signature.objects.bulk_update(batch, ["search_text", "name_key"])
            batch = []
    Signature.objects.bulk_update(batch, ["search_text", "name_key"])


class Migration(migrations.Migration):
    dependencies = [("signatures", "0011_search_only_what_is_shown")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
