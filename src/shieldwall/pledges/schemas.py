"""API schemas of pledges: explicit fields, never `__all__`. Related marked records (a line's requirement, a
package's announcement) are named only when the selector's visible prefetch found them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from shieldwall.coalition.schemas import ClassificationLabel, MarkedOut, MarkingIn, ReleasabilityCode
from shieldwall.core.markings import Classification
from shieldwall.core.schemas import InSchema
from shieldwall.pledges import selectors
from shieldwall.pledges.rows import visible_requirement_id

SourceCode = Literal["stock", "procurement", "financing"]
StatusCode = Literal["announced", "committed", "allocated", "contracted", "shipped", "delivered", "cancelled"]
MethodCode = Literal["reported", "market", "replacement", "book"]
FlagCode = Literal["territory_only", "no_retransfer", "defensive_only", "eeum"]
UseCode = Literal["front_line", "territorial_air_defence", "cross_border", "training", "sustainment",
                  "humanitarian"]
Money = Field(ge=0, max_digits=18, decimal_places=2)
CurrencyCode = Field(default="EUR", pattern=r"^[A-Za-z]{3}$", description="ISO 4217, with ECB reference rates")
MAX_ID = 2**63 - 1


class FunderOut(Schema):
    nation: str
    share: Decimal

    @staticmethod
    def resolve_nation(obj: Any) -> str:
        return str(obj.nation.code)


class FunderIn(InSchema):
    nation: str = Field(pattern=r"^[A-Za-z]{3}$", description="ISO 3166 alpha-3 code")
    share: Decimal = Field(gt=0, le=1, max_digits=7, decimal_places=6)


class EventOut(Schema):
    from_status: str
    to_status: StatusCode
    quantity: int
    value_eur: Decimal
    effective_date: dt.date
    recorded_at: dt.datetime
    recorded_by: str | None
    note: str

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return obj.recorded_by.username if obj.recorded_by_id else None


class LineOut(MarkedOut):
    id: int
    package_id: int
    item_type_id: int | None
    item_type: str | None
    item_class: str | None
    description: str
    quantity: int
    value_amount: Decimal
    currency: str
    value_date: dt.date
    fx_rate: Decimal = Field(description="Units of the currency per 1 EUR (ECB reference rate)")
    value_eur: Decimal
    valuation_method: MethodCode
    available_from: dt.date | None
    restrictions: str
    restriction_flags: list[str]
    excluded_uses: list[str]
    status: StatusCode
    requirement_id: int | None = Field(description="The requirement it goes to, when you may see it")
    shipped_quantity: int
    delivered_quantity: int
    cancel_reason: str
    split_from_id: int | None

    @staticmethod
    def resolve_item_type(obj: Any) -> str | None:
        return obj.item_type.name if obj.item_type_id else None

    @staticmethod
    def resolve_item_class(obj: Any) -> str | None:
        return obj.item_type.item_class.name if obj.item_type_id else None

    @staticmethod
    def resolve_requirement_id(obj: Any) -> int | None:
        return visible_requirement_id(obj)


class LineDetailOut(LineOut):
    history: list[EventOut]

    @staticmethod
    def resolve_history(obj: Any) -> list[Any]:
        return list(obj.events.all())


class PackageOut(MarkedOut):
    id: int
    title: str
    date: dt.date
    source: SourceCode
    description: str
    donor: str = Field(description="The lead funder, which originates the package")
    funders: list[FunderOut]
    announcement_id: int | None
    line_count: int
    value_eur: Decimal = Field(description="EUR value of the lines you may see, cancelled ones excluded")

    @staticmethod
    def resolve_donor(obj: Any) -> str:
        return str(obj.originator.code)

    @staticmethod
    def resolve_funders(obj: Any) -> list[Any]:
        return list(obj.funders.all())

    @staticmethod
    def resolve_announcement_id(obj: Any) -> int | None:
        return obj.announcement.pk if obj.announcement is not None else None

    @staticmethod
    def resolve_line_count(obj: Any) -> int:
        if hasattr(obj, "line_count"):
            return int(obj.line_count)
        return sum(1 for line in obj.visible_lines if line.status != "cancelled")

    @staticmethod
    def resolve_value_eur(obj: Any) -> Decimal:
        if hasattr(obj, "value_eur"):
            return Decimal(obj.value_eur).quantize(selectors.CENT)
        return sum((v for s, v in selectors.package_totals(obj).items() if s != "cancelled"), Decimal(0))


class PackageDetailOut(PackageOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(getattr(obj, "visible_lines", []))


class LineFields(InSchema):
    item_type_id: int | None = Field(default=None, ge=1, le=MAX_ID,
                                     description="None for an amount of money (financing packages)")
    description: str = Field(default="", max_length=300)
    quantity: int = Field(default=1, ge=1, le=10**9)
    value_amount: Decimal = Money
    currency: str = CurrencyCode
    value_date: dt.date | None = Field(default=None, description="Default: the package date")
    valuation_method: MethodCode = "reported"
    available_from: dt.date | None = None
    restrictions: str = Field(default="", max_length=5000)
    restriction_flags: list[FlagCode] = Field(default_factory=list, max_length=10)
    excluded_uses: list[UseCode] = Field(default_factory=list, max_length=10)
    requirement_id: int | None = Field(default=None, ge=1, le=MAX_ID,
                                       description="Pledge against this requirement (visible, active, compatible)")
    classification: ClassificationLabel | None = Field(default=None, description="Default: the package's")
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)

    def spec_kwargs(self) -> dict[str, Any]:
        data = self.model_dump(exclude={"package_id", "date"})
        if data["classification"] is not None:
            data["classification"] = int(Classification[data["classification"]])
        return data


class LineIn(LineFields):
    package_id: int = Field(ge=1, le=MAX_ID)
    date: dt.date | None = Field(default=None, description="When it was announced (default today)")


class PackageIn(MarkingIn):
    title: str = Field(min_length=1, max_length=200)
    date: dt.date
    source: SourceCode
    funders: list[FunderIn] = Field(default_factory=list, max_length=50,
                                    description="Shares adding up to 1, your nation among them; empty: yours alone")
    announcement_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    description: str = Field(default="", max_length=20000)
    lines: list[LineFields] = Field(default_factory=list, max_length=500)


class PackagePatch(InSchema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    date: dt.date | None = None
    source: SourceCode | None = None
    funders: list[FunderIn] | None = Field(default=None, min_length=1, max_length=50)
    announcement_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    description: str | None = Field(default=None, max_length=20000)
    classification: ClassificationLabel | None = None
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)


class LinePatch(InSchema):
    item_type_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    description: str | None = Field(default=None, max_length=300)
    quantity: int | None = Field(default=None, ge=1, le=10**9)
    value_amount: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=2)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    value_date: dt.date | None = None
    valuation_method: MethodCode | None = None
    available_from: dt.date | None = None
    restrictions: str | None = Field(default=None, max_length=5000)
    restriction_flags: list[FlagCode] | None = Field(default=None, max_length=10)
    excluded_uses: list[UseCode] | None = Field(default=None, max_length=10)
    requirement_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    classification: ClassificationLabel | None = None
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)


class StepIn(InSchema):
    date: dt.date | None = Field(default=None, description="When it took effect (default today)")


class AllocateIn(StepIn):
    requirement_id: int = Field(ge=1, le=MAX_ID)


class QuantityIn(StepIn):
    quantity: int = Field(ge=1, le=10**9)


class CancelIn(StepIn):
    reason: str = Field(min_length=1, max_length=300)


class SplitOut(Schema):
    line: LineOut
    new_line: LineOut


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    dry_run: bool
    ok: bool
    rows: int
    valid: int
    errors: list[RowErrorOut]
    created: list[int]
