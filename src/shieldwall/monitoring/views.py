"""Pages of end-use monitoring: serial items (list, an item's full history with transfer and status forms), the
serial-number capture of a shipment line (scanner lines or CSV), the compliance dashboard with its trend,
inspections, disposition reports (CSV import) and loss reports.

Views are thin: parse the form, get the actor, call one service or selector, render with the banner of the
records shown (DESIGN.md §3).
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
from shieldwall.core.banner import banner_for_marking, page_banner
from shieldwall.core.errors import NotFound, PermissionDenied, ValidationFailed
from shieldwall.core.requests import get_actor
from shieldwall.core.views_support import add_errors, domain_errors, paginate, render_page, submit
from shieldwall.logistics.selectors import shipment_get
from shieldwall.monitoring import rows, selectors, services, tables
from shieldwall.monitoring.forms import (
    CaptureForm,
    ComplianceForm,
    DispositionImportForm,
    InspectionForm,
    LossReportForm,
    SerialFilterForm,
    StatusForm,
    TransferForm,
)
from shieldwall.monitoring.models import ACCOUNTABLE, SerialItem

# --- serial items -------------------------------------------------------------------------------------------------


@login_required
def serial_item_list(request: HttpRequest) -> HttpResponse:
    form = SerialFilterForm(request.GET)
    page = paginate(request, selectors.serial_item_list(actor=get_actor(request), filters=form.filters()))
    context = {"form": form, "page": page, "title": "Serial-numbered items"}
    return render_page(request, "monitoring/serials.html", context, banner=page_banner(page.object_list))


@login_required
@require_GET
def serial_item_export(request: HttpRequest) -> HttpResponse:
    form = SerialFilterForm(request.GET)
    found = list(selectors.serial_item_list(actor=get_actor(request), filters=form.filters()))
    fmt = request.GET.get("format", "csv")
    return exports.response([rows.serial_row(i) for i in found], rows.SERIAL_COLUMNS,
                            fmt=fmt if fmt in exports.FORMATS else "csv", stem="serial-items",
                            marking=rows.export_marking(found))


def _item_page(request: HttpRequest, actor: Actor, item: SerialItem, *, transfer: TransferForm | None = None,
               status_form: StatusForm | None = None, status: int = 200) -> HttpResponse:
    may_change = item.status in ACCOUNTABLE and can(actor, "change", item)
    context = {"item": item, "title": f"{item.item_type.name} {item.serial_number}", "may_change": may_change,
               "transfer": transfer or TransferForm(), "status_form": status_form or StatusForm(),
               "transfers": list(item.transfers.all()), "findings": item.visible_findings,  # type: ignore[attr-defined]
               "losses": item.visible_losses, "dispositions": item.visible_disposition}  # type: ignore[attr-defined]
    records = [item, item.pledge_line, item.shipment, *item.visible_losses,  # type: ignore[attr-defined]
               *[f.inspection for f in item.visible_findings if f.inspection is not None]]  # type: ignore[attr-defined]
    return render_page(request, "monitoring/serial_detail.html", context, banner=page_banner(*records),
                       status=status)


@login_required
@domain_errors
def serial_item_detail(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    return _item_page(request, actor, selectors.serial_item_get(actor=actor, id=id))


@login_required
@require_POST
@domain_errors
def serial_item_action(request: HttpRequest, id: int, verb: str) -> HttpResponse:
    actor = get_actor(request)
    selectors.serial_item_get(actor=actor, id=id)
    if verb == "transfer":
        form: Any = TransferForm(request.POST)
        call: Any = lambda: services.serial_item_transfer(  # noqa: E731
            actor=actor, item_ids=[id], to_nation=form.cleaned_data["to_nation"], to_unit=form.cleaned_data["to_unit"],
            to_location=form.cleaned_data["to_location"], on=form.cleaned_data["on"], note=form.cleaned_data["note"])
    elif verb == "status":
        form = StatusForm(request.POST)
        call = lambda: services.serial_item_set_status(  # noqa: E731
            actor=actor, id=id, status=form.cleaned_data["status"], on=form.cleaned_data["on"])
    else:
        raise NotFound(f"no action {verb!r}")
    if form.is_valid() and submit(form, call) is not None:
        messages.success(request, "Recorded.")
        return redirect("serial_item_detail", id=id)
    item = selectors.serial_item_get(actor=actor, id=id)
    return _item_page(request, actor, item, status=422, **({"transfer": form} if verb == "transfer"
                                                          else {"status_form": form}))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def serial_capture(request: HttpRequest, id: int, line_id: int) -> HttpResponse:
    """Record the serial numbers of a planned shipment line: scanner lines or a CSV file, all or nothing."""
    actor = get_actor(request)
    shipment = shipment_get(actor=actor, id=id)
    row = next((r for r in shipment.lines.all() if r.pk == line_id), None)
    if row is None:
        raise NotFound(f"line {line_id} of shipment {id} not found")
    form = CaptureForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = submit(form, lambda: _register(actor, id, line_id, form))
        if report is not None and report.ok and not report.dry_run:
            messages.success(request, f"{report.created} serial number(s) recorded.")
            return redirect("shipment_detail", id=id)
    counts = selectors.shipment_serial_counts(actor=actor, shipment_id=id)
    context = {"shipment": shipment, "row": row, "form": form, "report": report,
               "recorded": counts.get(row.pledge_line_id, 0), "title": f"Serial numbers: {shipment}, line {line_id}"}
    failed = bool(form.errors or (report is not None and not report.ok))
    return render_page(request, "monitoring/capture.html", context, banner=page_banner(shipment),
                       status=422 if failed else 200)


def _register(actor: Actor, shipment_id: int, line_id: int, form: CaptureForm) -> services.RegisterReport:
    data = form.cleaned_data
    upload = data.get("file")
    try:
        entries = (tables.read_csv(upload, size=upload.size, columns=tables.SERIAL_COLUMNS,
                                   required=tables.SERIAL_COLUMNS) if upload else tables.lines_of(data["serials"]))
    except tables.ImportRefused as exc:
        raise ValidationFailed({"file": [str(exc)]}) from exc
    return services.serial_items_register(actor=actor, shipment_id=shipment_id, shipment_line_id=line_id,
                                          entries=entries, unit=data["unit"], on=data["on"],
                                          dry_run=data["dry_run"])


# --- compliance ---------------------------------------------------------------------------------------------------


def _compliance(request: HttpRequest) -> tuple[ComplianceForm, selectors.Compliance]:
    form = ComplianceForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    item_class = data.get("item_class")
    board = selectors.compliance(actor=get_actor(request), donor=data.get("donor", ""),
                                 item_class_id=item_class.pk if item_class else None, today=data.get("as_of"))
    return form, board


@login_required
def compliance_dashboard(request: HttpRequest) -> HttpResponse:
    form, board = _compliance(request)
    peak = max((p.inspected for p in board.trend), default=0)
    context = {"form": form, "board": board, "peak": peak, "title": "End-use monitoring compliance"}
    return render_page(request, "monitoring/compliance.html", context, banner=banner_for_marking(board.marking))


@login_required
@require_GET
def compliance_export(request: HttpRequest) -> HttpResponse:
    _, board = _compliance(request)
    fmt = request.GET.get("format", "csv")
    return exports.response(rows.compliance_rows(board), rows.COMPLIANCE_COLUMNS,
                            fmt=fmt if fmt in exports.FORMATS else "csv", stem="compliance",
                            marking=banner_for_marking(board.marking).text)


# --- inspections ----------------------------------------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.inspection_list(actor=get_actor(request),
                                                       donor=request.GET.get("donor", "")[:3]))
    return render_page(request, "monitoring/inspections.html", {"page": page, "title": "Inspections"},
                       banner=page_banner(page.object_list))


@login_required
@domain_errors
def inspection_detail(request: HttpRequest, id: int) -> HttpResponse:
    inspection = selectors.inspection_get(actor=get_actor(request), id=id)
    findings = list(inspection.findings.all())
    context = {"inspection": inspection, "findings": findings, "title": str(inspection)}
    return render_page(request, "monitoring/inspection_detail.html", context,
                       banner=page_banner(inspection, [f.item for f in findings if f.item is not None]))


def _resolve(actor: Actor, form: Any, serials: list[str]) -> dict[str, SerialItem]:
    found = selectors.serial_items_by_serial(actor=actor, item_type_id=form.cleaned_data["item_type"].pk,
                                             serials=serials)
    missing = [s for s in serials if tables.normalise_serial(s) not in found]
    if missing:
        raise ValidationFailed({"serials" if "serials" in form.fields else "findings": [
            f"no such item released to you: {', '.join(missing[:10])}"]})
    return found


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def inspection_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        def record() -> Any:
            parsed = form.parsed()
            items = _resolve(actor, form, [p[0] for p in parsed])
            return services.inspection_record(
                actor=actor, kind=form.cleaned_data["kind"], inspected_on=form.cleaned_data["inspected_on"],
                location=form.cleaned_data["location"], notes=form.cleaned_data["notes"],
                findings=[services.FindingSpec(items[tables.normalise_serial(s)].pk, r, e)
                          for s, r, e in parsed])

        inspection = submit(form, record)
        if inspection is not None:
            messages.success(request, "Inspection recorded; the items' next inventories are due a year later.")
            return redirect("inspection_detail", id=inspection.pk)
    return render_page(request, "monitoring/simple_form.html",
                       {"form": form, "title": "Record an inspection", "back": "inspection_list"},
                       status=422 if form.errors else 200)


# --- disposition and loss reports ---------------------------------------------------------------------------------


@login_required
def disposition_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.disposition_list(actor=get_actor(request)))
    return render_page(request, "monitoring/dispositions.html", {"page": page, "title": "Disposition reports"},
                       banner=page_banner(page.object_list))


@login_required
@domain_errors
def disposition_detail(request: HttpRequest, id: int) -> HttpResponse:
    view = selectors.disposition_get(actor=get_actor(request), id=id)
    context = {"view": view, "report": view.report, "title": f"Disposition report {view.report}"}
    items = [line.item for line in view.lines if line.item is not None]
    return render_page(request, "monitoring/disposition_detail.html", context,
                       banner=page_banner(view.report, items, view.missing))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def disposition_import(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = DispositionImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entries = tables.read_csv(data["file"], size=data["file"].size, columns=tables.DISPOSITION_COLUMNS,
                                      required=tables.DISPOSITION_REQUIRED)
            result = submit(form, lambda: services.disposition_import(
                actor=actor, donor=data["donor"], year=data["year"], quarter=data["quarter"], rows=entries,
                dry_run=data["dry_run"]))
        except tables.ImportRefused as exc:
            add_errors(form, ValidationFailed({"file": [str(exc)]}))
        if result is not None and result.ok and result.report_id:
            messages.success(request, f"Disposition report filed: {result.rows} item(s), {result.applied} status "
                                      f"change(s) taken over, {result.mismatches} to look into.")
            return redirect("disposition_detail", id=result.report_id)
    failed = bool(form.errors or (result is not None and not result.ok))
    return render_page(request, "monitoring/disposition_import.html",
                       {"form": form, "result": result, "title": "Import a disposition report"},
                       status=422 if failed else 200)


@login_required
def loss_report_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.loss_report_list(actor=get_actor(request)))
    return render_page(request, "monitoring/losses.html", {"page": page, "title": "Loss and destruction reports"},
                       banner=page_banner(page.object_list))


@login_required
@domain_errors
def loss_report_detail(request: HttpRequest, id: int) -> HttpResponse:
    report = selectors.loss_report_get(actor=get_actor(request), id=id)
    items = report.visible_items  # type: ignore[attr-defined]
    return render_page(request, "monitoring/loss_detail.html", {"report": report, "items": items,
                                                                 "title": str(report)},
                       banner=page_banner(report, items))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def loss_report_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = LossReportForm(request.POST or None)
    created, refused = None, False
    if request.method == "POST" and form.is_valid():
        def report() -> Any:
            items = _resolve(actor, form, form.serial_list())
            data = form.cleaned_data
            return services.loss_report_create(actor=actor, kind=data["kind"], item_ids=[i.pk for i in items.values()],
                                               circumstances=data["circumstances"], occurred_on=data["occurred_on"],
                                               evidence_ref=data["evidence_ref"])

        try:
            created = submit(form, report)
        except PermissionDenied as exc:
            # Beside the serial numbers, saying who may report them, rather than a bare 403 page.
            form.add_error("serials", exc.detail)
            refused = True
        if created is not None:
            messages.success(request, "Loss report recorded; the items are no longer due for inspection.")
            return redirect("loss_report_detail", id=created.pk)
    return render_page(request, "monitoring/simple_form.html",
                       {"form": form, "title": "Report a loss or destruction", "back": "loss_report_list"},
                       status=403 if refused else 422 if form.errors else 200)
