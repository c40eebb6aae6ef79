"""Scenarios (create, update, delete, with their weekly hub capacities) and the transit-time table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from shieldwall.catalogue.models import CapabilityArea, ItemClass
from shieldwall.coalition.models import Nation
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import Conflict, NotFound, ValidationFailed
from shieldwall.matching.models import Scenario, ScenarioHubCapacity, TransitTime

SCENARIO_FIELDS = {"name", "description", "half_life_days", "max_lateness_days", "priority_min", "priority_max",
                   "need_by_from", "need_by_to", "classification", "releasability"}


@dataclass(frozen=True)
class HubCapacity:
    """Units `hub` can forward in the ISO week starting Monday `week_start`."""

    hub: str
    week_start: date
    capacity: int


def _area_ids(codes: Iterable[str]) -> list[int]:
    wanted = sorted({c.strip() for c in codes if c.strip()})
    found = dict(CapabilityArea.objects.filter(code__in=wanted).values_list("code", "pk"))
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ValidationFailed({"areas": [f"unknown capability area(s): {', '.join(missing)}"]})
    return sorted(found.values())


def _class_ids(ids: Iterable[int]) -> list[int]:
    wanted = sorted({int(i) for i in ids})
    found = set(ItemClass.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationFailed({"item_classes": [f"unknown item class(es): {', '.join(missing)}"]})
    return wanted


def _donor_ids(codes: Iterable[str]) -> list[int]:
    try:
        return writes.nation_ids(codes)
    except ValidationFailed as exc:
        raise ValidationFailed({"donors": exc.errors["rel_to"]}) from exc


def _scope_m2m(areas: Iterable[str] | None, item_classes: Iterable[int] | None,
               donors: Iterable[str] | None) -> dict[str, list[int]]:
    m2m: dict[str, list[int]] = {}
    if areas is not None:
        m2m["areas"] = _area_ids(areas)
    if item_classes is not None:
        m2m["item_classes"] = _class_ids(item_classes)
    if donors is not None:
        m2m["donors"] = _donor_ids(donors)
    return m2m


def _capacity_rows(scenario: Scenario, capacities: Sequence[HubCapacity]) -> list[ScenarioHubCapacity]:
    rows, errors, seen = [], [], set()
    for n, spec in enumerate(capacities, start=1):
        row = ScenarioHubCapacity(scenario=scenario, hub=" ".join(spec.hub.split()), week_start=spec.week_start,
                                  capacity=spec.capacity)
        try:
            row.full_clean(exclude=["scenario"], validate_unique=False)
        except ValidationError as exc:
            errors += [f"row {n}: {msg}" for msgs in exc.message_dict.values() for msg in msgs]
        if (row.hub, row.week_start) in seen:
            errors.append(f"row {n}: {row.hub} week of {row.week_start} is given twice")
        seen.add((row.hub, row.week_start))
        rows.append(row)
    if errors:
        raise ValidationFailed({"hub_capacities": errors})
    return rows


def _capacity_audit(rows: Iterable[ScenarioHubCapacity]) -> list[list[Any]]:
    return [[r.hub, r.week_start.isoformat(), r.capacity] for r in sorted(rows, key=lambda r: (r.hub, r.week_start))]


def scenario_create(
    *, actor: Actor, name: str, description: str = "", half_life_days: int = 14, max_lateness_days: int = 56,
    areas: Iterable[str] = (), item_classes: Iterable[int] = (), donors: Iterable[str] = (), priority_min: int = 1,
    priority_max: int = 5, need_by_from: date | None = None, need_by_to: date | None = None,
    hub_capacities: Sequence[HubCapacity] = (), classification: int = 0, releasability: str = "COALITION",
    rel_to: Iterable[str] = (),
) -> Scenario:
    """A coordinator's scenario of their own nation; empty scope lists mean everything in the list."""
    scenario = Scenario(name=" ".join(name.split()), description=description, half_life_days=half_life_days,
                        max_lateness_days=max_lateness_days, priority_min=priority_min, priority_max=priority_max,
                        need_by_from=need_by_from, need_by_to=need_by_to, classification=classification,
                        releasability=releasability)
    m2m = _scope_m2m(areas, item_classes, donors)
    with transaction.atomic():
        rows = _capacity_rows(scenario, hub_capacities)
        scenario = writes.create(actor=actor, obj=scenario, rel_to=list(rel_to), m2m=m2m,
                                 extra_audit={"hub_capacities": [None, _capacity_audit(rows)]} if rows else None)
        for row in rows:
            row.scenario = scenario
        ScenarioHubCapacity.objects.bulk_create(rows)
    return scenario


