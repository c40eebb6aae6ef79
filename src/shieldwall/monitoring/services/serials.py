"""Serial items through their life: registered by the donor before shipment (scanner lines or CSV, all or
nothing, one audit event per batch), dispatched and received with their shipment, handed on between units or
allies, repaired, lost with a lost shipment.

Each custody change appends a link to the item's chain, from its current holder to the next, so the chain has no
gaps and the item one custodian. An item handed on to another ally adds that nation to its REL TO rows and never
removes the donor's: the donor keeps seeing what it gave.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q

from shieldwall.core import audit, writes
from shieldwall.core.access import rel_to_through
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, ValidationFailed
from shieldwall.core.markings import Classification, Releasability
from shieldwall.logistics.models import Shipment, ShipmentLine, ShipmentStatus
from shieldwall.logistics.services.common import day_of, fail, nation_by_code
from shieldwall.monitoring import schedule, tables
from shieldwall.monitoring.models import (
    ACCOUNTABLE,
    CustodyTransfer,
    SerialItem,
    SerialStatus,
    TransferKind,
)
from shieldwall.monitoring.services import cells
from shieldwall.pledges.models import PledgeLine

DEFAULT_CLASSIFICATION = Classification.RESTRICTED
SETTABLE = (SerialStatus.IN_SERVICE, SerialStatus.UNDER_REPAIR)


@dataclass(frozen=True)
class RegisterReport:
    dry_run: bool
    rows: int
    errors: list[tables.RowError] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _event_marking(classification: int, codes: Iterable[str], originator: str) -> audit.EventMarking:
    return audit.EventMarking.of(int(classification), Releasability.REL_TO, originator, set(codes))


def _add_rel_to(item_ids: Sequence[int], nation_ids: Iterable[int]) -> None:
    through: Any
    through, source = rel_to_through(SerialItem)
    wanted = sorted(set(nation_ids))
    have = set(through.objects.filter(**{f"{source}_id__in": item_ids}).values_list(f"{source}_id", "nation_id"))
    through.objects.bulk_create([through(**{f"{source}_id": pk, "nation_id": n}) for pk in item_ids
                                 for n in wanted if (pk, n) not in have])


def _next_seqs(item_ids: Sequence[int]) -> dict[int, int]:
    last = dict(CustodyTransfer.objects.filter(item_id__in=item_ids).values_list("item_id")
                .annotate(m=Max("seq")).order_by())
    return {pk: last.get(pk, 0) + 1 for pk in item_ids}


def _links(items: Sequence[SerialItem], actor: Actor, *, kind: str, to_nation_id: int, to_unit: str,
           to_location: str, on: date, note: str = "") -> list[CustodyTransfer]:
    """The next link of each item's chain, from where its custody stands now."""
    seqs = _next_seqs([item.pk for item in items])
    return [CustodyTransfer(item_id=item.pk, seq=seqs[item.pk], kind=kind, from_nation_id=item.custodian_nation_id,
                            from_unit=item.custodian_unit, from_location=item.custodian_location,
                            to_nation_id=to_nation_id, to_unit=to_unit[:200], to_location=to_location[:200], on=on,
                            recorded_by_id=actor.user_id, recorded_by_name=actor.username, note=note[:300])
            for item in items]


# --- registration before shipment --------------------------------------------------------------------------------


def _shipment_line(actor: Actor, shipment_id: int, shipment_line_id: int) -> tuple[Shipment, ShipmentLine]:
    shipment = Shipment.objects.visible_to(actor).select_related("originator", "recipient").filter(
        pk=shipment_id).first()
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} not found")
    row = ShipmentLine.objects.filter(shipment=shipment, pk=shipment_line_id).first()
    if row is None:
        raise NotFound(f"line {shipment_line_id} of shipment {shipment_id} not found")
    return shipment, row


