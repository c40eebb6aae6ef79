"""The recipient's receipt of a shipment: quantities per line, condition, discrepancies.

The shipment row is locked first (`SELECT … FOR UPDATE`), so two officers receiving against the same shipment
at once are serialised and the second sees what the first received: nobody over-receives. Each line's units are
delivered on its pledge line through `pledges.services.line_deliver` — a pledge line becomes delivered when its
units have been received, not when they were dispatched — and the serial items received change custody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.logistics import flow
from shieldwall.logistics.models import Condition, Receipt, ReceiptLine, ShipmentLine
from shieldwall.logistics.services.common import day_of, fail
from shieldwall.logistics.services.shipments import _locked
from shieldwall.pledges import services as pledge_services


@dataclass(frozen=True)
class ReceivedLine:
    """Units received of one shipment line; for serial-numbered items, which ones (all outstanding if none)."""

    shipment_line_id: int
    quantity: int
    condition: str = Condition.GOOD
    serials: Sequence[str] = field(default_factory=tuple)


def shipment_receive(
    *, actor: Actor, id: int, lines: Sequence[ReceivedLine], unit: str, received_on: date | None = None,
    location: str = "", discrepancies: str = "", final: bool = False, expected_version: int | None = None,
) -> Receipt:
    """Record a receipt; `final` closes the shipment even if units are missing (say which in `discrepancies`)."""
    from shieldwall.monitoring.services import serials_received

    if not unit.strip():
        raise fail("unit", "name the receiving unit or depot")
    if final and not discrepancies.strip() and not lines:
        raise fail("discrepancies", "say what is missing when closing a shipment without receiving anything")
    with transaction.atomic():
        shipment = _locked(actor, id, "receive")
        day = day_of(received_on, name="received_on", not_before=shipment.dispatched_on, what="the dispatch")
        # Locked after the shipment, so concurrent receipts read what the one before them wrote.
        rows = {row.pk: row for row in ShipmentLine.objects.select_for_update().filter(shipment=shipment)}
        wanted: dict[int, int] = {}
        for spec in lines:
            if spec.shipment_line_id in wanted:
                raise fail("lines", f"line {spec.shipment_line_id} is given twice")
            if spec.condition not in Condition.values:
                raise fail("lines", f"unknown condition {spec.condition!r}; use {', '.join(Condition.values)}")
            wanted[spec.shipment_line_id] = spec.quantity
        loads = {pk: flow.LineLoad(row.quantity, row.received_quantity) for pk, row in rows.items()}
        try:
            status, after = flow.receive(shipment.status, loads, wanted, final=final)
        except flow.IllegalStep as exc:
            raise fail(exc.field, str(exc)) from exc
        receipt = Receipt.objects.create(shipment=shipment, received_on=day, unit=unit.strip(),
                                         location=location.strip(), discrepancies=discrepancies.strip(),
                                         final=final, recorded_by_id=actor.user_id)
        audit_lines: dict[str, int] = {}
        for spec in lines:
            if spec.quantity == 0:
                continue
            row = rows[spec.shipment_line_id]
            ReceiptLine.objects.create(receipt=receipt, shipment_line=row, quantity=spec.quantity,
                                       condition=spec.condition)
            row.received_quantity = after[row.pk].received
            row.save(update_fields=["received_quantity", "updated_at"])
            pledge_services.line_deliver(actor=actor, line_id=row.pledge_line_id, quantity=spec.quantity,
                                         effective_date=day)
            serials_received(actor=actor, shipment=shipment, shipment_line=row, quantity=spec.quantity,
                             serials=list(spec.serials), on=day, unit=unit.strip(), location=location.strip())
            audit_lines[str(row.pk)] = spec.quantity
        changes: dict[str, object] = {"status": status}
        if shipment.handed_over_on is None:
            changes["handed_over_on"] = day
        if status == flow.RECEIVED:
            changes["received_on"] = day
        writes.update(actor=actor, obj=shipment, changes=changes, expected_version=expected_version,
                      permission="receive", action="shipment.receive",
                      extra_audit={"receipt": [None, receipt.pk], "received": [None, audit_lines],
                                   "final": [None, final], "discrepancies": [None, receipt.discrepancies]})
    return receipt