def scenario_update(
    *, actor: Actor, id: int, expected_version: int | None = None, rel_to: Iterable[str] | None = None,
    areas: Iterable[str] | None = None, item_classes: Iterable[int] | None = None,
    donors: Iterable[str] | None = None, hub_capacities: Sequence[HubCapacity] | None = None, **changes: Any,
) -> Scenario:
    """Change a scenario; `hub_capacities`, when given, replaces all its rows. Its runs keep what they used."""
    bad = sorted(set(changes) - SCENARIO_FIELDS)
    if bad:
        raise ValidationFailed({name: ["this field cannot be changed"] for name in bad})
    if "name" in changes:
        changes["name"] = " ".join(str(changes["name"]).split())
    m2m = _scope_m2m(areas, item_classes, donors)
    with transaction.atomic():
        scenario: Scenario = writes.get_visible_for_update(Scenario.objects, actor=actor, pk=id)
        writes.require(actor, "change", scenario)
        extra: dict[str, Any] = {}
        if hub_capacities is not None:
            rows = _capacity_rows(scenario, hub_capacities)
            old = list(scenario.hub_capacities.all())
            if _capacity_audit(old) != _capacity_audit(rows):
                extra["hub_capacities"] = [_capacity_audit(old), _capacity_audit(rows)]
                scenario.hub_capacities.all().delete()
                ScenarioHubCapacity.objects.bulk_create(rows)
        return writes.update(actor=actor, obj=scenario, changes=changes, expected_version=expected_version,
                             rel_to=None if rel_to is None else list(rel_to), m2m=m2m, extra_audit=extra)


def scenario_delete(*, actor: Actor, id: int, expected_version: int | None = None) -> None:
    """Delete a scenario with its runs, unless one was approved (its allocations are history)."""
    with transaction.atomic():
        scenario: Scenario = writes.get_visible_for_update(Scenario.objects, actor=actor, pk=id)
        writes.require(actor, "delete", scenario)
        if scenario.runs.filter(approved_at__isnull=False).exists():
            raise Conflict("a run of this scenario was approved; the scenario stays as the record of it")
        writes.delete(actor=actor, obj=scenario, expected_version=expected_version)


# --- transit times (reference data of routes) ------------------------------------------------------------------


def transit_time_set(*, actor: Actor, origin: str, destination: str = "", days: int, hub: str = "") -> TransitTime:
    """Create or change the transit time of a route (blank destination: the origin's default route and hub)."""
    nation = Nation.objects.filter(code=origin.strip().upper()).first()
    if nation is None:
        raise ValidationFailed({"origin": [f"unknown nation code {origin!r}"]})
    destination = " ".join(destination.split())
    with transaction.atomic():
        row = TransitTime.objects.select_for_update().filter(origin=nation, destination__iexact=destination).first()
        if row is None:
            return writes.create(actor=actor, obj=TransitTime(origin=nation, destination=destination, days=days,
                                                              hub=hub.strip()))
        return writes.update(actor=actor, obj=row, changes={"days": days, "hub": hub.strip()})


def transit_time_delete(*, actor: Actor, id: int) -> None:
    with transaction.atomic():
        row = TransitTime.objects.select_for_update().filter(pk=id).first()
        if row is None:
            raise NotFound(f"transit time {id} not found")
        writes.delete(actor=actor, obj=row)
