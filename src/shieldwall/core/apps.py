"""Django app configuration for `core`."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shieldwall.core"
    label = "core"
    verbose_name = "Shieldwall core"
