from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "letters.institutions"
    label = "institutions"
    verbose_name = "Institution registry"
