"""The optimiser's input, read from the database: open requirements, committed pledge lines not yet allocated, the
catalogue's compatibility, transit times and hub capacities — and the fingerprint of it all, so a run can later
tell whether the inputs it used have changed.

This is the only place that reads with `core.access.optimiser_actor()`, which sees every record up to the
deployment ceiling whatever its releasability: the optimum is only exact over all the inputs (issue 5). Nothing
built here is shown to anyone directly; the matching selectors filter what a run found by the viewer's own sight.

What goes in (a scenario narrows it; empty scope lists mean "all"):
  requirements  open or partially met; quantity = the requirement's quantity less what lines allocated (or
                later) already cover; priority 1 (most urgent) … 5, need-by date, destination, use category
  lots          pledge lines in status *committed* with an item type: quantity, item type, origin = the line's
                originating nation (the package's lead funder), excluded use categories, available from
                max(available_from, the day of the solve) — a line without a date is available on that day
  routes        `TransitTime` rows: (origin, destination) if there is one, else the origin's default row (blank
                destination), else the distance-class rule below; the default row's hub is the consolidation
                hub all the origin's lots pass through, where the scenario's weekly hub capacities apply

The distance-class rule (days from the donor to anywhere in the partner's area of operations, a planning figure
a coordinator overrides with `TransitTime` rows): the partner itself 2, its neighbours 4, the rest of Europe 7,
anywhere else 21 (by sea).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from shieldwall.catalogue.models import Compatibility, ItemType
from shieldwall.coalition.models import Nation
from shieldwall.core.access import optimiser_actor
from shieldwall.matching.models import Scenario, ScenarioHubCapacity, TransitTime
from shieldwall.matching.solver import Params, Problem, Requirement, Supply
from shieldwall.needs.models import ACTIVE_STATUSES
from shieldwall.needs.models import Requirement as RequirementRecord
from shieldwall.pledges.models import ALLOCATED_OR_LATER, LineStatus, PledgeLine

PRIORITY_LEVELS = 5  # requirements' priorities run 1 … 5 (needs.models)

PARTNER = frozenset({"UKR"})
NEIGHBOURS = frozenset({"POL", "SVK", "HUN", "ROU", "MDA"})
EUROPE = frozenset({
    "ALB", "AND", "AUT", "BEL", "BIH", "BGR", "CHE", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
    "GRC", "HRV", "IRL", "ISL", "ITA", "LIE", "LTU", "LUX", "LVA", "MCO", "MKD", "MLT", "MNE", "NLD", "NOR", "PRT",
    "SMR", "SRB", "SVN", "SWE", "TUR", "XKX",
})
DAYS_BY_CLASS = {"partner": 2, "neighbour": 4, "europe": 7, "overseas": 21}


def distance_class(origin: str) -> str:
    if origin in PARTNER:
        return "partner"
    if origin in NEIGHBOURS:
        return "neighbour"
    return "europe" if origin in EUROPE else "overseas"


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


class Routes:
    """Transit days and consolidation hubs from the `TransitTime` table, with the distance-class rule beneath."""

    def __init__(self, rows: Iterable[tuple[str, str, int, str]]) -> None:
        self.rows = sorted(rows)
        self._days: dict[tuple[str, str], int] = {}
        self._default: dict[str, int] = {}
        self._hub: dict[str, str] = {}
        for origin, destination, days, hub in self.rows:
            if destination.strip():
                self._days[(origin, _key(destination))] = days
            else:
                self._default[origin] = days
                if hub.strip():
                    self._hub[origin] = hub.strip()

    @classmethod
    def load(cls) -> Routes:
        rows = TransitTime.objects.values_list("origin__code", "destination", "days", "hub")
        return cls(rows)

    def days(self, origin: str, destination: str) -> int:
        found = self._days.get((origin, _key(destination)))
        if found is not None:
            return found
        return self._default.get(origin, DAYS_BY_CLASS[distance_class(origin)])

    def hub(self, origin: str) -> str | None:
        return self._hub.get(origin)

    def transit(self, origins: Iterable[str], destinations: Iterable[str]) -> dict[tuple[str, str], int]:
        dests = sorted(set(destinations))
        return {(o, d): self.days(o, d) for o in sorted(set(origins)) for d in dests}


@dataclass(frozen=True)
class LineFact:
    """What storing an assignment needs to know of its line, read once with the input."""

    donor_id: int
    quantity: int
    value_eur: Decimal


@dataclass(frozen=True)
class Inputs:
    problem: Problem
    fingerprint: str
    records: dict[str, Any]  # {"lines": {id: hash}, "requirements": {id: hash}, "context": hash}
    lines: dict[int, LineFact]
    required: dict[int, int]  # requirement id -> quantity the run tries to cover
    routes: Routes
    on: date


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def _digest(value: Any) -> str:
    return hashlib.blake2b(_canonical(value), digest_size=8).hexdigest()


def params_of(scenario: Scenario) -> Params:
    return Params(half_life_days=float(scenario.half_life_days), max_lateness_days=int(scenario.max_lateness_days),
                  priority_levels=PRIORITY_LEVELS)


@dataclass(frozen=True)
class _Scope:
    area_ids: list[int]
    class_ids: list[int]
    donor_ids: list[int]

    @classmethod
    def of(cls, scenario: Scenario) -> _Scope:
        return cls(sorted(scenario.areas.values_list("pk", flat=True)),
                   sorted(scenario.item_classes.values_list("pk", flat=True)),
                   sorted(scenario.donors.values_list("pk", flat=True)))


def _requirement_rows(scenario: Scenario, scope: _Scope) -> list[dict[str, Any]]:
    reader = optimiser_actor()
    qs = RequirementRecord.objects.visible_to(reader).filter(
        status__in=ACTIVE_STATUSES, priority__gte=scenario.priority_min, priority__lte=scenario.priority_max)
    if scope.class_ids:
        qs = qs.filter(item_class_id__in=scope.class_ids)
    if scope.area_ids:
        qs = qs.filter(item_class__area_id__in=scope.area_ids)
    if scenario.need_by_from:
        qs = qs.filter(need_by__gte=scenario.need_by_from)
    if scenario.need_by_to:
        qs = qs.filter(need_by__lte=scenario.need_by_to)
    rows = list(qs.values("pk", "item_class_id", "quantity", "priority", "need_by", "destination", "use_category")
                .order_by("pk"))
    allocated = dict(
        PledgeLine.objects.visible_to(reader)
        .filter(requirement__in=qs, status__in=ALLOCATED_OR_LATER)
        .values("requirement_id").annotate(total=Sum("quantity")).values_list("requirement_id", "total")
    )
    out = []
    for row in rows:
        row["remaining"] = row["quantity"] - int(allocated.get(row["pk"], 0) or 0)
        if row["remaining"] > 0:
            out.append(row)
    return out


def _compatibility(class_ids: Iterable[int]) -> dict[int, set[int]]:
    """Item class -> the item types that satisfy it (its own types and those the catalogue says satisfy it)."""
    classes = sorted(set(class_ids))
    out: dict[int, set[int]] = {c: set() for c in classes}
    for type_id, class_id in ItemType.objects.filter(item_class_id__in=classes).values_list("pk", "item_class_id"):
        out[class_id].add(type_id)
    for type_id, class_id in Compatibility.objects.filter(item_class_id__in=classes).values_list(
            "item_type_id", "item_class_id"):
        out[class_id].add(type_id)
    return out


def _line_rows(scope: _Scope, type_ids: set[int]) -> list[dict[str, Any]]:
    qs = PledgeLine.objects.visible_to(optimiser_actor()).filter(
        status=LineStatus.COMMITTED, item_type_id__in=sorted(type_ids))
    if scope.donor_ids:
        qs = qs.filter(originator_id__in=scope.donor_ids)
    return list(qs.values("pk", "item_type_id", "quantity", "available_from", "originator_id", "excluded_uses",
                          "value_eur").order_by("pk"))


def build_inputs(scenario: Scenario, *, on: date) -> Inputs:
    """Everything the optimiser needs for `scenario` as of the day `on`, with its fingerprint."""
    scope = _Scope.of(scenario)
    reqs = _requirement_rows(scenario, scope)
    compat = _compatibility(r["item_class_id"] for r in reqs)
    lines = _line_rows(scope, set().union(*compat.values()) if compat else set())
    codes = dict(Nation.objects.filter(pk__in={r["originator_id"] for r in lines}).values_list("pk", "code"))
    routes = Routes.load()
    requirements = [
        Requirement(id=r["pk"], item_class=str(r["item_class_id"]), quantity=r["remaining"], priority=r["priority"],
                    need_by=r["need_by"], destination=r["destination"].strip(), use_category=r["use_category"])
        for r in reqs
    ]
    supplies = [
        Supply(id=r["pk"], item_type=str(r["item_type_id"]), quantity=r["quantity"],
               available_from=max(r["available_from"] or on, on), origin=codes[r["originator_id"]],
               excluded_uses=frozenset(r["excluded_uses"] or ()), hub=routes.hub(codes[r["originator_id"]]))
        for r in lines
    ]
    hub_capacity = {(h, w): c for h, w, c in ScenarioHubCapacity.objects.filter(scenario=scenario)
                    .values_list("hub", "week_start", "capacity")}
    transit = routes.transit((s.origin for s in supplies), (r.destination for r in requirements))
    problem = Problem(
        requirements=requirements, supplies=supplies,
        compatibility={str(c): frozenset(str(t) for t in types) for c, types in compat.items()},
        transit_days=transit, hub_capacity=hub_capacity, params=params_of(scenario),
    )
    # Per record what decides its part in the solve (a line's hub, a requirement's compatible item types), so a
    # new record of a known origin or class counts as one record changed, not as a changed context.
    records = {
        "lines": {str(r["pk"]): _digest([r["item_type_id"], r["quantity"], r["available_from"], r["originator_id"],
                                         sorted(r["excluded_uses"] or ()), routes.hub(codes[r["originator_id"]])])
                  for r in lines},
        "requirements": {str(r["pk"]): _digest([r["item_class_id"], r["remaining"], r["priority"], r["need_by"],
                                                r["destination"], r["use_category"],
                                                sorted(compat[r["item_class_id"]])]) for r in reqs},
        "context": _digest({
            "params": params_of(scenario).key(), "scope": [scope.area_ids, scope.class_ids, scope.donor_ids],
            "priorities": [scenario.priority_min, scenario.priority_max],
            "window": [scenario.need_by_from, scenario.need_by_to], "routes": routes.rows,
            "capacity": sorted((h, w, c) for (h, w), c in hub_capacity.items()),
        }),
    }
    return Inputs(
        problem=problem, fingerprint=hashlib.sha256(_canonical(records)).hexdigest(),
        records=records,
        lines={r["pk"]: LineFact(r["originator_id"], r["quantity"], r["value_eur"]) for r in lines},
        required={r["pk"]: r["remaining"] for r in reqs}, routes=routes, on=on,
    )


@dataclass(frozen=True)
class InputsDiff:
    lines: int
    requirements: int
    context: bool

    @property
    def changed(self) -> bool:
        return bool(self.lines or self.requirements or self.context)


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> InputsDiff:
    """How many pledge lines and requirements entered, left or changed between two inputs' record hashes."""

    def count(name: str) -> int:
        a, b = old.get(name) or {}, new.get(name) or {}
        return sum(1 for key in set(a) | set(b) if a.get(key) != b.get(key))

    return InputsDiff(count("lines"), count("requirements"), old.get("context") != new.get("context"))


def staleness(scenario: Scenario, *, fingerprint: str, records: Mapping[str, Any], on: date) -> InputsDiff:
    """How inputs solved earlier (their fingerprint and record hashes) differ from the scenario's inputs now."""
    now = build_inputs(scenario, on=on)
    if now.fingerprint == fingerprint:
        return InputsDiff(0, 0, False)
    found = diff(records, now.records)
    # Equal record hashes but another fingerprint cannot happen unless the stored hashes were lost: still stale.
    return found if found.changed else InputsDiff(0, 0, True)
