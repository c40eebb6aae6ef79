"""Reads of the catalogue. It is unmarked reference data: every authenticated actor reads all of it (the
adapters require a login); selectors still take the actor, like every selector."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from shieldwall.catalogue.models import CapabilityArea, Compatibility, ItemClass, ItemType
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound


def capability_area_list(*, actor: Actor) -> QuerySet[CapabilityArea]:
    return (CapabilityArea.objects.select_related("capability_coalition")
            .annotate(class_count=Count("item_classes", distinct=True)).order_by("name"))


def capability_area_get(*, actor: Actor, id: int) -> CapabilityArea:
    try:
        return capability_area_list(actor=actor).get(pk=id)
    except (CapabilityArea.DoesNotExist, ValueError) as exc:
        raise NotFound(f"capability area {id} not found") from exc


@dataclass(frozen=True)
class ItemClassFilters:
    q: str = ""
    area: str = ""  # area code
    family: str = ""
    serial_tracked: bool | None = None


def item_class_list(*, actor: Actor, filters: ItemClassFilters | None = None) -> QuerySet[ItemClass]:
    f = filters or ItemClassFilters()
    qs = ItemClass.objects.select_related("area").annotate(type_count=Count("item_types", distinct=True))
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(description__icontains=f.q) | Q(family__icontains=f.q))
    if f.area:
        qs = qs.filter(area__code=f.area)
    if f.family:
        qs = qs.filter(family__icontains=f.family)
    if f.serial_tracked is not None:
        qs = qs.filter(serial_tracked=f.serial_tracked)
    return qs.order_by("area__name", "name")


def item_class_get(*, actor: Actor, id: int) -> ItemClass:
    """One class with its own types and every type that satisfies it (`satisfying`, through compatibility)."""
    satisfying = Compatibility.objects.select_related("item_type__item_class").order_by("item_type__name")
    qs = ItemClass.objects.select_related("area", "area__capability_coalition").prefetch_related(
        Prefetch("item_types", queryset=ItemType.objects.order_by("name")),
        Prefetch("compatibilities", queryset=satisfying, to_attr="satisfying"),
    )
    try:
        return qs.get(pk=id)
    except (ItemClass.DoesNotExist, ValueError) as exc:
        raise NotFound(f"item class {id} not found") from exc


def item_class_by_name(*, actor: Actor, name: str) -> ItemClass:
    found = ItemClass.objects.filter(name__iexact=name.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(f"item class {name!r} not found")
    return item_class_get(actor=actor, id=found)


@dataclass(frozen=True)
class ItemTypeFilters:
    q: str = ""
    item_class: int | None = None
    area: str = ""
    satisfies: int | None = None  # an item class id: types that satisfy it, their own class or another


def item_type_list(*, actor: Actor, filters: ItemTypeFilters | None = None) -> QuerySet[ItemType]:
    f = filters or ItemTypeFilters()
    qs = ItemType.objects.select_related("item_class", "item_class__area").prefetch_related(
        Prefetch("compatibilities", queryset=Compatibility.objects.select_related("item_class")
                 .order_by("item_class__name")))
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    if f.item_class is not None:
        qs = qs.filter(item_class_id=f.item_class)
    if f.area:
        qs = qs.filter(item_class__area__code=f.area)
    if f.satisfies is not None:
        qs = qs.filter(compatibilities__item_class_id=f.satisfies)
    return qs.order_by("name")


def item_type_get(*, actor: Actor, id: int) -> ItemType:
    try:
        return item_type_list(actor=actor).get(pk=id)
    except (ItemType.DoesNotExist, ValueError) as exc:
        raise NotFound(f"item type {id} not found") from exc


def compatibility_list(
    *, actor: Actor, item_type: int | None = None, item_class: int | None = None
) -> QuerySet[Compatibility]:
    qs = Compatibility.objects.select_related("item_type", "item_class")
    if item_type is not None:
        qs = qs.filter(item_type_id=item_type)
    if item_class is not None:
        qs = qs.filter(item_class_id=item_class)
    return qs.order_by("item_class__name", "item_type__name")


def compatibility_get(*, actor: Actor, id: int) -> Compatibility:
    try:
        return compatibility_list(actor=actor).get(pk=id)
    except (Compatibility.DoesNotExist, ValueError) as exc:
        raise NotFound(f"compatibility {id} not found") from exc


def satisfies(*, actor: Actor, item_type_id: int, item_class_id: int) -> bool:
    """Does this item type fill a need expressed in this class?"""
    return Compatibility.objects.filter(item_type_id=item_type_id, item_class_id=item_class_id).exists()


def catalogue_tree(*, actor: Actor, area: str = "", q: str = "") -> list[CapabilityArea]:
    """Areas → classes → types (each type with the classes it satisfies), in four queries whatever the size."""
    compat = Compatibility.objects.select_related("item_class").order_by("item_class__name")
    types = ItemType.objects.order_by("name").prefetch_related(Prefetch("compatibilities", queryset=compat))
    classes = ItemClass.objects.order_by("name").prefetch_related(Prefetch("item_types", queryset=types))
    if q:
        matching = Q(name__icontains=q) | Q(item_types__name__icontains=q) | Q(family__icontains=q)
        classes = classes.filter(pk__in=ItemClass.objects.filter(matching).values("pk"))
    areas = CapabilityArea.objects.select_related("capability_coalition").order_by("name").prefetch_related(
        Prefetch("item_classes", queryset=classes, to_attr="classes"))
    if area:
        areas = areas.filter(code=area)
    return [a for a in areas if a.classes or not q]  # type: ignore[attr-defined]
