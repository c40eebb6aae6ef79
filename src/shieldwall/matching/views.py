"""Pages of matching: scenarios (list, detail with its runs and the what-if form, create, edit), a run (progress
bar polled by htmx until it is done, then its assignments, gaps and marginal values), two runs side by side, and
approval with confirmation.

Views are thin: parse the form, get the actor, call one service or selector, render with the banner of what the
page shows (DESIGN.md §3).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shieldwall.core.access import can
from shieldwall.core.actor import Actor
from shieldwall.core.banner import Banner, banner_for_marking, page_banner
from shieldwall.core.errors import Conflict, PermissionDenied, PreconditionFailed, ValidationFailed
from shieldwall.core.requests import get_actor
from shieldwall.core.views_support import domain_errors, paginate, render_page, submit
from shieldwall.matching import selectors, services
from shieldwall.matching.forms import ScenarioForm, WhatIfForm, scenario_initial
from shieldwall.matching.models import ApprovalStatus, MarginalValue, MatchingRun, RunStatus, Scenario

RUN_TABS = ("overview", "assignments", "gaps")


# --- scenarios ------------------------------------------------------------------------------------------------


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    page = paginate(request, selectors.scenario_list(actor=actor, q=request.GET.get("q", "")[:200]))
    context = {"page": page, "title": "Matching scenarios", "can_create": can(actor, "create", Scenario)}
    return render_page(request, "matching/scenario_list.html", context, banner=page_banner(page.object_list))


def _runs_of(scenario: Scenario) -> list[MatchingRun]:
    return scenario.visible_runs[:20]  # type: ignore[attr-defined, no-any-return]


def _scenario_banner(scenario: Scenario, answer: services.WhatIf | None) -> Banner:
    """The scenario, its runs listed, and the requirements a what-if answer names."""
    shown = [c.requirement for c in answer.changes] + [h.requirement for h in answer.hypothetical] if answer else []
    return page_banner(scenario, _runs_of(scenario), shown)


def _scenario_page(request: HttpRequest, actor: Actor, scenario: Scenario, *, what_if_form: WhatIfForm | None = None,
                   answer: services.WhatIf | None = None, status: int = 200) -> HttpResponse:
    may_ask = can(actor, "what_if", scenario)
    context: dict[str, Any] = {
        "scenario": scenario, "runs": _runs_of(scenario), "title": scenario.name,
        "can_edit": can(actor, "change", scenario), "can_run": can(actor, "run", scenario), "can_ask": may_ask,
        "answer": answer, "what_if_form": what_if_form or (WhatIfForm(actor=actor) if may_ask else None),
    }
    return render_page(request, "matching/scenario_detail.html", context, banner=_scenario_banner(scenario, answer),
                       status=status)


@login_required
@domain_errors
def scenario_detail(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    return _scenario_page(request, actor, selectors.scenario_get(actor=actor, id=id))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def scenario_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can(actor, "create", Scenario):
        raise PermissionDenied("coordinators keep the matching scenarios")
    form = ScenarioForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        scenario = submit(form, lambda: services.scenario_create(actor=actor, **form.values()))
        if scenario is not None:
            messages.success(request, f"Scenario “{scenario.name}” created.")
            return redirect("matching_scenario_detail", id=scenario.pk)
    return render_page(request, "matching/scenario_form.html", {"form": form, "title": "New scenario"},
                       status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def scenario_edit(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    scenario = selectors.scenario_get(actor=actor, id=id)
    if not can(actor, "change", scenario):
        raise PermissionDenied("only coordinators of the scenario's nation change it")
    form = ScenarioForm(request.POST or None, actor=actor, initial=scenario_initial(scenario))
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        updated = submit(form, lambda: services.scenario_update(actor=actor, id=id, expected_version=version,
                                                               **form.values()))
        if updated is not None:
            messages.success(request, f"Scenario “{updated.name}” saved; runs keep the inputs they used.")
            return redirect("matching_scenario_detail", id=id)
    context = {"form": form, "scenario": scenario, "title": f"Edit {scenario.name}"}
    return render_page(request, "matching/scenario_form.html", context, banner=page_banner(scenario),
                       status=422 if form.errors else 200)


@login_required
@require_POST
@domain_errors
def scenario_run(request: HttpRequest, id: int) -> HttpResponse:
    run = services.run_start(actor=get_actor(request), scenario_id=id)
    messages.success(request, f"Run {run.pk} queued.")
    return redirect("matching_run_detail", id=run.pk)


@login_required
@require_POST
@domain_errors
def scenario_what_if(request: HttpRequest, id: int) -> HttpResponse:
    """Solve the what-if now; with htmx only the answer is swapped into the page."""
    actor = get_actor(request)
    scenario = selectors.scenario_get(actor=actor, id=id)
    form = WhatIfForm(request.POST, actor=actor)
    answer = None
    if form.is_valid():
        answer = submit(form, lambda: services.what_if(actor=actor, scenario_id=id, lines=form.lines(),
                                                       priorities=form.priorities()))
    if getattr(request, "htmx", None):
        # The answer may name requirements marked higher than the page was: both banners are swapped too.
        context = {"scenario": scenario, "what_if_form": form, "answer": answer, "can_ask": True,
                   "banner_oob": True}
        return render_page(request, "matching/_what_if.html", context, banner=_scenario_banner(scenario, answer),
                           status=200 if answer else 422)
    return _scenario_page(request, actor, scenario, what_if_form=form, answer=answer,
                          status=200 if answer else 422)


# --- runs -----------------------------------------------------------------------------------------------------


@login_required
@domain_errors
def run_detail(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    run = selectors.run_get(actor=actor, id=id)
    tab = request.GET.get("tab", "overview")
    tab = tab if tab in RUN_TABS else "overview"
    context: dict[str, Any] = {
        "run": run, "tab": tab, "title": f"Run {run.pk}", "summary": selectors.run_summary(actor=actor, run=run),
        "whole": selectors.sees_whole_problem(actor),
        "can_approve": can(actor, "approve", run) and run.status == RunStatus.DONE and run.approved_at is None
        and run.approval_status != ApprovalStatus.QUEUED,
        "can_rerun": run.scenario is not None and can(actor, "run", run.scenario),
        "others": [r for r in selectors.run_list(actor=actor)[:12] if r.pk != run.pk][:10],
    }
    partial = None
    if tab == "assignments":
        context["page"] = paginate(request, selectors.run_assignments(actor=actor, run_id=id))
        partial = "matching/_assignments.html"
    elif tab == "gaps":
        context["page"] = paginate(request, selectors.run_gaps(actor=actor, run_id=id))
        partial = "matching/_gaps.html"
    elif run.status == RunStatus.DONE:
        if context["whole"]:
            context["marginal_values"] = _compared(list(selectors.run_marginal_values(actor=actor, run_id=id)))
        context["stale"] = selectors.run_staleness(actor=actor, run=run)
        context["stale_message"] = services.stale_message(context["stale"]) if context["stale"] and \
            context["stale"].changed else ""
    banner = banner_for_marking(selectors.run_marking(actor=actor, runs=[run]))
    return render_page(request, "matching/run_detail.html", context, banner=banner, partial=partial)


def _compared(values: list[MarginalValue]) -> list[MarginalValue]:
    """Say each marginal value in units of the least valuable class ("as much as 40 more MANPADS")."""
    positive = [m for m in values if m.value > 0]
    if len(positive) > 1:
        least = min(positive, key=lambda m: m.value)
        for m in positive:
            if m is not least and m.value >= 2 * least.value:
                m.compared = (int(m.value // least.value), least.item_class.name)  # type: ignore[attr-defined]
    return values


@login_required
@domain_errors
def run_progress(request: HttpRequest, id: int) -> HttpResponse:
    """The progress bar alone, polled every second by htmx while the run is solved or approved; then the page
    reloads."""
    run = selectors.run_get(actor=get_actor(request), id=id)
    response = render_page(request, "matching/_run_progress.html", {"run": run}, banner=page_banner(run))
    if run.is_settled:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
@domain_errors
def run_approve(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    run = selectors.run_get(actor=actor, id=id)
    try:
        run = services.run_approve_request(actor=actor, run_id=id, expected_version=run.version)
    except (Conflict, ValidationFailed, PreconditionFailed) as exc:
        messages.error(request, exc.detail)
        return redirect("matching_run_detail", id=id)
    if run.approved_at is None:
        messages.success(request, f"Approval of run {id} under way: the worker allocates its pledge lines.")
    else:
        messages.success(request, f"Run {id} approved: its pledge lines are allocated.")
    return redirect("matching_run_detail", id=id)


@login_required
@domain_errors
def run_compare(request: HttpRequest, id: int, other_id: int) -> HttpResponse:
    actor = get_actor(request)
    found = selectors.run_compare(actor=actor, a=id, b=other_id)
    context = {"cmp": found, "title": f"Run {found.a.pk} against run {found.b.pk}",
               "whole": selectors.sees_whole_problem(actor)}
    banner = banner_for_marking(selectors.run_marking(actor=actor, runs=[found.a, found.b]))
    return render_page(request, "matching/run_compare.html", context, banner=banner)
