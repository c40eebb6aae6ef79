"""Hand-built packages, lines and their dated history for the report tests, written with the models directly
(the reports read them; how they are written is the pledges services' concern), with exact EUR values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from shieldwall.catalogue.models import CapabilityArea, ItemClass, ItemType
from shieldwall.coalition.models import Nation
from shieldwall.pledges.models import Package, PackageFunder, PledgeEvent, PledgeLine

COALITION = {"classification": 0, "releasability": "COALITION"}


def rel_to(*codes: str, classification: int = 1) -> dict[str, Any]:
    return {"classification": classification, "releasability": "REL_TO", "rel_to": list(codes)}


def item_type(name: str, item_class: str, area: str = "artillery") -> ItemType:
    area_row, _ = CapabilityArea.objects.get_or_create(code=area, defaults={"name": area.title()})
    cls, _ = ItemClass.objects.get_or_create(name=item_class, defaults={"area": area_row})
    return ItemType.objects.create(item_class=cls, name=name)


def _mark(obj: Any, marking: Mapping[str, Any]) -> None:
    codes = marking.get("rel_to", ())
    if codes:
        obj.rel_to.set(Nation.objects.filter(code__in=codes))


def package(
    originator: str, title: str, day: date, *, announcement: Any = None, agreement: Any = None,
    funders: Mapping[str, str] | None = None, marking: Mapping[str, Any] = COALITION,
) -> Package:
    nation = Nation.objects.get(code=originator)
    obj = Package.objects.create(
        title=title, date=day, source="stock", originator=nation, announcement=announcement, agreement=agreement,
        classification=marking["classification"], releasability=marking["releasability"])
    _mark(obj, marking)
    for code, share in (funders or {originator: "1"}).items():
        PackageFunder.objects.create(package=obj, nation=Nation.objects.get(code=code), share=Decimal(share))
    return obj


def line(
    pkg: Package, value: str, *, quantity: int = 1, status: str = "announced", shipped: int = 0, delivered: int = 0,
    available_from: date | None = None, kind: ItemType | None = None, description: str = "",
    marking: Mapping[str, Any] | None = None, history: Iterable[tuple[str, date, int]] = (),
) -> PledgeLine:
    """A line with its history: (to_status, effective date, units) steps in order."""
    mark = marking or {"classification": pkg.classification, "releasability": pkg.releasability,
                       "rel_to": list(pkg.rel_to.values_list("code", flat=True))}
    obj = PledgeLine.objects.create(
        package=pkg, item_type=kind, description=description or f"{pkg.title} line", quantity=quantity,
        value_amount=Decimal(value), currency="EUR", value_date=pkg.date, fx_rate=Decimal(1),
        value_eur=Decimal(value), available_from=available_from, status=status, shipped_quantity=shipped,
        delivered_quantity=delivered, originator=pkg.originator, classification=mark["classification"],
        releasability=mark["releasability"])
    _mark(obj, mark)
    previous = "announced"
    for to_status, day, units in history:
        PledgeEvent.objects.create(line=obj, from_status=previous, to_status=to_status, quantity=units,
                                   value_eur=Decimal(value) * units / quantity, effective_date=day)
        previous = to_status
    return obj
