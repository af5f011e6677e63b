from django.apps import AppConfig


class LegislatorsConfig(AppConfig):
    name = "letters.legislators"
    label = "legislators"
    verbose_name = "Legislators"
