"""The catalogue is reference data: admins edit it; everyone reads it."""

from __future__ import annotations

from django.db import models

from shieldwall.catalogue.models import CapabilityArea, Compatibility, ItemClass, ItemType
from shieldwall.core.access import write_rule
from shieldwall.core.actor import Actor
from shieldwall.core.roles import Role


@write_rule(CapabilityArea)
@write_rule(ItemClass)
@write_rule(ItemType)
@write_rule(Compatibility)
def reference_data(actor: Actor, action: str, obj: models.Model | None) -> bool:
    return actor.has_role(Role.ADMIN)
