"""REST API of end-use monitoring: serial items (with their history), registration of serial numbers before
shipment (JSON list or CSV file), custody transfers and status, the compliance dashboard, inspections,
disposition reports (CSV import) and loss reports. Thin over the selectors and services."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import CursorPagination, paginate
from pydantic import Field

from shieldwall.core import exports
from shieldwall.core.api_support import AUTH, actor_of, set_etag
from shieldwall.core.banner import banner_for_marking
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.markings import Classification
from shieldwall.core.schemas import InSchema
from shieldwall.logistics.selectors import shipment_get
from shieldwall.monitoring import rows, selectors, services, tables
from shieldwall.monitoring.schemas import (
    MAX_ID,
    ComplianceOut,
    DispositionDetailOut,
    DispositionImportOut,
    DispositionOut,
    DueCode,
    InspectionDetailOut,
    InspectionIn,
    InspectionOut,
    KindCode,
    LossReportDetailOut,
    LossReportIn,
    LossReportOut,
    RegisterOut,
    SerialItemDetailOut,
    SerialItemOut,
    SerialsIn,
    SerialStatusCode,
    StatusIn,
    TransferIn,
)

router = Router(auth=AUTH, tags=["monitoring"])


class SerialQuery(InSchema):
    q: str = Field(default="", max_length=200)
    donor: str = Field(default="", max_length=3)
    recipient: str = Field(default="", max_length=3)
    custodian: str = Field(default="", max_length=3)
    item_class: int | None = Field(default=None, ge=1, le=MAX_ID)
    item_type: int | None = Field(default=None, ge=1, le=MAX_ID)
    status: SerialStatusCode | None = None
    due: DueCode | None = None
    pledge_line: int | None = Field(default=None, ge=1, le=MAX_ID)
    shipment: int | None = Field(default=None, ge=1, le=MAX_ID)

    def filters(self) -> selectors.SerialFilters:
        return selectors.SerialFilters(q=self.q, donor=self.donor, recipient=self.recipient, custodian=self.custodian,
                                       item_class_id=self.item_class, item_type_id=self.item_type,
                                       status=self.status or "", due=self.due or "", pledge_line_id=self.pledge_line,
                                       shipment_id=self.shipment)


class SerialExportQuery(SerialQuery):
    format: str = Field(default="csv", pattern=r"^(csv|xlsx|json)$")


class ComplianceQuery(InSchema):
    donor: str = Field(default="", max_length=3)
    item_class: int | None = Field(default=None, ge=1, le=MAX_ID)
    as_of: dt.date | None = None


class ReportQuery(InSchema):
    donor: str = Field(default="", max_length=3)
    recipient: str = Field(default="", max_length=3)
    kind: KindCode | None = None


def _cls(label: str | None) -> int | None:
    return int(Classification[label]) if label else None


def _register_out(report: services.RegisterReport) -> dict[str, Any]:
    return {"dry_run": report.dry_run, "ok": report.ok, "rows": report.rows, "created": report.created,
            "errors": [vars(e) for e in report.errors]}


# --- serial items ----------------------------------------------------------------------------------------------


@router.get("/serial-items", response=list[SerialItemOut])
@paginate(CursorPagination, ordering=("-id",))
def list_serial_items(request: HttpRequest, filters: Query[SerialQuery]) -> object:
    return selectors.serial_item_list(actor=actor_of(request), filters=filters.filters())


@router.get("/serial-items/export", response={200: None})
def export_serial_items(request: HttpRequest, filters: Query[SerialExportQuery]) -> HttpResponse:
    """The filtered list as CSV, XLSX or JSON (every visible item, not one page)."""
    found = list(selectors.serial_item_list(actor=actor_of(request), filters=filters.filters()))
    return exports.response([rows.serial_row(i) for i in found], rows.SERIAL_COLUMNS, fmt=filters.format,
                            stem="serial-items", marking=rows.export_marking(found))


@router.get("/serial-items/{item_id}", response=SerialItemDetailOut)
def get_serial_item(request: HttpRequest, item_id: int, response: HttpResponse) -> object:
    """One item's full history: custody chain, inspections, loss reports."""
    item = selectors.serial_item_get(actor=actor_of(request), id=item_id)
    set_etag(response, item)
    return item


