from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "letters.accounts"
    label = "accounts"
    verbose_name = "Users"  # allauth's own app is "Accounts"

    def ready(self) -> None:
        from letters.accounts import receivers  # noqa: F401
