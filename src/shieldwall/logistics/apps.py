"""Django app configuration for `logistics`."""

from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "shieldwall.logistics"
    label = "logistics"
    verbose_name = "Logistics"

    def ready(self) -> None:
        from shieldwall.logistics import policy  # noqa: F401  (registers the write rules)
