"""REST API of pledges (`/api/v1/packages`, `/api/v1/pledge-lines`): thin over the selectors and services.

Each lifecycle step is one POST on its line; If-Match is required on PATCH and DELETE and honoured on the steps
when sent. Creates honour Idempotency-Key. Exports carry the same filters as the lists.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import CursorPagination, paginate
from pydantic import Field

from shieldwall.coalition.schemas import patch_changes
from shieldwall.core import exports
from shieldwall.core.api_support import AUTH, actor_of, expected_version, idempotent_create, set_etag
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.schemas import InSchema
from shieldwall.pledges import rows, selectors, services
from shieldwall.pledges.schemas import (
    MAX_ID,
    AllocateIn,
    CancelIn,
    ImportReportOut,
    LineDetailOut,
    LineIn,
    LineOut,
    LinePatch,
    PackageDetailOut,
    PackageIn,
    PackageOut,
    PackagePatch,
    QuantityIn,
    SplitOut,
    StatusCode,
    StepIn,
)

router = Router(auth=AUTH, tags=["pledges"])
ExportFormat = Field(default="csv", pattern=r"^(csv|xlsx|json)$")


class PackageQuery(InSchema):
    q: str = Field(default="", max_length=200)
    donor: str = Field(default="", max_length=3, description="A funder's nation code (lead or co-funder)")
    source: str = Field(default="", max_length=20)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    announcement: int | None = Field(default=None, ge=1, le=MAX_ID)
    meeting: int | None = Field(default=None, ge=1, le=MAX_ID, description="Packages announced at this meeting")

    def filters(self) -> selectors.PackageFilters:
        return selectors.PackageFilters(q=self.q, donor=self.donor, source=self.source, date_from=self.date_from,
                                        date_to=self.date_to, announcement_id=self.announcement,
                                        meeting_id=self.meeting)


class PackageExportQuery(PackageQuery):
    format: str = ExportFormat


class LineQuery(InSchema):
    q: str = Field(default="", max_length=200)
    status: StatusCode | None = None
    donor: str = Field(default="", max_length=3)
    item_class: int | None = Field(default=None, ge=1, le=MAX_ID)
    item_type: int | None = Field(default=None, ge=1, le=MAX_ID)
    requirement: int | None = Field(default=None, ge=1, le=MAX_ID)
    package: int | None = Field(default=None, ge=1, le=MAX_ID)
    available_before: dt.date | None = None

    def filters(self) -> selectors.LineFilters:
        return selectors.LineFilters(q=self.q, status=self.status or "", donor=self.donor,
                                     item_class_id=self.item_class, item_type_id=self.item_type,
                                     requirement_id=self.requirement, package_id=self.package,
                                     available_before=self.available_before)


class LineExportQuery(LineQuery):
    format: str = ExportFormat


def _if_match(request: HttpRequest, pk: int) -> int | None:
    """Steps honour If-Match when the client sends it (the lifecycle itself refuses a stale step)."""
    return expected_version(request, pk) if request.headers.get("If-Match") else None


# --- packages ---------------------------------------------------------------------------------------------


@router.get("/packages", response=list[PackageOut])
@paginate(CursorPagination, ordering=("-id",))
def list_packages(request: HttpRequest, filters: Query[PackageQuery]) -> object:
    return selectors.package_list(actor=actor_of(request), filters=filters.filters())


@router.get("/packages/export", response={200: None})
def export_packages(request: HttpRequest, filters: Query[PackageExportQuery]) -> HttpResponse:
    """The filtered list as CSV, XLSX or JSON (every visible package, not one page)."""
    found = list(selectors.package_list(actor=actor_of(request), filters=filters.filters()))
    return exports.response([rows.package_row(p) for p in found], rows.PACKAGE_COLUMNS, fmt=filters.format,
                            stem="packages", marking=rows.export_marking(found))


@router.get("/packages/{package_id}", response=PackageDetailOut)
def get_package(request: HttpRequest, package_id: int, response: HttpResponse) -> object:
    package = selectors.package_get(actor=actor_of(request), id=package_id)
    set_etag(response, package)
    return package


@router.post("/packages", response={201: PackageDetailOut})
def create_package(request: HttpRequest, payload: PackageIn) -> HttpResponse:
    actor = actor_of(request)

    def create() -> PackageDetailOut:
        package = services.package_create(
            actor=actor, title=payload.title, date=payload.date, source=payload.source,
            funders=[services.FunderShare(f.nation, f.share) for f in payload.funders],
            announcement_id=payload.announcement_id, description=payload.description,
            lines=[services.LineSpec(**line.spec_kwargs()) for line in payload.lines], **payload.marking_kwargs())
        return PackageDetailOut.from_orm(selectors.package_get(actor=actor, id=package.pk))

    return idempotent_create(request, actor, create)


@router.patch("/packages/{package_id}", response=PackageDetailOut)
def update_package(request: HttpRequest, package_id: int, payload: PackagePatch, response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.package_get(actor=actor, id=package_id)
    changes, rel_to = patch_changes(payload)
    funders = changes.pop("funders", None)
    services.package_update(
        actor=actor, id=package_id, expected_version=expected_version(request, package_id), rel_to=rel_to,
        funders=None if funders is None else [services.FunderShare(f["nation"], f["share"]) for f in funders],
        **changes)
    package = selectors.package_get(actor=actor, id=package_id)
    set_etag(response, package)
    return package


@router.delete("/packages/{package_id}", response={204: None})
def delete_package(request: HttpRequest, package_id: int) -> Status:
    """Only while every line is still announced; afterwards cancel the lines instead."""
    actor = actor_of(request)
    selectors.package_get(actor=actor, id=package_id)
    services.package_delete(actor=actor, id=package_id, expected_version=expected_version(request, package_id))
    return Status(204, None)


@router.post("/packages/{package_id}/import", response=ImportReportOut)
def import_lines(request: HttpRequest, package_id: int, file: UploadedFile | None = File(None),  # noqa: B008
                 dry_run: bool = Form(True)) -> Any:
    """Pledge lines from a CSV or XLSX file (at most 10 MB): a dry run reports every row's problems and writes
    nothing; otherwise all rows are imported, or none when any row has a problem."""
    actor = actor_of(request)
    selectors.package_get(actor=actor, id=package_id)
    if file is None:
        raise ValidationFailed({"file": ["attach the CSV or XLSX file as 'file' (multipart/form-data)"]})
    return services.line_import(actor=actor, package_id=package_id, stream=file, size=file.size or 0,
                                dry_run=dry_run)


# --- lines ----------------------------------------------------------------------------------------------------


@router.get("/pledge-lines", response=list[LineOut])
@paginate(CursorPagination, ordering=("-id",))
def list_lines(request: HttpRequest, filters: Query[LineQuery]) -> object:
    return selectors.line_list(actor=actor_of(request), filters=filters.filters())


@router.get("/pledge-lines/export", response={200: None})
def export_lines(request: HttpRequest, filters: Query[LineExportQuery]) -> HttpResponse:
    """The filtered list as CSV, XLSX or JSON (every visible line, not one page)."""
    found = list(selectors.line_list(actor=actor_of(request), filters=filters.filters()))
    return exports.response([rows.line_row(line) for line in found], rows.LINE_COLUMNS, fmt=filters.format,
                            stem="pledge-lines", marking=rows.export_marking(found))


@router.get("/pledge-lines/{line_id}", response=LineDetailOut)
def get_line(request: HttpRequest, line_id: int, response: HttpResponse) -> object:
    line = selectors.line_get(actor=actor_of(request), id=line_id)
    set_etag(response, line)
    return line


@router.post("/pledge-lines", response={201: LineDetailOut})
def create_line(request: HttpRequest, payload: LineIn) -> HttpResponse:
    actor = actor_of(request)

    def create() -> LineDetailOut:
        line = services.line_create(actor=actor, package_id=payload.package_id,
                                    line=services.LineSpec(**payload.spec_kwargs()), effective_date=payload.date)
        return LineDetailOut.from_orm(selectors.line_get(actor=actor, id=line.pk))

    return idempotent_create(request, actor, create)


@router.patch("/pledge-lines/{line_id}", response=LineDetailOut)
def update_line(request: HttpRequest, line_id: int, payload: LinePatch, response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.line_get(actor=actor, id=line_id)
    changes, rel_to = patch_changes(payload)
    if rel_to is not None:
        changes["rel_to"] = rel_to
    services.line_update(actor=actor, id=line_id, expected_version=expected_version(request, line_id), **changes)
    return _line(request, line_id, response)


def _line(request: HttpRequest, line_id: int, response: HttpResponse) -> object:
    line = selectors.line_get(actor=actor_of(request), id=line_id)
    set_etag(response, line)
    return line


@router.post("/pledge-lines/{line_id}/commit", response=LineDetailOut)
def commit_line(request: HttpRequest, line_id: int, payload: StepIn, response: HttpResponse) -> object:
    """The donor's formal promise: announced → committed."""
    selectors.line_get(actor=actor_of(request), id=line_id)
    services.line_commit(actor=actor_of(request), line_id=line_id, effective_date=payload.date,
                         expected_version=_if_match(request, line_id))
    return _line(request, line_id, response)


