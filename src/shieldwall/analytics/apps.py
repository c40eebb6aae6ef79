"""Django app configuration for `analytics`."""

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "shieldwall.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from shieldwall.analytics import policy  # noqa: F401  (registers the write rules)
