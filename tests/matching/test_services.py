"""Matching in the product, through the services: the optimiser's input read from the database, a run solved by
the task (immediate backend), approval moving lines to allocated, stale approvals refused, what-if, scenarios."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shieldwall.core.actor import Actor
from shieldwall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shieldwall.core.models import AuditEvent
from shieldwall.matching import inputs, services
from shieldwall.matching.models import Assignment, Gap, MarginalValue, MatchingRun, RunStatus, Scenario
from shieldwall.needs import coverage
from shieldwall.needs.models import Requirement
from shieldwall.pledges import services as pledges
from shieldwall.pledges.models import PledgeLine
from tests.matching.conftest import committed_line, today

pytestmark = pytest.mark.django_db


def _line(pk: int) -> PledgeLine:
    return PledgeLine.unscoped.get(pk=pk)


# --- the input ------------------------------------------------------------------------------------------------


def test_input_holds_open_requirements_and_committed_unallocated_lines(world: dict[str, Any],
                                                                      scenario: Scenario) -> None:
    built = inputs.build_inputs(scenario, on=today())
    reqs, lines, cat = world["reqs"], world["lines"], world["cat"]
    by_id = {r.id: r for r in built.problem.requirements}
    assert set(by_id) == {r.pk for r in reqs.values()}  # the REL TO one too: the optimiser sees everything
    assert by_id[reqs["shells"].pk].quantity == 90  # 10 already allocated
    assert by_id[reqs["training"].pk].use_category == "training"
    assert by_id[reqs["shells"].pk].priority == 1
    supplies = {s.id: s for s in built.problem.supplies}
    assert set(supplies) == {lines["fra"], lines["gbr"], lines["deu"]}  # not announced, not allocated
    assert supplies[lines["fra"]].excluded_uses == frozenset({"training"})
    assert supplies[lines["deu"]].origin == "DEU"
    assert supplies[lines["gbr"]].available_from == today()
    # The M795 satisfies its own class and, through the catalogue, the NATO class; nothing satisfies 152 mm
    # but the OF-540.
    m795, of540 = str(cat["m795"].pk), str(cat["of540"].pk)
    assert m795 in built.problem.compatibility[str(world["nato"].pk)]
    assert built.problem.compatibility[str(cat["c152"].pk)] == frozenset({of540})
    assert built.problem.transit_days[("FRA", "Rzeszów hub")] == 7
    assert built.required[reqs["shells"].pk] == 90


def test_scope_filters_narrow_the_input(world: dict[str, Any], coord: Actor) -> None:
    reqs, cat = world["reqs"], world["cat"]
    narrow = services.scenario_create(actor=coord, name="155 only", item_classes=[cat["c155"].pk],
                                      donors=["GBR"], priority_max=2)
    built = inputs.build_inputs(narrow, on=today())
    assert [r.id for r in built.problem.requirements] == [reqs["shells"].pk]
    assert [s.id for s in built.problem.supplies] == [world["lines"]["gbr"]]
    areas = services.scenario_create(actor=coord, name="Air defence", areas=["air_defence"])
    assert [r.id for r in inputs.build_inputs(areas, on=today()).problem.requirements] == [reqs["sam"].pk]


def test_routes_take_the_table_then_the_distance_rule(world: dict[str, Any], scenario: Scenario,
                                                      coord: Actor) -> None:
    services.transit_time_set(actor=coord, origin="FRA", days=9, hub="Rzeszów-Jasionka")
    services.transit_time_set(actor=coord, origin="FRA", destination="rzeszów  HUB", days=3)
    built = inputs.build_inputs(scenario, on=today())
    assert built.problem.transit_days[("FRA", "Rzeszów hub")] == 3
    assert built.problem.transit_days[("DEU", "Rzeszów hub")] == 7
    routes = built.routes
    assert (routes.days("FRA", "Lviv"), routes.days("POL", "Lviv"), routes.days("USA", "Lviv"),
            routes.days("UKR", "Lviv")) == (9, 4, 21, 2)
    assert {s.id: s.hub for s in built.problem.supplies}[world["lines"]["fra"]] == "Rzeszów-Jasionka"


# --- a run ----------------------------------------------------------------------------------------------------


def test_a_run_solves_as_a_task_and_stores_assignments_gaps_and_marginal_values(
        world: dict[str, Any], run: MatchingRun) -> None:
    reqs, lines = world["reqs"], world["lines"]
    assert (run.status, run.progress, run.objective) == (RunStatus.DONE, 100, Decimal("1880.000"))
    assert run.started_at is not None and run.finished_at is not None
    got = {(a.line_id, a.requirement_id): a.quantity for a in Assignment.objects.filter(run=run)}
    assert got == {(lines["fra"], reqs["shells"].pk): 80, (lines["gbr"], reqs["shells"].pk): 10,
                   (lines["gbr"], reqs["training"].pk): 50, (lines["deu"], reqs["soviet"].pk): 30}
    fra = Assignment.objects.get(run=run, line_id=lines["fra"])
    assert (fra.value, fra.value_eur, fra.expected_arrival, fra.donor.code) == (
        Decimal("1280.000"), Decimal("80000.00"), today() + timedelta(7), "FRA")
    gaps = {g.requirement_id: (g.required, g.unmet, g.reasons, g.primary) for g in Gap.objects.filter(run=run)}
    assert gaps == {
        reqs["training"].pk: (60, 10, {"taken_by_higher_priority": 10}, "taken_by_higher_priority"),
        reqs["nato"].pk: (5, 5, {"taken_by_higher_priority": 5}, "taken_by_higher_priority"),
        reqs["sam"].pk: (10, 10, {"nothing_compatible": 10}, "nothing_compatible"),
        reqs["soviet"].pk: (40, 10, {"nothing_compatible": 10}, "nothing_compatible"),
    }
    values = {m.item_class.name: m.value for m in MarginalValue.objects.filter(run=run)}
    # One more on-time 155 mm round would serve the training requirement (weight 4); one more IRIS-T the
    # priority-1 requirement that has none (weight 16).
    assert values["155 mm artillery ammunition"] == Decimal("4.000")
    assert values["IRIS-T SLM interceptor"] == Decimal("16.000")
    assert run.stats["units_assigned"] == 170 and run.stats["lines"] == 3
    actions = list(AuditEvent.objects.filter(object_type="matching.matchingrun", object_id=str(run.pk))
                   .values_list("action", flat=True))
    assert actions == ["matching_run.create", "matching_run.start", "matching_run.finish"]


def test_only_coordinators_run_scenarios(scenario: Scenario, fra_officer: Actor, coord: Actor,
                                         jpn_observer: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.run_start(actor=fra_officer, scenario_id=scenario.pk)
    with pytest.raises(NotFound):  # not released to Japan (interested tier)
        services.run_start(actor=jpn_observer, scenario_id=scenario.pk)


def test_a_failed_solve_is_recorded_on_the_run(scenario: Scenario, coord: Actor,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr("shieldwall.matching.solver.solve", broken)
    run = services.run_start(actor=coord, scenario_id=scenario.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "RuntimeError: solver exploded")
    with pytest.raises(Conflict, match="only a finished run"):
        services.run_approve(actor=coord, run_id=run.pk)


def test_progress_is_stored_while_solving(scenario: Scenario, coord: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = services.runs.solver.solve  # type: ignore[attr-defined]

    def watching(problem: Any, **kwargs: Any) -> Any:
        def progress(done: int, total: int) -> None:
            kwargs["progress"](done, total)
            seen.append(MatchingRun.unscoped.get(pk=run_id).progress)
        return real(problem, **{**kwargs, "progress": progress})

    monkeypatch.setattr("shieldwall.matching.solver.solve", watching)
    run = services.run_start(actor=coord, scenario_id=scenario.pk, enqueue=False)
    run_id = run.pk
    assert run.status == RunStatus.QUEUED
    done = services.run_execute(actor=coord, run_id=run.pk)
    assert done.status == RunStatus.DONE and done.progress == 100
    assert seen and seen[-1] == 90 and all(10 <= p <= 90 for p in seen)
    # Executing it again does nothing: it is no longer queued.
    assert services.run_execute(actor=coord, run_id=run.pk).finished_at == done.finished_at


# --- approval -------------------------------------------------------------------------------------------------


def test_approval_allocates_what_the_approver_sees_and_coverage_follows(
        world: dict[str, Any], run: MatchingRun, coord: Actor, ukr_desk: Actor) -> None:
    reqs, lines = world["reqs"], world["lines"]
    before = {r.id: r.allocated_qty for r in coverage.requirement_coverage(actor=ukr_desk)}
    assert before[reqs["shells"].pk] == 10
    result = services.run_approve(actor=coord, run_id=run.pk)
    # The French coordinator sees neither the 152 mm requirement nor the German line: three applied, one split.
    assert (result.applied, result.splits, result.units) == (3, 1, 140)
    fra, gbr, deu = _line(lines["fra"]), _line(lines["gbr"]), _line(lines["deu"])
    assert (fra.status, fra.requirement_id, fra.quantity) == ("allocated", reqs["shells"].pk, 80)
    assert (gbr.status, gbr.requirement_id, gbr.quantity) == ("allocated", reqs["training"].pk, 50)
    part = PledgeLine.unscoped.get(split_from=gbr)
    assert (part.status, part.requirement_id, part.quantity, part.value_eur) == (
        "allocated", reqs["shells"].pk, 10, Decimal("10000.00"))
    assert deu.status == "committed"
    allocated = set(Assignment.objects.filter(run=run).values_list("line_id", "requirement_id", "allocated_line_id"))
    assert allocated == {(lines["fra"], reqs["shells"].pk, lines["fra"]), (lines["gbr"], reqs["shells"].pk, part.pk),
                         (lines["gbr"], reqs["training"].pk, lines["gbr"]), (lines["deu"], reqs["soviet"].pk, None)}
    after = {r.id: r for r in coverage.requirement_coverage(actor=ukr_desk)}
    assert after[reqs["shells"].pk].allocated_qty == 100
    assert after[reqs["training"].pk].allocated_qty == 50
    assert Requirement.unscoped.get(pk=reqs["shells"].pk).status == "met"
    assert Requirement.unscoped.get(pk=reqs["training"].pk).status == "partially_met"
    run.refresh_from_db()
    assert run.approved_at is not None and run.approved_by.username == "coord"
    event = AuditEvent.objects.get(action="matching_run.approve")
    assert event.changes["assignments_applied"] == [None, 3]
    assert AuditEvent.objects.filter(action="pledge_line.allocate").count() == 4  # the fixture's + three
    with pytest.raises(Conflict, match="already approved"):
        services.run_approve(actor=coord, run_id=run.pk)


def test_a_stale_run_is_refused_with_what_changed(world: dict[str, Any], run: MatchingRun, coord: Actor,
                                                  gbr_donor: Actor, fra_officer: Actor) -> None:
    committed_line(gbr_donor, world["cat"]["m795"], 5)
    pledges.line_update(actor=fra_officer, id=world["lines"]["fra"], available_from=today() + timedelta(3))
    with pytest.raises(Conflict) as exc:
        services.run_approve(actor=coord, run_id=run.pk)
    assert exc.value.detail == "inputs changed since this run (2 pledge lines, 0 requirements differ): run it again"
    assert _line(world["lines"]["fra"]).status == "committed"
    # Approving another run first makes this one stale too.
    fresh = services.run_start(actor=coord, scenario_id=run.scenario_id)
    services.run_approve(actor=coord, run_id=fresh.pk)
    other = services.run_start(actor=coord, scenario_id=run.scenario_id, enqueue=False)
    services.run_execute(actor=coord, run_id=other.pk)
    services.scenario_update(actor=coord, id=run.scenario_id, half_life_days=7)
    with pytest.raises(Conflict, match="the scenario, catalogue or routes changed too"):
        services.run_approve(actor=coord, run_id=other.pk)


def test_only_coordinators_approve(run: MatchingRun, fra_officer: Actor, gbr_analyst: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.run_approve(actor=fra_officer, run_id=run.pk)
    with pytest.raises(PermissionDenied):
        services.run_approve(actor=gbr_analyst, run_id=run.pk)


def test_a_coordinator_who_sees_everything_applies_everything(world: dict[str, Any], run: MatchingRun,
                                                             gbr_coord: Actor) -> None:
    result = services.run_approve(actor=gbr_coord, run_id=run.pk)
    assert (result.applied, result.units) == (4, 170)
    assert _line(world["lines"]["deu"]).status == "allocated"


# --- what-if --------------------------------------------------------------------------------------------------


def test_what_if_a_pledge_is_added_and_a_priority_changes(world: dict[str, Any], scenario: Scenario, run: MatchingRun,
                                                         coord: Actor) -> None:
    reqs, cat = world["reqs"], world["cat"]
    answer = services.what_if(actor=coord, scenario_id=scenario.pk, lines=[
        services.HypotheticalLine(item_type_id=cat["m795"].pk, quantity=15, available_from=today(), origin="POL")])
    assert answer.base_run_id == run.pk
    changes = {c.requirement.pk: (c.covered_before, c.covered_after, c.reason_after) for c in answer.changes}
    assert changes == {reqs["training"].pk: (50, 60, ""), reqs["nato"].pk: (0, 5, "")}
    # Where the Polish rounds go is one of several optima (all units are on time and alike); how many is not.
    assert sum(h.quantity for h in answer.hypothetical) == 15 and {h.line for h in answer.hypothetical} == {1}
    assert answer.objective_change == Decimal("45.000")
    assert answer.components_reused >= 1  # the 152 mm and IRIS-T parts are taken from the base
    # Raising the NATO requirement to priority 1 takes rounds from training (weight 4) for it (now 16).
    raised = services.what_if(actor=coord, scenario_id=scenario.pk, priorities={reqs["nato"].pk: 1})
    changes = {c.requirement.pk: (c.covered_before, c.covered_after, c.priority_after) for c in raised.changes}
    assert changes == {reqs["nato"].pk: (0, 5, 1), reqs["training"].pk: (50, 45, 3)}
    assert raised.objective_change == Decimal("60.000")
    assert Assignment.objects.count() == 4  # nothing stored


def test_what_if_refuses_what_the_asker_may_not_touch(world: dict[str, Any], scenario: Scenario, coord: Actor,
                                                     fra_officer: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.what_if(actor=fra_officer, scenario_id=scenario.pk, priorities={world["reqs"]["shells"].pk: 2})
    with pytest.raises(ValidationFailed) as exc:  # hidden from the French coordinator: as if it did not exist
        services.what_if(actor=coord, scenario_id=scenario.pk, priorities={world["reqs"]["soviet"].pk: 1})
    assert "is not an open requirement of this scenario" in exc.value.errors["priorities"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.what_if(actor=coord, scenario_id=scenario.pk, lines=[services.HypotheticalLine(
            item_type_id=999999, quantity=0, available_from=date(2025, 1, 1), origin="XXX")])
    assert len(exc.value.errors["lines"]) == 3


# --- scenarios --------------------------------------------------------------------------------------------------


def test_scenarios_keep_hub_capacities_and_belong_to_their_nation(world: dict[str, Any], coord: Actor,
                                                                  gbr_coord: Actor) -> None:
    monday = today() - timedelta(days=today().weekday())
    scenario = services.scenario_create(actor=coord, name="  Hubbed  ", half_life_days=10, hub_capacities=[
        services.HubCapacity("Rzeszów-Jasionka", monday, 40)])
    assert scenario.name == "Hubbed"
    assert list(scenario.hub_capacities.values_list("hub", "capacity")) == [("Rzeszów-Jasionka", 40)]
    with pytest.raises(ValidationFailed) as exc:
        services.scenario_update(actor=coord, id=scenario.pk, hub_capacities=[
            services.HubCapacity("X", monday + timedelta(1), 5)])
    assert exc.value.errors["hub_capacities"] == ["row 1: a hub week starts on a Monday"]
    services.scenario_update(actor=coord, id=scenario.pk, hub_capacities=[], max_lateness_days=10)
    assert scenario.hub_capacities.count() == 0
    with pytest.raises(PermissionDenied):  # a British coordinator may run it, not change it
        services.scenario_update(actor=gbr_coord, id=scenario.pk, name="Mine")
    with pytest.raises(ValidationFailed):
        services.scenario_create(actor=coord, name="Backwards", priority_min=4, priority_max=2)


def test_a_scenario_with_an_approved_run_cannot_be_deleted(run: MatchingRun, coord: Actor) -> None:
    services.run_approve(actor=coord, run_id=run.pk)
    with pytest.raises(Conflict):
        services.scenario_delete(actor=coord, id=run.scenario_id)
    other = services.scenario_create(actor=coord, name="Scratch")
    services.run_start(actor=coord, scenario_id=other.pk)
    services.scenario_delete(actor=coord, id=other.pk)
    assert not Scenario.unscoped.filter(pk=other.pk).exists()


def test_what_if_says_how_much_goes_where_the_asker_cannot_see(world: dict[str, Any], scenario: Scenario,
                                                              coord: Actor, gbr_coord: Actor) -> None:
    more = [services.HypotheticalLine(item_type_id=world["cat"]["of540"].pk, quantity=10, available_from=today(),
                                      origin="POL")]
    french = services.what_if(actor=coord, scenario_id=scenario.pk, lines=more)
    assert (french.hypothetical, french.hypothetical_elsewhere, french.changes) == ([], 10, [])
    assert french.objective_change == Decimal("80.000")  # 10 more rounds at priority 2 (weight 8)
    british = services.what_if(actor=gbr_coord, scenario_id=scenario.pk, lines=more)
    assert [(c.requirement.title, c.covered_before, c.covered_after) for c in british.changes] == [
        ("152 mm for D-20", 30, 40)]
    assert british.hypothetical_elsewhere == 0


def test_an_approval_asked_for_runs_as_a_task_and_a_refusal_is_recorded(
        world: dict[str, Any], run: MatchingRun, coord: Actor, gbr_donor: Actor,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from shieldwall.matching import tasks

    queued: list[tuple[int, int]] = []
    task = tasks.approve_run

    class Later:  # queues without running, as the database backend does until a worker takes it
        @staticmethod
        def enqueue(*args: int) -> None:
            queued.append(args)

    monkeypatch.setattr(tasks, "approve_run", Later)
    asked = services.run_approve_request(actor=coord, run_id=run.pk)
    assert (asked.approval_status, asked.approved_at, queued) == ("queued", None, [(run.pk, coord.user_id)])
    with pytest.raises(Conflict, match="already under way"):
        services.run_approve_request(actor=coord, run_id=run.pk)
    with pytest.raises(Conflict, match="already under way"):  # the console does not overtake it either
        services.run_approve(actor=coord, run_id=run.pk)
    committed_line(gbr_donor, world["cat"]["m795"], 5)  # the inputs change before the worker gets to it
    assert task.call(*queued[0]).startswith("refused: inputs changed since this run (1 pledge line")
    run.refresh_from_db()
    assert (run.approval_status, run.approved_at) == ("failed", None)
    assert run.approval_error.startswith("inputs changed since this run")
    assert not PledgeLine.unscoped.filter(status="allocated").exclude(pk=world["lines"]["allocated"]).exists()


def test_an_approval_asked_for_is_applied_by_the_task(world: dict[str, Any], run: MatchingRun, coord: Actor) -> None:
    done = services.run_approve_request(actor=coord, run_id=run.pk)  # the immediate backend runs the task
    assert (done.approval_status, done.approved_by_id) == ("", coord.user_id)
    assert _line(world["lines"]["fra"]).status == "allocated"
    with pytest.raises(Conflict, match="already approved"):
        services.run_approve_request(actor=coord, run_id=run.pk)
