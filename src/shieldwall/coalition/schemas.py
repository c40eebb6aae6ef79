"""API schemas of the coalition registry: explicit fields, never `__all__`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from shieldwall.core.markings import Classification, format_marking
from shieldwall.core.schemas import InSchema

ClassificationLabel = Literal["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]
ReleasabilityCode = Literal["PUBLIC", "COALITION", "REL_TO"]
TierCode = Literal["core", "member", "partner", "interested"]
AreaCode = Literal["air_defence", "artillery", "armour", "air_force", "maritime", "drones", "it_cyber",
                   "demining", "training", "other"]
NationCode = Field(pattern=r"^[A-Za-z]{3}$", description="ISO 3166 alpha-3 code")


def _codes(nations: Any) -> list[str]:
    return sorted(n.code for n in nations.all())


class MarkedOut(Schema):
    classification: ClassificationLabel
    releasability: ReleasabilityCode
    rel_to: list[str]
    originator: str
    marking: str = Field(description="Display form, e.g. 'RESTRICTED // REL TO FRA, GBR'")
    version: int
    etag: str

    @staticmethod
    def resolve_classification(obj: Any) -> str:
        return Classification(obj.classification).label

    @staticmethod
    def resolve_rel_to(obj: Any) -> list[str]:
        return _codes(obj.rel_to)

    @staticmethod
    def resolve_originator(obj: Any) -> str:
        return str(obj.originator.code)

    @staticmethod
    def resolve_marking(obj: Any) -> str:
        return format_marking(obj.classification, obj.releasability, _codes(obj.rel_to))


class MarkingIn(InSchema):
    classification: ClassificationLabel = "UNCLASSIFIED"
    releasability: ReleasabilityCode = "COALITION"
    rel_to: list[str] = Field(default_factory=list, max_length=250)

    def marking_kwargs(self) -> dict[str, Any]:
        return {"classification": int(Classification[self.classification]),
                "releasability": self.releasability, "rel_to": self.rel_to}


class NationOut(Schema):
    code: str
    alpha2: str
    name: str
    gdp_eur_bn: Decimal | None
    gdp_year: int | None
    population: int | None
    population_year: int | None
    defence_budget_eur_bn: Decimal | None
    defence_budget_year: int | None
    version: int
    etag: str


class NationIn(InSchema):
    code: str = NationCode
    gdp_eur_bn: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=3)
    gdp_year: int | None = Field(default=None, ge=1900, le=2100)
    population: int | None = Field(default=None, ge=0, le=10**11)
    population_year: int | None = Field(default=None, ge=1900, le=2100)
    defence_budget_eur_bn: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=3)
    defence_budget_year: int | None = Field(default=None, ge=1900, le=2100)


class NationPatch(InSchema):
    gdp_eur_bn: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=3)
    gdp_year: int | None = Field(default=None, ge=1900, le=2100)
    population: int | None = Field(default=None, ge=0, le=10**11)
    population_year: int | None = Field(default=None, ge=1900, le=2100)
    defence_budget_eur_bn: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=3)
    defence_budget_year: int | None = Field(default=None, ge=1900, le=2100)


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    nation: str | None
    version: int
    etag: str

    @staticmethod
    def resolve_nation(obj: Any) -> str | None:
        return obj.nation.code if obj.nation_id else None


class OrganisationIn(InSchema):
    name: str = Field(min_length=1, max_length=200)
    short_name: str = Field(default="", max_length=30)
    kind: Literal["ministry", "agency", "international"]
    nation: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")


class OrganisationPatch(InSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    short_name: str | None = Field(default=None, max_length=30)
    kind: Literal["ministry", "agency", "international"] | None = None
    nation: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")


class MembershipOut(Schema):
    id: int
    nation: str
    tier: TierCode
    valid_from: dt.date
    valid_to: dt.date | None
    note: str
    version: int
    etag: str

    @staticmethod
    def resolve_nation(obj: Any) -> str:
        return str(obj.nation.code)


class MembershipIn(InSchema):
    nation: str = NationCode
    tier: TierCode
    valid_from: dt.date
    note: str = Field(default="", max_length=300)


class MembershipEnd(InSchema):
    valid_to: dt.date


class CapabilityCoalitionOut(Schema):
    id: int
    name: str
    capability_area: AreaCode
    leads: list[str]
    members: list[str]
    description: str
    version: int
    etag: str

    @staticmethod
    def resolve_leads(obj: Any) -> list[str]:
        return _codes(obj.leads)

    @staticmethod
    def resolve_members(obj: Any) -> list[str]:
        return _codes(obj.members)


class CapabilityCoalitionIn(InSchema):
    name: str = Field(min_length=1, max_length=100)
    capability_area: AreaCode
    leads: list[str] = Field(min_length=1, max_length=50)
    members: list[str] = Field(default_factory=list, max_length=250)
    description: str = Field(default="", max_length=5000)


class CapabilityCoalitionPatch(InSchema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    capability_area: AreaCode | None = None
    leads: list[str] | None = Field(default=None, min_length=1, max_length=50)
    members: list[str] | None = Field(default=None, max_length=250)
    description: str | None = Field(default=None, max_length=5000)


class AttendanceOut(Schema):
    id: int
    nation: str
    representative: str
    mode: Literal["in_person", "remote"]

    @staticmethod
    def resolve_nation(obj: Any) -> str:
        return str(obj.nation.code)


class AttendanceIn(InSchema):
    nation: str = NationCode
    representative: str = Field(min_length=1, max_length=200)
    mode: Literal["in_person", "remote"] = "in_person"


class AnnouncementOut(MarkedOut):
    id: int
    meeting_id: int
    nation: str
    text: str

    @staticmethod
    def resolve_nation(obj: Any) -> str:
        return str(obj.nation.code)


class AnnouncementIn(MarkingIn):
    nation: str = NationCode
    text: str = Field(min_length=1, max_length=10000)


class AnnouncementPatch(InSchema):
    text: str | None = Field(default=None, min_length=1, max_length=10000)
    classification: ClassificationLabel | None = None
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)


class MeetingOut(MarkedOut):
    id: int
    title: str
    date: dt.date
    place: str
    format: Literal["in_person", "hybrid", "virtual"]
    chair: str | None
    notes: str

    @staticmethod
    def resolve_chair(obj: Any) -> str | None:
        return obj.chair.code if obj.chair_id else None


class MeetingDetailOut(MeetingOut):
    attendances: list[AttendanceOut]
    announcements: list[AnnouncementOut]

    @staticmethod
    def resolve_attendances(obj: Any) -> list[Any]:
        return list(obj.attendances.all())

    @staticmethod
    def resolve_announcements(obj: Any) -> list[Any]:
        return list(getattr(obj, "visible_announcements", []))


class MeetingIn(MarkingIn):
    title: str = Field(min_length=1, max_length=200)
    date: dt.date
    place: str = Field(default="", max_length=120)
    format: Literal["in_person", "hybrid", "virtual"] = "in_person"
    chair: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    notes: str = Field(default="", max_length=20000)


class MeetingPatch(InSchema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    date: dt.date | None = None
    place: str | None = Field(default=None, max_length=120)
    format: Literal["in_person", "hybrid", "virtual"] | None = None
    chair: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    notes: str | None = Field(default=None, max_length=20000)
    classification: ClassificationLabel | None = None
    releasability: ReleasabilityCode | None = None
    rel_to: list[str] | None = Field(default=None, max_length=250)


def patch_changes(payload: Schema) -> tuple[dict[str, Any], list[str] | None]:
    """The fields a PATCH actually sent, with classification as its number; REL TO apart."""
    changes = payload.model_dump(exclude_unset=True)
    rel_to = changes.pop("rel_to", None)
    if changes.get("classification") is not None:
        changes["classification"] = int(Classification[changes["classification"]])
    return changes, rel_to
