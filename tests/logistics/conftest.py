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
