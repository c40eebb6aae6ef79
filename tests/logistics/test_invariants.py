"""Invariants under random sequences of planning, dispatch, receipts and transfers (hypothesis), through the
services: received never exceeds shipped, shipped never exceeds committed, a pledge line's delivered quantity is
the sum of its receipts, each serial item has exactly one custodian and a custody chain without gaps. Refused
steps change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.core.actor import Actor
from shieldwall.core.errors import DomainError
from shieldwall.logistics import flow, services
from shieldwall.logistics.models import ReceiptLine, Shipment, ShipmentLine
from shieldwall.monitoring import services as monitoring
from shieldwall.monitoring.models import SerialItem
from shieldwall.monitoring.schedule import Link, chain_problems
from shieldwall.pledges.models import PledgeLine
from tests.logistics import factories
from tests.monitoring.test_services import direct, from_cells

pytestmark = pytest.mark.django_db
QUANTITY = 6
START = date(2025, 2, 1)

ops = st.lists(st.one_of(
    st.tuples(st.just("plan"), st.integers(1, QUANTITY)),
    st.tuples(st.just("dispatch"), st.integers(0, 3)),
    st.tuples(st.just("receive"), st.integers(0, 3), st.integers(0, QUANTITY), st.booleans()),
    st.tuples(st.just("transfer"), st.integers(0, QUANTITY - 1)),
), min_size=1, max_size=12)


@st.composite
def loads(draw: Any) -> tuple[dict[int, flow.LineLoad], dict[int, int]]:
    lines = {}
    for pk in range(draw(st.integers(1, 3))):
        shipped = draw(st.integers(1, 20))
        lines[pk] = flow.LineLoad(shipped, draw(st.integers(0, shipped)))
    received = {pk: draw(st.integers(0, 25)) for pk in draw(st.sets(st.sampled_from(sorted(lines))))}
    return lines, received


@given(loads(), st.booleans())
def test_pure_receipt_never_over_receives(case: tuple[dict[int, flow.LineLoad], dict[int, int]], final: bool) -> None:
    lines, received = case
    try:
        status, after = flow.receive(flow.HANDED_OVER, lines, received, final=final)
    except flow.IllegalStep:
        assert any(units > lines[pk].outstanding for pk, units in received.items()) or not any(received.values())
        return
    assert all(0 <= load.received <= load.shipped for load in after.values())
    assert status == flow.RECEIVED if final or all(x.outstanding == 0 for x in after.values()) else flow.HANDED_OVER


def _check(line: PledgeLine, donor: Actor) -> None:
    line.refresh_from_db()
    assert line.delivered_quantity <= line.shipped_quantity <= line.quantity
    for row in ShipmentLine.objects.filter(pledge_line=line):
        assert 0 <= row.received_quantity <= row.quantity
    receipts = ReceiptLine.objects.filter(shipment_line__pledge_line=line).aggregate(n=Sum("quantity"))["n"] or 0
    assert line.delivered_quantity == receipts
    for item in SerialItem.objects.visible_to(donor).filter(pledge_line=line):
        links = list(item.transfers.order_by("seq"))
        assert chain_problems([Link(t.seq, (t.from_nation_id, t.from_unit), (t.to_nation_id, t.to_unit), t.on)
                               for t in links]) == []
        assert (links[-1].to_nation_id, links[-1].to_unit) == (item.custodian_nation_id, item.custodian_unit)
    for day in (START, START + timedelta(days=200)):
        assert from_cells(donor, day) == direct(donor, day)


def _run(op: tuple[Any, ...], step: int, line: PledgeLine, donor: Actor, recipient: Actor) -> None:
    day = START + timedelta(days=step)
    shipments = list(Shipment.objects.visible_to(donor).filter(lines__pledge_line=line).order_by("id"))
    if op[0] == "plan":
        shipment = factories.shipment(donor, [(line, op[1])], dispatch=day, arrival=day + timedelta(days=30))
        serials = [f"S{shipment.pk}-{n}" for n in range(op[1])]
        factories.register(donor, shipment, serials)
    elif op[0] == "dispatch" and shipments:
        services.shipment_dispatch(actor=donor, id=shipments[op[1] % len(shipments)].pk, on=day)
    elif op[0] == "receive" and shipments:
        shipment = shipments[op[1] % len(shipments)]
        row = shipment.lines.get()
        services.shipment_receive(actor=recipient, id=shipment.pk, received_on=day, unit="depot", final=op[3],
                                  discrepancies="short" if op[3] else "",
                                  lines=[services.ReceivedLine(row.pk, op[2])] if op[2] else [])
    elif op[0] == "transfer":
        held = list(SerialItem.objects.visible_to(recipient).filter(pledge_line=line, status="in_service"))
        if held:
            monitoring.serial_item_transfer(actor=recipient, item_ids=[held[op[1] % len(held)].pk],
                                            to_nation="UKR", to_unit=f"unit {step}", on=day)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_random_sequences_keep_the_invariants(fra_officer: Actor, ukr_desk: Actor, cat: dict[str, Any],
                                              steps: list[tuple[Any, ...]]) -> None:
    with transaction.atomic():
        line = factories.committed_line(fra_officer, cat["m777"], QUANTITY, day=date(2025, 1, 5))
        for number, op in enumerate(steps):
            try:
                with transaction.atomic():
                    _run(op, number, line, fra_officer, ukr_desk)
            except DomainError:
                pass  # a refused step: the invariants must hold all the same
            _check(line, fra_officer)
        transaction.set_rollback(True)
