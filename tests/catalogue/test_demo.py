"""The catalogue demo: seeded from the packaged Kiel file (no ../shared needed), linked to the coalition's
capability coalitions, and idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shieldwall.catalogue import demo, reference
from shieldwall.catalogue.models import CapabilityArea, ItemType
from shieldwall.coalition import services as coalition_services
from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_demo_loads_from_the_packaged_file_once(nations: Any, monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("SHIELDWALL_SHARED_DATA", str(tmp_path / "nowhere"))
    monkeypatch.chdir(tmp_path)
    assert reference.PACKAGED_WEAPONS_CSV.is_file()
    coalition_services.capability_coalition_create(actor=Actor.system("t"), name="Artillery Capability Coalition",
                                                   capability_area="artillery", leads=["FRA"])
    written = demo.load()
    assert written > 200
    # Kiel prices for the 27 systems that have a row of their own.
    assert ItemType.objects.filter(price_source="Kiel UST R29 weapons.csv").count() == 27
    assert CapabilityArea.objects.get(code="artillery").capability_coalition.name == "Artillery Capability Coalition"
    events = AuditEvent.objects.count()
    assert demo.load() == 0
    assert AuditEvent.objects.count() == events
