"""API schemas of the catalogue: explicit fields, never `__all__`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from shieldwall.coalition.schemas import AreaCode
from shieldwall.core.schemas import InSchema

Price = Field(default=None, ge=0, max_digits=16, decimal_places=2, description="EUR per unit")


class AreaOut(Schema):
    id: int
    code: AreaCode
    name: str
    capability_coalition_id: int | None
    capability_coalition: str | None
    class_count: int
    version: int
    etag: str

    @staticmethod
    def resolve_capability_coalition(obj: Any) -> str | None:
        return obj.capability_coalition.name if obj.capability_coalition_id else None

    @staticmethod
    def resolve_class_count(obj: Any) -> int:
        return int(getattr(obj, "class_count", 0))


class AreaIn(InSchema):
    code: AreaCode
    name: str = Field(min_length=1, max_length=100)
    capability_coalition_id: int | None = Field(default=None, ge=1, le=2**62)


class AreaPatch(InSchema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    capability_coalition_id: int | None = Field(default=None, ge=1, le=2**62)


class ItemClassOut(Schema):
    id: int
    area: AreaCode
    area_name: str
    name: str
    unit: str
    serial_tracked: bool
    family: str
    reference_unit_price_eur: Decimal | None
    description: str
    type_count: int
    version: int
    etag: str

    @staticmethod
    def resolve_area(obj: Any) -> str:
        return str(obj.area.code)

    @staticmethod
    def resolve_area_name(obj: Any) -> str:
        return str(obj.area.name)

    @staticmethod
    def resolve_type_count(obj: Any) -> int:
        if hasattr(obj, "type_count"):
            return int(obj.type_count)
        return len(obj.item_types.all())


class SatisfyingTypeOut(Schema):
    compatibility_id: int
    item_type_id: int
    item_type: str
    own_class: bool
    note: str

    @staticmethod
    def resolve_compatibility_id(obj: Any) -> int:
        return int(obj.pk)

    @staticmethod
    def resolve_item_type(obj: Any) -> str:
        return str(obj.item_type.name)

    @staticmethod
    def resolve_own_class(obj: Any) -> bool:
        return bool(obj.item_type.item_class_id == obj.item_class_id)


class ItemClassDetailOut(ItemClassOut):
    satisfied_by: list[SatisfyingTypeOut]

    @staticmethod
    def resolve_satisfied_by(obj: Any) -> list[Any]:
        return list(getattr(obj, "satisfying", []))


class ItemClassIn(InSchema):
    area_id: int = Field(ge=1, le=2**62)
    name: str = Field(min_length=1, max_length=120)
    unit: str = Field(default="units", min_length=1, max_length=30)
    serial_tracked: bool = False
    family: str = Field(default="", max_length=60)
    reference_unit_price_eur: Decimal | None = Price
    description: str = Field(default="", max_length=5000)


class ItemClassPatch(InSchema):
    area_id: int | None = Field(default=None, ge=1, le=2**62)
    name: str | None = Field(default=None, min_length=1, max_length=120)
    unit: str | None = Field(default=None, min_length=1, max_length=30)
    serial_tracked: bool | None = None
    family: str | None = Field(default=None, max_length=60)
    reference_unit_price_eur: Decimal | None = Price
    description: str | None = Field(default=None, max_length=5000)


class ItemTypeOut(Schema):
    id: int
    name: str
    item_class_id: int
    item_class: str
    reference_unit_price_eur: Decimal | None
    price_source: str
    price_date: dt.date | None
    satisfies: list[int] = Field(description="Ids of the item classes this type satisfies (its own among them)")
    version: int
    etag: str

    @staticmethod
    def resolve_item_class(obj: Any) -> str:
        return str(obj.item_class.name)

    @staticmethod
    def resolve_satisfies(obj: Any) -> list[int]:
        return sorted(c.item_class_id for c in obj.compatibilities.all())


class ItemTypeIn(InSchema):
    item_class_id: int = Field(ge=1, le=2**62)
    name: str = Field(min_length=1, max_length=160)
    reference_unit_price_eur: Decimal | None = Price
    price_source: str = Field(default="", max_length=200)
    price_date: dt.date | None = None


class ItemTypePatch(InSchema):
    item_class_id: int | None = Field(default=None, ge=1, le=2**62)
    name: str | None = Field(default=None, min_length=1, max_length=160)
    reference_unit_price_eur: Decimal | None = Price
    price_source: str | None = Field(default=None, max_length=200)
    price_date: dt.date | None = None


class CompatibilityOut(Schema):
    id: int
    item_type_id: int
    item_type: str
    item_class_id: int
    item_class: str
    note: str
    version: int
    etag: str

    @staticmethod
    def resolve_item_type(obj: Any) -> str:
        return str(obj.item_type.name)

    @staticmethod
    def resolve_item_class(obj: Any) -> str:
        return str(obj.item_class.name)


class CompatibilityIn(InSchema):
    item_type_id: int = Field(ge=1, le=2**62)
    item_class_id: int = Field(ge=1, le=2**62)
    note: str = Field(default="", max_length=200)


class CompatibilityPatch(InSchema):
    note: str = Field(max_length=200)
