"""Writes of hubs: create and update, through `core.writes`."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.logistics.models import Hub
from shieldwall.logistics.services.common import nation_by_code

HUB_FIELDS = {"name", "nation", "location", "latitude", "longitude", "capacity_per_day", "notes",
              "classification", "releasability"}


def hub_create(*, actor: Actor, name: str, nation: str, location: str, latitude: Decimal, longitude: Decimal,
               capacity_per_day: int, notes: str = "", classification: int = 0, releasability: str = "COALITION",
               rel_to: Iterable[str] = ()) -> Hub:
    hub = Hub(name=name, nation=nation_by_code("nation", nation), location=location, latitude=latitude,
              longitude=longitude, capacity_per_day=capacity_per_day, notes=notes, classification=classification,
              releasability=releasability)
    return writes.create(actor=actor, obj=hub, rel_to=list(rel_to))


def hub_update(*, actor: Actor, id: int, expected_version: int | None = None, rel_to: Iterable[str] | None = None,
               **changes: Any) -> Hub:
    unknown = sorted(set(changes) - HUB_FIELDS)
    if unknown:
        raise ValidationFailed({name: ["this field cannot be changed"] for name in unknown})
    if "nation" in changes:
        changes["nation"] = nation_by_code("nation", changes["nation"])
    with transaction.atomic():
        hub: Hub = writes.get_visible_for_update(Hub.objects, actor=actor, pk=id)
        hub = writes.update(actor=actor, obj=hub, changes=changes, expected_version=expected_version,
                            rel_to=None if rel_to is None else list(rel_to))
        # The rule judges whose hub it is: a donor officer must not hand its hub to another nation either.
        writes.require(actor, "change", hub)
        return hub
