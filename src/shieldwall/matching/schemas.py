"""API schemas of matching: explicit fields, never `__all__`; names of their own (Ninja keeps one schema per name
in the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from shieldwall.coalition.schemas import ClassificationLabel, MarkedOut, MarkingIn, ReleasabilityCode
from shieldwall.core.schemas import InSchema

MAX_ID = 2**63 - 1
RunStatusCode = Literal["queued", "running", "done", "failed"]
AreaCode = Literal["air_defence", "artillery", "armour", "air_force", "maritime", "drones", "it_cyber",
                   "demining", "training", "other"]
UseCode = Literal["front_line", "territorial_air_defence", "cross_border", "training", "sustainment",
                  "humanitarian"]


class ScenarioHubCapacityOut(Schema):
    hub: str
    week_start: dt.date
    capacity: int


class ScenarioHubCapacityIn(InSchema):
    hub: str = Field(min_length=1, max_length=120)
    week_start: dt.date = Field(description="A Monday")
    capacity: int = Field(ge=0, le=10**9)


class ScenarioOut(MarkedOut):
    id: int
    name: str
    description: str
    half_life_days: int
    max_lateness_days: int
    areas: list[str] = Field(description="Capability area codes in scope (empty: all)")
    item_classes: list[int] = Field(description="Item class ids in scope (empty: all)")
    donors: list[str] = Field(description="Donor nation codes in scope (empty: all)")
    priority_min: int
    priority_max: int
    need_by_from: dt.date | None
    need_by_to: dt.date | None
    hub_capacities: list[ScenarioHubCapacityOut]

    @staticmethod
    def resolve_areas(obj: Any) -> list[str]:
        return sorted(a.code for a in obj.areas.all())

    @staticmethod
    def resolve_item_classes(obj: Any) -> list[int]:
        return sorted(c.pk for c in obj.item_classes.all())

    @staticmethod
    def resolve_donors(obj: Any) -> list[str]:
        return sorted(n.code for n in obj.donors.all())

    @staticmethod
    def resolve_hub_capacities(obj: Any) -> list[Any]:
        return list(obj.hub_capacities.all())


class ScenarioIn(MarkingIn):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    half_life_days: int = Field(default=14, ge=1, le=365)
    max_lateness_days: int = Field(default=56, ge=0, le=730)
    areas: list[AreaCode] = Field(default_factory=list, max_length=20)
    item_classes: list[int] = Field(default_factory=list, max_length=500)
    donors: list[str] = Field(default_factory=list, max_length=250)
    priority_min: int = Field(default=1, ge=1, le=5)
    priority_max: int = Field(default=5, ge=1, le=5)
    need_by_from: dt.date | None = None
    need_by_to: dt.date | None = None
    hub_capacities: list[ScenarioHubCapacityIn] = Field(default_factory=list, max_length=2000)


class ScenarioPatch(InSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    half_life_days: int | None = Field(default=None, ge=1, le=365)
    max_lateness_days: int | None = Field(default=None, ge=0, le=730)
    areas: list[AreaCode] | None = Field(default=None, max_length=20)
    item_classes: list[int] | None = Field(default=None, max_length=500)
    donors: list[str] | None = Field(default=None, max_length=250)
    priority_min: int | None = Field(default=None, ge=1, le=5)
    priority_max: int | None = Field(default=None, ge=1, le=5)
    need_by_from: dt.date | None = None
    need_by_to: dt.date | None = None
    hub_capacities: list[ScenarioHubCapacityIn] | None = Field(default=None, max_length=2000)
    classification: ClassificationLabel | None = None
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)


class RunSummaryOut(Schema):
    """What the caller may see of a run's result; `total_objective` only for coordinators."""

    assignments: int
    units: int
    value: Decimal = Field(description="Objective of the assignments visible to you")
    value_eur: Decimal
    gaps: int
    unmet: int
    total_objective: Decimal | None = Field(description="Total objective (all inputs): coordinators only")
    allocated: int = Field(description="Assignments visible to you that an approval allocated")


class MatchingRunOut(MarkedOut):
    id: int
    scenario_id: int
    status: RunStatusCode
    progress: int = Field(description="Per cent")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str
    half_life_days: int
    max_lateness_days: int
    solved_on: dt.date | None
    created_by: str | None
    approved_by: str | None
    approved_at: dt.datetime | None
    approval_status: Literal["", "queued", "failed"] = Field(description="An approval asked for: under way, or "
                                                              "refused (see approval_error)")
    approval_error: str

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.username if obj.created_by_id else None

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return obj.approved_by.username if obj.approved_by_id else None