@router.post("/shipments/{shipment_id}/lines/{line_id}/serials", response=RegisterOut)
def register_serials(request: HttpRequest, shipment_id: int, line_id: int, payload: SerialsIn) -> object:
    """Record the serial numbers of a planned shipment line's units: all, or none when any has a problem."""
    entries = [tables.Row(number, {"serial_number": s.strip()}) for number, s in enumerate(payload.serials, 1)]
    report = services.serial_items_register(actor=actor_of(request), shipment_id=shipment_id,
                                            shipment_line_id=line_id, entries=entries, unit=payload.unit,
                                            location=payload.location, on=payload.on, dry_run=payload.dry_run)
    return _register_out(report)


@router.post("/shipments/{shipment_id}/lines/{line_id}/serials/import", response=RegisterOut)
def import_serials(request: HttpRequest, shipment_id: int, line_id: int,
                   file: UploadedFile | None = File(None), dry_run: bool = Form(True),  # noqa: B008
                   unit: str = Form("")) -> object:
    """The same from a CSV file with a `serial_number` column (at most 5 MB)."""
    actor = actor_of(request)
    shipment_get(actor=actor, id=shipment_id)  # a shipment you may not see is not found, file or not
    if file is None:
        raise ValidationFailed({"file": ["attach the CSV file as 'file' (multipart/form-data)"]})
    try:
        entries = tables.read_csv(file, size=file.size or 0, columns=tables.SERIAL_COLUMNS,
                                  required=tables.SERIAL_COLUMNS)
    except tables.ImportRefused as exc:
        raise ValidationFailed({"file": [str(exc)]}) from exc
    report = services.serial_items_register(actor=actor, shipment_id=shipment_id, shipment_line_id=line_id,
                                            entries=entries, unit=unit[:200], dry_run=dry_run)
    return _register_out(report)


@router.post("/serial-items/{item_id}/transfer", response=SerialItemDetailOut)
def transfer_serial_item(request: HttpRequest, item_id: int, payload: TransferIn, response: HttpResponse) -> object:
    """Hand the item on; to another nation than the recipient it is transferred and released to that nation too."""
    actor = actor_of(request)
    selectors.serial_item_get(actor=actor, id=item_id)
    services.serial_item_transfer(actor=actor, item_ids=[item_id], to_nation=payload.to_nation,
                                  to_unit=payload.to_unit, to_location=payload.to_location, on=payload.on,
                                  note=payload.note)
    return get_serial_item(request, item_id, response)


@router.post("/serial-items/{item_id}/status", response=SerialItemDetailOut)
def set_serial_item_status(request: HttpRequest, item_id: int, payload: StatusIn, response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.serial_item_get(actor=actor, id=item_id)
    services.serial_item_set_status(actor=actor, id=item_id, status=payload.status, on=payload.on)
    return get_serial_item(request, item_id, response)


# --- compliance ---------------------------------------------------------------------------------------------------


@router.get("/compliance", response=ComplianceOut)
def compliance(request: HttpRequest, filters: Query[ComplianceQuery], response: HttpResponse) -> object:
    """Per donor and item class: due, overdue, never inventoried, unaccounted for, lost, destroyed, transferred;
    inventoried on time over the trailing year; the monthly trend (items and inspections you may see)."""
    board = selectors.compliance(actor=actor_of(request), donor=filters.donor, item_class_id=filters.item_class,
                                 today=filters.as_of)
    response[exports.MARKING_HEADER] = banner_for_marking(board.marking).text
    return board


# --- inspections, disposition and loss reports ------------------------------------------------------------------


@router.get("/inspections", response=list[InspectionOut])
@paginate(CursorPagination, ordering=("-id",))
def list_inspections(request: HttpRequest, filters: Query[ReportQuery]) -> object:
    return selectors.inspection_list(actor=actor_of(request), donor=filters.donor, recipient=filters.recipient,
                                     kind=filters.kind or "")


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut)
def get_inspection(request: HttpRequest, inspection_id: int) -> object:
    return selectors.inspection_get(actor=actor_of(request), id=inspection_id)


