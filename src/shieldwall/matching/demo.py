"""Demo data of matching: the donors' routes (transit times and consolidation hubs), the "Demo scenario" with
weekly capacities at a bottleneck hub, and a variant of it with that hub closed — each solved once here, so the
run pages show a result at once, the two runs can be compared, and a coordinator can approve one.

The runs are solved synchronously in the loader (no worker runs while `shieldwall demo` loads); "Run again" on a
page queues a task for `shieldwall worker`, which `make demo` starts beside the server. The runs take whatever open
requirements and committed lines the needs and pledges demos created. Idempotent: nothing is written when the
demo scenario exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shieldwall.coalition.models import Nation
from shieldwall.core import demo as core_demo
from shieldwall.matching import services
from shieldwall.matching.inputs import build_inputs
from shieldwall.matching.models import Scenario, TransitTime

COORDINATOR = "coord"
SCENARIO = "Demo scenario"
CLOSED = "Demo scenario — Rzeszów-Jasionka closed"
# Default routes of some donors: days to anywhere in Ukraine, and the hub their lots are consolidated at (the hubs
# of the logistics demo). Other donors take the distance-class rule; a route to a named destination overrides.
ROUTES = (  # origin, destination, days, hub
    ("USA", "", 18, "Ramstein"), ("CAN", "", 20, "Ramstein"), ("DEU", "", 5, "Ramstein"),
    ("NLD", "", 6, "Ramstein"), ("POL", "", 3, "Rzeszów-Jasionka"), ("GBR", "", 8, "Rzeszów-Jasionka"),
    ("FRA", "", 7, "Rzeszów-Jasionka"), ("POL", "Lviv", 2, ""), ("POL", "Rzeszów hub", 1, ""),
)
# The bottleneck of the story: Rzeszów-Jasionka forwards three quarters of what donors make available through it
# in the current week, this week and the next few (most lines are available now), so some needs go unmet for
# "hub capacity" and a what-if with a line routed through Ramstein shows the way round it.
BOTTLENECK = "Rzeszów-Jasionka"
HUB_WEEKS = 4
HUB_SHARE = (3, 4)


def _routes() -> int:
    actor = core_demo.actor(COORDINATOR)
    known = set(Nation.objects.filter(code__in=[r[0] for r in ROUTES]).values_list("code", flat=True))
    written = 0
    for origin, destination, days, hub in ROUTES:
        if origin in known and not TransitTime.objects.filter(origin__code=origin, destination=destination).exists():
            services.transit_time_set(actor=actor, origin=origin, destination=destination, days=days, hub=hub)
            written += 1
    return written


def _bottleneck(scenario: Scenario) -> list[services.HubCapacity]:
    """Weekly capacities of the bottleneck hub: a share of the units available through it this week."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    lots = build_inputs(scenario, on=today).problem.supplies
    flow = sum(lot.quantity for lot in lots if lot.hub == BOTTLENECK and lot.available_from < monday + timedelta(7))
    units = flow * HUB_SHARE[0] // HUB_SHARE[1]
    return [services.HubCapacity(BOTTLENECK, monday + timedelta(weeks=w), units) for w in range(HUB_WEEKS)] \
        if units else []


def load(*, report: core_demo.Reporter = core_demo.quiet) -> int:
    actor = core_demo.actor(COORDINATOR)
    if Scenario.objects.visible_to(actor).filter(name=SCENARIO).exists():
        report(1, 1, "matching already loaded")
        return 0
    report(0, 4, "matching: routes")
    written = _routes()
    scenario = services.scenario_create(
        actor=actor, name=SCENARIO, half_life_days=14, max_lateness_days=56,
        description="Every open requirement against every committed line not yet allocated; lateness halves a "
                    "unit's value every two weeks, beyond eight weeks it is worth nothing; Rzeszów-Jasionka "
                    "forwards a limited number of units a week.")
    capacities = _bottleneck(scenario)
    if capacities:
        services.scenario_update(actor=actor, id=scenario.pk, hub_capacities=capacities)
    closed = services.scenario_create(
        actor=actor, name=CLOSED, half_life_days=14, max_lateness_days=56,
        hub_capacities=[services.HubCapacity(c.hub, c.week_start, 0) for c in capacities],
        description="The same, while Rzeszów-Jasionka forwards nothing: compare its run with the demo scenario's "
                    "to see who would lose by it and who would gain.")
    written += 2
    for step, item in enumerate((closed, scenario), start=2):
        report(step, 4, f"matching: solving “{item.name}”")
        run = services.run_start(actor=actor, scenario_id=item.pk, enqueue=False)
        services.run_execute(actor=actor, run_id=run.pk)
        written += 1
    report(4, 4, "matching loaded")
    return written
