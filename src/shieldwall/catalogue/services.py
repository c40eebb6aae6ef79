"""Writes to the catalogue (reference data, admins only): capability areas, item classes, item types and their
compatibility, and the idempotent seed from the built-in reference list and Kiel's heavy-weapons file.

Each write goes through `core.writes` (permission, validation, one transaction, audit event).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from shieldwall.catalogue import reference
from shieldwall.catalogue.models import CapabilityArea, Compatibility, ItemClass, ItemType
from shieldwall.catalogue.weapons_list import WeaponsListError, aggregate_systems, normalise_name, read_kiel_weapons
from shieldwall.coalition.models import CapabilityAreaCode, CapabilityCoalition
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed

AREA_FIELDS = {"name", "capability_coalition"}
CLASS_FIELDS = {"area", "name", "unit", "serial_tracked", "family", "reference_unit_price_eur", "description"}
TYPE_FIELDS = {"item_class", "name", "reference_unit_price_eur", "price_source", "price_date"}


def _get(model: Any, pk: int, field: str) -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed({field: [f"{model._meta.verbose_name} {pk} does not exist"]})
    return obj


def _resolve(changes: dict[str, Any]) -> dict[str, Any]:
    """Foreign keys arrive as ids (`area_id`, `item_class_id`, `capability_coalition_id`): fetch them."""
    out = dict(changes)
    if "area_id" in out:
        out["area"] = _get(CapabilityArea, out.pop("area_id"), "area_id")
    if "item_class_id" in out:
        out["item_class"] = _get(ItemClass, out.pop("item_class_id"), "item_class_id")
    if "capability_coalition_id" in out:
        pk = out.pop("capability_coalition_id")
        out["capability_coalition"] = None if pk is None else _get(CapabilityCoalition, pk, "capability_coalition_id")
    return out


def _refuse_unknown(changes: dict[str, Any], allowed: set[str]) -> None:
    bad = sorted(set(changes) - allowed)
    if bad:
        raise ValidationFailed({name: ["this field cannot be changed"] for name in bad})


# --- capability areas ---------------------------------------------------------------------------------------


def capability_area_create(
    *, actor: Actor, code: str, name: str, capability_coalition_id: int | None = None
) -> CapabilityArea:
    fields = _resolve({"capability_coalition_id": capability_coalition_id})
    return writes.create(actor=actor, obj=CapabilityArea(code=code, name=name, **fields))


def capability_area_update(
    *, actor: Actor, id: int, expected_version: int | None = None, **changes: Any
) -> CapabilityArea:
    changes = _resolve(changes)
    _refuse_unknown(changes, AREA_FIELDS)
    with transaction.atomic():
        area = writes.get_visible_for_update(CapabilityArea.objects.all(), actor=actor, pk=id)
        return writes.update(actor=actor, obj=area, changes=changes, expected_version=expected_version)


# --- item classes ---------------------------------------------------------------------------------------------


def item_class_create(
    *, actor: Actor, area_id: int, name: str, unit: str = "units", serial_tracked: bool = False, family: str = "",
    reference_unit_price_eur: Decimal | None = None, description: str = "",
) -> ItemClass:
    obj = ItemClass(area=_get(CapabilityArea, area_id, "area_id"), name=name, unit=unit,
                    serial_tracked=serial_tracked, family=family,
                    reference_unit_price_eur=reference_unit_price_eur, description=description)
    return writes.create(actor=actor, obj=obj)


def item_class_update(*, actor: Actor, id: int, expected_version: int | None = None, **changes: Any) -> ItemClass:
    changes = _resolve(changes)
    _refuse_unknown(changes, CLASS_FIELDS)
    with transaction.atomic():
        obj = writes.get_visible_for_update(ItemClass.objects.all(), actor=actor, pk=id)
        return writes.update(actor=actor, obj=obj, changes=changes, expected_version=expected_version)


# --- item types: each satisfies its own class (a compatibility row, so matching reads one table) -------------


def item_type_create(
    *, actor: Actor, item_class_id: int, name: str, reference_unit_price_eur: Decimal | None = None,
    price_source: str = "", price_date: date | None = None,
) -> ItemType:
    item_class = _get(ItemClass, item_class_id, "item_class_id")
    obj = ItemType(item_class=item_class, name=name, reference_unit_price_eur=reference_unit_price_eur,
                   price_source=price_source, price_date=price_date)
    with transaction.atomic():
        writes.create(actor=actor, obj=obj)
        writes.create(actor=actor, obj=Compatibility(item_type=obj, item_class=item_class, note="own class"))
    return obj


def item_type_update(*, actor: Actor, id: int, expected_version: int | None = None, **changes: Any) -> ItemType:
    changes = _resolve(changes)
    _refuse_unknown(changes, TYPE_FIELDS)
    with transaction.atomic():
        obj = writes.get_visible_for_update(ItemType.objects.all(), actor=actor, pk=id)
        obj = writes.update(actor=actor, obj=obj, changes=changes, expected_version=expected_version)
        if not Compatibility.objects.filter(item_type=obj, item_class_id=obj.item_class_id).exists():
            # A type moved to another class satisfies that class; what it satisfied before stays recorded.
            writes.create(actor=actor, obj=Compatibility(item_type=obj, item_class_id=obj.item_class_id,
                                                         note="own class"))
        return obj


# --- compatibility ---------------------------------------------------------------------------------------------


def compatibility_create(*, actor: Actor, item_type_id: int, item_class_id: int, note: str = "") -> Compatibility:
    obj = Compatibility(item_type=_get(ItemType, item_type_id, "item_type_id"),
                        item_class=_get(ItemClass, item_class_id, "item_class_id"), note=note)
    return writes.create(actor=actor, obj=obj)


def compatibility_update(
    *, actor: Actor, id: int, expected_version: int | None = None, note: str
) -> Compatibility:
    with transaction.atomic():
        obj = writes.get_visible_for_update(Compatibility.objects.all(), actor=actor, pk=id)
        return writes.update(actor=actor, obj=obj, changes={"note": note}, expected_version=expected_version)


def compatibility_delete(*, actor: Actor, id: int, expected_version: int | None = None) -> None:
    with transaction.atomic():
        obj = writes.get_visible_for_update(Compatibility.objects.all(), actor=actor, pk=id)
        if obj.item_class_id == obj.item_type.item_class_id:
            raise ValidationFailed({"item_class": ["an item type always satisfies its own class"]})
        writes.delete(actor=actor, obj=obj, expected_version=expected_version)


# --- seeding ----------------------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    """What a seed wrote, per kind, and the Kiel systems no explicit rule filed (put under the category default)."""

    created: dict[str, int] = field(default_factory=lambda: {"areas": 0, "classes": 0, "types": 0,
                                                             "compatibilities": 0})
    updated: int = 0
    kiel_systems: int = 0
    unmapped: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return sum(self.created.values()) + self.updated


@dataclass(frozen=True)
class _TypeRow:
    name: str
    item_class: str
    price: Decimal | None
    source: str
    also_satisfies: tuple[str, ...] = ()


def catalogue_seed(*, actor: Actor, weapons_csv: Path | None = None) -> SeedResult:
    """Create what is missing of the reference catalogue; loading twice changes nothing.

    Areas, classes and types are matched by code or name; an existing record is never overwritten (an admin's
    edit wins), only a missing price or coalition link is filled in. `weapons_csv` is Kiel's `weapons.csv`;
    without it the copy packaged with Shieldwall is read.
    """
    path = weapons_csv or reference.PACKAGED_WEAPONS_CSV
    try:
        with path.open(newline="", encoding="utf-8") as stream:
            systems = aggregate_systems(read_kiel_weapons(stream), reference.KIEL_ALIASES)
    except OSError as exc:
        raise ValidationFailed({"weapons_csv": [f"cannot read {path}: {exc.strerror or exc}"]}) from exc
    except WeaponsListError as exc:
        raise ValidationFailed({"weapons_csv": [f"{path.name}: {exc}"]}) from exc
    result = SeedResult(kiel_systems=len(systems))
    rows = [_TypeRow(t.name, t.item_class, t.price, reference.ESTIMATE_SOURCE, t.also_satisfies)
            for t in reference.TYPES]
    for system in systems:
        item_class, matched = reference.kiel_class_for(system.name, system.category)
        if item_class is None:
            result.skipped.append(f"{system.name} ({system.category})")
            continue
        if not matched:
            result.unmapped.append(system.name)
        price, source = system.unit_price_eur, reference.KIEL_SOURCE
        if price is None:
            price, source = reference.KIEL_ESTIMATES.get(normalise_name(system.name)), reference.ESTIMATE_SOURCE
        rows.append(_TypeRow(system.name, item_class, price, source))
    with transaction.atomic():
        areas = _seed_areas(actor, result)
        classes = _seed_classes(actor, areas, result)
        _seed_types(actor, classes, rows, result)
    return result


def _seed_areas(actor: Actor, result: SeedResult) -> dict[str, CapabilityArea]:
    existing = {a.code: a for a in CapabilityArea.objects.all()}
    coalitions: dict[str, int] = {}
    for code, pk in CapabilityCoalition.objects.order_by("id").values_list("capability_area", "pk"):
        coalitions.setdefault(code, pk)
    for code, label in CapabilityAreaCode.choices:
        area = existing.get(code)
        if area is None:
            existing[code] = capability_area_create(actor=actor, code=code, name=str(label),
                                                    capability_coalition_id=coalitions.get(code))
            result.created["areas"] += 1
        elif area.capability_coalition_id is None and code in coalitions:
            # The coalition registry may load after a first seed: link the area once its coalition exists.
            existing[code] = capability_area_update(actor=actor, id=area.pk,
                                                    capability_coalition_id=coalitions[code])
            result.updated += 1
    return existing


def _seed_classes(actor: Actor, areas: dict[str, CapabilityArea], result: SeedResult) -> dict[str, ItemClass]:
    existing = {c.name: c for c in ItemClass.objects.all()}
    for spec in reference.CLASSES:
        obj = existing.get(spec.name)
        if obj is None:
            existing[spec.name] = item_class_create(
                actor=actor, area_id=areas[spec.area].pk, name=spec.name, unit=spec.unit,
                serial_tracked=spec.serial_tracked, family=spec.family, reference_unit_price_eur=spec.price,
                description=spec.description)
            result.created["classes"] += 1
        elif obj.reference_unit_price_eur is None and spec.price is not None:
            existing[spec.name] = item_class_update(actor=actor, id=obj.pk, reference_unit_price_eur=spec.price)
            result.updated += 1
    return existing


def _seed_types(actor: Actor, classes: dict[str, ItemClass], rows: list[_TypeRow], result: SeedResult) -> None:
    existing = {normalise_name(t.name): t for t in ItemType.objects.all()}
    links = set(Compatibility.objects.values_list("item_type_id", "item_class_id"))
    for row in rows:
        obj = existing.get(normalise_name(row.name))
        if obj is None:
            obj = item_type_create(actor=actor, item_class_id=classes[row.item_class].pk, name=row.name,
                                   reference_unit_price_eur=row.price, price_source=row.source,
                                   price_date=reference.PRICE_DATE if row.price is not None else None)
            existing[normalise_name(row.name)] = obj
            links.add((obj.pk, obj.item_class_id))
            result.created["types"] += 1
            result.created["compatibilities"] += 1
        elif obj.reference_unit_price_eur is None and row.price is not None:
            item_type_update(actor=actor, id=obj.pk, reference_unit_price_eur=row.price, price_source=row.source,
                             price_date=reference.PRICE_DATE)
            result.updated += 1
        for other in row.also_satisfies:
            target = classes[other].pk
            if (obj.pk, target) not in links:
                compatibility_create(actor=actor, item_type_id=obj.pk, item_class_id=target,
                                     note="reference catalogue")
                links.add((obj.pk, target))
                result.created["compatibilities"] += 1