def serial_items_register(
    *, actor: Actor, shipment_id: int, shipment_line_id: int, entries: Sequence[tables.Row], unit: str = "",
    location: str = "", on: date | None = None, dry_run: bool = False,
) -> RegisterReport:
    """Record the serial numbers of a planned shipment line's units (all of them, or none when any row has a
    problem), upper-cased: "g-1" is refused when "G-1" is recorded for the item type. Each item is RESTRICTED (or
    its line's or shipment's higher classification) // REL TO the donor and the recipient."""
    shipment, row = _shipment_line(actor, shipment_id, shipment_line_id)
    line = PledgeLine.objects.visible_to(actor).select_related("item_type").filter(pk=row.pledge_line_id).first()
    if line is None or line.item_type is None:
        raise NotFound(f"line {shipment_line_id} of shipment {shipment_id} not found")
    writes.require(actor, "create", SerialItem(originator_id=shipment.originator_id))
    if shipment.status != ShipmentStatus.PLANNED:
        raise fail("shipment", "serial numbers are recorded before dispatch; this shipment has left")
    errors: list[tables.RowError] = []
    seen: dict[str, int] = {}
    have = SerialItem.objects.visible_to(actor).filter(shipment=shipment, pledge_line=line).count()
    day = day_of(on, name="on")
    cls = max(int(DEFAULT_CLASSIFICATION), line.classification, shipment.classification)
    items = []
    unique = next(c for c in SerialItem._meta.constraints if c.name == "serial_once_per_type")
    for entry in entries:
        typed = entry.cells.get("serial_number", "").strip()
        problem = tables.serial_problem(typed)
        if problem:
            errors.append(tables.RowError(entry.row, "serial_number", problem))
            continue
        serial = tables.normalise_serial(typed)
        if serial in seen:
            errors.append(tables.RowError(entry.row, "serial_number",
                                          f"{typed} is given twice (also row {seen[serial]})"))
            continue
        seen[serial] = entry.row
        item = SerialItem(
            item_type=line.item_type, item_class_id=line.item_type.item_class_id, serial_number=serial,
            pledge_line=line, shipment=shipment, recipient_id=shipment.recipient_id, status=SerialStatus.REGISTERED,
            status_since=day, custodian_nation_id=shipment.originator_id, custodian_unit=unit[:200],
            custodian_location=location[:200], custody_since=day, originator_id=shipment.originator_id,
            classification=cls, releasability=Releasability.REL_TO)
        try:
            # Django's own check of the database constraint: unique per item type whatever the case, whoever
            # recorded them (so not limited to what this actor may see).
            unique.validate(SerialItem, item)
        except ValidationError:
            spelt = f" (as {serial})" if serial != typed else ""
            errors.append(tables.RowError(entry.row, "serial_number",
                                          f"{typed} is already recorded for {line.item_type.name}{spelt}"))
            continue
        items.append((entry.row, item))
    if have + len(items) > row.quantity and not errors:
        errors.append(tables.RowError(0, "serial_number", f"{have + len(items)} serial numbers for {row.quantity} "
                                                          f"units ({have} already recorded)"))
    if not entries:
        errors.append(tables.RowError(0, "serial_number", "no serial numbers given"))
    report = RegisterReport(dry_run=dry_run, rows=len(entries), errors=errors)
    if errors or dry_run:
        return report
    with transaction.atomic():
        created = SerialItem.objects.bulk_create([item for _, item in items])
        ids = [item.pk for item in created]
        _add_rel_to(ids, [shipment.originator_id, shipment.recipient_id])
        cells.apply(Counter(), cells.keys(actor, ids))
        CustodyTransfer.objects.bulk_create([
            CustodyTransfer(item_id=item.pk, seq=1, kind=TransferKind.REGISTERED, to_nation_id=shipment.originator_id,
                            to_unit=item.custodian_unit, to_location=item.custodian_location, on=day,
                            recorded_by_id=actor.user_id, recorded_by_name=actor.username) for item in created])
        audit.record(actor=actor, action="serial_item.import", object_type="logistics.shipment",
                     object_id=shipment.pk, changes={"count": [None, len(created)], "pledge_line": [None, line.pk],
                                                     "shipment_line": [None, row.pk]},
                     marking=_event_marking(cls, [shipment.originator.code, shipment.recipient.code],
                                            shipment.originator.code))
    return RegisterReport(dry_run=False, rows=len(entries), created=len(created))


def missing_serials(*, actor: Actor, shipment: Shipment) -> list[str]:
    """Why a shipment cannot leave yet: each serial-tracked line whose units lack serial numbers."""
    rows = list(ShipmentLine.objects.filter(shipment=shipment, pledge_line__item_type__item_class__serial_tracked=True)
                .select_related("pledge_line__item_type").order_by("id"))
    if not rows:
        return []
    # The dispatching donor originates every serial item of its shipments, so it sees them all.
    recorded = dict(SerialItem.objects.visible_to(actor).filter(shipment=shipment).values_list("pledge_line_id")
                    .annotate(n=Count("id")).order_by())
    problems = []
    for row in rows:
        count = recorded.get(row.pledge_line_id, 0)
        if count < row.quantity:
            name = row.pledge_line.item_type.name if row.pledge_line.item_type else "items"
            problems.append(f"{count} of {row.quantity} {name} serial numbers are recorded for pledge line "
                            f"{row.pledge_line_id}; record the other {row.quantity - count} before dispatch "
                            "(shipment page → serial numbers)")
    return problems


