"""What-if: solve a scenario's current inputs with hypothetical pledge lines added and requirement priorities
changed, and say what that would change — nothing is stored (a what-if is a question, not a run; run the
scenario for a result that can be approved).

The base — the current inputs, solved — is kept per process by its inputs fingerprint, and the variant reuses
every independent part of it that the changes leave alone (the solver's `previous`), so a question about one
item class is answered in the time that class takes.

What the answer shows is cut to the asker's sight: per requirement they may see, the units covered by lines they
may see (and by the hypothetical lines) before and after; the objective is the whole problem's (what-ifs are
for coordinators, who see the total objective of runs too).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.utils import timezone

from shieldwall.catalogue.models import ItemClass, ItemType
from shieldwall.coalition.models import Nation
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.matching import solver
from shieldwall.matching.inputs import Inputs, build_inputs
from shieldwall.matching.models import MatchingRun, RunStatus
from shieldwall.matching.services.runs import _visible_scenario
from shieldwall.needs.models import Requirement, UseCategory
from shieldwall.pledges.selectors import visible_lines

MAX_LINES = 20
MAX_PRIORITY_CHANGES = 50
_CACHE_SIZE = 4
_bases: OrderedDict[tuple[str, date], solver.Solution] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class HypotheticalLine:
    """A pledge line nobody has made yet: `quantity` of an item type, available from a day, from a nation."""

    item_type_id: int
    quantity: int
    available_from: date
    origin: str
    excluded_uses: Sequence[str] = ()


@dataclass(frozen=True)
class RequirementChange:
    requirement: Requirement
    required: int
    covered_before: int
    covered_after: int
    priority_before: int
    priority_after: int
    reason_after: str  # the main reason of what stays unmet, "" when covered

    @property
    def change(self) -> int:
        return self.covered_after - self.covered_before


@dataclass(frozen=True)
class HypotheticalAssignment:
    line: int  # 1-based number of the hypothetical line
    item_type: str
    requirement: Requirement
    quantity: int
    expected_arrival: date
    value: Decimal


@dataclass(frozen=True)
class WhatIf:
    scenario_id: int
    base_run_id: int | None  # the scenario's latest run when it was solved with exactly these inputs
    objective_before: Decimal
    objective_after: Decimal
    changes: list[RequirementChange]
    hypothetical: list[HypotheticalAssignment]
    marginal: list[tuple[str, Decimal, Decimal]]  # (item class, before, after) where it moved
    seconds: float
    components_reused: int
    components_solved: int
    # Hypothetical units that would go to requirements not released to the asker (a whole-problem figure, like
    # the objective: what-ifs are for coordinators).
    hypothetical_elsewhere: int = 0

    @property
    def objective_change(self) -> Decimal:
        return self.objective_after - self.objective_before


def _milli(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.001"))


def _base(inputs: Inputs) -> solver.Solution:
    key = (inputs.fingerprint, inputs.on)
    with _lock:
        found = _bases.get(key)
        if found is not None:
            _bases.move_to_end(key)
            return found
    solution = solver.solve(inputs.problem)
    with _lock:
        _bases[key] = solution
        while len(_bases) > _CACHE_SIZE:
            _bases.popitem(last=False)
    return solution


def _supplies(lines: Sequence[HypotheticalLine], inputs: Inputs, on: date) -> list[solver.Supply]:
    if len(lines) > MAX_LINES:
        raise ValidationFailed({"lines": [f"at most {MAX_LINES} hypothetical lines at a time"]})
    types = set(ItemType.objects.filter(pk__in=[ln.item_type_id for ln in lines]).values_list("pk", flat=True))
    origins = set(Nation.objects.filter(code__in=[ln.origin.upper() for ln in lines]).values_list("code", flat=True))
    errors: list[str] = []
    out = []
    for n, ln in enumerate(lines, start=1):
        origin = ln.origin.strip().upper()
        bad_uses = sorted(set(ln.excluded_uses) - set(UseCategory.values))
        if ln.item_type_id not in types:
            errors.append(f"line {n}: item type {ln.item_type_id} does not exist")
        if origin not in origins:
            errors.append(f"line {n}: unknown nation code {ln.origin!r}")
        if not 1 <= ln.quantity <= 10**9:
            errors.append(f"line {n}: the quantity is 1 or more")
        if bad_uses:
            errors.append(f"line {n}: unknown use categories {', '.join(bad_uses)}")
        out.append(solver.Supply(id=f"hypothetical-{n}", item_type=str(ln.item_type_id), quantity=ln.quantity,
                                 available_from=max(ln.available_from, on), origin=origin,
                                 excluded_uses=frozenset(ln.excluded_uses), hub=inputs.routes.hub(origin)))
    if errors:
        raise ValidationFailed({"lines": errors})
    return out


def _requirements(actor: Actor, inputs: Inputs, priorities: Mapping[int, int]) -> list[solver.Requirement]:
    if len(priorities) > MAX_PRIORITY_CHANGES:
        raise ValidationFailed({"priorities": [f"at most {MAX_PRIORITY_CHANGES} priority changes at a time"]})
    visible = set(Requirement.objects.visible_to(actor).filter(pk__in=list(priorities))
                  .values_list("pk", flat=True))
    errors = [f"requirement {rid} is not an open requirement of this scenario"
              for rid in priorities if rid not in visible or rid not in inputs.required]
    errors += [f"requirement {rid}: priority runs from 1 (most urgent) to 5"
               for rid, p in priorities.items() if not 1 <= p <= 5]
    if errors:
        raise ValidationFailed({"priorities": errors})
    return [replace(r, priority=priorities[int(r.id)]) if int(r.id) in priorities else r
            for r in inputs.problem.requirements]


def what_if(*, actor: Actor, scenario_id: int, lines: Sequence[HypotheticalLine] = (),
            priorities: Mapping[int, int] | None = None) -> WhatIf:
    """What adding `lines` and changing `priorities` (requirement id -> 1 … 5) would change; nothing is stored."""
    started = time.perf_counter()
    scenario = _visible_scenario(actor, scenario_id)
    writes.require(actor, "what_if", scenario)
    changes = {int(k): int(v) for k, v in (priorities or {}).items()}
    if not lines and not changes:
        raise ValidationFailed({"__all__": ["add a hypothetical pledge line or change a priority"]})
    inputs = build_inputs(scenario, on=timezone.localdate())
    extra = _supplies(lines, inputs, inputs.on)
    problem = replace(inputs.problem, requirements=_requirements(actor, inputs, changes),
                      supplies=[*inputs.problem.supplies, *extra],
                      transit_days={**inputs.problem.transit_days,
                                    **inputs.routes.transit((s.origin for s in extra),
                                                            (r.destination for r in inputs.problem.requirements))})
    base = _base(inputs)
    variant = solver.solve(problem, previous=base)
    latest = (MatchingRun.objects.visible_to(actor).filter(scenario=scenario, status=RunStatus.DONE)
              .order_by("-id").values_list("pk", "inputs_fingerprint").first())
    return WhatIf(
        scenario_id=scenario.pk,
        base_run_id=latest[0] if latest and latest[1] == inputs.fingerprint else None,
        objective_before=_milli(base.objective), objective_after=_milli(variant.objective),
        changes=_requirement_changes(actor, inputs, base, variant, changes),
        hypothetical=(placed := _hypothetical(actor, lines, variant)),
        hypothetical_elsewhere=sum(a.quantity for a in variant.assignments if isinstance(a.supply_id, str))
        - sum(h.quantity for h in placed),
        marginal=_marginal(base, variant), seconds=time.perf_counter() - started,
        components_reused=int(variant.stats.get("components_reused", 0)),
        components_solved=int(variant.stats.get("components_solved", 0)),
    )


def _covered(solution: solver.Solution, seen: set[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for a in solution.assignments:
        if isinstance(a.supply_id, str) or a.supply_id in seen:
            out[int(a.requirement_id)] = out.get(int(a.requirement_id), 0) + a.quantity
    return out


def _requirement_changes(actor: Actor, inputs: Inputs, base: solver.Solution, variant: solver.Solution,
                         priorities: Mapping[int, int]) -> list[RequirementChange]:
    line_ids = {int(a.supply_id) for s in (base, variant) for a in s.assignments if not isinstance(a.supply_id, str)}
    seen = set(visible_lines(actor).filter(pk__in=sorted(line_ids)).values_list("pk", flat=True))
    before, after = _covered(base, seen), _covered(variant, seen)
    moved = {rid for rid in set(before) | set(after) if before.get(rid, 0) != after.get(rid, 0)} | set(priorities)
    records = {r.pk: r for r in Requirement.objects.visible_to(actor).filter(pk__in=sorted(moved))
               .select_related("item_class")}
    reasons = {int(g.requirement_id): str(g.primary) for g in variant.gaps}
    priority = {int(r.id): r.priority for r in inputs.problem.requirements}
    out = [RequirementChange(records[rid], inputs.required[rid], before.get(rid, 0), after.get(rid, 0),
                             priority[rid], priorities.get(rid, priority[rid]), reasons.get(rid, ""))
           for rid in sorted(records)]
    return sorted(out, key=lambda c: (-abs(c.change), c.requirement.pk))


def _hypothetical(actor: Actor, lines: Sequence[HypotheticalLine],
                  variant: solver.Solution) -> list[HypotheticalAssignment]:
    rows = [a for a in variant.assignments if isinstance(a.supply_id, str)]
    records = {r.pk: r for r in Requirement.objects.visible_to(actor)
               .filter(pk__in=sorted({int(a.requirement_id) for a in rows})).select_related("item_class")}
    names = dict(ItemType.objects.filter(pk__in=[ln.item_type_id for ln in lines]).values_list("pk", "name"))
    out = []
    for a in rows:
        n = int(str(a.supply_id).rsplit("-", 1)[1])
        if int(a.requirement_id) in records:
            out.append(HypotheticalAssignment(n, names[lines[n - 1].item_type_id], records[int(a.requirement_id)],
                                              a.quantity, a.arrival, _milli(a.value)))
    return sorted(out, key=lambda h: (h.line, h.requirement.pk))


def _marginal(base: solver.Solution, variant: solver.Solution) -> list[tuple[str, Decimal, Decimal]]:
    keys = sorted(set(base.marginal_values) | set(variant.marginal_values), key=int)
    names = dict(ItemClass.objects.filter(pk__in=[int(k) for k in keys]).values_list("pk", "name"))
    out = []
    for key in keys:
        a, b = _milli(base.marginal_values.get(key, 0.0)), _milli(variant.marginal_values.get(key, 0.0))
        if a != b:
            out.append((names[int(key)], a, b))
    return out
