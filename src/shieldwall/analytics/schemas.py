"""API schemas of the analytics app: explicit fields. Figures are JSON numbers in EUR billions (rounded to the
euro), percentages as numbers; computed exactly and rounded once, so their text is the exact decimal."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from shieldwall.core.schemas import InSchema

MeasureCode = Literal["commitment", "allocation", "delivery"]
MonthText = Field(default="", pattern=r"^(\d{4}-\d{2})?$", description="A month, YYYY-MM")


class MetricQuery(InSchema):
    source: str = Field(default="", max_length=40, description="Data set code, e.g. kiel-ust-r29 or shieldwall; "
                                                                "default: the newest external release")
    measure: MeasureCode = "allocation"
    by: Literal["month", "year"] = "month"
    date_from: str = MonthText
    date_to: str = MonthText
    donors: str = Field(default="", max_length=600, description="Donor codes, comma-separated (FRA,DEU)")
    group: Literal["all", "e5", "nordic-baltic", "eu", "g7"] = "all"
    category: str = Field(default="", max_length=60, description="military, financial, humanitarian (comma-separated)")


class SourceOut(Schema):
    code: str
    kind: str
    family: str
    title: str
    publisher: str
    release: str
    period: str
    published: dt.date | None
    label: str
    measures: list[str]
    gdp_year: int | None


class SeriesOut(Schema):
    year: int
    month: int | None
    total: float
    military: float
    financial: float
    humanitarian: float
    unspecified: float = Field(description="Not broken down by category (Kiel's commitments)")
    cumulative: float


class StageOut(Schema):
    year: int
    month: int | None
    committed: float
    allocated: float
    delivered: float
    cumulative_committed: float
    cumulative_allocated: float
    cumulative_delivered: float


class DonorOut(Schema):
    iso: str
    name: str
    total: float
    military: float
    financial: float
    humanitarian: float
    commitments: float
    to_be_allocated: float
    delivered: float | None
    to_be_delivered: float | None
    pct_gdp: float | None
    gdp_eur_bn: float | None
    gdp_year: int | None = Field(description="Base year of the GDP figure")
    eu_share: float | None = Field(description="The donor's share of EU-level aid (EUR bn)")
    total_with_eu: float
    pct_gdp_with_eu: float | None
    per_capita_eur: float | None
    population_year: int | None
    pct_defence_budget: float | None
    defence_budget_year: int | None


class GroupOut(Schema):
    group: str
    label: str
    donors: int
    total: float
    military: float
    financial: float
    humanitarian: float
    commitments: float
    pct_gdp: float | None
    total_with_eu: float
    gdp_year: int | None


class WeaponSystemOut(Schema):
    system: str
    count: int


class WeaponOut(Schema):
    iso: str
    name: str
    category: str
    count: int
    value_eur: float
    systems: list[WeaponSystemOut]


class ChannelOut(Schema):
    year: int
    month: int | None
    channel: str
    amount: float


class FactOut(Schema):
    id: int
    donor: str
    period: dt.date
    measure: str
    category: str
    subcategory: str
    channel: str
    amount_eur: float
    marking: str

    @staticmethod
    def resolve_marking(obj: object) -> str:
        from shieldwall.core.markings import format_marking

        return format_marking(obj.classification, obj.releasability,  # type: ignore[attr-defined]
                              [n.code for n in obj.rel_to.all()])  # type: ignore[attr-defined]


class ExportQuery(MetricQuery):
    format: Literal["csv", "xlsx", "json"] = "csv"


class ChartQuery(MetricQuery):
    format: Literal["svg", "png", "csv", "json"] = "svg"
