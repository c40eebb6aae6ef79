"""Test data for the needs app: a small catalogue through the services, requirements through the services (then
moved to the wanted status directly), and packages and pledge lines written straight with the models (the
pledges app's services are someone else's; these rows only need to exist)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from shieldwall.catalogue import services as catalogue_services
from shieldwall.catalogue.models import CapabilityArea, ItemClass, ItemType
from shieldwall.coalition.models import Nation
from shieldwall.core.actor import Actor
from shieldwall.needs import services
from shieldwall.needs.models import Requirement
from shieldwall.pledges.models import Package, PledgeLine

SYSTEM = Actor.system("test-setup")


def make_catalogue() -> dict[str, Any]:
    """Two areas, 155 mm and 152 mm ammunition (4,000 and 2,500 EUR a round) and a class without a price."""
    art = catalogue_services.capability_area_create(actor=SYSTEM, code="artillery", name="Artillery")
    ad = catalogue_services.capability_area_create(actor=SYSTEM, code="air_defence", name="Air defence")
    c155 = catalogue_services.item_class_create(actor=SYSTEM, area_id=art.pk, name="155 mm artillery ammunition",
                                                unit="rounds", reference_unit_price_eur=Decimal("4000"))
    c152 = catalogue_services.item_class_create(actor=SYSTEM, area_id=art.pk, name="152 mm artillery ammunition",
                                                unit="rounds", reference_unit_price_eur=Decimal("2500"))
    sam = catalogue_services.item_class_create(actor=SYSTEM, area_id=ad.pk, name="IRIS-T SLM interceptor",
                                               unit="missiles", reference_unit_price_eur=None)
    m795 = catalogue_services.item_type_create(actor=SYSTEM, item_class_id=c155.pk, name="155 mm M795",
                                               reference_unit_price_eur=Decimal("3500"))
    of540 = catalogue_services.item_type_create(actor=SYSTEM, item_class_id=c152.pk, name="152 mm OF-540")
    irist = catalogue_services.item_type_create(actor=SYSTEM, item_class_id=sam.pk, name="IRIS-T SL")
    return {"artillery": art, "air_defence": ad, "c155": c155, "c152": c152, "sam": sam, "m795": m795,
            "of540": of540, "irist": irist}


def make_requirement(actor: Actor, item_class: ItemClass, *, quantity: int = 100, status: str = "open",
                     priority: int = 3, need_by: date = date(2026, 9, 1), title: str = "",
                     classification: int = 0, releasability: str = "COALITION", rel_to: Iterable[str] = (),
                     destination: str = "Rzeszów hub") -> Requirement:
    obj = services.requirement_create(actor=actor, item_class_id=item_class.pk, quantity=quantity,
                                      need_by=need_by, destination=destination, priority=priority, title=title,
                                      classification=classification, releasability=releasability,
                                      rel_to=list(rel_to))
    if status != "draft":
        Requirement.unscoped.filter(pk=obj.pk).update(status=status)
        obj.status = status
    return obj


def make_package(originator: str, *, title: str = "Package", classification: int = 0,
                 releasability: str = "COALITION", rel_to: Iterable[str] = ()) -> Package:
    package = Package.unscoped.create(title=title, date=date(2026, 5, 1), source="stock",
                                      originator=Nation.objects.get(code=originator),
                                      classification=classification, releasability=releasability)
    if rel_to:
        package.rel_to.set(Nation.objects.filter(code__in=[*rel_to, originator]))
    return package


def make_line(package: Package, requirement: Requirement | None, item_type: ItemType | None, *, quantity: int,
              value_eur: Decimal | str, status: str, delivered: int = 0, shipped: int | None = None,
              classification: int = 0, releasability: str = "COALITION", rel_to: Iterable[str] = (),
              description: str = "") -> PledgeLine:
    value = Decimal(value_eur)
    line = PledgeLine.unscoped.create(
        package=package, requirement=requirement, item_type=item_type, quantity=quantity, value_amount=value,
        currency="EUR", value_date=date(2026, 5, 1), fx_rate=Decimal(1), value_eur=value, status=status,
        shipped_quantity=delivered if shipped is None else shipped, delivered_quantity=delivered,
        originator=package.originator, classification=classification, releasability=releasability,
        description=description)
    if rel_to:
        line.rel_to.set(Nation.objects.filter(code__in=[*rel_to, package.originator.code]))
    return line


def area(code: str) -> CapabilityArea:
    return CapabilityArea.objects.get(code=code)
