"""Pages of the requirements list: the prioritised list (filters, sort, export), a requirement with its coverage,
the visible pledge lines against it and its history, the create/edit form, the lifecycle buttons each role may
press, and the coverage tables (by requirement, capability area and capability coalition).

Views are thin: parse the form, get the actor, call one service or selector, render with the banner of what is
shown (DESIGN.md §3).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shieldwall.core import exports
from shieldwall.core.access import can
from shieldwall.core.actor import Actor
from shieldwall.core.banner import banner_for_marking, combine, marking_of, page_banner
from shieldwall.core.errors import Conflict, PermissionDenied, PreconditionFailed, ValidationFailed
from shieldwall.core.requests import get_actor
from shieldwall.core.selectors import object_history
from shieldwall.core.views_support import domain_errors, paginate, render_page, sort_queryset, submit
from shieldwall.needs import coverage, lifecycle, selectors, services
from shieldwall.needs.forms import RequirementFilterForm, RequirementForm, TransitionForm
from shieldwall.needs.models import Requirement

REQUIREMENT_SORTS = {
    "priority": ["priority", "need_by", "id"], "need_by": ["need_by", "priority", "id"],
    "item_class": ["item_class__name", "priority", "id"], "quantity": ["quantity", "id"],
    "status": ["status", "priority", "id"], "destination": ["destination", "priority", "id"],
    "originator": ["originator__code", "priority", "id"], "classification": ["classification", "id"],
}
EXPORT_COLUMNS = ("id", "priority", "need_by", "title", "item_class", "unit", "area", "quantity", "destination",
                  "use_category", "status", "originator", "marking")
COVERAGE_COLUMNS = ("id", "priority", "need_by", "title", "item_class", "unit", "area", "status", "originator",
                    "marking", "required_qty", "required_value", "committed_qty", "committed_value",
                    "allocated_qty", "allocated_value", "delivered_qty", "delivered_value", "pct_committed",
                    "pct_allocated", "pct_delivered")


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "csv")
    return fmt if fmt in exports.FORMATS else "csv"


# --- the prioritised list -------------------------------------------------------------------------------------


@login_required
def requirement_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = RequirementFilterForm(request.GET, actor=actor)
    qs, sort = sort_queryset(request, selectors.requirement_list(actor=actor, filters=form.filters()),
                             REQUIREMENT_SORTS, "priority")
    page = paginate(request, qs)
    context = {"form": form, "page": page, "sort": sort, "title": "Requirements",
               "can_create": can(actor, "create", Requirement), "query": request.GET.urlencode()}
    return render_page(request, "needs/requirement_list.html", context, banner=page_banner(page.object_list),
                       partial="needs/_requirement_table.html")


def _export_row(obj: Requirement) -> dict[str, Any]:
    return {"id": obj.pk, "priority": obj.priority, "need_by": obj.need_by, "title": obj.title,
            "item_class": obj.item_class.name, "unit": obj.item_class.unit, "area": obj.item_class.area.name,
            "quantity": obj.quantity, "destination": obj.destination, "use_category": obj.use_category,
            "status": obj.status, "originator": obj.originator.code, "marking": str(marking_of(obj))}


@login_required
@require_GET
def requirement_export(request: HttpRequest) -> HttpResponse:
    """The filtered prioritised list as CSV, XLSX or JSON (`?format=`), marked like the page would be."""
    actor = get_actor(request)
    found = list(selectors.requirement_list(actor=actor, filters=RequirementFilterForm(request.GET,
                                                                                      actor=actor).filters()))
    marking = combine(marking_of(obj) for obj in found)
    return exports.response([_export_row(obj) for obj in found], EXPORT_COLUMNS, fmt=_format(request),
                            stem="requirements", marking=str(marking) if marking else None)


# --- one requirement --------------------------------------------------------------------------------------------


def _steps(actor: Actor, obj: Requirement) -> list[lifecycle.Step]:
    return [lifecycle.STEPS[a] for a in lifecycle.allowed_actions(obj.status) if can(actor, a, obj)]


@login_required
@domain_errors
def requirement_detail(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    obj = selectors.requirement_get(actor=actor, id=id)
    lines = selectors.requirement_pledge_lines(actor=actor, requirement_id=obj.pk)
    packages = [line.package for line in lines if line.package is not None]
    tab = "history" if request.GET.get("tab") == "history" else "overview"
    context: dict[str, Any] = {
        "requirement": obj, "lines": lines, "tab": tab, "title": obj.title or str(obj.item_class),
        "coverage": coverage.requirement_coverage_one(actor=actor, requirement_id=obj.pk),
        "steps": _steps(actor, obj), "transition_form": TransitionForm(initial={"version": obj.version}),
        "can_edit": obj.status in lifecycle.EDITABLE and can(actor, "change", obj),
    }
    if tab == "history":
        context["history"] = object_history(actor=actor, object_type="needs.requirement", object_id=obj.pk)
    return render_page(request, "needs/requirement_detail.html", context, banner=page_banner(obj, lines, packages))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def requirement_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can(actor, "create", Requirement):
        raise PermissionDenied("only recipient officers post requirements")
    form = RequirementForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        obj = submit(form, lambda: services.requirement_create(actor=actor, **form.values()))
        if obj is not None:
            messages.success(request, "Requirement saved as a draft; submit it when it is complete.")
            return redirect("requirement_detail", id=obj.pk)
    context = {"form": form, "title": "New requirement"}
    return render_page(request, "needs/requirement_form.html", context, status=422 if form.errors else 200)


def _initial(obj: Requirement) -> dict[str, Any]:
    return {"title": obj.title, "item_class": obj.item_class_id, "quantity": obj.quantity,
            "priority": obj.priority, "need_by": obj.need_by, "destination": obj.destination,
            "use_category": obj.use_category, "justification": obj.justification,
            "classification": obj.classification, "releasability": obj.releasability,
            "rel_to": [n.code for n in obj.rel_to.all()], "version": obj.version}


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def requirement_edit(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    obj = selectors.requirement_get(actor=actor, id=id)
    if not can(actor, "change", obj):
        raise PermissionDenied("only the originating nation's recipient officers and coordinators edit it")
    if obj.status not in lifecycle.EDITABLE:
        messages.error(request, f"A {obj.get_status_display().lower()} requirement cannot be edited; only drafts "
                                "can (a coordinator can return it to draft).")
        return redirect("requirement_detail", id=id)
    form = RequirementForm(request.POST or None, actor=actor, initial=_initial(obj))
    if request.method == "POST" and form.is_valid():
        updated = None
        try:
            updated = submit(form, lambda: services.requirement_update(
                actor=actor, id=id, expected_version=form.cleaned_data["version"], **form.values()))
        except Conflict as exc:
            form.add_error(None, exc.detail)
        if updated is not None:
            messages.success(request, "Requirement saved.")
            return redirect("requirement_detail", id=id)
    context = {"form": form, "requirement": obj, "title": f"Edit {obj.title or obj.item_class}"}
    return render_page(request, "needs/requirement_form.html", context, banner=page_banner(obj),
                       status=422 if form.errors else 200)


@login_required
@require_POST
@domain_errors
def requirement_transition(request: HttpRequest, id: int, action: str) -> HttpResponse:
    """One lifecycle button: the step, then back to the requirement with what happened."""
    form = TransitionForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        obj = services.requirement_transition(actor=get_actor(request), id=id, action=action,
                                              reason=data.get("reason") or "", priority=data.get("priority"),
                                              expected_version=data.get("version"))
    except (ValidationFailed, Conflict, PreconditionFailed) as exc:
        messages.error(request, exc.detail)
        return redirect("requirement_detail", id=id)
    messages.success(request, f"Requirement {obj.get_status_display().lower()}"
                              f"{f', priority {obj.priority}' if action == 'reprioritise' else ''}.")
    return redirect("requirement_detail", id=id)


# --- coverage ----------------------------------------------------------------------------------------------------


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = RequirementFilterForm(request.GET, actor=actor)
    filters = form.filters()
    areas = coverage.area_coverage(actor=actor, filters=filters)
    context = {
        "form": form, "title": "Coverage", "query": request.GET.urlencode(),
        "page": coverage.requirement_coverage_page(actor=actor, filters=filters, page=request.GET.get("page")),
        "areas": areas, "area_total": coverage.totals(areas),
        "coalitions": coverage.coalition_coverage(actor=actor, filters=filters),
    }
    banner = banner_for_marking(coverage.coverage_marking(actor=actor, filters=filters))
    return render_page(request, "needs/coverage.html", context, banner=banner)


@login_required
@require_GET
def coverage_export(request: HttpRequest) -> HttpResponse:
    """The whole coverage table by requirement (filters as on the page) as CSV, XLSX or JSON."""
    actor = get_actor(request)
    filters = RequirementFilterForm(request.GET, actor=actor).filters()
    rows = [{**{c: getattr(row, c) for c in COVERAGE_COLUMNS if c != "marking"}, "marking": row.marking_text}
            for row in coverage.requirement_coverage(actor=actor, filters=filters)]
    marking = coverage.coverage_marking(actor=actor, filters=filters)
    return exports.response(rows, COVERAGE_COLUMNS, fmt=_format(request), stem="coverage",
                            marking=str(marking) if marking else None)
