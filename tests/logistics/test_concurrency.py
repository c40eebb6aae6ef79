"""Two officers receiving against the same shipment at once cannot over-receive: the receipt service locks the
shipment row, so the second waits for the first and then sees what it received (PostgreSQL, two connections)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections

from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.logistics import services
from shieldwall.logistics.models import ShipmentLine
from shieldwall.pledges.models import PledgeLine
from tests.logistics import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs two concurrent connections with row locks: run with DATABASE_URL=postgres://…"),
]


def test_two_concurrent_receipts_cannot_over_receive(fra_officer: Actor, ukr_desk: Actor,
                                                     cat: dict[str, Any]) -> None:
    line = factories.committed_line(fra_officer, cat["shell"], 10)
    shipment = factories.shipment(fra_officer, [(line, 10)])
    services.shipment_dispatch(actor=fra_officer, id=shipment.pk, on=date(2025, 2, 1))
    row = shipment.lines.get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def receive() -> None:
        try:
            barrier.wait()
            services.shipment_receive(actor=ukr_desk, id=shipment.pk, received_on=date(2025, 2, 3), unit="depot",
                                      lines=[services.ReceivedLine(row.pk, 7)])
            outcomes.append("received")
        except ValidationFailed as exc:
            outcomes.append(exc.detail)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["lines: cannot receive 7 on line "
                                f"{row.pk}: only 3 of 10 shipped units are not yet received", "received"]
    assert ShipmentLine.objects.get(pk=row.pk).received_quantity == 7
    assert PledgeLine.objects.visible_to(fra_officer).get(pk=line.pk).delivered_quantity == 7
