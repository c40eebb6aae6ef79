"""Writes of shipments: plan (lines, hubs on the way, marking), change, delete while planned, and each movement
(dispatch, arrival at and departure from a hub, hand-over, loss or damage).

Dispatch ships the units on their pledge lines through `pledges.services.line_ship`, so the pledge lifecycle
stays the one place that knows what shipping means; it is refused while a serial-tracked line lacks the serial
numbers of its units. Every change runs in one transaction with the shipment row locked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum

from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.markings import Releasability
from shieldwall.logistics import flow
from shieldwall.logistics.models import Hub, Shipment, ShipmentLine, ShipmentStatus, ShipmentStop, TransportMode
from shieldwall.logistics.services.common import (
    carried_marking,
    day_of,
    fail,
    nation_by_code,
    require_released_to,
)
from shieldwall.pledges import services as pledge_services
from shieldwall.pledges.models import LineStatus, PledgeLine
from shieldwall.pledges.selectors import visible_lines


@dataclass(frozen=True)
class LinePlan:
    pledge_line_id: int
    quantity: int


@dataclass(frozen=True)
class StopPlan:
    hub_id: int
    planned_arrival: date
    planned_departure: date | None = None  # default: the day it arrives


def _step(status: str, target: str) -> str:
    try:
        return flow.step(status, target)
    except flow.IllegalStep as exc:
        raise fail(exc.field, str(exc)) from exc


def planned_elsewhere(line_ids: Iterable[int], *, excluding: int | None = None) -> dict[int, int]:
    """Units of each pledge line already in planned shipments (not yet shipped on the line)."""
    qs = ShipmentLine.objects.filter(pledge_line_id__in=list(line_ids), shipment__status=ShipmentStatus.PLANNED)
    if excluding is not None:
        qs = qs.exclude(shipment_id=excluding)
    return dict(qs.values_list("pledge_line_id").annotate(n=Sum("quantity")).order_by())


def _pledge_lines(actor: Actor, plans: Sequence[LinePlan]) -> list[PledgeLine]:
    if not plans:
        raise fail("lines", "a shipment carries at least one pledge line")
    ids = [p.pledge_line_id for p in plans]
    if len(set(ids)) != len(ids):
        raise fail("lines", "each pledge line appears once in a shipment; add up its units")
    found = {line.pk: line for line in visible_lines(actor).filter(pk__in=ids).select_related(
        "originator", "item_type__item_class").prefetch_related("rel_to")}
    elsewhere = planned_elsewhere(ids)
    problems: list[str] = []
    for plan in plans:
        line = found.get(plan.pledge_line_id)
        if line is None:
            problems.append(f"pledge line {plan.pledge_line_id} not found")
        elif line.originator_id != actor.nation_id:
            problems.append(f"pledge line {line.pk} is another nation's: a donor ships its own lines")
        elif line.item_type_id is None:
            problems.append(f"pledge line {line.pk} is an amount of money; only items are shipped")
        elif line.status in (LineStatus.DELIVERED, LineStatus.CANCELLED):
            problems.append(f"pledge line {line.pk} is {line.status}")
        else:
            left = line.quantity - line.shipped_quantity - elsewhere.get(line.pk, 0)
            if not 1 <= plan.quantity <= left:
                problems.append(f"pledge line {line.pk}: {plan.quantity} units asked, {max(left, 0)} of "
                                f"{line.quantity} are neither shipped nor planned in another shipment")
    if problems:
        raise ValidationFailed({"lines": problems})
    return [found[i] for i in ids]


def _stops(actor: Actor, plans: Sequence[StopPlan], dispatch: date, arrival: date) -> list[ShipmentStop]:
    hubs = {h.pk: h for h in Hub.objects.visible_to(actor).filter(pk__in=[p.hub_id for p in plans])}
    stops: list[ShipmentStop] = []
    previous = dispatch
    for number, plan in enumerate(plans, start=1):
        if plan.hub_id not in hubs:
            raise fail("stops", f"hub {plan.hub_id} not found")
        leave = plan.planned_departure or plan.planned_arrival
        if plan.planned_arrival < previous or leave < plan.planned_arrival or leave > arrival:
            raise fail("stops", f"stop {number} ({hubs[plan.hub_id].name}): its dates must fall in order between "
                                "the dispatch, the stops before it and the arrival")
        stops.append(ShipmentStop(hub=hubs[plan.hub_id], sequence=number, planned_arrival=plan.planned_arrival,
                                  planned_departure=leave))
        previous = leave
    return stops


def shipment_create(
    *, actor: Actor, recipient: str, origin: str, destination: str, planned_dispatch: date, planned_arrival: date,
    lines: Sequence[LinePlan], stops: Sequence[StopPlan] = (), transport_mode: str = TransportMode.ROAD,
    reference: str = "", notes: str = "", classification: int | None = None, releasability: str | None = None,
    rel_to: Iterable[str] | None = None,
) -> Shipment:
    """Plan a shipment of the actor's nation's pledge lines. Its marking defaults to what its lines allow
    together, is never wider than any of them, and must reach the recipient."""
    if planned_arrival < planned_dispatch:
        raise fail("planned_arrival", "the planned arrival cannot be before the dispatch")
    receiver = nation_by_code("recipient", recipient)
    with transaction.atomic():
        pledge_lines = _pledge_lines(actor, lines)
        mark = carried_marking(pledge_lines, classification=classification, releasability=releasability,
                               rel_to=rel_to, originator=actor.nation_code or "")
        require_released_to(mark, receiver, field="releasability", who="recipient")
        shipment = Shipment(
            reference=reference, recipient=receiver, origin=origin, destination=destination,
            transport_mode=transport_mode, planned_dispatch=planned_dispatch, planned_arrival=planned_arrival,
            notes=notes, classification=int(mark.classification), releasability=str(mark.releasability))
        stop_rows = _stops(actor, stops, planned_dispatch, planned_arrival)
        audit_lines = {str(p.pledge_line_id): p.quantity for p in lines}
        audit_stops = [[s.hub_id, s.planned_arrival.isoformat()] for s in stop_rows]
        writes.create(actor=actor, obj=shipment,
                      rel_to=list(mark.rel_to) if mark.releasability == Releasability.REL_TO else None,
                      extra_audit={"lines": [None, audit_lines], "stops": [None, audit_stops]})
        ShipmentLine.objects.bulk_create([ShipmentLine(shipment=shipment, pledge_line=line, quantity=plan.quantity)
                                          for line, plan in zip(pledge_lines, lines, strict=True)])
        for stop in stop_rows:
            stop.shipment = shipment
        ShipmentStop.objects.bulk_create(stop_rows)
    return shipment


UPDATABLE = {"reference", "notes", "transport_mode", "planned_arrival", "planned_dispatch", "origin",
             "destination", "classification", "releasability"}
PLANNED_ONLY = {"planned_dispatch", "origin", "destination", "classification", "releasability"}


def _locked(actor: Actor, shipment_id: int, verb: str) -> Shipment:
    shipment: Shipment = writes.get_visible_for_update(Shipment.objects, actor=actor, pk=shipment_id)
    writes.require(actor, verb, shipment)
    return shipment


def shipment_update(*, actor: Actor, id: int, expected_version: int | None = None,
                    rel_to: Iterable[str] | None = None, **changes: Any) -> Shipment:
    """Re-plan: dates, references, notes; the route's ends and the marking only while planned."""
    unknown = sorted(set(changes) - UPDATABLE)
    if unknown:
        raise ValidationFailed({name: ["this field cannot be changed"] for name in unknown})
    with transaction.atomic():
        shipment = _locked(actor, id, "change")
        if shipment.status in flow.FINAL:
            raise fail("status", f"a {shipment.status} shipment is closed; it is not changed any more")
        frozen = sorted(name for name in set(changes) | ({"rel_to"} if rel_to is not None else set())
                        if name in PLANNED_ONLY | {"rel_to"})
        if frozen and shipment.status != ShipmentStatus.PLANNED:
            raise ValidationFailed({name: ["can be changed only while the shipment is planned"] for name in frozen})
        if {"classification", "releasability"} & set(changes) or rel_to is not None:
            lines = list(PledgeLine.objects.visible_to(actor).filter(shipment_lines__shipment=shipment)
                         .prefetch_related("rel_to"))
            mark = carried_marking(lines, classification=changes.get("classification", shipment.classification),
                                   releasability=changes.get("releasability", shipment.releasability),
                                   rel_to=rel_to if rel_to is not None else (
                                       shipment.rel_to.values_list("code", flat=True)),
                                   originator=shipment.originator.code)
            require_released_to(mark, shipment.recipient, field="releasability", who="recipient")
            rel_to = list(mark.rel_to)
        shipment = writes.update(actor=actor, obj=shipment, changes=changes, expected_version=expected_version,
                                 rel_to=rel_to)
        first_stop = shipment.stops.order_by("sequence").first()
        if first_stop is not None and first_stop.planned_arrival < shipment.planned_dispatch:
            raise fail("planned_dispatch", "the first hub is planned before this dispatch; re-plan the route")
        return shipment


