"""Who may write end-use monitoring records: the donor registers its items' serial numbers before shipment;
the nation holding an item records its transfers, status and losses; donor and recipient officers record
inspections; the recipient files its quarterly disposition reports."""

from __future__ import annotations

from django.db import models

from shieldwall.core.access import write_rule
from shieldwall.core.actor import Actor
from shieldwall.core.roles import Role
from shieldwall.monitoring.models import DispositionReport, Inspection, ItemMarking, LossReport, SerialItem

OFFICERS = (Role.DONOR, Role.RECIPIENT)


@write_rule(SerialItem)
def serial_items(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if action == "create":
        return actor.has_role(Role.DONOR) and (obj is None or getattr(obj, "originator_id", None) == actor.nation_id)
    # Custody, status and losses are recorded by the nation holding the item.
    return actor.has_role(*OFFICERS) and (
        obj is None or getattr(obj, "custodian_nation_id", None) == actor.nation_id)


@write_rule(Inspection)
def inspections(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if obj is None:
        return actor.has_role(*OFFICERS)
    if actor.has_role(Role.DONOR) and getattr(obj, "donor_id", None) == actor.nation_id:
        return True
    return actor.has_role(Role.RECIPIENT) and getattr(obj, "recipient_id", None) == actor.nation_id


@write_rule(DispositionReport)
def disposition_reports(actor: Actor, action: str, obj: models.Model | None) -> bool:
    return actor.has_role(Role.RECIPIENT) and (obj is None or getattr(obj, "originator_id", None) == actor.nation_id)


@write_rule(LossReport)
def loss_reports(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if obj is None:
        return actor.has_role(*OFFICERS)
    if actor.has_role(Role.DONOR) and getattr(obj, "donor_id", None) == actor.nation_id:
        return True
    return actor.has_role(Role.RECIPIENT) and getattr(obj, "recipient_id", None) == actor.nation_id


@write_rule(ItemMarking)
def item_markings(actor: Actor, action: str, obj: models.Model | None) -> bool:
    # Bookkeeping of the dashboard, kept by the monitoring services alongside the items: nobody writes it directly.
    return False
