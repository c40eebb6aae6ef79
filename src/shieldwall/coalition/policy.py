"""Who may write coalition records: admins keep reference data, coordinators the coalition's structure and
meetings, and a donor officer may record its own nation's announcements."""

from __future__ import annotations

from django.db import models

from shieldwall.coalition.models import (
    Announcement,
    Attendance,
    CapabilityCoalition,
    Meeting,
    Membership,
    Nation,
    Obligation,
    Organisation,
    SecurityAgreement,
)
from shieldwall.core.access import write_rule
from shieldwall.core.actor import Actor
from shieldwall.core.roles import Role


@write_rule(Nation)
@write_rule(Organisation)
def reference_data(actor: Actor, action: str, obj: models.Model | None) -> bool:
    return actor.has_role(Role.ADMIN)


@write_rule(Membership)
@write_rule(CapabilityCoalition)
def coalition_structure(actor: Actor, action: str, obj: models.Model | None) -> bool:
    return actor.has_role(Role.ADMIN, Role.COORDINATOR)


@write_rule(Meeting)
def meetings(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if not actor.has_role(Role.COORDINATOR, Role.ADMIN):
        return False
    # Only the originating nation's staff may change or delete a meeting record.
    return obj is None or getattr(obj, "originator_id", None) == actor.nation_id


@write_rule(Attendance)
def attendance(actor: Actor, action: str, obj: models.Model | None) -> bool:
    return actor.has_role(Role.COORDINATOR, Role.ADMIN)


@write_rule(Announcement)
def announcements(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if actor.has_role(Role.COORDINATOR):
        return True
    if not actor.has_role(Role.DONOR):
        return False
    return obj is None or getattr(obj, "nation_id", None) == actor.nation_id


@write_rule(SecurityAgreement)
def agreements(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if actor.has_role(Role.COORDINATOR, Role.ADMIN):
        return True
    # A donor officer records its own nation's agreements.
    return actor.has_role(Role.DONOR) and (obj is None or getattr(obj, "donor_id", None) == actor.nation_id)


@write_rule(Obligation)
def obligations(actor: Actor, action: str, obj: models.Model | None) -> bool:
    # Obligations are written only through the agreement's services, which check `change` on the agreement.
    return actor.has_role(Role.COORDINATOR, Role.ADMIN, Role.DONOR)