def shipment_delete(*, actor: Actor, id: int, expected_version: int | None = None) -> None:
    """Only a planned shipment; the serial numbers recorded for it are discarded with it."""
    from shieldwall.monitoring.services import serials_discard

    with transaction.atomic():
        shipment = _locked(actor, id, "delete")
        if shipment.status != ShipmentStatus.PLANNED:
            raise fail("status", "only a planned shipment can be deleted; report a lost one instead")
        serials_discard(actor=actor, shipment=shipment)
        ShipmentStop.objects.filter(shipment=shipment).delete()
        ShipmentLine.objects.filter(shipment=shipment).delete()
        writes.delete(actor=actor, obj=shipment, expected_version=expected_version)


def shipment_dispatch(*, actor: Actor, id: int, on: date | None = None,
                      expected_version: int | None = None) -> Shipment:
    """Dispatch: the units are shipped on their pledge lines; refused while serial numbers are missing."""
    from shieldwall.monitoring.services import missing_serials, serials_dispatched

    with transaction.atomic():
        shipment = _locked(actor, id, "dispatch")
        status = _step(shipment.status, flow.DISPATCHED)
        day = day_of(on, name="on")
        missing = missing_serials(actor=actor, shipment=shipment)
        if missing:
            raise ValidationFailed({"serial_numbers": missing},
                                   detail=f"cannot dispatch {shipment}: {missing[0]}")
        lines = list(ShipmentLine.objects.filter(shipment=shipment).order_by("id"))
        for row in lines:
            pledge_services.line_ship(actor=actor, line_id=row.pledge_line_id, quantity=row.quantity,
                                      effective_date=day)
        serials_dispatched(actor=actor, shipment=shipment, on=day)
        return writes.update(actor=actor, obj=shipment, changes={"status": status, "dispatched_on": day},
                             expected_version=expected_version, permission="dispatch", action="shipment.dispatch")


