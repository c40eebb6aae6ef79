"""Django app configuration for `coalition`."""

from django.apps import AppConfig


class CoalitionConfig(AppConfig):
    name = "shieldwall.coalition"
    label = "coalition"
    verbose_name = "Coalition"

    def ready(self) -> None:
        from shieldwall.coalition import policy  # noqa: F401  (registers the write rules)
