"""API schemas of logistics: explicit fields, never `__all__`. A stop's hub and a shipment line's pledge line are
named only when the selector's visible prefetch found them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from shieldwall.coalition.schemas import ClassificationLabel, MarkedOut, MarkingIn, ReleasabilityCode
from shieldwall.core.schemas import InSchema
from shieldwall.logistics.selectors import is_overdue

MAX_ID = 2**63 - 1
StatusCode = Literal["planned", "dispatched", "at_hub", "handed_over", "received", "lost", "damaged"]
ModeCode = Literal["road", "rail", "air", "sea", "multimodal"]
ConditionCode = Literal["good", "damaged", "unusable"]
NationCode = Field(pattern=r"^[A-Za-z]{3}$", description="ISO 3166 alpha-3 code")


class HubOut(MarkedOut):
    id: int
    name: str
    nation: str
    location: str
    latitude: Decimal
    longitude: Decimal
    capacity_per_day: int
    notes: str

    @staticmethod
    def resolve_nation(obj: Any) -> str:
        return str(obj.nation.code)


class HubIn(MarkingIn):
    name: str = Field(min_length=1, max_length=200)
    nation: str = NationCode
    location: str = Field(min_length=1, max_length=200)
    latitude: Decimal = Field(ge=-90, le=90, max_digits=8, decimal_places=5)
    longitude: Decimal = Field(ge=-180, le=180, max_digits=8, decimal_places=5)
    capacity_per_day: int = Field(ge=1, le=100_000, description="Shipments the hub can handle a day")
    notes: str = Field(default="", max_length=5000)


class HubPatch(InSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    nation: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    location: str | None = Field(default=None, min_length=1, max_length=200)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, max_digits=8, decimal_places=5)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, max_digits=8, decimal_places=5)
    capacity_per_day: int | None = Field(default=None, ge=1, le=100_000)
    notes: str | None = Field(default=None, max_length=5000)
    classification: ClassificationLabel | None = None
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)


class HubDayOut(Schema):
    day: dt.date
    arriving: int
    present: int
    units: int
    capacity: int
    over: bool


class HubLoadOut(Schema):
    hub: HubOut
    days: list[HubDayOut]


class StopOut(Schema):
    sequence: int
    hub_id: int | None = Field(description="None when the hub is not released to you")
    hub: str | None
    planned_arrival: dt.date
    planned_departure: dt.date
    arrived_on: dt.date | None
    departed_on: dt.date | None

    @staticmethod
    def resolve_hub_id(obj: Any) -> int | None:
        return obj.hub.pk if obj.hub is not None else None

    @staticmethod
    def resolve_hub(obj: Any) -> str | None:
        return obj.hub.name if obj.hub is not None else None


class ShipmentLineOut(Schema):
    id: int
    pledge_line_id: int | None = Field(description="None when the pledge line is not released to you")
    item_type: str | None
    quantity: int
    received_quantity: int

    @staticmethod
    def resolve_pledge_line_id(obj: Any) -> int | None:
        return obj.pledge_line.pk if obj.pledge_line is not None else None

    @staticmethod
    def resolve_item_type(obj: Any) -> str | None:
        line = obj.pledge_line
        return line.item_type.name if line is not None and line.item_type_id else None


class ReceiptLineOut(Schema):
    shipment_line_id: int
    quantity: int
    condition: ConditionCode


class ReceiptOut(Schema):
    id: int
    received_on: dt.date
    unit: str
    location: str
    discrepancies: str
    final: bool
    recorded_by: str | None
    lines: list[ReceiptLineOut]

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return obj.recorded_by.username if obj.recorded_by_id else None

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class ShipmentOut(MarkedOut):
    id: int
    reference: str
    donor: str
    recipient: str
    origin: str
    destination: str
    transport_mode: ModeCode
    planned_dispatch: dt.date
    planned_arrival: dt.date
    dispatched_on: dt.date | None
    handed_over_on: dt.date | None
    received_on: dt.date | None
    status: StatusCode
    overdue: bool = Field(description="Past its planned dispatch (planned) or arrival (on the way)")
    incident_on: dt.date | None
    incident_report: str
    notes: str
    stops: list[StopOut]
    lines: list[ShipmentLineOut]

    @staticmethod
    def resolve_donor(obj: Any) -> str:
        return str(obj.originator.code)

    @staticmethod
    def resolve_recipient(obj: Any) -> str:
        return str(obj.recipient.code)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return is_overdue(obj)

    @staticmethod
    def resolve_stops(obj: Any) -> list[Any]:
        return list(obj.stops.all())

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class ShipmentDetailOut(ShipmentOut):
    receipts: list[ReceiptOut]

    @staticmethod
    def resolve_receipts(obj: Any) -> list[Any]:
        return list(obj.receipts.all())


class LinePlanIn(InSchema):
    pledge_line_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(ge=1, le=10**9)


class StopPlanIn(InSchema):
    hub_id: int = Field(ge=1, le=MAX_ID)
    planned_arrival: dt.date
    planned_departure: dt.date | None = None


class ShipmentIn(InSchema):
    recipient: str = NationCode
    origin: str = Field(min_length=1, max_length=200)
    destination: str = Field(min_length=1, max_length=200)
    planned_dispatch: dt.date
    planned_arrival: dt.date
    transport_mode: ModeCode = "road"
    reference: str = Field(default="", max_length=60)
    notes: str = Field(default="", max_length=5000)
    lines: list[LinePlanIn] = Field(min_length=1, max_length=200)
    stops: list[StopPlanIn] = Field(default_factory=list, max_length=20)
    classification: ClassificationLabel | None = Field(default=None, description="Default: what the lines allow")
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)


class ShipmentPatch(InSchema):
    reference: str | None = Field(default=None, max_length=60)
    notes: str | None = Field(default=None, max_length=5000)
    transport_mode: ModeCode | None = None
    origin: str | None = Field(default=None, min_length=1, max_length=200)
    destination: str | None = Field(default=None, min_length=1, max_length=200)
    planned_dispatch: dt.date | None = None
    planned_arrival: dt.date | None = None
    classification: ClassificationLabel | None = None
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)


class MoveIn(InSchema):
    on: dt.date | None = Field(default=None, description="When it happened (default today)")


class IncidentIn(MoveIn):
    kind: Literal["lost", "damaged"]
    report: str = Field(min_length=1, max_length=10000)


class ReceivedLineIn(InSchema):
    shipment_line_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(ge=0, le=10**9)
    condition: ConditionCode = "good"
    serials: list[str] = Field(default_factory=list, max_length=10_000,
                               description="The serial numbers received (all in transit on the line if empty)")


class ReceiptIn(InSchema):
    received_on: dt.date | None = None
    unit: str = Field(min_length=1, max_length=200)
    location: str = Field(default="", max_length=200)
    discrepancies: str = Field(default="", max_length=5000)
    final: bool = Field(default=False, description="Close the shipment: what is missing is not coming")
    lines: list[ReceivedLineIn] = Field(default_factory=list, max_length=200)


class OverdueLineOut(Schema):
    id: int
    donor: str
    item_type: str | None
    quantity: int
    status: str
    available_from: dt.date | None

    @staticmethod
    def resolve_donor(obj: Any) -> str:
        return str(obj.originator.code)

    @staticmethod
    def resolve_item_type(obj: Any) -> str | None:
        return obj.item_type.name if obj.item_type_id else None


class OverdueOut(Schema):
    day: dt.date
    shipments: list[ShipmentOut]
    lines: list[OverdueLineOut]