def shipment_arrive(*, actor: Actor, id: int, on: date | None = None,
                    expected_version: int | None = None) -> Shipment:
    """Arrival at the next hub on the route."""
    with transaction.atomic():
        shipment = _locked(actor, id, "track")
        status = _step(shipment.status, flow.AT_HUB)
        stop = ShipmentStop.objects.filter(shipment=shipment, arrived_on__isnull=True).order_by("sequence").first()
        if stop is None:
            raise fail("status", "the shipment has passed every hub on its route; hand it over instead")
        day = day_of(on, name="on", not_before=shipment.dispatched_on, what="the dispatch")
        stop.arrived_on = day
        stop.save(update_fields=["arrived_on", "updated_at"])
        return writes.update(actor=actor, obj=shipment, changes={"status": status},
                             expected_version=expected_version, permission="track", action="shipment.arrive",
                             extra_audit={"hub": [None, stop.hub_id], "on": [None, day.isoformat()]})


def _leave_hub(shipment: Shipment, day: date) -> int | None:
    stop = ShipmentStop.objects.filter(shipment=shipment, arrived_on__isnull=False,
                                       departed_on__isnull=True).order_by("-sequence").first()
    if stop is None:
        return None
    if day < (stop.arrived_on or day):
        raise fail("on", f"cannot leave the hub before arriving there ({stop.arrived_on})")
    stop.departed_on = day
    stop.save(update_fields=["departed_on", "updated_at"])
    return stop.hub_id


def shipment_depart(*, actor: Actor, id: int, on: date | None = None,
                    expected_version: int | None = None) -> Shipment:
    """Departure from the hub it is at, on to the next hub or the destination."""
    with transaction.atomic():
        shipment = _locked(actor, id, "track")
        status = _step(shipment.status, flow.DISPATCHED)
        day = day_of(on, name="on")
        hub_id = _leave_hub(shipment, day)
        return writes.update(actor=actor, obj=shipment, changes={"status": status},
                             expected_version=expected_version, permission="track", action="shipment.depart",
                             extra_audit={"hub": [None, hub_id], "on": [None, day.isoformat()]})


def shipment_hand_over(*, actor: Actor, id: int, on: date | None = None,
                       expected_version: int | None = None) -> Shipment:
    """Handed over to the recipient at the destination (leaving the hub it was at, if any)."""
    with transaction.atomic():
        shipment = _locked(actor, id, "track")
        status = _step(shipment.status, flow.HANDED_OVER)
        day = day_of(on, name="on", not_before=shipment.dispatched_on, what="the dispatch")
        _leave_hub(shipment, day)
        return writes.update(actor=actor, obj=shipment, changes={"status": status, "handed_over_on": day},
                             expected_version=expected_version, permission="track", action="shipment.hand_over")


def shipment_report_incident(*, actor: Actor, id: int, kind: str, report: str, on: date | None = None,
                             expected_version: int | None = None) -> Shipment:
    """A lost shipment closes (its serial items in transit are lost with it); a damaged one can still be
    received, counting what arrives."""
    from shieldwall.monitoring.services import serials_lost_in_shipment

    if kind not in (flow.LOST, flow.DAMAGED):
        raise fail("kind", "an incident is 'lost' or 'damaged'")
    if not report.strip():
        raise fail("report", "say what happened: the report is the record of the incident")
    with transaction.atomic():
        shipment = _locked(actor, id, "report")
        status = _step(shipment.status, kind)
        day = day_of(on, name="on", not_before=shipment.dispatched_on, what="the dispatch")
        if kind == flow.LOST:
            serials_lost_in_shipment(actor=actor, shipment=shipment, on=day)
        return writes.update(actor=actor, obj=shipment,
                             changes={"status": status, "incident_on": day, "incident_report": report.strip()},
                             expected_version=expected_version, permission="report", action=f"shipment.{kind}")