@router.post("/inspections", response={201: InspectionDetailOut})
def record_inspection(request: HttpRequest, payload: InspectionIn) -> object:
    """An inventory by your nation of one donor's items: each found, not found, or destroyed with evidence."""
    actor = actor_of(request)
    inspection = services.inspection_record(
        actor=actor, kind=payload.kind, inspected_on=payload.inspected_on, location=payload.location,
        notes=payload.notes, classification=_cls(payload.classification), rel_to=payload.rel_to,
        findings=[services.FindingSpec(f.item_id, f.result, f.evidence_ref) for f in payload.findings])
    return Status(201, selectors.inspection_get(actor=actor, id=inspection.pk))


@router.get("/disposition-reports", response=list[DispositionOut])
@paginate(CursorPagination, ordering=("-id",))
def list_disposition_reports(request: HttpRequest, filters: Query[ReportQuery]) -> object:
    return selectors.disposition_list(actor=actor_of(request), donor=filters.donor, recipient=filters.recipient)


@router.post("/disposition-reports/import", response=DispositionImportOut)
def import_disposition_report(request: HttpRequest, file: UploadedFile | None = File(None),  # noqa: B008
                              donor: str = Form(...), year: int = Form(...), quarter: int = Form(...),
                              dry_run: bool = Form(True)) -> object:
    """The recipient's quarterly statement from a CSV file (item_type, serial_number, status, unit, location,
    note): every row checked; nothing imported when any row has a problem."""
    if file is None:
        raise ValidationFailed({"file": ["attach the CSV file as 'file' (multipart/form-data)"]})
    try:
        entries = tables.read_csv(file, size=file.size or 0, columns=tables.DISPOSITION_COLUMNS,
                                  required=tables.DISPOSITION_REQUIRED)
    except tables.ImportRefused as exc:
        raise ValidationFailed({"file": [str(exc)]}) from exc
    result = services.disposition_import(actor=actor_of(request), donor=donor, year=year, quarter=quarter,
                                         rows=entries, dry_run=dry_run)
    return {**vars(result), "ok": result.ok, "errors": [vars(e) for e in result.errors]}


# Declared after the import: Ninja matches paths in order, and "{report_id}" would take "import" (405).
@router.get("/disposition-reports/{report_id}", response=DispositionDetailOut)
def get_disposition_report(request: HttpRequest, report_id: int) -> object:
    view = selectors.disposition_get(actor=actor_of(request), id=report_id)
    return {"report": view.report, "lines": view.lines, "missing": view.missing}


@router.get("/loss-reports", response=list[LossReportOut])
@paginate(CursorPagination, ordering=("-id",))
def list_loss_reports(request: HttpRequest, filters: Query[ReportQuery]) -> object:
    return selectors.loss_report_list(actor=actor_of(request), donor=filters.donor)


@router.get("/loss-reports/{report_id}", response=LossReportDetailOut)
def get_loss_report(request: HttpRequest, report_id: int) -> object:
    return selectors.loss_report_get(actor=actor_of(request), id=report_id)


@router.post("/loss-reports", response={201: LossReportDetailOut})
def create_loss_report(request: HttpRequest, payload: LossReportIn) -> object:
    actor = actor_of(request)
    report = services.loss_report_create(
        actor=actor, kind=payload.kind, item_ids=payload.item_ids, circumstances=payload.circumstances,
        occurred_on=payload.occurred_on, evidence_ref=payload.evidence_ref,
        classification=_cls(payload.classification), rel_to=payload.rel_to)
    return Status(201, selectors.loss_report_get(actor=actor, id=report.pk))
