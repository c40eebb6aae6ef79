"""Who may write logistics records: donor officers plan and dispatch their nation's shipments, coordinators
keep hubs and track movements, and recipient officers of the receiving nation confirm what arrived."""

from __future__ import annotations

from django.db import models

from shieldwall.core.access import write_rule
from shieldwall.core.actor import Actor
from shieldwall.core.roles import Role
from shieldwall.logistics.models import Hub, Shipment

DONOR_ACTIONS = {"create", "change", "delete", "dispatch", "track", "report"}
COORDINATOR_ACTIONS = {"track", "report"}
RECIPIENT_ACTIONS = {"receive", "report"}


@write_rule(Hub)
def hubs(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if actor.has_role(Role.COORDINATOR, Role.ADMIN):
        return True
    # A donor officer keeps its own nation's hubs.
    return actor.has_role(Role.DONOR) and (obj is None or getattr(obj, "nation_id", None) == actor.nation_id)


@write_rule(Shipment)
def shipments(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if actor.has_role(Role.DONOR) and action in DONOR_ACTIONS and (
            obj is None or getattr(obj, "originator_id", None) == actor.nation_id):
        return True
    if actor.has_role(Role.COORDINATOR) and action in COORDINATOR_ACTIONS:
        return True
    return actor.has_role(Role.RECIPIENT) and action in RECIPIENT_ACTIONS and (
        obj is not None and getattr(obj, "recipient_id", None) == actor.nation_id)
