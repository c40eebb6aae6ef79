"""Donor officers manage their own nation's pledges; coordinators allocate lines to requirements."""

from __future__ import annotations

from django.db import models

from shieldwall.core.access import write_rule
from shieldwall.core.actor import Actor
from shieldwall.core.roles import Role
from shieldwall.pledges.models import Package, PackageFunder, PledgeLine

DONOR_LINE_ACTIONS = {"create", "change", "delete", "commit", "contract", "ship", "deliver", "cancel"}
COORDINATOR_LINE_ACTIONS = {"allocate", "deallocate", "split", "cancel", "deliver"}
RECIPIENT_LINE_ACTIONS = {"deliver"}  # the recipient confirms what arrived


def _own_nation(actor: Actor, obj: models.Model | None) -> bool:
    return obj is None or getattr(obj, "originator_id", None) == actor.nation_id


@write_rule(Package)
def packages(actor: Actor, action: str, obj: models.Model | None) -> bool:
    return actor.has_role(Role.DONOR) and _own_nation(actor, obj)


@write_rule(PackageFunder)
def funders(actor: Actor, action: str, obj: models.Model | None) -> bool:
    return actor.has_role(Role.DONOR)


@write_rule(PledgeLine)
def lines(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if actor.has_role(Role.COORDINATOR) and action in COORDINATOR_LINE_ACTIONS:
        return True
    if actor.has_role(Role.RECIPIENT) and action in RECIPIENT_LINE_ACTIONS:
        return True
    return actor.has_role(Role.DONOR) and action in DONOR_LINE_ACTIONS and _own_nation(actor, obj)
