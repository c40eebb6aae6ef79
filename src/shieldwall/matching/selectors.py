"""Reads of matching, always through the access rule.

A run is read like any marked record. What it found is cut to the reader's sight: an assignment only when its
pledge line (and the line's package) AND its requirement are visible to the reader, a gap only when its
requirement is; every sum a reader gets (the objective of what they see, units, EUR values, a comparison of two
runs) is computed over those rows alone.

Two figures rest on the whole input and are shown to coordinators only, labelled as such: the run's total
objective ("total objective (all inputs)") and the marginal value per item class (the dual price of one more
unit). The optimiser saw every record; coordinators run it and approve its result, so they are told what the
optimum is worth — other readers see only the value of the assignments they can see.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from shieldwall.core.actor import Actor
from shieldwall.core.banner import combine, marking_of
from shieldwall.core.errors import NotFound, PermissionDenied
from shieldwall.core.markings import Classification, Marking, Releasability
from shieldwall.core.roles import Role
from shieldwall.matching import inputs as matching_inputs
from shieldwall.matching.models import (
    Assignment,
    Gap,
    MarginalValue,
    MatchingRun,
    RunStatus,
    Scenario,
    TransitTime,
)
from shieldwall.needs.models import Requirement
from shieldwall.pledges.selectors import visible_lines

ZERO = Decimal(0)
MILLI, CENT = Decimal("0.001"), Decimal("0.01")


def sees_whole_problem(actor: Actor) -> bool:
    """Whether the actor is shown figures that rest on all inputs (total objective, marginal values)."""
    return actor.has_role(Role.COORDINATOR)


# --- scenarios ------------------------------------------------------------------------------------------------


def _scenarios(actor: Actor) -> QuerySet[Scenario]:
    return (Scenario.objects.visible_to(actor).select_related("originator")
            .prefetch_related("rel_to", "areas", "item_classes", "donors", "hub_capacities"))


def scenario_list(*, actor: Actor, q: str = "") -> QuerySet[Scenario]:
    qs = _scenarios(actor)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return qs.order_by("name", "id")


def _runs(actor: Actor) -> QuerySet[MatchingRun]:
    return (MatchingRun.objects.visible_to(actor)
            .select_related("originator", "created_by", "approved_by")
            .prefetch_related("rel_to", Prefetch("scenario", queryset=Scenario.objects.visible_to(actor)
                                                 .prefetch_related("rel_to"))))


def scenario_get(*, actor: Actor, id: int) -> Scenario:
    """A scenario with its latest runs (`visible_runs`, newest first)."""
    runs = _runs(actor).order_by("-id")
    try:
        return _scenarios(actor).prefetch_related(Prefetch("runs", queryset=runs, to_attr="visible_runs")).get(pk=id)
    except (Scenario.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"scenario {id} not found") from exc


def scenario_find(*, actor: Actor, ref: str) -> Scenario:
    """By id, or by exact name (the CLI's `SCENARIO`)."""
    ref = ref.strip()
    if ref.isdigit():
        return scenario_get(actor=actor, id=int(ref))
    found = list(Scenario.objects.visible_to(actor).filter(name=" ".join(ref.split())).values_list("pk", flat=True))
    if len(found) != 1:
        raise NotFound(f"scenario {ref!r} not found" if not found else f"several scenarios are named {ref!r}; "
                       "give the id")
    return scenario_get(actor=actor, id=found[0])


# --- runs -----------------------------------------------------------------------------------------------------


def run_list(*, actor: Actor, scenario_id: int | None = None, status: str = "") -> QuerySet[MatchingRun]:
    qs = _runs(actor)
    if scenario_id is not None:
        qs = qs.filter(scenario__in=Scenario.objects.visible_to(actor).filter(pk=scenario_id))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def run_get(*, actor: Actor, id: int) -> MatchingRun:
    try:
        return _runs(actor).get(pk=id)
    except (MatchingRun.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"matching run {id} not found") from exc


def _visible_assignments(actor: Actor, run: MatchingRun) -> QuerySet[Assignment]:
    return Assignment.objects.filter(run=run, line__in=visible_lines(actor),
                                     requirement__in=Requirement.objects.visible_to(actor))


def _requirements(actor: Actor) -> QuerySet[Requirement]:
    return Requirement.objects.visible_to(actor).select_related("item_class").prefetch_related("rel_to")


def run_assignments(*, actor: Actor, run_id: int) -> QuerySet[Assignment]:
    """The run's assignments the actor may see, with their line and requirement (through visible prefetches)."""
    run = run_get(actor=actor, id=run_id)
    lines = visible_lines(actor).select_related("item_type").prefetch_related("rel_to")
    return (_visible_assignments(actor, run).select_related("donor")
            .prefetch_related(Prefetch("line", queryset=lines), Prefetch("requirement", queryset=_requirements(actor)))
            .order_by("requirement_id", "line_id", "id"))


def run_gaps(*, actor: Actor, run_id: int) -> QuerySet[Gap]:
    """Gaps of the requirements the actor may see, largest first."""
    run = run_get(actor=actor, id=run_id)
    return (Gap.objects.filter(run=run, requirement__in=Requirement.objects.visible_to(actor))
            .prefetch_related(Prefetch("requirement", queryset=_requirements(actor)))
            .order_by("-unmet", "requirement_id"))


def run_marginal_values(*, actor: Actor, run_id: int) -> QuerySet[MarginalValue]:
    """Marginal value of one more unit per item class (coordinators only: it prices the whole problem)."""
    run = run_get(actor=actor, id=run_id)
    if not sees_whole_problem(actor):
        raise PermissionDenied("marginal values rest on all of a run's inputs; coordinators see them")
    return MarginalValue.objects.filter(run=run).select_related("item_class").order_by("-value", "item_class__name")


@dataclass(frozen=True)
class RunSummary:
    """What the reader may see of a run's result; `total_objective` only for coordinators."""

    assignments: int
    units: int
    value: Decimal  # the objective of the visible assignments
    value_eur: Decimal
    gaps: int
    unmet: int
    total_objective: Decimal | None
    allocated: int = 0  # visible assignments applied by an approval


def run_summary(*, actor: Actor, run: MatchingRun) -> RunSummary:
    got = _visible_assignments(actor, run).aggregate(n=Count("id"), units=Sum("quantity"), value=Sum("value"),
                                                     eur=Sum("value_eur"),
                                                     allocated=Count("id", filter=Q(allocated_line__isnull=False)))
    gaps = Gap.objects.filter(run=run, requirement__in=Requirement.objects.visible_to(actor)).aggregate(
        n=Count("id"), unmet=Sum("unmet"))
    # Sums are quantized: SQLite hands decimal sums back without their places.
    return RunSummary(got["n"], got["units"] or 0, Decimal(got["value"] or 0).quantize(MILLI),
                      Decimal(got["eur"] or 0).quantize(CENT), gaps["n"], gaps["unmet"] or 0,
                      run.objective if sees_whole_problem(actor) else None, got["allocated"])


def run_staleness(*, actor: Actor, run: MatchingRun) -> matching_inputs.InputsDiff | None:
    """For a finished, unapproved run: how its inputs differ from the scenario's now (coordinators only, as the
    count covers records they may not see); None when that does not apply."""
    if run.status != RunStatus.DONE or run.approved_at is not None or not sees_whole_problem(actor):
        return None
    scenario = Scenario.objects.visible_to(actor).filter(pk=run.scenario_id).first()
    if scenario is None:
        return None
    return matching_inputs.staleness(scenario, fingerprint=run.inputs_fingerprint, records=run.inputs,
                                     on=timezone.localdate())


def run_marking(*, actor: Actor, runs: list[MatchingRun]) -> Marking | None:
    """The marking of pages about runs: the runs' own, and — since their figures rest on every visible line and
    requirement of their assignments and gaps, most of which a page does not show — the highest classification
    among those, going no further than the viewer's own nation (as the coverage figures do)."""
    ids = [r.pk for r in runs]
    used = Assignment.objects.filter(run_id__in=ids)
    lines = visible_lines(actor).filter(pk__in=used.values("line_id"))
    requirements = Requirement.objects.visible_to(actor).filter(
        Q(pk__in=used.values("requirement_id")) | Q(pk__in=Gap.objects.filter(run_id__in=ids).values("requirement_id")))
    summary = {"count": Count("pk"), "top": Max("classification"),
               "shared": Count("pk", filter=~Q(releasability=Releasability.PUBLIC))}
    found = [lines.aggregate(**summary), requirements.aggregate(**summary)]
    markings = [marking_of(r) for r in runs]
    if any(f["count"] for f in found):
        top = Classification(max(f["top"] or 0 for f in found))
        shared = any(f["shared"] for f in found) and actor.nation_code
        markings.append(Marking(top, Releasability.REL_TO, (str(actor.nation_code),)) if shared
                        else Marking(top, Releasability.PUBLIC))
    return combine(markings)


# --- comparing two runs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementComparison:
    requirement: Requirement
    covered_a: int
    covered_b: int
    unmet_a: int | None  # None: no gap in that run (covered, or not in it)
    unmet_b: int | None

    @property
    def change(self) -> int:
        return self.covered_b - self.covered_a


@dataclass(frozen=True)
class DonorComparison:
    code: str
    name: str
    units_a: int
    units_b: int
    value_eur_a: Decimal
    value_eur_b: Decimal

    @property
    def change_eur(self) -> Decimal:
        return self.value_eur_b - self.value_eur_a


@dataclass(frozen=True)
class Comparison:
    a: MatchingRun
    b: MatchingRun
    summary_a: RunSummary
    summary_b: RunSummary
    requirements: list[RequirementComparison]  # every visible requirement in either run, biggest change first
    donors: list[DonorComparison]

    @property
    def gains(self) -> list[RequirementComparison]:
        return [r for r in self.requirements if r.change > 0]

    @property
    def losses(self) -> list[RequirementComparison]:
        return [r for r in self.requirements if r.change < 0]


def _covered(actor: Actor, run: MatchingRun) -> dict[int, int]:
    rows = _visible_assignments(actor, run).values("requirement_id").annotate(units=Sum("quantity"))
    return {r["requirement_id"]: int(r["units"]) for r in rows}


def _unmet(actor: Actor, run: MatchingRun) -> dict[int, int]:
    rows = Gap.objects.filter(run=run, requirement__in=Requirement.objects.visible_to(actor))
    return dict(rows.values_list("requirement_id", "unmet"))


def _by_donor(actor: Actor, run: MatchingRun) -> dict[str, tuple[str, int, Decimal]]:
    rows = (_visible_assignments(actor, run).values("donor__code", "donor__name")
            .annotate(units=Sum("quantity"), eur=Sum("value_eur")))
    return {r["donor__code"]: (r["donor__name"], int(r["units"]), Decimal(r["eur"] or 0).quantize(CENT))
            for r in rows}


def run_compare(*, actor: Actor, a: int, b: int) -> Comparison:
    """Side by side: per visible requirement the units covered (by visible lines) in each run, who gains and who
    loses, and per donor the EUR value of its visible lines assigned."""
    run_a, run_b = run_get(actor=actor, id=a), run_get(actor=actor, id=b)
    cov_a, cov_b = _covered(actor, run_a), _covered(actor, run_b)
    unmet_a, unmet_b = _unmet(actor, run_a), _unmet(actor, run_b)
    ids = set(cov_a) | set(cov_b) | set(unmet_a) | set(unmet_b)
    records = {r.pk: r for r in _requirements(actor).filter(pk__in=sorted(ids))}
    rows = [RequirementComparison(records[i], cov_a.get(i, 0), cov_b.get(i, 0), unmet_a.get(i), unmet_b.get(i))
            for i in sorted(records)]
    rows.sort(key=lambda r: (-abs(r.change), r.requirement.priority, r.requirement.pk))
    don_a, don_b = _by_donor(actor, run_a), _by_donor(actor, run_b)
    donors = []
    for code in sorted(set(don_a) | set(don_b)):
        name = (don_a.get(code) or don_b[code])[0]
        ua, ea = don_a.get(code, ("", 0, ZERO))[1:]
        ub, eb = don_b.get(code, ("", 0, ZERO))[1:]
        donors.append(DonorComparison(code, name, ua, ub, ea, eb))
    donors.sort(key=lambda d: (-abs(d.change_eur), d.code))
    return Comparison(run_a, run_b, run_summary(actor=actor, run=run_a), run_summary(actor=actor, run=run_b), rows,
                      donors)


# --- transit times ----------------------------------------------------------------------------------------------


def transit_time_list(*, actor: Actor, origin: str = "") -> QuerySet[TransitTime]:
    """The route table (unmarked reference data)."""
    qs = TransitTime.objects.select_related("origin")
    if origin:
        qs = qs.filter(origin__code=origin.strip().upper())
    return qs.order_by("origin__code", "destination")


def transit_rule() -> dict[str, int]:
    """The distance-class rule beneath the table: days per class (see `matching.inputs`)."""
    return dict(matching_inputs.DAYS_BY_CLASS)