class MatchingRunDetailOut(MatchingRunOut):
    summary: RunSummaryOut


class AssignmentOut(Schema):
    id: int
    line_id: int
    line: str
    item_type: str
    donor: str
    requirement_id: int
    requirement: str
    quantity: int
    expected_arrival: dt.date
    lateness_days: int
    value: Decimal
    value_eur: Decimal
    allocated_line_id: int | None

    @staticmethod
    def resolve_line(obj: Any) -> str:
        return str(obj.line)

    @staticmethod
    def resolve_item_type(obj: Any) -> str:
        return obj.line.item_type.name if obj.line.item_type_id else ""

    @staticmethod
    def resolve_donor(obj: Any) -> str:
        return str(obj.donor.code)

    @staticmethod
    def resolve_requirement(obj: Any) -> str:
        return str(obj.requirement)


class GapOut(Schema):
    requirement_id: int
    requirement: str
    item_class: str
    required: int
    unmet: int
    reasons: dict[str, int]
    primary: str

    @staticmethod
    def resolve_requirement(obj: Any) -> str:
        return str(obj.requirement)

    @staticmethod
    def resolve_item_class(obj: Any) -> str:
        return str(obj.requirement.item_class.name)


class MarginalValueOut(Schema):
    item_class_id: int
    item_class: str
    unit: str
    value: Decimal = Field(description="Objective gained by one more on-time unit of this class")

    @staticmethod
    def resolve_item_class(obj: Any) -> str:
        return str(obj.item_class.name)

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.item_class.unit)


class RequirementComparisonOut(Schema):
    requirement_id: int
    requirement: str
    priority: int
    covered_a: int
    covered_b: int
    unmet_a: int | None
    unmet_b: int | None
    change: int


class DonorComparisonOut(Schema):
    donor: str
    units_a: int
    units_b: int
    value_eur_a: Decimal
    value_eur_b: Decimal
    change_eur: Decimal


class RunComparisonOut(Schema):
    a: MatchingRunOut
    b: MatchingRunOut
    summary_a: RunSummaryOut
    summary_b: RunSummaryOut
    requirements: list[RequirementComparisonOut]
    donors: list[DonorComparisonOut]


class HypotheticalLineIn(InSchema):
    item_type_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(ge=1, le=10**9)
    available_from: dt.date
    origin: str = Field(pattern=r"^[A-Za-z]{3}$", description="Donor nation (ISO 3166 alpha-3)")
    excluded_uses: list[UseCode] = Field(default_factory=list, max_length=6)


class PriorityChangeIn(InSchema):
    requirement_id: int = Field(ge=1, le=MAX_ID)
    priority: int = Field(ge=1, le=5)


class WhatIfIn(InSchema):
    lines: list[HypotheticalLineIn] = Field(default_factory=list, max_length=20)
    priorities: list[PriorityChangeIn] = Field(default_factory=list, max_length=50)


class WhatIfRequirementOut(Schema):
    requirement_id: int
    requirement: str
    required: int
    covered_before: int
    covered_after: int
    change: int
    priority_before: int
    priority_after: int
    reason_after: str


class WhatIfAssignmentOut(Schema):
    line: int = Field(description="Number of the hypothetical line, from 1")
    item_type: str
    requirement_id: int
    requirement: str
    quantity: int
    expected_arrival: dt.date
    value: Decimal


class WhatIfMarginalOut(Schema):
    item_class: str
    before: Decimal
    after: Decimal


class WhatIfOut(Schema):
    scenario_id: int
    base_run_id: int | None = Field(description="The latest run, when it was solved with the inputs of now")
    objective_before: Decimal = Field(description="Total objective (all inputs) now")
    objective_after: Decimal
    objective_change: Decimal
    requirements: list[WhatIfRequirementOut]
    hypothetical: list[WhatIfAssignmentOut]
    hypothetical_elsewhere: int = Field(description="Hypothetical units going to requirements not released to you")
    marginal_values: list[WhatIfMarginalOut]
    seconds: float
    components_reused: int
    components_solved: int