def serials_discard(*, actor: Actor, shipment: Shipment) -> int:
    """Remove the serial numbers recorded for a planned shipment being deleted (audited as one event)."""
    items = SerialItem.objects.visible_to(actor).filter(shipment=shipment, status=SerialStatus.REGISTERED)
    count = items.count()
    if count:
        first = items.select_related("originator", "recipient").first()
        assert first is not None
        before = cells.keys(actor, list(items.values_list("pk", flat=True)))
        items.delete()
        cells.apply(before, Counter())
        audit.record(actor=actor, action="serial_item.discard", object_type="logistics.shipment",
                     object_id=shipment.pk, changes={"count": [count, 0]},
                     marking=_event_marking(first.classification, [first.originator.code, first.recipient.code],
                                            first.originator.code))
    return count


# --- with the shipment: dispatched, received, lost --------------------------------------------------------------


def _batch_event(actor: Actor, action: str, shipment: Shipment, items: Sequence[SerialItem],
                 changes: dict[str, object]) -> None:
    if not items:
        return
    cls = max(item.classification for item in items)
    codes = [shipment.originator.code, shipment.recipient.code]
    audit.record(actor=actor, action=action, object_type="logistics.shipment", object_id=shipment.pk,
                 changes={"count": [None, len(items)], **changes},
                 marking=_event_marking(cls, codes, shipment.originator.code))


def serials_dispatched(*, actor: Actor, shipment: Shipment, on: date) -> int:
    """The shipment's registered items leave with it: in transit, still in the donor's custody."""
    items = list(SerialItem.objects.visible_to(actor).filter(shipment=shipment, status=SerialStatus.REGISTERED))
    late = [item for item in items if item.custody_since > on]
    if late:
        raise fail("on", f"the serial numbers were recorded on {late[0].custody_since}, after this dispatch date")
    unit = f"in transit: {shipment}"
    CustodyTransfer.objects.bulk_create(_links(items, actor, kind=TransferKind.DISPATCHED,
                                               to_nation_id=shipment.originator_id, to_unit=unit,
                                               to_location=shipment.origin, on=on))
    with cells.tracking(actor, [i.pk for i in items]):
        SerialItem.objects.visible_to(actor).filter(pk__in=[i.pk for i in items]).update(
            status=SerialStatus.IN_TRANSIT, status_since=on, custodian_unit=unit[:200],
            custodian_location=shipment.origin[:200], custody_since=on)
    _batch_event(actor, "serial_item.dispatch", shipment, items, {"on": [None, on.isoformat()]})
    return len(items)


def serials_received(*, actor: Actor, shipment: Shipment, shipment_line: ShipmentLine, quantity: int,
                     serials: Sequence[str], on: date, unit: str, location: str) -> int:
    """Units received of a line with serial items: the named ones (all those in transit when none are named) pass
    into the recipient's custody, and their initial inventory falls due within 90 days."""
    in_transit = SerialItem.objects.visible_to(actor).filter(shipment=shipment,
                                                             pledge_line_id=shipment_line.pledge_line_id,
                                                             status=SerialStatus.IN_TRANSIT)
    available = {item.serial_number: item for item in in_transit}
    if not available and not serials:
        return 0  # a line without serial items
    if serials:
        wanted = [tables.normalise_serial(s) for s in serials if s.strip()]
        unknown = [s for s in wanted if s not in available]
        if unknown:
            raise fail("serials", f"not in transit on this line: {', '.join(unknown[:10])}")
        if len(set(wanted)) != len(wanted) or len(wanted) != quantity:
            raise fail("serials", f"name {quantity} different serial numbers for the {quantity} units received")
        items = [available[s] for s in wanted]
    elif quantity == len(available):
        items = list(available.values())
    else:
        raise fail("serials", f"name the {quantity} serial numbers received: {len(available)} of this line's items "
                              "are in transit")
    CustodyTransfer.objects.bulk_create(_links(items, actor, kind=TransferKind.RECEIVED,
                                               to_nation_id=shipment.recipient_id, to_unit=unit,
                                               to_location=location, on=on))
    with cells.tracking(actor, [i.pk for i in items]):
        SerialItem.objects.visible_to(actor).filter(pk__in=[i.pk for i in items]).update(
            status=SerialStatus.IN_SERVICE, status_since=on, custodian_nation_id=shipment.recipient_id,
            custodian_unit=unit[:200], custodian_location=location[:200], custody_since=on, received_on=on,
            next_inspection_due=schedule.initial_due(on))
    _batch_event(actor, "serial_item.receive", shipment, items,
                 {"on": [None, on.isoformat()], "unit": [None, unit],
                  "pledge_line": [None, shipment_line.pledge_line_id]})
    return len(items)


