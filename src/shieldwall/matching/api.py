"""REST API of matching (`/api/v1/matching/…`): scenarios, runs (started as background tasks: poll the run for its
status and progress), what each run found, side-by-side comparison, approval and what-if — thin over the
selectors and services.

What a run found is cut to the caller's sight (see `matching.selectors`); the total objective and the marginal
values, which rest on all inputs, are for coordinators.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import CursorPagination, paginate
from pydantic import Field

from shieldwall.coalition.schemas import patch_changes
from shieldwall.core.api_support import AUTH, actor_of, expected_version, idempotent_create, set_etag
from shieldwall.core.schemas import InSchema
from shieldwall.matching import selectors, services
from shieldwall.matching.schemas import (
    MAX_ID,
    AssignmentOut,
    GapOut,
    MarginalValueOut,
    MatchingRunDetailOut,
    MatchingRunOut,
    RunComparisonOut,
    RunSummaryOut,
    ScenarioIn,
    ScenarioOut,
    ScenarioPatch,
    WhatIfIn,
    WhatIfOut,
)

router = Router(auth=AUTH, tags=["matching"])


class ScenarioQuery(InSchema):
    q: str = Field(default="", max_length=200)


class RunQuery(InSchema):
    scenario: int | None = Field(default=None, ge=1, le=MAX_ID)
    status: str = Field(default="", pattern=r"^(|queued|running|done|failed)$")


class CompareQuery(InSchema):
    a: int = Field(ge=1, le=MAX_ID, description="The run to compare from")
    b: int = Field(ge=1, le=MAX_ID, description="The run to compare with")


def _capacities(rows: list[Any] | None) -> list[services.HubCapacity] | None:
    if rows is None:
        return None
    return [services.HubCapacity(r["hub"], r["week_start"], r["capacity"]) for r in rows]


def _if_match(request: HttpRequest, pk: int) -> int | None:
    return expected_version(request, pk) if request.headers.get("If-Match") else None


# --- scenarios ------------------------------------------------------------------------------------------------


@router.get("/matching/scenarios", response=list[ScenarioOut])
@paginate(CursorPagination, ordering=("-id",))
def list_scenarios(request: HttpRequest, filters: Query[ScenarioQuery]) -> object:
    return selectors.scenario_list(actor=actor_of(request), q=filters.q)


@router.get("/matching/scenarios/{scenario_id}", response=ScenarioOut)
def get_scenario(request: HttpRequest, scenario_id: int, response: HttpResponse) -> object:
    scenario = selectors.scenario_get(actor=actor_of(request), id=scenario_id)
    set_etag(response, scenario)
    return scenario


@router.post("/matching/scenarios", response={201: ScenarioOut})
def create_scenario(request: HttpRequest, payload: ScenarioIn) -> HttpResponse:
    actor = actor_of(request)
    data = payload.model_dump(exclude={"classification", "releasability", "rel_to", "hub_capacities"})
    capacities = _capacities(payload.model_dump()["hub_capacities"]) or []

    def create() -> ScenarioOut:
        scenario = services.scenario_create(actor=actor, **data, **payload.marking_kwargs(),
                                            hub_capacities=capacities)
        return ScenarioOut.from_orm(selectors.scenario_get(actor=actor, id=scenario.pk))

    return idempotent_create(request, actor, create)


@router.patch("/matching/scenarios/{scenario_id}", response=ScenarioOut)
def update_scenario(request: HttpRequest, scenario_id: int, payload: ScenarioPatch, response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.scenario_get(actor=actor, id=scenario_id)
    changes, rel_to = patch_changes(payload)
    capacities = _capacities(changes.pop("hub_capacities", None))
    services.scenario_update(actor=actor, id=scenario_id, expected_version=expected_version(request, scenario_id),
                             rel_to=rel_to, hub_capacities=capacities, **changes)
    scenario = selectors.scenario_get(actor=actor, id=scenario_id)
    set_etag(response, scenario)
    return scenario


@router.delete("/matching/scenarios/{scenario_id}", response={204: None})
def delete_scenario(request: HttpRequest, scenario_id: int) -> Status:
    actor = actor_of(request)
    selectors.scenario_get(actor=actor, id=scenario_id)
    services.scenario_delete(actor=actor, id=scenario_id, expected_version=expected_version(request, scenario_id))
    return Status(204, None)


@router.post("/matching/scenarios/{scenario_id}/runs", response={202: MatchingRunOut})
def start_run(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """Queue a run of the scenario; poll `GET /matching/runs/{id}` for its status and progress."""
    actor = actor_of(request)

    def create() -> MatchingRunOut:
        run = services.run_start(actor=actor, scenario_id=scenario_id)
        return MatchingRunOut.from_orm(selectors.run_get(actor=actor, id=run.pk))

    return idempotent_create(request, actor, create, status=202)


@router.post("/matching/scenarios/{scenario_id}/what-if", response=WhatIfOut)
def what_if(request: HttpRequest, scenario_id: int, payload: WhatIfIn) -> object:
    """What hypothetical pledge lines and priority changes would change (solved now, nothing stored)."""
    lines = [services.HypotheticalLine(**line.model_dump()) for line in payload.lines]
    answer = services.what_if(actor=actor_of(request), scenario_id=scenario_id, lines=lines,
                              priorities={p.requirement_id: p.priority for p in payload.priorities})
    return {
        "scenario_id": answer.scenario_id, "base_run_id": answer.base_run_id,
        "objective_before": answer.objective_before, "objective_after": answer.objective_after,
        "objective_change": answer.objective_change, "seconds": round(answer.seconds, 3),
        "components_reused": answer.components_reused, "components_solved": answer.components_solved,
        "requirements": [{"requirement_id": c.requirement.pk, "requirement": str(c.requirement),
                          "required": c.required, "covered_before": c.covered_before, "covered_after": c.covered_after,
                          "change": c.change, "priority_before": c.priority_before,
                          "priority_after": c.priority_after, "reason_after": c.reason_after}
                         for c in answer.changes],
        "hypothetical": [{"line": h.line, "item_type": h.item_type, "requirement_id": h.requirement.pk,
                          "requirement": str(h.requirement), "quantity": h.quantity,
                          "expected_arrival": h.expected_arrival, "value": h.value} for h in answer.hypothetical],
        "hypothetical_elsewhere": answer.hypothetical_elsewhere,
        "marginal_values": [{"item_class": name, "before": a, "after": b} for name, a, b in answer.marginal],
    }


# --- runs -----------------------------------------------------------------------------------------------------


@router.get("/matching/runs", response=list[MatchingRunOut])
@paginate(CursorPagination, ordering=("-id",))
def list_runs(request: HttpRequest, filters: Query[RunQuery]) -> object:
    return selectors.run_list(actor=actor_of(request), scenario_id=filters.scenario, status=filters.status)


def _summary(summary: selectors.RunSummary) -> RunSummaryOut:
    return RunSummaryOut(assignments=summary.assignments, units=summary.units, value=summary.value,
                         value_eur=summary.value_eur, gaps=summary.gaps, unmet=summary.unmet,
                         total_objective=summary.total_objective, allocated=summary.allocated)


@router.get("/matching/runs/compare", response=RunComparisonOut)
def compare_runs(request: HttpRequest, filters: Query[CompareQuery]) -> object:
    """Run a against run b: per requirement the units covered in each (who gains, who loses), per donor the EUR
    value of its lines assigned — over the records visible to you."""
    found = selectors.run_compare(actor=actor_of(request), a=filters.a, b=filters.b)
    return {
        "a": found.a, "b": found.b, "summary_a": _summary(found.summary_a), "summary_b": _summary(found.summary_b),
        "requirements": [{"requirement_id": r.requirement.pk, "requirement": str(r.requirement),
                          "priority": r.requirement.priority, "covered_a": r.covered_a, "covered_b": r.covered_b,
                          "unmet_a": r.unmet_a, "unmet_b": r.unmet_b, "change": r.change} for r in found.requirements],
        "donors": [{"donor": d.code, "units_a": d.units_a, "units_b": d.units_b, "value_eur_a": d.value_eur_a,
                    "value_eur_b": d.value_eur_b, "change_eur": d.change_eur} for d in found.donors],
    }


@router.get("/matching/runs/{run_id}", response=MatchingRunDetailOut)
def get_run(request: HttpRequest, run_id: int, response: HttpResponse) -> object:
    """The run's status and progress (poll while queued or running) and what you may see of its result."""
    actor = actor_of(request)
    run = selectors.run_get(actor=actor, id=run_id)
    set_etag(response, run)
    run.summary = _summary(selectors.run_summary(actor=actor, run=run))  # type: ignore[attr-defined]
    return run


