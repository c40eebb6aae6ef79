"""Reads of logistics, always through the access rule.

A shipment's hubs and pledge lines arrive through prefetches of their visible querysets, never through the
foreign key: a hub or line the reader may not see is simply absent (None) on the stop or shipment line. A hub's
load, the board and the overdue lists count only the shipments the reader may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound
from shieldwall.logistics import flow
from shieldwall.logistics.models import (
    Hub,
    Receipt,
    ReceiptLine,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    ShipmentStop,
)
from shieldwall.pledges.models import LineStatus, PledgeLine
from shieldwall.pledges.selectors import visible_lines

# Stages of a pledge line that are promised but not yet shipped: late when available and still not shipped.
AWAITING_SHIPMENT = (LineStatus.COMMITTED, LineStatus.ALLOCATED, LineStatus.CONTRACTED)
BOARD_COLUMNS = (ShipmentStatus.PLANNED, ShipmentStatus.DISPATCHED, ShipmentStatus.AT_HUB,
                 ShipmentStatus.HANDED_OVER, ShipmentStatus.RECEIVED, ShipmentStatus.DAMAGED, ShipmentStatus.LOST)


def _today(day: date | None) -> date:
    return day or timezone.localdate()


# --- hubs ----------------------------------------------------------------------------------------------------------


def hub_list(*, actor: Actor, q: str = "", nation: str = "") -> QuerySet[Hub]:
    qs = Hub.objects.visible_to(actor).select_related("nation", "originator").prefetch_related("rel_to")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(location__icontains=q))
    if nation:
        qs = qs.filter(nation__code=nation.strip().upper())
    return qs.order_by("name", "id")


def hub_get(*, actor: Actor, id: int) -> Hub:
    try:
        return hub_list(actor=actor).get(pk=id)
    except (Hub.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"hub {id} not found") from exc


@dataclass(frozen=True)
class HubDay:
    day: date
    arriving: int  # shipments due (or arrived) that day
    present: int  # shipments at or expected at the hub that day
    units: int
    capacity: int

    @property
    def over(self) -> bool:
        return self.present > self.capacity

    @property
    def pct(self) -> int:
        return round(100 * self.present / self.capacity) if self.capacity else 0


@dataclass(frozen=True)
class HubLoad:
    hub: Hub
    days: list[HubDay]
    stops: list[ShipmentStop]  # the visible shipments' stops at this hub in the window


def _stay(stop: ShipmentStop) -> tuple[date, date]:
    start = stop.arrived_on or stop.planned_arrival
    end = stop.departed_on or max(stop.planned_departure, start)
    return start, end


def hub_load(*, actor: Actor, id: int, start: date | None = None, days: int = 14) -> HubLoad:
    """Per day, the shipments at or expected at the hub against its capacity (visible shipments only)."""
    hub = hub_get(actor=actor, id=id)
    first = _today(start)
    last = first + timedelta(days=days - 1)
    stops = list(
        ShipmentStop.objects.filter(hub=hub, shipment__in=Shipment.objects.visible_to(actor))
        .exclude(shipment__status__in=(ShipmentStatus.LOST,))
        .filter(Q(arrived_on__lte=last) | Q(arrived_on__isnull=True, planned_arrival__lte=last))
        .filter(Q(departed_on__gte=first) | Q(departed_on__isnull=True))
        .prefetch_related(Prefetch("shipment", queryset=shipment_queryset(actor)))
        .order_by("planned_arrival", "id"))
    units = {s.pk: sum(line.quantity for line in s.shipment.lines.all()) for s in stops}
    rows = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        here = [s for s in stops if _stay(s)[0] <= day <= _stay(s)[1]]
        rows.append(HubDay(day=day, arriving=sum(1 for s in here if _stay(s)[0] == day), present=len(here),
                           units=sum(units[s.pk] for s in here), capacity=hub.capacity_per_day))
    return HubLoad(hub=hub, days=rows, stops=stops)


# --- shipments ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipmentFilters:
    q: str = ""
    status: str = ""
    donor: str = ""
    recipient: str = ""
    hub_id: int | None = None
    overdue: bool = False


def shipment_queryset(actor: Actor) -> QuerySet[Shipment]:
    hubs = Hub.objects.visible_to(actor).select_related("nation").prefetch_related("rel_to")
    lines = visible_lines(actor).select_related("item_type__item_class").prefetch_related("rel_to")
    return (
        Shipment.objects.visible_to(actor)
        .select_related("originator", "recipient")
        .prefetch_related(
            "rel_to",
            Prefetch("stops", queryset=ShipmentStop.objects.order_by("sequence").prefetch_related(
                Prefetch("hub", queryset=hubs))),
            Prefetch("lines", queryset=ShipmentLine.objects.order_by("id").prefetch_related(
                Prefetch("pledge_line", queryset=lines))),
        )
    )


def overdue_q(day: date) -> Q:
    late_dispatch = Q(status=ShipmentStatus.PLANNED, planned_dispatch__lt=day)
    late_arrival = Q(status__in=list(flow.MOVING | {flow.DAMAGED}), planned_arrival__lt=day)
    return late_dispatch | late_arrival


def shipment_list(*, actor: Actor, filters: ShipmentFilters | None = None, today: date | None = None
                  ) -> QuerySet[Shipment]:
    f = filters or ShipmentFilters()
    qs = shipment_queryset(actor)
    if f.q:
        qs = qs.filter(Q(reference__icontains=f.q) | Q(origin__icontains=f.q) | Q(destination__icontains=f.q)
                       | Q(notes__icontains=f.q))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.donor:
        qs = qs.filter(originator__code=f.donor.strip().upper())
    if f.recipient:
        qs = qs.filter(recipient__code=f.recipient.strip().upper())
    if f.hub_id is not None:
        qs = qs.filter(stops__hub__in=Hub.objects.visible_to(actor).filter(pk=f.hub_id)).distinct()
    if f.overdue:
        qs = qs.filter(overdue_q(_today(today)))
    return qs.order_by("-planned_dispatch", "-id")


def shipment_get(*, actor: Actor, id: int) -> Shipment:
    """One shipment with its stops, lines (visible pledge lines) and receipts (with their lines)."""
    receipts = Receipt.objects.select_related("recorded_by").prefetch_related(
        Prefetch("lines", queryset=ReceiptLine.objects.order_by("id"))).order_by("received_on", "id")
    try:
        return shipment_queryset(actor).prefetch_related(Prefetch("receipts", queryset=receipts)).get(pk=id)
    except (Shipment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"shipment {id} not found") from exc


def is_overdue(shipment: Shipment, day: date | None = None) -> bool:
    today = _today(day)
    if shipment.status == ShipmentStatus.PLANNED:
        return shipment.planned_dispatch < today
    return shipment.status in flow.MOVING | {flow.DAMAGED} and shipment.planned_arrival < today


@dataclass(frozen=True)
class Board:
    columns: list[tuple[str, str, list[Shipment], int]]  # status, label, the first shipments, how many in all
    overdue: int


def shipment_board(*, actor: Actor, filters: ShipmentFilters | None = None, per_column: int = 30,
                   today: date | None = None) -> Board:
    """Visible shipments by status, the most urgent first in each column."""
    qs = shipment_list(actor=actor, filters=filters, today=today)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    columns = []
    for status in BOARD_COLUMNS:
        if filters and filters.status and filters.status != status:
            continue
        order = ("-received_on", "-id") if status in flow.FINAL else ("planned_arrival", "id")
        first = list(qs.filter(status=status).order_by(*order)[:per_column])
        columns.append((str(status), ShipmentStatus(status).label, first, counts.get(status, 0)))
    return Board(columns=columns, overdue=qs.filter(overdue_q(_today(today))).count())


# --- overdue: late shipments and lines available but not shipped ------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    day: date
    shipments: list[Shipment] = field(default_factory=list)
    lines: list[PledgeLine] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.shipments) + len(self.lines)


def overdue(*, actor: Actor, donor: str = "", today: date | None = None, limit: int = 50) -> Overdue:
    """Shipments past their planned dates and pledge lines past their available-from date with nothing shipped,
    of `donor` if given — all visible to the actor."""
    day = _today(today)
    shipments = shipment_queryset(actor).filter(overdue_q(day))
    lines = (visible_lines(actor).filter(status__in=AWAITING_SHIPMENT, available_from__lt=day, shipped_quantity=0)
             .exclude(item_type__isnull=True).select_related("item_type", "originator").prefetch_related("rel_to"))
    if donor:
        shipments = shipments.filter(originator__code=donor.strip().upper())
        lines = lines.filter(originator__code=donor.strip().upper())
    return Overdue(day=day, shipments=list(shipments.order_by("planned_arrival", "id")[:limit]),
                   lines=list(lines.order_by("available_from", "id")[:limit]))


# --- the map --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    shipment: Shipment
    hubs: list[Hub]


def map_routes(*, actor: Actor, include_closed: bool = False) -> tuple[list[Hub], list[Route]]:
    """The visible hubs, and each visible shipment's route through the hubs the reader may see."""
    hubs = list(hub_list(actor=actor))
    qs = shipment_queryset(actor)
    if not include_closed:
        qs = qs.exclude(status__in=list(flow.FINAL))
    routes = []
    for shipment in qs.order_by("planned_dispatch", "id")[:500]:
        stops = [s.hub for s in shipment.stops.all() if s.hub is not None]
        if stops:
            routes.append(Route(shipment=shipment, hubs=stops))
    return hubs, routes


