from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CurationConfig(AppConfig):
    name = "letters.curation"
    label = "curation"
    verbose_name = "Curation"

    def ready(self) -> None:
        from letters.curation import receivers, roles

        post_migrate.connect(roles.roles_sync_after_migrate, sender=self)
        receivers.connect()
