"""Organisers make packets: the "organiser" group gets every permission of this app,
including "generate packets". Curators do not; that group is left alone here.

The curation concern creates the same groups with get_or_create, so whichever migration runs
first makes the group and the other only adds to it."""

from django.db import migrations

PERMISSION_MODELS = ("packetjob", "packetpart", "packet", "signingcertificate")


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; this one needs them now.
    config = apps.get_app_config("packets")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    organiser, _ = Group.objects.get_or_create(name="organiser")
    organiser.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="packets", content_type__model__in=PERMISSION_MODELS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    organiser = Group.objects.filter(name="organiser").first()
    if organiser is not None:
        organiser.permissions.remove(
            *Permission.objects.filter(content_type__app_label="packets")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("packets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
