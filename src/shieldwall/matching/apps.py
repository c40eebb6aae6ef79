"""Django app configuration for `matching`."""

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "shieldwall.matching"
    label = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from shieldwall.matching import policy  # noqa: F401  (registers the write rules)
