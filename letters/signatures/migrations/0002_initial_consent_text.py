from django.db import migrations

TEXT = (
    "I agree that my name, role, institution and country are published with this letter "
    "and included in the packets given to legislators. My email address is used only to "
    "confirm and manage my signature; it is never published."
)


def create(apps, schema_editor):
    ConsentText = apps.get_model("signatures", "ConsentText")
    if not ConsentText.objects.exists():
        ConsentText.objects.create(version="2026-11", text=TEXT, is_current=True)


class Migration(migrations.Migration):
    dependencies = [("signatures", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
