"""Reads of pledges, always through the access rule.

A line is listed only when both it and its package are visible. Related marked records — the package of a
line, the requirement a line goes to, the announcement a package came of — arrive through prefetches of their
visible querysets, never through the foreign key, so a hidden one is simply absent (None). Totals are computed
over the visible lines only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from shieldwall.catalogue.models import Compatibility, ItemType
from shieldwall.coalition.models import Announcement
from shieldwall.coalition.selectors import announcement_list
from shieldwall.core.access import can
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound
from shieldwall.needs.models import ACTIVE_STATUSES, Requirement
from shieldwall.pledges import lifecycle
from shieldwall.pledges.models import (
    LineStatus,
    Package,
    PackageFunder,
    PackageSource,
    PledgeEvent,
    PledgeLine,
)

CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=20, decimal_places=2)


@dataclass(frozen=True)
class PackageFilters:
    q: str = ""
    donor: str = ""  # a funder's nation code (the lead or a co-funder)
    source: str = ""
    date_from: date | None = None
    date_to: date | None = None
    announcement_id: int | None = None
    meeting_id: int | None = None


@dataclass(frozen=True)
class LineFilters:
    q: str = ""
    status: str = ""
    donor: str = ""
    item_class_id: int | None = None
    item_type_id: int | None = None
    requirement_id: int | None = None
    package_id: int | None = None
    available_before: date | None = None


def visible_packages(actor: Actor) -> QuerySet[Package]:
    return Package.objects.visible_to(actor)


def visible_lines(actor: Actor) -> QuerySet[PledgeLine]:
    """Lines the actor may see whose package it may see too."""
    return PledgeLine.objects.visible_to(actor).filter(package__in=visible_packages(actor))


def _funded_by(code: str) -> Q:
    funders = PackageFunder.objects.filter(package=OuterRef("pk"), nation__code=code.upper())
    return Q(Exists(funders)) | Q(originator__code=code.upper())


def _announcements(actor: Actor) -> QuerySet[Announcement]:
    # Only announcements whose meeting is visible too, so following them to their meeting is safe.
    return announcement_list(actor=actor).select_related("meeting")


def _requirements(actor: Actor) -> QuerySet[Requirement]:
    return Requirement.objects.visible_to(actor).select_related("item_class")


# --- packages -------------------------------------------------------------------------------------------------


def package_list(*, actor: Actor, filters: PackageFilters | None = None) -> QuerySet[Package]:
    """Visible packages, each with the count and EUR value of its visible lines that are not cancelled."""
    f = filters or PackageFilters()
    live = visible_lines(actor).filter(package=OuterRef("pk")).exclude(status=LineStatus.CANCELLED).order_by()
    total = live.values("package").annotate(total=Sum("value_eur")).values("total")
    count = live.values("package").annotate(n=Count("id")).values("n")
    qs = (
        visible_packages(actor)
        .select_related("originator")
        .prefetch_related("rel_to", Prefetch("funders", queryset=PackageFunder.objects.select_related("nation")),
                          Prefetch("announcement", queryset=_announcements(actor)))
        .annotate(value_eur=Coalesce(Subquery(total, output_field=MONEY), Value(Decimal(0)), output_field=MONEY),
                  line_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)))
    )
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(description__icontains=f.q))
    if f.donor:
        qs = qs.filter(_funded_by(f.donor))
    if f.source:
        qs = qs.filter(source=f.source)
    if f.date_from:
        qs = qs.filter(date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(date__lte=f.date_to)
    if f.announcement_id is not None:
        qs = qs.filter(announcement__in=_announcements(actor).filter(pk=f.announcement_id))
    if f.meeting_id is not None:
        qs = qs.filter(announcement__in=_announcements(actor).filter(meeting_id=f.meeting_id))
    return qs.order_by("-date", "-id")


def package_get(*, actor: Actor, id: int) -> Package:
    """One package with its funders, its visible lines (`visible_lines`) and its announcement if visible."""
    lines = line_queryset(actor).order_by("id")
    qs = (
        visible_packages(actor)
        .select_related("originator")
        .prefetch_related(
            "rel_to",
            Prefetch("funders", queryset=PackageFunder.objects.select_related("nation")),
            Prefetch("announcement", queryset=_announcements(actor)),
            Prefetch("lines", queryset=lines, to_attr="visible_lines"),
        )
    )
    try:
        return qs.get(pk=id)
    except (Package.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"package {id} not found") from exc


def package_totals(package: Package) -> dict[str, Decimal]:
    """Value in EUR by stage of a package's lines already fetched by `package_get` (visible ones only)."""
    out: dict[str, Decimal] = {}
    for line in getattr(package, "visible_lines", []):
        out[line.status] = out.get(line.status, Decimal(0)) + line.value_eur
    return out


# --- lines ----------------------------------------------------------------------------------------------------


def line_queryset(actor: Actor) -> QuerySet[PledgeLine]:
    """Visible lines with what a table shows of them, related marked records through visible prefetches."""
    return (
        visible_lines(actor)
        .select_related("item_type__item_class", "originator")
        .prefetch_related(
            "rel_to",
            Prefetch("package", queryset=visible_packages(actor).prefetch_related("rel_to")),
            Prefetch("requirement", queryset=_requirements(actor)),
        )
    )


