"""The matching demo: routes, the demo scenario and its variant with the bottleneck hub closed, each solved once
in the loader (no worker needed), approvable as loaded; loading twice writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.core.actor import Actor
from shieldwall.matching import demo, services
from shieldwall.matching.inputs import Routes
from shieldwall.matching.models import MatchingRun, RunStatus, ScenarioHubCapacity

pytestmark = pytest.mark.django_db


def test_the_demo_scenario_is_solved_once_and_can_be_approved(world: dict[str, Any], coord: Actor) -> None:
    assert demo.load() == len(demo.ROUTES) - 2 + 4  # no Canada or the Netherlands in the test coalition
    runs = {r.scenario.name: r for r in MatchingRun.unscoped.select_related("scenario")}
    assert set(runs) == {demo.SCENARIO, demo.CLOSED}
    assert all(r.status == RunStatus.DONE and r.stats["assignments"] > 0 for r in runs.values())
    # French and British lots pass Rzeszów-Jasionka (80 + 60 this week): it forwards three quarters of them.
    capacities = ScenarioHubCapacity.objects.filter(scenario=runs[demo.SCENARIO].scenario)
    assert set(capacities.values_list("hub", "capacity")) == {(demo.BOTTLENECK, 105)}
    assert capacities.count() == demo.HUB_WEEKS
    assert runs[demo.SCENARIO].stats["units_assigned"] == 105 + 30
    assert runs[demo.CLOSED].stats["units_assigned"] == 30  # only the German line, through Ramstein
    routes = Routes.load()
    assert (routes.days("POL", "Lviv"), routes.days("POL", "Kyiv"), routes.hub("USA")) == (2, 3, "Ramstein")
    assert demo.load() == 0
    approved = services.run_approve(actor=coord, run_id=runs[demo.SCENARIO].pk)
    assert approved.applied == 3
