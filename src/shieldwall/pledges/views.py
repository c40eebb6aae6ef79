"""Pages of pledges: packages (list, detail with funders, lines and history, create, edit, delete, import) and
pledge lines (list, detail with the lifecycle timeline and the steps the actor may take, create, edit).

Views are thin: parse the form, get the actor, call one service or selector, render with the banner of the
records shown (DESIGN.md §3). Lists export what their filters select as CSV, XLSX or JSON.
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
from shieldwall.core.banner import page_banner
from shieldwall.core.errors import NotFound, PermissionDenied, ValidationFailed
from shieldwall.core.requests import get_actor
from shieldwall.core.selectors import object_history
from shieldwall.core.views_support import domain_errors, paginate, render_page, sort_queryset, submit
from shieldwall.pledges import rows, selectors, services, staging
from shieldwall.pledges.forms import (
    ImportForm,
    LineFilterForm,
    LineForm,
    PackageFilterForm,
    PackageForm,
    StepForm,
)
from shieldwall.pledges.importing import COLUMNS, REQUIRED
from shieldwall.pledges.models import Package, PledgeLine

PACKAGE_SORTS = {"date": ["date", "id"], "title": ["title", "id"], "source": ["source", "id"],
                 "donor": ["originator__code", "id"], "value": ["value_eur", "id"], "lines": ["line_count", "id"]}
LINE_SORTS = {"id": ["id"], "item": ["item_type__name", "id"], "quantity": ["quantity", "id"],
              "value": ["value_eur", "id"], "status": ["status", "id"], "available": ["available_from", "id"],
              "donor": ["originator__code", "id"]}
STEP_LABELS = {"commit": "Commit", "allocate": "Allocate", "deallocate": "Deallocate", "contract": "Contract",
               "ship": "Ship", "deliver": "Record delivery", "cancel": "Cancel", "split": "Split"}


def _export(request: HttpRequest, found: list[Any], row: Any, columns: tuple[str, ...], stem: str) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        fmt = "csv"
    return exports.response([row(item) for item in found], columns, fmt=fmt, stem=stem,
                            marking=rows.export_marking(found))


# --- packages ---------------------------------------------------------------------------------------------


@login_required
def package_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = PackageFilterForm(request.GET)
    qs, sort = sort_queryset(request, selectors.package_list(actor=actor, filters=form.filters()), PACKAGE_SORTS,
                             "-date")
    page = paginate(request, qs)
    context = {"form": form, "page": page, "sort": sort, "title": "Pledge packages",
               "can_create": can(actor, "create", Package)}
    return render_page(request, "pledges/packages.html", context, banner=page_banner(page.object_list),
                       partial="pledges/_packages_results.html")


@login_required
@require_GET
def package_export(request: HttpRequest) -> HttpResponse:
    form = PackageFilterForm(request.GET)
    found = list(selectors.package_list(actor=get_actor(request), filters=form.filters()))
    return _export(request, found, rows.package_row, rows.PACKAGE_COLUMNS, "packages")


@login_required
@domain_errors
def package_detail(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    package = selectors.package_get(actor=actor, id=id)
    tab = "history" if request.GET.get("tab") == "history" else "overview"
    lines: list[PledgeLine] = package.visible_lines  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "package": package, "lines": lines, "tab": tab, "title": package.title,
        "totals": selectors.package_totals(package), "can_edit": can(actor, "change", package),
        "can_delete": can(actor, "delete", package), "can_add_line": can(actor, "create", PledgeLine(
            package=package, originator_id=package.originator_id)),
    }
    if tab == "history":
        context["history"] = object_history(actor=actor, object_type="pledges.package", object_id=package.pk)
    return render_page(request, "pledges/package_detail.html", context,
                       banner=page_banner(package, lines, package.announcement))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def package_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can(actor, "create", Package):
        raise PermissionDenied("only donor officers record packages")
    form = PackageForm(request.POST or None, actor=actor, initial={"releasability": "COALITION"})
    if request.method == "POST" and form.is_valid():
        package = submit(form, lambda: services.package_create(actor=actor, funders=form.cleaned_data["funders"],
                                                               **form.values()))
        if package is not None:
            messages.success(request, f"Package “{package.title}” recorded; add its lines.")
            return redirect("package_detail", id=package.pk)
    return render_page(request, "pledges/package_form.html", {"form": form, "title": "New package"},
                       status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def package_edit(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    package = selectors.package_get(actor=actor, id=id)
    if not can(actor, "change", package):
        raise PermissionDenied("only donor officers of the originating nation edit this package")
    form = PackageForm(request.POST or None, actor=actor, initial=_package_initial(package))
    if request.method == "POST" and form.is_valid():
        funders = form.cleaned_data["funders"]  # emptied: the originating nation funds it alone
        updated = submit(form, lambda: services.package_update(
            actor=actor, id=id, expected_version=form.cleaned_data["version"], funders=funders, **form.values()))
        if updated is not None:
            messages.success(request, f"Package “{updated.title}” saved.")
            return redirect("package_detail", id=id)
    context = {"form": form, "package": package, "title": f"Edit {package.title}"}
    return render_page(request, "pledges/package_form.html", context, banner=page_banner(package),
                       status=422 if form.errors else 200)


def _package_initial(package: Package) -> dict[str, Any]:
    funders = ", ".join(f"{f.nation.code} {f.share.normalize():f}" for f in package.funders.all())
    return {
        "title": package.title, "date": package.date, "source": package.source, "funders": funders,
        "announcement": package.announcement.pk if package.announcement else None,
        "description": package.description, "classification": package.classification,
        "releasability": package.releasability, "rel_to": [n.code for n in package.rel_to.all()],
        "version": package.version,
    }


@login_required
@require_POST
@domain_errors
def package_delete(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    package = selectors.package_get(actor=actor, id=id)
    try:
        services.package_delete(actor=actor, id=id, expected_version=package.version)
    except ValidationFailed as exc:
        messages.error(request, exc.detail)
        return redirect("package_detail", id=id)
    messages.success(request, f"Package “{package.title}” deleted.")
    return redirect("package_list")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def package_import(request: HttpRequest, id: int) -> HttpResponse:
    """Upload → dry-run report (row, column, problem) → confirm; the confirmed import checks everything again."""
    actor = get_actor(request)
    package = selectors.package_get(actor=actor, id=id)
    if not can(actor, "create", PledgeLine(package=package, originator_id=package.originator_id)):
        raise PermissionDenied("only donor officers of the originating nation add lines to this package")
    assert actor.user_id is not None
    form = ImportForm(request.POST or None, request.FILES or None)
    report, token = None, ""
    if request.method == "POST" and request.POST.get("confirm"):
        return _import_confirmed(request, actor, package, request.POST["confirm"])
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = submit(form, lambda: services.line_import(actor=actor, package_id=id, stream=upload,
                                                           size=upload.size, dry_run=True))
        if report is not None and report.ok:  # kept for the confirmation only when it can be imported
            token = staging.stage(upload.chunks(), user_id=actor.user_id, package_id=id)
    context = {"package": package, "form": form, "report": report, "token": token, "columns": COLUMNS,
               "required": REQUIRED, "title": f"Import lines into {package.title}"}
    return render_page(request, "pledges/package_import.html", context, banner=page_banner(package),
                       status=422 if form.errors or (report and not report.ok) else 200)


def _import_confirmed(request: HttpRequest, actor: Actor, package: Package, token: str) -> HttpResponse:
    assert actor.user_id is not None
    path = staging.staged(user_id=actor.user_id, package_id=package.pk, token=token)
    if path is None:
        messages.error(request, "The checked file is no longer available; upload it again.")
        return redirect("package_import", id=package.pk)
    with path.open("rb") as stream:
        report = services.line_import(actor=actor, package_id=package.pk, stream=stream,
                                      size=path.stat().st_size, dry_run=False)
    if not report.ok:
        context = {"package": package, "form": ImportForm(), "report": report, "token": token, "columns": COLUMNS,
                   "required": REQUIRED, "title": f"Import lines into {package.title}"}
        return render_page(request, "pledges/package_import.html", context, banner=page_banner(package),
                           status=422)
    staging.discard(path)
    messages.success(request, f"{len(report.created)} line(s) imported.")
    return redirect("package_detail", id=package.pk)


# --- lines ------------------------------------------------------------------------------------------------


@login_required
def line_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = LineFilterForm(request.GET)
    filters = form.filters()
    qs, sort = sort_queryset(request, selectors.line_list(actor=actor, filters=filters), LINE_SORTS, "-id")
    page = paginate(request, qs)
    context = {"form": form, "page": page, "sort": sort, "title": "Pledge lines",
               "totals": selectors.line_totals(actor=actor, filters=filters)}
    return render_page(request, "pledges/lines.html", context, banner=page_banner(page.object_list),
                       partial="pledges/_lines_results.html")


@login_required
@require_GET
def line_export(request: HttpRequest) -> HttpResponse:
    form = LineFilterForm(request.GET)
    found = list(selectors.line_list(actor=get_actor(request), filters=form.filters()))
    return _export(request, found, rows.line_row, rows.LINE_COLUMNS, "pledge-lines")


def _line_page(request: HttpRequest, actor: Actor, line: PledgeLine, *, failed: StepForm | None = None,
               status: int = 200) -> HttpResponse:
    package = line.package
    verbs = [v for v in selectors.line_actions(actor=actor, line=line, package=package) if v != "change"]
    steps = []
    for verb in verbs:
        form = failed if failed is not None and failed.verb == verb else StepForm(
            actor=actor, verb=verb, item_type_id=line.item_type_id, initial={"version": line.version})
        steps.append({"verb": verb, "label": STEP_LABELS[verb], "form": form})
    tab = "history" if request.GET.get("tab") == "history" else "overview"
    context: dict[str, Any] = {"line": line, "package": package, "requirement": line.requirement, "steps": steps,
                               "tab": tab, "title": str(line), "can_edit": can(actor, "change", line)
                               and line.status not in services.CLOSED, "events": list(line.events.all())}
    if tab == "history":
        context["history"] = object_history(actor=actor, object_type="pledges.pledgeline", object_id=line.pk)
    return render_page(request, "pledges/line_detail.html", context,
                       banner=page_banner(line, package, line.requirement), status=status)


@login_required
@domain_errors
def line_detail(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    return _line_page(request, actor, selectors.line_get(actor=actor, id=id))


@login_required
@require_POST
@domain_errors
def line_step(request: HttpRequest, id: int, verb: str) -> HttpResponse:
    """One lifecycle step from the line page; errors come back on that step's form."""
    actor = get_actor(request)
    line = selectors.line_get(actor=actor, id=id)
    if verb not in STEP_LABELS:
        raise NotFound(f"no step {verb!r}")
    form = StepForm(request.POST, actor=actor, verb=verb, item_type_id=line.item_type_id)
    if form.is_valid() and submit(form, lambda: _run_step(actor, line, verb, form.cleaned_data)) is not None:
        messages.success(request, f"{STEP_LABELS[verb]}: done.")
        return redirect("line_detail", id=id)
    return _line_page(request, actor, selectors.line_get(actor=actor, id=id), failed=form, status=422)


