"""API schemas of security agreements and their yearly obligations: explicit fields, never `__all__`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from shieldwall.coalition.schemas import ClassificationLabel, MarkedOut, MarkingIn, ReleasabilityCode
from shieldwall.coalition.terms import last_day
from shieldwall.core.schemas import InSchema

NATION = r"^[A-Za-z]{3}$"
AMOUNT = Field(ge=0, max_digits=18, decimal_places=2, description="EUR")


class ObligationOut(Schema):
    year: int
    amount_eur: Decimal


class ObligationIn(InSchema):
    year: int = Field(ge=1900, le=2200)
    amount_eur: Decimal = AMOUNT


class AgreementOut(MarkedOut):
    id: int
    title: str
    donor: str
    partner: str
    signed: dt.date
    duration_years: int
    ends: dt.date = Field(description="the last day in force: signed + duration − 1 day")
    description: str
    obligations: list[ObligationOut]

    @staticmethod
    def resolve_donor(obj: Any) -> str:
        return str(obj.donor.code)

    @staticmethod
    def resolve_partner(obj: Any) -> str:
        return str(obj.partner.code)

    @staticmethod
    def resolve_ends(obj: Any) -> dt.date:
        return last_day(obj.signed, obj.duration_years)

    @staticmethod
    def resolve_obligations(obj: Any) -> list[Any]:
        return list(obj.obligations.all())


class AgreementIn(MarkingIn):
    title: str = Field(min_length=1, max_length=200)
    donor: str = Field(pattern=NATION, description="ISO 3166 alpha-3 code")
    partner: str = Field(pattern=NATION, description="ISO 3166 alpha-3 code")
    signed: dt.date
    duration_years: int = Field(default=10, ge=1, le=50)
    description: str = Field(default="", max_length=20000)
    obligations: list[ObligationIn] = Field(default_factory=list, max_length=60,
                                            description="the yearly schedule; each year within the term")

    def schedule(self) -> list[tuple[int, Decimal]]:
        return [(o.year, o.amount_eur) for o in self.obligations]


class AgreementPatch(InSchema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    donor: str | None = Field(default=None, pattern=NATION)
    partner: str | None = Field(default=None, pattern=NATION)
    signed: dt.date | None = None
    duration_years: int | None = Field(default=None, ge=1, le=50)
    description: str | None = Field(default=None, max_length=20000)
    classification: ClassificationLabel | None = None
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)
    obligations: list[ObligationIn] | None = Field(default=None, max_length=60,
                                                   description="replaces the whole yearly schedule when given")


class AgreementPackageIn(InSchema):
    package_id: int = Field(ge=1, le=2**63 - 1)
