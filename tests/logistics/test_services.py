"""Logistics services: planning against pledge lines, the serial-number gate at dispatch, movements through
hubs, partial and final receipts that deliver the pledge lines, markings that reach the recipient."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, PermissionDenied, ValidationFailed
from shieldwall.logistics import services
from shieldwall.logistics.models import Hub, ShipmentStatus
from shieldwall.monitoring.models import SerialItem, SerialStatus
from shieldwall.pledges.models import PledgeLine
from tests.logistics import factories

pytestmark = pytest.mark.django_db
D = date


def test_a_line_becomes_delivered_when_its_units_are_received_not_dispatched(
        fra_officer: Actor, ukr_desk: Actor, cat: dict[str, Any], rzeszow: Hub) -> None:
    shells = factories.committed_line(fra_officer, cat["shell"], 100)
    first = factories.shipment(fra_officer, [(shells, 60)], hubs=[rzeszow])
    with pytest.raises(ValidationFailed, match="50 units asked, 40 of 100 are neither shipped nor planned"):
        factories.shipment(fra_officer, [(shells, 50)])
    services.shipment_dispatch(actor=fra_officer, id=first.pk, on=D(2025, 2, 1))
    line = PledgeLine.objects.visible_to(fra_officer).get(pk=shells.pk)
    assert (line.status, line.shipped_quantity, line.delivered_quantity) == ("shipped", 60, 0)
    services.shipment_arrive(actor=fra_officer, id=first.pk, on=D(2025, 2, 3))
    services.shipment_depart(actor=fra_officer, id=first.pk, on=D(2025, 2, 4))
    services.shipment_hand_over(actor=fra_officer, id=first.pk, on=D(2025, 2, 5))
    row = first.lines.get()
    services.shipment_receive(actor=ukr_desk, id=first.pk, received_on=D(2025, 2, 6), unit="44th Bde depot",
                              lines=[services.ReceivedLine(row.pk, 50)])
    first.refresh_from_db()
    line.refresh_from_db()
    assert (first.status, line.status, line.delivered_quantity) == ("handed_over", "shipped", 50)
    with pytest.raises(ValidationFailed, match="only 10 of 60 shipped units are not yet received"):
        services.shipment_receive(actor=ukr_desk, id=first.pk, received_on=D(2025, 2, 6), unit="depot",
                                  lines=[services.ReceivedLine(row.pk, 11)])
    services.shipment_receive(actor=ukr_desk, id=first.pk, received_on=D(2025, 2, 7), unit="44th Bde depot",
                              lines=[services.ReceivedLine(row.pk, 10, condition="damaged")])
    first.refresh_from_db()
    line.refresh_from_db()
    assert (first.status, first.received_on, line.delivered_quantity) == ("received", D(2025, 2, 7), 60)
    second = factories.shipment(fra_officer, [(shells, 40)], dispatch=D(2025, 3, 1), arrival=D(2025, 3, 5))
    services.shipment_dispatch(actor=fra_officer, id=second.pk, on=D(2025, 3, 1))
    services.shipment_receive(actor=ukr_desk, id=second.pk, received_on=D(2025, 3, 4), unit="depot",
                              lines=[services.ReceivedLine(second.lines.get().pk, 40)])
    line.refresh_from_db()
    assert (line.status, line.delivered_quantity) == ("delivered", 100)


def test_dispatch_of_an_untagged_serial_tracked_shipment_is_refused(fra_officer: Actor, ukr_desk: Actor,
                                                                     cat: dict[str, Any]) -> None:
    guns = factories.committed_line(fra_officer, cat["m777"], 3)
    shipment = factories.shipment(fra_officer, [(guns, 3)])
    factories.register(fra_officer, shipment, ["A-1", "A-2"])
    with pytest.raises(ValidationFailed) as refused:
        services.shipment_dispatch(actor=fra_officer, id=shipment.pk, on=D(2025, 2, 1))
    assert refused.value.errors["serial_numbers"] == [
        f"2 of 3 M777 serial numbers are recorded for pledge line {guns.pk}; record the other 1 before dispatch "
        "(shipment page → serial numbers)"]
    assert refused.value.detail.startswith(f"cannot dispatch Shipment {shipment.pk}: 2 of 3 M777")
    factories.register(fra_officer, shipment, ["A-3"])
    services.shipment_dispatch(actor=fra_officer, id=shipment.pk, on=D(2025, 2, 1))
    items = SerialItem.objects.visible_to(fra_officer).filter(shipment=shipment)
    assert sorted(items.values_list("status", flat=True)) == ["in_transit"] * 3
    with pytest.raises(ValidationFailed, match="name the 2 serial numbers received"):
        services.shipment_receive(actor=ukr_desk, id=shipment.pk, received_on=D(2025, 2, 5), unit="depot",
                                  lines=[services.ReceivedLine(shipment.lines.get().pk, 2)])
    services.shipment_receive(actor=ukr_desk, id=shipment.pk, received_on=D(2025, 2, 5), unit="55th Bde",
                              lines=[services.ReceivedLine(shipment.lines.get().pk, 2, serials=["a-1", "A-3"])])
    held = dict(items.values_list("serial_number", "status"))
    assert held == {"A-1": SerialStatus.IN_SERVICE, "A-2": SerialStatus.IN_TRANSIT, "A-3": SerialStatus.IN_SERVICE}
    a1 = items.get(serial_number="A-1")
    assert (a1.custodian_nation.code, a1.custodian_unit, a1.next_inspection_due) == ("UKR", "55th Bde", D(2025, 5, 6))


def test_serial_registration_is_all_or_nothing_with_per_row_errors(fra_officer: Actor, cat: dict[str, Any]) -> None:
    guns = factories.committed_line(fra_officer, cat["m777"], 5)
    shipment = factories.shipment(fra_officer, [(guns, 5)])
    assert factories.register(fra_officer, shipment, ["X-1"]).created == 1
    report = factories.register(fra_officer, shipment, ["X-2", "", "bad serial!", "X-2", "X-1"])
    assert not report.ok and report.created == 0
    assert [(e.row, e.message.split(":")[0]) for e in report.errors] == [
        (3, "'bad serial!' is not a serial number"), (4, "X-2 is given twice (also row 1)"),
        (5, "X-1 is already recorded for M777")]
    assert SerialItem.objects.visible_to(fra_officer).count() == 1


def test_the_recipient_must_see_the_shipment_and_others_may_not(fra_officer: Actor, ukr_desk: Actor,
                                                                 gbr_analyst: Actor, cat: dict[str, Any]) -> None:
    hidden = factories.committed_line(fra_officer, cat["shell"], 10, classification=1, releasability="REL_TO",
                                      rel_to=["FRA"])
    with pytest.raises(ValidationFailed, match=r"recipient \(UKR\) could not see it"):
        factories.shipment(fra_officer, [(hidden, 10)])
    line = factories.committed_line(fra_officer, cat["shell"], 10, classification=1, releasability="REL_TO",
                                    rel_to=["FRA", "UKR"])
    with pytest.raises(ValidationFailed, match="cannot be released further"):
        factories.shipment(fra_officer, [(line, 10)], releasability="COALITION")
    shipment = factories.shipment(fra_officer, [(line, 10)])
    assert sorted(shipment.rel_to.values_list("code", flat=True)) == ["FRA", "UKR"]
    assert shipment.classification == 1
    with pytest.raises(NotFound):
        services.shipment_dispatch(actor=gbr_analyst, id=shipment.pk)
    with pytest.raises(PermissionDenied):
        services.shipment_dispatch(actor=ukr_desk, id=shipment.pk)


def test_lost_shipment_loses_its_serial_items(fra_officer: Actor, ukr_desk: Actor, cat: dict[str, Any]) -> None:
    guns = factories.committed_line(fra_officer, cat["m777"], 1)
    shipment = factories.shipment(fra_officer, [(guns, 1)])
    factories.register(fra_officer, shipment, ["L-1"])
    services.shipment_dispatch(actor=fra_officer, id=shipment.pk, on=D(2025, 2, 1))
    with pytest.raises(ValidationFailed, match="say what happened"):
        services.shipment_report_incident(actor=ukr_desk, id=shipment.pk, kind="lost", report=" ")
    services.shipment_report_incident(actor=ukr_desk, id=shipment.pk, kind="lost", report="Strike on the convoy",
                                      on=D(2025, 2, 3))
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.LOST
    assert SerialItem.objects.visible_to(fra_officer).get().status == SerialStatus.LOST
    with pytest.raises(ValidationFailed, match="a lost shipment cannot be received"):
        services.shipment_receive(actor=ukr_desk, id=shipment.pk, unit="x", lines=[])


def test_final_receipt_closes_with_a_shortfall(fra_officer: Actor, ukr_desk: Actor, cat: dict[str, Any]) -> None:
    shells = factories.committed_line(fra_officer, cat["shell"], 10)
    shipment = factories.shipment(fra_officer, [(shells, 10)])
    services.shipment_dispatch(actor=fra_officer, id=shipment.pk, on=D(2025, 2, 1))
    services.shipment_receive(actor=ukr_desk, id=shipment.pk, received_on=D(2025, 2, 4), unit="depot", final=True,
                              discrepancies="2 rounds missing",
                              lines=[services.ReceivedLine(shipment.lines.get().pk, 8)])
    shipment.refresh_from_db()
    shells.refresh_from_db()
    assert (shipment.status, shells.status, shells.shipped_quantity, shells.delivered_quantity) == (
        "received", "shipped", 10, 8)
