"""Django app configuration for `needs`."""

from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "shieldwall.needs"
    label = "needs"
    verbose_name = "Requirements"

    def ready(self) -> None:
        from shieldwall.needs import policy  # noqa: F401  (registers the write rules)
