"""Django app configuration for `pledges`."""

from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "shieldwall.pledges"
    label = "pledges"
    verbose_name = "Pledges"

    def ready(self) -> None:
        from shieldwall.pledges import policy  # noqa: F401  (registers the write rules)