@router.post("/pledge-lines/{line_id}/allocate", response=LineDetailOut)
def allocate_line(request: HttpRequest, line_id: int, payload: AllocateIn, response: HttpResponse) -> object:
    """A coordinator earmarks a committed line for an active requirement its item type satisfies."""
    selectors.line_get(actor=actor_of(request), id=line_id)
    services.line_allocate(actor=actor_of(request), line_id=line_id, requirement_id=payload.requirement_id,
                           effective_date=payload.date, expected_version=_if_match(request, line_id))
    return _line(request, line_id, response)


@router.post("/pledge-lines/{line_id}/deallocate", response=LineDetailOut)
def deallocate_line(request: HttpRequest, line_id: int, payload: StepIn, response: HttpResponse) -> object:
    selectors.line_get(actor=actor_of(request), id=line_id)
    services.line_deallocate(actor=actor_of(request), line_id=line_id, effective_date=payload.date,
                             expected_version=_if_match(request, line_id))
    return _line(request, line_id, response)


@router.post("/pledge-lines/{line_id}/contract", response=LineDetailOut)
def contract_line(request: HttpRequest, line_id: int, payload: StepIn, response: HttpResponse) -> object:
    selectors.line_get(actor=actor_of(request), id=line_id)
    services.line_contract(actor=actor_of(request), line_id=line_id, effective_date=payload.date,
                           expected_version=_if_match(request, line_id))
    return _line(request, line_id, response)


