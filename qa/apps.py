from django.apps import AppConfig


class QaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "qa"
    verbose_name = "FUSQA quality assessment"

    def ready(self) -> None:
        from qa import signals
        from qa.services.accounts import connect_signals

        connect_signals()
        signals.connect()
