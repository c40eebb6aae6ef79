"""Recipient officers create and submit requirements; coordinators validate and publish them."""

from __future__ import annotations

from django.db import models

from shieldwall.core.access import write_rule
from shieldwall.core.actor import Actor
from shieldwall.core.roles import Role
from shieldwall.needs.models import Requirement

RECIPIENT_ACTIONS = {"create", "change", "delete", "submit", "withdraw"}
COORDINATOR_ACTIONS = {"change", "validate", "open", "return", "withdraw", "reprioritise"}


@write_rule(Requirement)
def requirements(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if action == "refresh_status":
        # A recomputation from pledge lines, not a choice: whoever changed a line against it may trigger it.
        return actor.is_authenticated
    if actor.has_role(Role.COORDINATOR) and action in COORDINATOR_ACTIONS:
        return True
    if actor.has_role(Role.RECIPIENT) and action in RECIPIENT_ACTIONS:
        # A recipient officer works on its own nation's requirements only.
        return obj is None or getattr(obj, "originator_id", None) == actor.nation_id
    return False