def shippable_lines(*, actor: Actor) -> list[PledgeLine]:
    """The actor's nation's pledge lines with units neither shipped nor planned in a shipment (the new-shipment
    form), each with `left` set to those units."""
    from shieldwall.logistics.services import planned_elsewhere

    if actor.nation_id is None:
        return []
    lines = list(visible_lines(actor).filter(originator_id=actor.nation_id, item_type__isnull=False,
                                             status__in=(*AWAITING_SHIPMENT, LineStatus.SHIPPED))
                 .select_related("item_type__item_class").order_by("available_from", "id")[:200])
    planned = planned_elsewhere([line.pk for line in lines])
    for line in lines:
        line.left = line.quantity - line.shipped_quantity - planned.get(line.pk, 0)  # type: ignore[attr-defined]
    return [line for line in lines if line.left > 0]  # type: ignore[attr-defined]


def home_overdue(*, actor: Actor, limit: int = 10) -> Overdue | None:
    """The home page's overdue panel: everything late a coordinator may see, a donor officer's own nation's."""
    from shieldwall.core.roles import Role

    if actor.has_role(Role.COORDINATOR):
        return overdue(actor=actor, limit=limit)
    if actor.has_role(Role.DONOR) and actor.nation_code:
        return overdue(actor=actor, donor=actor.nation_code, limit=limit)
    return None