@router.get("/matching/runs/{run_id}/assignments", response=list[AssignmentOut])
@paginate(CursorPagination, ordering=("id",))
def list_assignments(request: HttpRequest, run_id: int) -> object:
    return selectors.run_assignments(actor=actor_of(request), run_id=run_id)


@router.get("/matching/runs/{run_id}/gaps", response=list[GapOut])
@paginate(CursorPagination, ordering=("id",))
def list_gaps(request: HttpRequest, run_id: int) -> object:
    return selectors.run_gaps(actor=actor_of(request), run_id=run_id)


@router.get("/matching/runs/{run_id}/marginal-values", response=list[MarginalValueOut])
def list_marginal_values(request: HttpRequest, run_id: int) -> object:
    """The value of one more on-time unit per item class (coordinators: it prices the whole problem)."""
    return list(selectors.run_marginal_values(actor=actor_of(request), run_id=run_id))


@router.post("/matching/runs/{run_id}/approve", response={202: MatchingRunOut})
def approve_run(request: HttpRequest, run_id: int, response: HttpResponse) -> object:
    """Ask for the run's assignments you can see to be allocated to their requirements: refused at once (409) if
    the run is not finished or its inputs changed; otherwise queued for the worker — poll the run until
    `approved_at` is set, or `approval_status` is failed with the reason in `approval_error`."""
    actor = actor_of(request)
    selectors.run_get(actor=actor, id=run_id)
    services.run_approve_request(actor=actor, run_id=run_id, expected_version=_if_match(request, run_id))
    run = selectors.run_get(actor=actor, id=run_id)
    set_etag(response, run)
    return Status(202, run)
