"""Approving a run: its assignments become allocations of pledge lines to requirements, through the pledges
services (each split and allocation checked, dated and audited there), in one transaction.

Approving a large run takes a while (every allocation is a pledges service call), so pages and the API ask for it
with `run_approve_request`, which checks what can be checked at once — rights, state, stale inputs — and queues
the task `matching.tasks.approve_run`; the task applies it with `run_approve` (the console calls that directly),
or records why it was refused.

A run is approved only while its inputs are those it was solved with: the inputs are read again and compared
record by record with the hashes stored on the run; if anything differs, the approval is refused with how much
changed. The approver applies the assignments whose pledge line and requirement they may see; any others stay
unallocated (their lines remain committed, so the next run offers them again) — no approval can act on records
out of its approver's sight.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import Conflict, ValidationFailed
from shieldwall.core.models import User
from shieldwall.matching import inputs as matching_inputs
from shieldwall.matching.models import ApprovalStatus, Assignment, MatchingRun, RunStatus, Scenario
from shieldwall.needs.models import Requirement
from shieldwall.pledges import services as pledges
from shieldwall.pledges.selectors import visible_lines


@dataclass(frozen=True)
class Approval:
    run: MatchingRun
    applied: int  # assignments applied (each allocates one line)
    splits: int  # lines split because an assignment took part of them
    units: int


def stale_message(diff: matching_inputs.InputsDiff) -> str:
    text = (f"inputs changed since this run ({diff.lines} pledge line{'s' if diff.lines != 1 else ''}, "
            f"{diff.requirements} requirement{'s' if diff.requirements != 1 else ''} differ")
    if diff.context:
        text += "; the scenario, catalogue or routes changed too"
    return text + "): run it again"


def _check_approvable(actor: Actor, run: MatchingRun) -> Scenario:
    writes.require(actor, "approve", run)
    if run.approved_at is not None:
        raise Conflict(f"this run was already approved on {run.approved_at:%Y-%m-%d %H:%M} UTC")
    if run.status != RunStatus.DONE:
        raise Conflict(f"only a finished run can be approved; this one is {run.get_status_display().lower()}")
    scenario = Scenario.objects.visible_to(actor).filter(pk=run.scenario_id).first()
    if scenario is None:
        raise Conflict("this run's scenario is no longer released to you")
    diff = matching_inputs.staleness(scenario, fingerprint=run.inputs_fingerprint, records=run.inputs,
                                     on=timezone.localdate())
    if diff.changed:
        raise Conflict(stale_message(diff))
    return scenario


def _user(actor: Actor) -> User | None:
    return User.objects.filter(pk=actor.user_id).first() if actor.user_id is not None else None


def run_approve(*, actor: Actor, run_id: int, effective_date: date | None = None,
                expected_version: int | None = None, requested: bool = False) -> Approval:
    """Allocate every assignment of the run the approver can see: split the line when the assignment takes part
    of it, allocate the line (or the part) to the requirement. All or nothing. `requested`: this is the task
    applying a requested approval (otherwise a requested one under way is not overtaken)."""
    with transaction.atomic():
        run: MatchingRun = writes.get_visible_for_update(MatchingRun.objects, actor=actor, pk=run_id)
        if run.approval_status == ApprovalStatus.QUEUED and not requested:
            writes.require(actor, "approve", run)
            raise Conflict("an approval of this run is already under way")
        _check_approvable(actor, run)
        writes.check_version(run, expected_version)
        rows = list(
            Assignment.objects.filter(run=run, line__in=visible_lines(actor),
                                      requirement__in=Requirement.objects.visible_to(actor))
            .order_by("line_id", "requirement_id", "id"))
        by_line: dict[int, list[Assignment]] = defaultdict(list)
        for row in rows:
            by_line[row.line_id].append(row)
        splits = 0
        for line_id, assigned in by_line.items():
            left = int(visible_lines(actor).filter(pk=line_id).values_list("quantity", flat=True).get())
            for row in assigned:
                target = line_id
                if row.quantity < left:
                    _, part = pledges.line_split(actor=actor, line_id=line_id, quantity=row.quantity,
                                                 effective_date=effective_date)
                    target, splits = part.pk, splits + 1
                left -= row.quantity
                pledges.line_allocate(actor=actor, line_id=target, requirement_id=row.requirement_id,
                                      effective_date=effective_date)
                row.allocated_line_id = target
        Assignment.objects.bulk_update(rows, ["allocated_line"])
        units = sum(r.quantity for r in rows)
        run = writes.update(
            actor=actor, obj=run, permission="approve", action="matching_run.approve",
            changes={"approved_by": _user(actor), "approved_at": timezone.now(), "approval_status": "",
                     "approval_error": ""},
            extra_audit={"assignments_applied": [None, len(rows)], "lines_split": [None, splits],
                         "units": [None, units]})
    return Approval(run=run, applied=len(rows), splits=splits, units=units)


def run_approve_request(*, actor: Actor, run_id: int, expected_version: int | None = None) -> MatchingRun:
    """Check the approval now (a stale or unfinished run is refused at once) and queue it as a task for the
    worker, as the user asking; the run says `approval_status` queued until the task has approved it or failed."""
    with transaction.atomic():
        run: MatchingRun = writes.get_visible_for_update(MatchingRun.objects, actor=actor, pk=run_id)
        if run.approval_status == ApprovalStatus.QUEUED:
            writes.require(actor, "approve", run)
            raise Conflict("an approval of this run is already under way")
        _check_approvable(actor, run)
        writes.check_version(run, expected_version)
        if actor.user_id is None:
            raise ValidationFailed({"__all__": ["an approval in the background is asked for by a user"]})
        run = writes.update(actor=actor, obj=run, permission="approve", action="matching_run.approve_request",
                            changes={"approval_status": ApprovalStatus.QUEUED, "approval_error": ""})
        from shieldwall.matching.tasks import approve_run

        approve_run.enqueue(run.pk, actor.user_id)
    return MatchingRun.objects.visible_to(actor).get(pk=run.pk)


def run_approve_refused(*, actor: Actor, run_id: int, reason: str) -> MatchingRun:
    """Record why a queued approval could not be applied (the task's ending when `run_approve` refused)."""
    with transaction.atomic():
        run: MatchingRun = writes.get_visible_for_update(MatchingRun.objects, actor=actor, pk=run_id)
        return writes.update(actor=actor, obj=run, permission="approve", action="matching_run.approve_refused",
                             changes={"approval_status": ApprovalStatus.FAILED, "approval_error": reason[:500]})