def serials_lost_in_shipment(*, actor: Actor, shipment: Shipment, on: date) -> int:
    """A lost shipment's items in transit are lost with it."""
    items = list(SerialItem.objects.visible_to(actor).filter(shipment=shipment, status=SerialStatus.IN_TRANSIT))
    with cells.tracking(actor, [i.pk for i in items]):
        SerialItem.objects.visible_to(actor).filter(pk__in=[i.pk for i in items]).update(
            status=SerialStatus.LOST, status_since=on, next_inspection_due=None)
    _batch_event(actor, "serial_item.lost", shipment, items, {"on": [None, on.isoformat()]})
    return len(items)


# --- after receipt: custody transfers and status -------------------------------------------------------------------


def serial_item_transfer(*, actor: Actor, item_ids: Sequence[int], to_nation: str, to_unit: str,
                         to_location: str = "", on: date | None = None, note: str = "") -> list[SerialItem]:
    """Hand items on to another unit or ally. A transfer to another nation than the recipient marks them
    transferred and releases them to that nation too (the donor keeps seeing them)."""
    if not to_unit.strip():
        raise fail("to_unit", "name the unit that takes custody")
    if not item_ids:
        raise fail("items", "choose the items to transfer")
    nation = nation_by_code("to_nation", to_nation)
    done = []
    with transaction.atomic():
        for item_id in sorted(set(item_ids)):
            item: SerialItem = writes.get_visible_for_update(SerialItem.objects, actor=actor, pk=item_id)
            writes.require(actor, "change", item)
            if item.status not in ACCOUNTABLE:
                raise fail("items", f"{item} is {item.get_status_display().lower()}; only items in service, under "
                                    "repair or transferred change hands")
            day = day_of(on, name="on", not_before=item.custody_since, what="its current custody")
            if item.custodian_nation_id == nation.pk and item.custodian_unit == to_unit.strip():
                raise fail("to_unit", f"{item} is already held by {to_unit}")
            codes = sorted({*item.rel_to.values_list("code", flat=True), nation.code})
            CustodyTransfer.objects.bulk_create(_links([item], actor, kind=TransferKind.TRANSFER,
                                                       to_nation_id=nation.pk, to_unit=to_unit.strip(),
                                                       to_location=to_location.strip(), on=day, note=note))
            status = SerialStatus.TRANSFERRED if nation.pk != item.recipient_id else (
                item.status if item.status != SerialStatus.TRANSFERRED else SerialStatus.IN_SERVICE)
            changes = {"custodian_nation": nation, "custodian_unit": to_unit.strip()[:200],
                       "custodian_location": to_location.strip()[:200], "custody_since": day}
            if status != item.status:
                changes |= {"status": status, "status_since": day}
            with cells.tracking(actor, [item.pk]):
                done.append(writes.update(actor=actor, obj=item, changes=changes, rel_to=codes,
                                          action="serial_item.transfer", permission="change",
                                          extra_audit={"note": [None, note]} if note else None))
    return done


def serial_item_set_status(*, actor: Actor, id: int, status: str, on: date | None = None,
                           expected_version: int | None = None) -> SerialItem:
    """In service ⇄ under repair (losses and destruction are reported with a loss report)."""
    if status not in SETTABLE:
        raise ValidationFailed({"status": [f"set {' or '.join(SETTABLE)} here; report losses and destruction "
                                           "with a loss report"]})
    with transaction.atomic():
        item: SerialItem = writes.get_visible_for_update(SerialItem.objects, actor=actor, pk=id)
        if item.status not in (SerialStatus.IN_SERVICE, SerialStatus.UNDER_REPAIR):
            raise fail("status", f"{item} is {item.get_status_display().lower()}")
        day = day_of(on, name="on", not_before=item.status_since, what="its current status")
        with cells.tracking(actor, [item.pk]):
            return writes.update(actor=actor, obj=item, changes={"status": status, "status_since": day},
                                 expected_version=expected_version, action="serial_item.status")


def accountable_q() -> Q:
    return Q(status__in=ACCOUNTABLE)
