"""API schemas of the requirements list and its coverage: explicit fields, never `__all__`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from shieldwall.coalition.schemas import ClassificationLabel, MarkedOut, MarkingIn, ReleasabilityCode
from shieldwall.core.markings import Classification
from shieldwall.core.schemas import InSchema
from shieldwall.needs import lifecycle

StatusCode = Literal["draft", "submitted", "validated", "open", "partially_met", "met", "withdrawn"]
UseCode = Literal["front_line", "territorial_air_defence", "cross_border", "training", "sustainment",
                  "humanitarian"]
Priority = Field(ge=1, le=5, description="1 = most urgent … 5")


class RequirementOut(MarkedOut):
    id: int
    title: str
    item_class_id: int
    item_class: str
    unit: str
    area: str
    quantity: int
    priority: int
    need_by: dt.date
    destination: str
    use_category: UseCode
    justification: str
    status: StatusCode
    status_changed_at: dt.datetime | None
    status_reason: str
    allowed_actions: list[str] = Field(description="Lifecycle steps the status allows now (your role decides)")

    @staticmethod
    def resolve_item_class(obj: Any) -> str:
        return str(obj.item_class.name)

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.item_class.unit)

    @staticmethod
    def resolve_area(obj: Any) -> str:
        return str(obj.item_class.area.code)

    @staticmethod
    def resolve_allowed_actions(obj: Any) -> list[str]:
        return lifecycle.allowed_actions(obj.status)


class RequirementIn(MarkingIn):
    item_class_id: int = Field(ge=1, le=2**62)
    title: str = Field(default="", max_length=200)
    quantity: int = Field(ge=1, le=10**9)
    priority: int = Field(default=3, ge=1, le=5, description="1 = most urgent … 5")
    need_by: dt.date
    destination: str = Field(min_length=1, max_length=120, description="A hub or a region")
    use_category: UseCode = "front_line"
    justification: str = Field(default="", max_length=10000)


class RequirementPatch(InSchema):
    item_class_id: int | None = Field(default=None, ge=1, le=2**62)
    title: str | None = Field(default=None, max_length=200)
    quantity: int | None = Field(default=None, ge=1, le=10**9)
    priority: int | None = Field(default=None, ge=1, le=5)
    need_by: dt.date | None = None
    destination: str | None = Field(default=None, min_length=1, max_length=120)
    use_category: UseCode | None = None
    justification: str | None = Field(default=None, max_length=10000)
    classification: ClassificationLabel | None = None
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)

    def changes(self) -> tuple[dict[str, Any], list[str] | None]:
        """The fields sent, classification as its number; REL TO apart."""
        changes = self.model_dump(exclude_unset=True)
        rel_to = changes.pop("rel_to", None)
        if changes.get("classification") is not None:
            changes["classification"] = int(Classification[changes["classification"]])
        return changes, rel_to


class ReasonIn(InSchema):
    reason: str = Field(min_length=1, max_length=500)


class PriorityIn(InSchema):
    priority: int = Field(ge=1, le=5, description="1 = most urgent … 5")


class RequirementCoverageOut(Schema):
    id: int
    title: str
    item_class_id: int
    item_class: str
    unit: str
    area: str
    priority: int
    need_by: dt.date
    status: StatusCode
    destination: str
    originator: str
    marking: str
    required_qty: int
    required_value: Decimal | None
    committed_qty: int
    committed_value: Decimal
    allocated_qty: int
    allocated_value: Decimal
    delivered_qty: int
    delivered_value: Decimal
    pct_committed: Decimal | None = Field(description="committed / required quantity, per cent")
    pct_allocated: Decimal | None
    pct_delivered: Decimal | None

    @staticmethod
    def resolve_marking(obj: Any) -> str:
        return str(obj.marking)


class GroupCoverageOut(Schema):
    id: int | None = Field(description="The capability area's or coalition's id (none: no coalition)")
    name: str
    requirements: int
    unpriced: int = Field(description="Requirements whose item class has no reference price")
    required_value: Decimal
    committed_value: Decimal
    allocated_value: Decimal
    delivered_value: Decimal
    pct_committed: Decimal | None = Field(description="committed / required value, per cent")
    pct_allocated: Decimal | None
    pct_delivered: Decimal | None

    @staticmethod
    def resolve_id(obj: Any) -> int | None:
        return obj.key  # type: ignore[no-any-return]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.label)
