"""Fixtures of the logistics and monitoring tests: a serial-tracked catalogue and a Polish hub."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.core.actor import Actor
from shieldwall.logistics.models import Hub
from tests.logistics import factories


@pytest.fixture
def cat(db: Any) -> dict[str, Any]:
    return factories.catalogue()


@pytest.fixture
def rzeszow(coord: Actor, nations: Any) -> Hub:
    return factories.hub(coord, "Rzeszów", capacity=2)


@pytest.fixture
def guns(fra_officer: Actor, ukr_desk: Actor, cat: dict[str, Any]) -> list[Any]:
    """Four French M777s received by Ukraine's 44th Bde on 2025-02-05 (initial inventory due 2025-05-06)."""
    return factories.received_items(fra_officer, ukr_desk, cat["m777"], ["G-1", "G-2", "G-3", "G-4"])


@pytest.fixture
def planned(fra_officer: Actor, cat: dict[str, Any]) -> Any:
    """A planned French shipment of 3 M777s to Ukraine, no serial numbers recorded yet."""
    line = factories.committed_line(fra_officer, cat["m777"], 3)
    return factories.shipment(fra_officer, [(line, 3)], reference="FR-GUNS-9")


@pytest.fixture
def handed_on(make_user: Any, ukr_desk: Actor, guns: list[Any]) -> tuple[Any, Any]:
    """Ukraine hands guns 0 and 1 to a British depot, which hands gun 1 on to a Polish one: (GBR user, POL user)."""
    from datetime import date

    from shieldwall.core.markings import Classification
    from shieldwall.monitoring import services

    gbr_user = make_user("gbr-officer", "GBR", ["donor"], Classification.CONFIDENTIAL)
    pol_user = make_user("pol-officer", "POL", ["donor"], Classification.CONFIDENTIAL)
    services.serial_item_transfer(actor=ukr_desk, item_ids=[guns[0].pk, guns[1].pk], to_nation="GBR",
                                  to_unit="GBR depot", on=date(2025, 3, 1))
    services.serial_item_transfer(actor=Actor.for_user(gbr_user), item_ids=[guns[1].pk], to_nation="POL",
                                  to_unit="POL depot", on=date(2025, 3, 2))
    return gbr_user, pol_user