def line_list(*, actor: Actor, filters: LineFilters | None = None) -> QuerySet[PledgeLine]:
    f = filters or LineFilters()
    qs = line_queryset(actor)
    if f.q:
        qs = qs.filter(Q(description__icontains=f.q) | Q(item_type__name__icontains=f.q)
                       | Q(restrictions__icontains=f.q))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.donor:
        qs = qs.filter(package__in=visible_packages(actor).filter(_funded_by(f.donor)))
    if f.item_class_id is not None:
        qs = qs.filter(item_type__item_class_id=f.item_class_id)
    if f.item_type_id is not None:
        qs = qs.filter(item_type_id=f.item_type_id)
    if f.requirement_id is not None:
        # Through the visible requirements: a hidden requirement's id finds nothing.
        qs = qs.filter(requirement__in=_requirements(actor).filter(pk=f.requirement_id))
    if f.package_id is not None:
        qs = qs.filter(package_id=f.package_id)
    if f.available_before is not None:
        qs = qs.filter(Q(available_from__lte=f.available_before) | Q(available_from__isnull=True))
    return qs.order_by("-package__date", "package_id", "id")


def line_get(*, actor: Actor, id: int) -> PledgeLine:
    """One line with its lifecycle history (`events`, oldest first)."""
    events = PledgeEvent.objects.select_related("recorded_by").order_by("effective_date", "id")
    try:
        return line_queryset(actor).prefetch_related(Prefetch("events", queryset=events)).get(pk=id)
    except (PledgeLine.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"pledge line {id} not found") from exc


@dataclass(frozen=True)
class StageTotal:
    status: str
    lines: int
    quantity: int
    value_eur: Decimal


@dataclass(frozen=True)
class LineTotals:
    stages: list[StageTotal] = field(default_factory=list)
    lines: int = 0
    quantity: int = 0
    value_eur: Decimal = Decimal(0)


def line_totals(*, actor: Actor, filters: LineFilters | None = None) -> LineTotals:
    """Counts, units and EUR by stage over the visible lines matching `filters`, and over all of them."""
    qs = line_list(actor=actor, filters=filters).order_by()
    grouped = {row["status"]: row for row in qs.values("status").annotate(
        n=Count("id"), units=Sum("quantity"), eur=Sum("value_eur"))}
    overall = qs.aggregate(n=Count("id"), units=Sum("quantity"), eur=Sum("value_eur"))
    stages = [StageTotal(status, grouped[status]["n"], grouped[status]["units"] or 0,
                         _money(grouped[status]["eur"])) for status in LineStatus.values if status in grouped]
    return LineTotals(stages=stages, lines=overall["n"], quantity=overall["units"] or 0,
                      value_eur=_money(overall["eur"]))


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def line_actions(*, actor: Actor, line: PledgeLine, package: Package | None = None) -> list[str]:
    """The steps this actor may take on this line now: allowed by its role and by the lifecycle."""
    state = lifecycle.LineState(status=line.status, quantity=line.quantity, shipped=line.shipped_quantity,
                                delivered=line.delivered_quantity, allocated_to=line.requirement_id)
    source = package.source if package is not None else None
    possible = {
        "change": line.status not in (LineStatus.DELIVERED, LineStatus.CANCELLED),
        "commit": state.status == lifecycle.ANNOUNCED,
        "allocate": state.status == lifecycle.COMMITTED and line.item_type_id is not None,
        "deallocate": state.status == lifecycle.ALLOCATED,
        "contract": state.status == lifecycle.ALLOCATED,
        "ship": state.shipped < state.quantity and (
            state.status in (lifecycle.COMMITTED, lifecycle.CONTRACTED, lifecycle.SHIPPED)
            or (state.status == lifecycle.ALLOCATED and source == PackageSource.STOCK)),
        "deliver": state.status == lifecycle.SHIPPED and state.delivered < state.shipped,
        "cancel": lifecycle.CANCELLED in lifecycle.TRANSITIONS.get(state.status, frozenset()),
        "split": state.status in lifecycle.SPLITTABLE and not state.shipped and state.quantity > 1,
    }
    return [verb for verb, ok in possible.items() if ok and can(actor, verb, line)]


# --- choices for forms (catalogue rows are unmarked reference data) ---------------------------------------------


def item_type_choices(*, actor: Actor) -> QuerySet[ItemType]:
    return ItemType.objects.select_related("item_class").order_by("name")


def requirement_choices(*, actor: Actor, item_type_id: int | None = None) -> QuerySet[Requirement]:
    """Active requirements the actor may see, those the item type satisfies when one is given."""
    qs = _requirements(actor).filter(status__in=ACTIVE_STATUSES)
    if item_type_id is not None:
        classes = Compatibility.objects.filter(item_type_id=item_type_id).values("item_class_id")
        own = ItemType.objects.filter(pk=item_type_id).values("item_class_id")
        qs = qs.filter(Q(item_class_id__in=classes) | Q(item_class_id__in=own))
    return qs.order_by("priority", "need_by", "id")


def announcement_choices(*, actor: Actor) -> QuerySet[Announcement]:
    return _announcements(actor)


def item_type_find(*, actor: Actor, ref: str) -> ItemType:
    """An item type by id or by exact name (case-insensitive), for the CLI."""
    qs = item_type_choices(actor=actor)
    found = qs.filter(pk=int(ref)).first() if ref.strip().isdigit() else qs.filter(name__iexact=ref.strip()).first()
    if found is None:
        raise NotFound(f"item type {ref!r} not found")
    return found
