"""Test data for pledges: catalogue rows with factory-boy (written directly with the catalogue models, which are
reference data), requirements written directly, and packages and lines through the pledges services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from shieldwall.catalogue.models import CapabilityArea, Compatibility, ItemClass, ItemType
from shieldwall.coalition.models import Nation
from shieldwall.core.actor import Actor
from shieldwall.needs.models import Requirement
from shieldwall.pledges import services
from shieldwall.pledges.models import Package, PledgeLine


class CapabilityAreaFactory(DjangoModelFactory):
    class Meta:
        model = CapabilityArea
        django_get_or_create = ("code",)

    code = "artillery"
    name = "Artillery"


class ItemClassFactory(DjangoModelFactory):
    class Meta:
        model = ItemClass
        django_get_or_create = ("name",)

    area = factory.SubFactory(CapabilityAreaFactory)
    name = factory.Sequence(lambda n: f"Item class {n}")
    unit = "units"


class ItemTypeFactory(DjangoModelFactory):
    class Meta:
        model = ItemType
        django_get_or_create = ("name",)

    item_class = factory.SubFactory(ItemClassFactory)
    name = factory.Sequence(lambda n: f"Item type {n}")
    reference_unit_price_eur = Decimal("1000.00")


class CompatibilityFactory(DjangoModelFactory):
    class Meta:
        model = Compatibility

    item_type = factory.SubFactory(ItemTypeFactory)
    item_class = factory.SubFactory(ItemClassFactory)


def catalogue() -> dict[str, Any]:
    """155 mm ammunition (two types: the L15 also satisfies the 'NATO 155 mm' class), howitzers, interceptors."""
    artillery = CapabilityAreaFactory(code="artillery", name="Artillery")
    air = CapabilityAreaFactory(code="air_defence", name="Air defence")
    ammo = ItemClassFactory(area=artillery, name="155 mm artillery ammunition", unit="rounds")
    nato = ItemClassFactory(area=artillery, name="NATO 155 mm ammunition (any)", unit="rounds")
    guns = ItemClassFactory(area=artillery, name="155 mm self-propelled howitzer", unit="systems")
    sam = ItemClassFactory(area=air, name="SHORAD interceptor", unit="missiles")
    m107 = ItemTypeFactory(item_class=ammo, name="155 mm M107 HE", reference_unit_price_eur=Decimal("3500"))
    l15 = ItemTypeFactory(item_class=ammo, name="155 mm L15 HE", reference_unit_price_eur=Decimal("4000"))
    caesar = ItemTypeFactory(item_class=guns, name="CAESAR", reference_unit_price_eur=Decimal("4500000"))
    mistral = ItemTypeFactory(item_class=sam, name="Mistral 3", reference_unit_price_eur=Decimal("300000"))
    CompatibilityFactory(item_type=l15, item_class=nato)
    return {"ammo": ammo, "nato": nato, "guns": guns, "sam": sam, "m107": m107, "l15": l15, "caesar": caesar,
            "mistral": mistral}


def requirement(originator: str, item_class: ItemClass, *, quantity: int = 100, status: str = "open",
                classification: int = 0, releasability: str = "COALITION", rel_to: Iterable[str] = (),
                title: str = "") -> Requirement:
    """A requirement on the published list, written directly (the needs services are another app's)."""
    nations = Nation.objects.filter(code__in=[*rel_to, originator])
    obj = Requirement.objects.create(
        originator=Nation.objects.get(code=originator), item_class=item_class, quantity=quantity,
        need_by=date(2026, 9, 1), destination="Rzeszów hub", status=status, classification=classification,
        releasability=releasability, title=title or f"{quantity} × {item_class.name}",
    )
    if releasability == "REL_TO":
        obj.rel_to.set(nations)
    return obj


def package(actor: Actor, *, title: str = "Spring package", day: date = date(2025, 3, 1), source: str = "stock",
            lines: Iterable[services.LineSpec] = (), **kwargs: Any) -> Package:
    return services.package_create(actor=actor, title=title, date=day, source=source, lines=list(lines), **kwargs)


def line(actor: Actor, package: Package, item_type: ItemType | None, *, quantity: int = 10,
         value: str = "35000.00", currency: str = "EUR", value_date: date | None = None,
         effective_date: date | None = None, **kwargs: Any) -> PledgeLine:
    spec = services.LineSpec(item_type_id=item_type.pk if item_type else None, quantity=quantity,
                             value_amount=Decimal(value), currency=currency, value_date=value_date, **kwargs)
    return services.line_create(actor=actor, package_id=package.pk, line=spec, effective_date=effective_date)
