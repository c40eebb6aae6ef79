"""Who may write end-use monitoring records (officers: donor or recipient officers).

- Serial numbers: a donor officer registers its own nation's items before shipment.
- Custody and status: an officer of the nation holding an item (its custodian nation) hands it on or sets it in
  service or under repair.
- Losses and destruction (`may_report_loss`): a loss report is filed by an officer of the nation holding the
  items (the recipient for the items it holds; an ally for items handed on to it; the donor for items still in its
  custody, in transit) or by a donor officer of the nation that gave them, which answers for them to its
  parliament wherever they are. Nobody else: not the recipient for items it handed on to an ally (the ally holding
  them reports), not an earlier holder, not a third nation.
- Inspections: donor officers of the items' donor and recipient officers of their recipient.
- Disposition reports: the recipient files its quarterly statements.
"""

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


def may_report_loss(actor: Actor, *, holder_id: int | None, donor_id: int | None) -> bool:
    """May `actor` report items held by `holder_id` and given by `donor_id` lost or destroyed? (See above.)"""
    if actor.nation_id is None or not actor.has_role(*OFFICERS):
        return False
    return holder_id == actor.nation_id or (actor.has_role(Role.DONOR) and donor_id == actor.nation_id)


def loss_reporters(*, holder: str, donor: str) -> str:
    """Who may report a loss, in words, for refusals."""
    return f"an officer of {holder}, which holds them, or a donor officer of {donor}, which gave them"


@write_rule(LossReport)
def loss_reports(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if obj is None:
        return actor.has_role(*OFFICERS)
    return may_report_loss(actor, holder_id=getattr(obj, "holder_id", None), donor_id=getattr(obj, "donor_id", None))


@write_rule(ItemMarking)
def item_markings(actor: Actor, action: str, obj: models.Model | None) -> bool:
    # Bookkeeping of the dashboard, kept by the monitoring services alongside the items: nobody writes it directly.
    return False
