"""Django app configuration for `monitoring`."""

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "shieldwall.monitoring"
    label = "monitoring"
    verbose_name = "End-use monitoring"

    def ready(self) -> None:
        from shieldwall.monitoring import policy  # noqa: F401  (registers the write rules)
