from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "letters.signatures"
    label = "signatures"
    verbose_name = "Signatures"

    def ready(self) -> None:
        from letters.signatures import receivers  # noqa: F401
