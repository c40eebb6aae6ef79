"""The hand-built coverage case shared by the needs tests: three requirements of Ukraine and pledge lines of
every kind against the 155 mm one (committed, allocated, delivered, partly delivered, announced, cancelled, and
one released to Germany and Ukraine only)."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.catalogue import services as catalogue_services
from shieldwall.coalition import services as coalition_services
from shieldwall.core.actor import Actor
from tests.needs.factories import SYSTEM, make_catalogue, make_line, make_package, make_requirement


@pytest.fixture
def case(nations: Any, ukr_desk: Actor) -> dict[str, Any]:
    cat = make_catalogue()
    coalition = coalition_services.capability_coalition_create(
        actor=SYSTEM, name="Artillery Capability Coalition", capability_area="artillery", leads=["FRA"])
    catalogue_services.capability_area_update(actor=SYSTEM, id=cat["artillery"].pk,
                                              capability_coalition_id=coalition.pk)
    shells = make_requirement(ukr_desk, cat["c155"], quantity=1000, priority=1, title="155 mm for the east")
    soviet = make_requirement(ukr_desk, cat["c152"], quantity=400, priority=2, title="152 mm for D-20 guns")
    missiles = make_requirement(ukr_desk, cat["sam"], quantity=10, priority=1, title="IRIS-T reloads")
    m795 = cat["m795"]
    fra, gbr, pol, ita, usa, deu = (make_package(c) for c in ("FRA", "GBR", "POL", "ITA", "USA", "DEU"))
    make_line(fra, shells, m795, quantity=300, value_eur="1050000", status="committed")
    make_line(gbr, shells, m795, quantity=200, value_eur="800000", status="allocated")
    make_line(pol, shells, m795, quantity=100, value_eur="350000", status="delivered", delivered=100)
    make_line(ita, shells, m795, quantity=150, value_eur="600000", status="shipped", shipped=150, delivered=50)
    make_line(pol, shells, m795, quantity=3, value_eur="1000", status="shipped", shipped=3, delivered=1)
    make_line(usa, shells, m795, quantity=500, value_eur="2000000", status="announced")  # never counts
    make_line(gbr, shells, m795, quantity=250, value_eur="1000000", status="cancelled")  # never counts
    make_line(deu, shells, m795, quantity=400, value_eur="1600000", status="allocated",
              classification=1, releasability="REL_TO", rel_to=["UKR"])  # not for French eyes
    make_line(fra, soviet, cat["of540"], quantity=100, value_eur="250000", status="committed")
    return {"cat": cat, "shells": shells, "soviet": soviet, "missiles": missiles, "coalition": coalition}
