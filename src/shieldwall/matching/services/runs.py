"""Runs: start one (queued as a background task), solve it (the task's body) with its progress stored on the run
as it goes, and store what it found.

A run is created with its scenario's marking. The task gets the run id and the id of the user who started it and
rebuilds that actor (DESIGN.md §2: no implicit user in a task); the inputs themselves are read by the optimiser's
own reader (`matching.inputs`). Progress writes are not audited (they describe the task, not the record); the
run's start, finish or failure are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, ValidationFailed
from shieldwall.matching import solver
from shieldwall.matching.inputs import Inputs, build_inputs
from shieldwall.matching.models import Assignment, Gap, MarginalValue, MatchingRun, RunStatus, Scenario
from shieldwall.pledges.valuation import part_value

log = logging.getLogger(__name__)
MILLI = Decimal("0.001")
# Shares of the progress bar: reading the inputs, solving (component by component), storing the result.
READ_DONE, SOLVE_DONE = 10, 90
PROGRESS_EVERY = 0.5  # seconds between progress writes while solving


def _visible_scenario(actor: Actor, scenario_id: int) -> Scenario:
    scenario = Scenario.objects.visible_to(actor).select_related("originator").filter(pk=scenario_id).first()
    if scenario is None:
        raise NotFound(f"scenario {scenario_id} not found")
    return scenario


def run_start(*, actor: Actor, scenario_id: int, enqueue: bool = True) -> MatchingRun:
    """Create a queued run of the scenario and, with `enqueue`, queue `matching.tasks.solve_run` for it (the
    worker solves it; `run_execute` solves it in this process instead)."""
    if enqueue and actor.user_id is None:
        raise ValidationFailed({"__all__": ["a background run is started by a user; solve it here instead"]})
    with transaction.atomic():
        scenario = _visible_scenario(actor, scenario_id)
        writes.require(actor, "run", scenario)
        codes = sorted(scenario.rel_to.values_list("code", flat=True))
        run = MatchingRun(scenario=scenario, half_life_days=scenario.half_life_days,
                          max_lateness_days=scenario.max_lateness_days, created_by_id=actor.user_id,
                          classification=scenario.classification, releasability=scenario.releasability)
        run = writes.create(actor=actor, obj=run, rel_to=codes or None, action="matching_run.create")
        if enqueue and actor.user_id is not None:
            from shieldwall.matching.tasks import solve_run

            # Queued in the same transaction as the run: the worker can only pick it up once the run exists.
            solve_run.enqueue(run.pk, actor.user_id)
    return run


def _claim(actor: Actor, run_id: int) -> MatchingRun | None:
    with transaction.atomic():
        run: MatchingRun = writes.get_visible_for_update(MatchingRun.objects, actor=actor, pk=run_id)
        if run.status != RunStatus.QUEUED:
            return None  # another worker has it, or it already ran
        return writes.update(actor=actor, obj=run, permission="solve", action="matching_run.start",
                             changes={"status": RunStatus.RUNNING, "started_at": timezone.now(), "progress": 1})


def _progress_writer(actor: Actor, run_id: int, echo: Callable[[int], None] | None) -> Callable[[int], None]:
    last_percent, last_at = 0, 0.0

    def write(percent: int) -> None:
        nonlocal last_percent, last_at
        if echo is not None:
            echo(percent)
        now = time.monotonic()
        if percent <= last_percent or (now - last_at < PROGRESS_EVERY and percent < SOLVE_DONE):
            return
        last_percent, last_at = percent, now
        MatchingRun.objects.visible_to(actor).filter(pk=run_id).update(progress=percent)

    return write


def run_execute(*, actor: Actor, run_id: int, on_progress: Callable[[int], None] | None = None) -> MatchingRun:
    """Solve a queued run: read the inputs, solve, store assignments, gaps and marginal values; a failure is
    stored on the run (status failed, with the reason) rather than raised. A run that is not queued is left.
    `on_progress(percent)` also hears every step of the progress (a console's progress bar)."""
    run = _claim(actor, run_id)
    if run is None:
        return MatchingRun.objects.visible_to(actor).get(pk=run_id)
    progress = _progress_writer(actor, run.pk, on_progress)
    try:
        scenario = _visible_scenario(actor, run.scenario_id)
        inputs = build_inputs(scenario, on=timezone.localdate())
        progress(READ_DONE)
        span = SOLVE_DONE - READ_DONE
        solution = solver.solve(inputs.problem,
                                progress=lambda done, total: progress(READ_DONE + span * done // max(total, 1)))
        return _store(actor, run.pk, inputs, solution)
    except Exception as exc:  # the task must end with the run's state recorded, whatever went wrong
        log.exception("matching run %s failed", run.pk)
        return _fail(actor, run.pk, f"{type(exc).__name__}: {exc}")


def _milli(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(MILLI)


def _store(actor: Actor, run_id: int, inputs: Inputs, solution: solver.Solution) -> MatchingRun:
    with transaction.atomic():
        run: MatchingRun = writes.get_visible_for_update(MatchingRun.objects, actor=actor, pk=run_id)
        assignments = []
        for a in solution.assignments:
            fact = inputs.lines[int(a.supply_id)]
            assignments.append(Assignment(
                run=run, line_id=a.supply_id, requirement_id=a.requirement_id, donor_id=fact.donor_id,
                quantity=a.quantity, expected_arrival=a.arrival, lateness_days=a.lateness_days,
                value=_milli(a.value), value_eur=part_value(fact.value_eur, a.quantity, fact.quantity)))
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        Gap.objects.bulk_create([
            Gap(run=run, requirement_id=g.requirement_id, required=inputs.required[int(g.requirement_id)],
                unmet=g.unmet, reasons={str(k): v for k, v in g.reasons.items()}, primary=str(g.primary))
            for g in solution.gaps], batch_size=2000)
        MarginalValue.objects.bulk_create([
            MarginalValue(run=run, item_class_id=int(cls), value=_milli(value))
            for cls, value in solution.marginal_values.items()])
        stats: dict[str, Any] = {
            "requirements": len(inputs.problem.requirements), "lines": len(inputs.problem.supplies),
            "assignments": len(assignments), "gaps": len(solution.gaps),
            "units_required": sum(inputs.required.values()),
            "units_assigned": sum(a.quantity for a in solution.assignments),
            "components": int(solution.stats.get("components", 0)),
            "seconds": round(float(solution.stats.get("seconds", 0.0)), 3),
        }
        run = writes.update(
            actor=actor, obj=run, permission="solve", action="matching_run.finish",
            changes={"status": RunStatus.DONE, "progress": 100, "finished_at": timezone.now(),
                     "objective": Decimal(solution.objective_scaled) / inputs.problem.params.value_scale,
                     "solved_on": inputs.on, "stats": stats, "inputs_fingerprint": inputs.fingerprint})
        # The per-record hashes stay out of the audit event (they only serve the staleness check).
        MatchingRun.objects.visible_to(actor).filter(pk=run.pk).update(inputs=inputs.records)
        run.inputs = inputs.records
    return run


def _fail(actor: Actor, run_id: int, reason: str) -> MatchingRun:
    with transaction.atomic():
        run: MatchingRun = writes.get_visible_for_update(MatchingRun.objects, actor=actor, pk=run_id)
        started = run.started_at or timezone.now()
        return writes.update(actor=actor, obj=run, permission="solve", action="matching_run.fail",
                             changes={"status": RunStatus.FAILED, "finished_at": timezone.now(),
                                      "started_at": started, "error": reason[:500]})
