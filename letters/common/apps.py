from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "letters.common"
    label = "common"
    verbose_name = "Common"
