"""Watch-list keys folded again now that ł, ø, đ, æ… fold too; an entry that becomes the
same name as an earlier one ("Lech Wałęsa" after "Lech Walesa") was a duplicate, dropped."""

from typing import Any

from django.db import migrations

from letters.signatures.verification import name_key


def refold(apps: Any, schema_editor: Any) -> None:
    WatchlistEntry = apps.get_model("curation", "WatchlistEntry")
    seen: set[str] = set()
    for entry in WatchlistEntry.objects.order_by("pk"):
        key = name_key(entry.name)
        if key in seen:
            entry.delete()
            continue
        seen.add(key)
        if key != entry.name_key:
            WatchlistEntry.objects.filter(pk=entry.pk).update(name_key=f"~{entry.pk}")
            entry.name_key = key
    for entry in WatchlistEntry.objects.filter(name_key__startswith="~"):
        WatchlistEntry.objects.filter(pk=entry.pk).update(name_key=name_key(entry.name))


class Migration(migrations.Migration):
    dependencies = [("curation", "0001_initial"), ("signatures", "0012_fold_undecomposed_letters")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
