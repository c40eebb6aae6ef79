"""API schemas of end-use monitoring: explicit fields, never `__all__`. An item's pledge line and shipment, and a
finding's item, are named only when the selector's visible prefetch found them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from shieldwall.coalition.schemas import ClassificationLabel, MarkedOut
from shieldwall.core.schemas import InSchema

MAX_ID = 2**63 - 1
SerialStatusCode = Literal["registered", "in_transit", "in_service", "under_repair", "destroyed", "lost",
                           "transferred"]
ResultCode = Literal["found", "not_found", "destroyed"]
KindCode = Literal["initial", "annual", "spot"]
DueCode = Literal["overdue", "due_soon", "unaccounted", "never_inventoried"]


def _code(nation: Any) -> str | None:
    return nation.code if nation is not None else None


class SerialItemOut(MarkedOut):
    id: int
    serial_number: str
    item_type: str
    item_class: str
    donor: str
    recipient: str
    status: SerialStatusCode
    status_since: dt.date
    custodian_nation: str
    custodian_unit: str
    custodian_location: str
    custody_since: dt.date
    received_on: dt.date | None
    last_inventory_on: dt.date | None
    next_inspection_due: dt.date | None
    unaccounted: bool

    @staticmethod
    def resolve_item_type(obj: Any) -> str:
        return str(obj.item_type.name)

    @staticmethod
    def resolve_item_class(obj: Any) -> str:
        return str(obj.item_class.name)

    @staticmethod
    def resolve_donor(obj: Any) -> str:
        return str(obj.originator.code)

    @staticmethod
    def resolve_recipient(obj: Any) -> str:
        return str(obj.recipient.code)

    @staticmethod
    def resolve_custodian_nation(obj: Any) -> str:
        return str(obj.custodian_nation.code)


class TransferOut(Schema):
    seq: int
    kind: str
    from_nation: str | None
    from_unit: str
    to_nation: str
    to_unit: str
    to_location: str
    on: dt.date
    recorded_by: str
    note: str

    @staticmethod
    def resolve_from_nation(obj: Any) -> str | None:
        return _code(obj.from_nation)

    @staticmethod
    def resolve_to_nation(obj: Any) -> str:
        return str(obj.to_nation.code)

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str:
        return str(obj.recorded_by_name)


class ItemFindingOut(Schema):
    inspection_id: int
    kind: str | None
    inspected_on: dt.date | None
    result: ResultCode
    evidence_ref: str
    on_time: bool

    @staticmethod
    def resolve_kind(obj: Any) -> str | None:
        return obj.inspection.kind if obj.inspection is not None else None

    @staticmethod
    def resolve_inspected_on(obj: Any) -> dt.date | None:
        return obj.inspection.inspected_on if obj.inspection is not None else None


class SerialItemDetailOut(SerialItemOut):
    pledge_line_id: int | None
    shipment_id: int | None
    custody: list[TransferOut]
    findings: list[ItemFindingOut]
    loss_reports: list[int]

    @staticmethod
    def resolve_pledge_line_id(obj: Any) -> int | None:
        return obj.pledge_line.pk if obj.pledge_line is not None else None

    @staticmethod
    def resolve_shipment_id(obj: Any) -> int | None:
        return obj.shipment.pk if obj.shipment is not None else None

    @staticmethod
    def resolve_custody(obj: Any) -> list[Any]:
        return list(obj.transfers.all())

    @staticmethod
    def resolve_findings(obj: Any) -> list[Any]:
        return list(obj.visible_findings)

    @staticmethod
    def resolve_loss_reports(obj: Any) -> list[int]:
        return [r.pk for r in obj.visible_losses]


class SerialsIn(InSchema):
    serials: list[str] = Field(min_length=1, max_length=100_000,
                               description="One serial number per unit; recorded upper-cased (g-1 and G-1 are the "
                                           "same number, unique per item type)")
    unit: str = Field(default="", max_length=200)
    location: str = Field(default="", max_length=200)
    on: dt.date | None = None
    dry_run: bool = False


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class RegisterOut(Schema):
    dry_run: bool
    ok: bool
    rows: int
    created: int
    errors: list[RowErrorOut]


class TransferIn(InSchema):
    to_nation: str = Field(pattern=r"^[A-Za-z]{3}$")
    to_unit: str = Field(min_length=1, max_length=200)
    to_location: str = Field(default="", max_length=200)
    on: dt.date | None = None
    note: str = Field(default="", max_length=300)


class StatusIn(InSchema):
    status: Literal["in_service", "under_repair"]
    on: dt.date | None = None


class ComplianceRowOut(Schema):
    donor: str
    item_class: str
    item_class_id: int
    items: int
    accountable: int
    due_soon: int
    overdue: int
    never_inventoried: int
    unaccounted: int
    in_transit: int
    lost: int
    destroyed: int
    transferred: int
    inspected: int
    on_time: int
    on_time_pct: float | None


class TrendOut(Schema):
    month: dt.date
    inspected: int
    on_time: int
    not_found: int
    destroyed: int
    on_time_pct: float | None


class ComplianceOut(Schema):
    day: dt.date
    rows: list[ComplianceRowOut]
    total: ComplianceRowOut
    trend: list[TrendOut]


class InspectionOut(MarkedOut):
    id: int
    kind: KindCode
    inspected_on: dt.date
    inspector_nation: str
    donor: str
    recipient: str
    location: str
    notes: str
    findings_count: int

    @staticmethod
    def resolve_inspector_nation(obj: Any) -> str:
        return str(obj.inspector_nation.code)

    @staticmethod
    def resolve_donor(obj: Any) -> str:
        return str(obj.donor.code)

    @staticmethod
    def resolve_recipient(obj: Any) -> str:
        return str(obj.recipient.code)

    @staticmethod
    def resolve_findings_count(obj: Any) -> int:
        return int(getattr(obj, "finding_count", 0))


class FindingOut(Schema):
    item_id: int | None
    serial_number: str | None
    result: ResultCode
    evidence_ref: str
    due_on: dt.date | None
    on_time: bool

    @staticmethod
    def resolve_item_id(obj: Any) -> int | None:
        return obj.item.pk if obj.item is not None else None

    @staticmethod
    def resolve_serial_number(obj: Any) -> str | None:
        return obj.item.serial_number if obj.item is not None else None


class InspectionDetailOut(InspectionOut):
    findings: list[FindingOut]

    @staticmethod
    def resolve_findings(obj: Any) -> list[Any]:
        return list(obj.findings.all())


class FindingIn(InSchema):
    item_id: int = Field(ge=1, le=MAX_ID)
    result: ResultCode = "found"
    evidence_ref: str = Field(default="", max_length=200)


class InspectionIn(InSchema):
    kind: KindCode
    inspected_on: dt.date | None = None
    location: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=10000)
    findings: list[FindingIn] = Field(min_length=1, max_length=50_000)
    classification: ClassificationLabel | None = Field(default=None, description="Default RESTRICTED")
    rel_to: list[str] = Field(default_factory=list, max_length=250,
                              description="Nations beyond the donor, the recipient and yours")


class DispositionOut(MarkedOut):
    id: int
    donor: str
    recipient: str
    year: int
    quarter: int
    submitted_on: dt.date
    notes: str
    lines: int
    mismatches: int

    @staticmethod
    def resolve_donor(obj: Any) -> str:
        return str(obj.donor.code)

    @staticmethod
    def resolve_recipient(obj: Any) -> str:
        return str(obj.originator.code)

    @staticmethod
    def resolve_lines(obj: Any) -> int:
        return int(getattr(obj, "line_count", 0))

    @staticmethod
    def resolve_mismatches(obj: Any) -> int:
        return int(getattr(obj, "mismatch_count", 0))


class DispositionLineOut(Schema):
    item_id: int | None
    serial_number: str | None
    reported_status: SerialStatusCode
    unit: str
    location: str
    note: str
    matches: bool

    @staticmethod
    def resolve_item_id(obj: Any) -> int | None:
        return obj.item.pk if obj.item is not None else None

    @staticmethod
    def resolve_serial_number(obj: Any) -> str | None:
        return obj.item.serial_number if obj.item is not None else None


class DispositionDetailOut(Schema):
    report: DispositionOut
    lines: list[DispositionLineOut]
    missing: list[SerialItemOut]


class DispositionImportOut(Schema):
    dry_run: bool
    ok: bool
    rows: int
    report_id: int | None
    applied: int
    mismatches: int
    errors: list[RowErrorOut]


class LossReportOut(MarkedOut):
    id: int
    kind: Literal["lost", "destroyed"]
    occurred_on: dt.date
    donor: str
    recipient: str
    holder: str = Field(description="The nation that held the items")
    filed_by: str = Field(description="The nation that filed the report: the holder or the donor")
    circumstances: str
    evidence_ref: str
    items: int

    @staticmethod
    def resolve_donor(obj: Any) -> str:
        return str(obj.donor.code)

    @staticmethod
    def resolve_recipient(obj: Any) -> str:
        return str(obj.recipient.code)

    @staticmethod
    def resolve_holder(obj: Any) -> str:
        return str(obj.holder.code)

    @staticmethod
    def resolve_filed_by(obj: Any) -> str:
        return str(obj.originator.code)

    @staticmethod
    def resolve_items(obj: Any) -> int:
        return int(getattr(obj, "item_count", 0))


class LossReportDetailOut(LossReportOut):
    serial_items: list[SerialItemOut]

    @staticmethod
    def resolve_serial_items(obj: Any) -> list[Any]:
        return list(getattr(obj, "visible_items", []))


class LossReportIn(InSchema):
    kind: Literal["lost", "destroyed"]
    item_ids: list[int] = Field(min_length=1, max_length=10_000)
    circumstances: str = Field(min_length=1, max_length=10000)
    occurred_on: dt.date | None = None
    evidence_ref: str = Field(default="", max_length=200)
    classification: ClassificationLabel | None = None
    rel_to: list[str] = Field(default_factory=list, max_length=250)
