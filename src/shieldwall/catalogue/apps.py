"""Django app configuration for `catalogue`."""

from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "shieldwall.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from shieldwall.catalogue import policy  # noqa: F401  (registers the write rules)