@router.post("/pledge-lines/{line_id}/ship", response=LineDetailOut)
def ship_line(request: HttpRequest, line_id: int, payload: QuantityIn, response: HttpResponse) -> object:
    """Dispatch `quantity` more units (in parts allowed)."""
    selectors.line_get(actor=actor_of(request), id=line_id)
    services.line_ship(actor=actor_of(request), line_id=line_id, quantity=payload.quantity,
                       effective_date=payload.date, expected_version=_if_match(request, line_id))
    return _line(request, line_id, response)


@router.post("/pledge-lines/{line_id}/deliver", response=LineDetailOut)
def deliver_line(request: HttpRequest, line_id: int, payload: QuantityIn, response: HttpResponse) -> object:
    """Record that `quantity` more shipped units arrived."""
    selectors.line_get(actor=actor_of(request), id=line_id)
    services.line_deliver(actor=actor_of(request), line_id=line_id, quantity=payload.quantity,
                          effective_date=payload.date, expected_version=_if_match(request, line_id))
    return _line(request, line_id, response)


@router.post("/pledge-lines/{line_id}/cancel", response=LineDetailOut)
def cancel_line(request: HttpRequest, line_id: int, payload: CancelIn, response: HttpResponse) -> object:
    selectors.line_get(actor=actor_of(request), id=line_id)
    services.line_cancel(actor=actor_of(request), line_id=line_id, reason=payload.reason,
                         effective_date=payload.date, expected_version=_if_match(request, line_id))
    return _line(request, line_id, response)


@router.post("/pledge-lines/{line_id}/split", response=SplitOut)
def split_line(request: HttpRequest, line_id: int, payload: QuantityIn) -> object:
    """Split `quantity` units off into a new line at the same stage (values split to the cent)."""
    actor = actor_of(request)
    selectors.line_get(actor=actor, id=line_id)
    line, new = services.line_split(actor=actor, line_id=line_id, quantity=payload.quantity,
                                    effective_date=payload.date, expected_version=_if_match(request, line_id))
    return {"line": selectors.line_get(actor=actor, id=line.pk), "new_line": selectors.line_get(actor=actor, id=new.pk)}
