"""Who may write matching records: coordinators keep scenarios (those of their own nation), run them, try
what-ifs and approve runs; coordinators and admins keep the transit times."""

from __future__ import annotations

from django.db import models

from shieldwall.core.access import write_rule
from shieldwall.core.actor import Actor
from shieldwall.core.roles import Role
from shieldwall.matching.models import MatchingRun, Scenario, ScenarioHubCapacity, TransitTime

# Verbs on a scenario any coordinator who sees it may use; changing or deleting it is its own nation's business.
SCENARIO_SHARED_ACTIONS = {"run", "what_if"}


@write_rule(Scenario)
def scenarios(actor: Actor, action: str, obj: models.Model | None) -> bool:
    if not actor.has_role(Role.COORDINATOR):
        return False
    if obj is None or action in SCENARIO_SHARED_ACTIONS:
        return True
    return getattr(obj, "originator_id", None) == actor.nation_id


@write_rule(ScenarioHubCapacity)
def hub_capacities(actor: Actor, action: str, obj: models.Model | None) -> bool:
    # Written only through the scenario's services, which check `change` on the scenario first.
    return actor.has_role(Role.COORDINATOR)


@write_rule(MatchingRun)
def runs(actor: Actor, action: str, obj: models.Model | None) -> bool:
    # Progress and results are written as the coordinator who started the run (the task rebuilds that actor).
    return actor.has_role(Role.COORDINATOR)


@write_rule(TransitTime)
def transit_times(actor: Actor, action: str, obj: models.Model | None) -> bool:
    return actor.has_role(Role.COORDINATOR, Role.ADMIN)