def _run_step(actor: Actor, line: PledgeLine, verb: str, data: dict[str, Any]) -> object:
    common: dict[str, Any] = {"actor": actor, "line_id": line.pk, "effective_date": data.get("date"),
                              "expected_version": data.get("version")}
    if verb == "allocate":
        return services.line_allocate(requirement_id=data["requirement"].pk, **common)
    if verb == "ship":
        return services.line_ship(quantity=data["quantity"], **common)
    if verb == "deliver":
        return services.line_deliver(quantity=data["quantity"], **common)
    if verb == "split":
        return services.line_split(quantity=data["quantity"], **common)
    if verb == "cancel":
        return services.line_cancel(reason=data["reason"], **common)
    steps = {"commit": services.line_commit, "deallocate": services.line_deallocate,
             "contract": services.line_contract}
    return steps[verb](**common)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def line_create(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    package = selectors.package_get(actor=actor, id=id)
    if not can(actor, "create", PledgeLine(package=package, originator_id=package.originator_id)):
        raise PermissionDenied("only donor officers of the originating nation add lines to this package")
    form = LineForm(request.POST or None, actor=actor, initial={"value_date": package.date})
    if request.method == "POST" and form.is_valid():
        line = submit(form, lambda: services.line_create(actor=actor, package_id=id, line=form.spec()))
        if line is not None:
            messages.success(request, f"Line “{line}” added.")
            return redirect("package_detail", id=id)
    context = {"form": form, "package": package, "title": f"New line in {package.title}"}
    return render_page(request, "pledges/line_form.html", context, banner=page_banner(package),
                       status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def line_edit(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    line = selectors.line_get(actor=actor, id=id)
    if not can(actor, "change", line):
        raise PermissionDenied("only donor officers of the originating nation edit this line")
    editable = services.editable_fields(line)
    form = LineForm(request.POST or None, actor=actor, initial=_line_initial(line))
    if request.method == "POST" and form.is_valid():
        updated = submit(form, lambda: services.line_update(
            actor=actor, id=id, expected_version=form.cleaned_data["version"], **form.changes(editable)))
        if updated is not None:
            messages.success(request, "Line saved.")
            return redirect("line_detail", id=id)
    for name, field in form.fields.items():
        key = {"item_type": "item_type_id", "requirement": "requirement_id"}.get(name, name)
        if key not in editable and name != "version":
            field.disabled = True
    context = {"form": form, "line": line, "package": line.package, "title": f"Edit {line}"}
    return render_page(request, "pledges/line_form.html", context, banner=page_banner(line, line.package),
                       status=422 if form.errors else 200)


def _line_initial(line: PledgeLine) -> dict[str, Any]:
    return {
        "item_type": line.item_type_id, "description": line.description, "quantity": line.quantity,
        "value_amount": line.value_amount, "currency": line.currency, "value_date": line.value_date,
        "valuation_method": line.valuation_method, "available_from": line.available_from,
        "requirement": rows.visible_requirement_id(line), "restrictions": line.restrictions,
        "restriction_flags": list(line.restriction_flags), "excluded_uses": list(line.excluded_uses),
        "classification": line.classification, "releasability": line.releasability,
        "rel_to": [n.code for n in line.rel_to.all()], "version": line.version,
    }

