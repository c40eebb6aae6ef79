"""REST API of logistics (`/api/v1/hubs`, `/api/v1/shipments`, `/api/v1/logistics/overdue`): thin over the
selectors and services. Each movement is one POST on its shipment; If-Match is required on PATCH and DELETE and
honoured on the movements when sent; creates honour Idempotency-Key."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import CursorPagination, paginate
from pydantic import Field

from shieldwall.coalition.schemas import patch_changes
from shieldwall.core import exports
from shieldwall.core.api_support import AUTH, actor_of, expected_version, idempotent_create, set_etag
from shieldwall.core.markings import Classification
from shieldwall.core.schemas import InSchema
from shieldwall.logistics import rows, selectors, services
from shieldwall.logistics.schemas import (
    MAX_ID,
    HubIn,
    HubLoadOut,
    HubOut,
    HubPatch,
    IncidentIn,
    MoveIn,
    OverdueOut,
    ReceiptIn,
    ReceiptOut,
    ShipmentDetailOut,
    ShipmentIn,
    ShipmentOut,
    ShipmentPatch,
    StatusCode,
)

router = Router(auth=AUTH, tags=["logistics"])


class HubQuery(InSchema):
    q: str = Field(default="", max_length=200)
    nation: str = Field(default="", max_length=3)


class ShipmentQuery(InSchema):
    q: str = Field(default="", max_length=200)
    status: StatusCode | None = None
    donor: str = Field(default="", max_length=3)
    recipient: str = Field(default="", max_length=3)
    hub: int | None = Field(default=None, ge=1, le=MAX_ID)
    overdue: bool = False

    def filters(self) -> selectors.ShipmentFilters:
        return selectors.ShipmentFilters(q=self.q, status=self.status or "", donor=self.donor,
                                         recipient=self.recipient, hub_id=self.hub, overdue=self.overdue)


class ShipmentExportQuery(ShipmentQuery):
    format: str = Field(default="csv", pattern=r"^(csv|xlsx|json)$")


class LoadQuery(InSchema):
    start: dt.date | None = None
    days: int = Field(default=14, ge=1, le=92)


class OverdueQuery(InSchema):
    donor: str = Field(default="", max_length=3)
    as_of: dt.date | None = None


def _if_match(request: HttpRequest, pk: int) -> int | None:
    return expected_version(request, pk) if request.headers.get("If-Match") else None


# --- hubs -----------------------------------------------------------------------------------------------------


@router.get("/hubs", response=list[HubOut])
@paginate(CursorPagination, ordering=("-id",))
def list_hubs(request: HttpRequest, filters: Query[HubQuery]) -> object:
    return selectors.hub_list(actor=actor_of(request), q=filters.q, nation=filters.nation)


@router.get("/hubs/{hub_id}", response=HubOut)
def get_hub(request: HttpRequest, hub_id: int, response: HttpResponse) -> object:
    hub = selectors.hub_get(actor=actor_of(request), id=hub_id)
    set_etag(response, hub)
    return hub


@router.get("/hubs/{hub_id}/load", response=HubLoadOut)
def hub_load(request: HttpRequest, hub_id: int, filters: Query[LoadQuery]) -> object:
    """Per day, the shipments at or expected at the hub against its capacity (shipments you may see)."""
    load = selectors.hub_load(actor=actor_of(request), id=hub_id, start=filters.start, days=filters.days)
    return {"hub": load.hub, "days": load.days}


@router.post("/hubs", response={201: HubOut})
def create_hub(request: HttpRequest, payload: HubIn) -> HttpResponse:
    actor = actor_of(request)

    def create() -> HubOut:
        data = payload.model_dump(exclude={"classification", "releasability", "rel_to"})
        hub = services.hub_create(actor=actor, **data, **payload.marking_kwargs())
        return HubOut.from_orm(selectors.hub_get(actor=actor, id=hub.pk))

    return idempotent_create(request, actor, create)


@router.patch("/hubs/{hub_id}", response=HubOut)
def update_hub(request: HttpRequest, hub_id: int, payload: HubPatch, response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.hub_get(actor=actor, id=hub_id)
    changes, rel_to = patch_changes(payload)
    services.hub_update(actor=actor, id=hub_id, expected_version=expected_version(request, hub_id), rel_to=rel_to,
                        **changes)
    hub = selectors.hub_get(actor=actor, id=hub_id)
    set_etag(response, hub)
    return hub


# --- shipments ----------------------------------------------------------------------------------------------


@router.get("/shipments", response=list[ShipmentOut])
@paginate(CursorPagination, ordering=("-id",))
def list_shipments(request: HttpRequest, filters: Query[ShipmentQuery]) -> object:
    return selectors.shipment_list(actor=actor_of(request), filters=filters.filters())


@router.get("/shipments/export", response={200: None})
def export_shipments(request: HttpRequest, filters: Query[ShipmentExportQuery]) -> HttpResponse:
    """The filtered list as CSV, XLSX or JSON (every visible shipment, not one page)."""
    found = list(selectors.shipment_list(actor=actor_of(request), filters=filters.filters()))
    return exports.response([rows.shipment_row(s) for s in found], rows.SHIPMENT_COLUMNS, fmt=filters.format,
                            stem="shipments", marking=rows.export_marking(found))


@router.get("/shipments/{shipment_id}", response=ShipmentDetailOut)
def get_shipment(request: HttpRequest, shipment_id: int, response: HttpResponse) -> object:
    shipment = selectors.shipment_get(actor=actor_of(request), id=shipment_id)
    set_etag(response, shipment)
    return shipment


@router.post("/shipments", response={201: ShipmentDetailOut})
def create_shipment(request: HttpRequest, payload: ShipmentIn) -> HttpResponse:
    """Plan a shipment of your nation's pledge lines; its marking defaults to what its lines allow together."""
    actor = actor_of(request)

    def create() -> ShipmentDetailOut:
        shipment = services.shipment_create(
            actor=actor, recipient=payload.recipient, origin=payload.origin, destination=payload.destination,
            planned_dispatch=payload.planned_dispatch, planned_arrival=payload.planned_arrival,
            transport_mode=payload.transport_mode, reference=payload.reference, notes=payload.notes,
            lines=[services.LinePlan(p.pledge_line_id, p.quantity) for p in payload.lines],
            stops=[services.StopPlan(s.hub_id, s.planned_arrival, s.planned_departure) for s in payload.stops],
            classification=int(Classification[payload.classification]) if payload.classification else None,
            releasability=payload.releasability, rel_to=payload.rel_to)
        return ShipmentDetailOut.from_orm(selectors.shipment_get(actor=actor, id=shipment.pk))

    return idempotent_create(request, actor, create)


def _shipment(request: HttpRequest, shipment_id: int, response: HttpResponse) -> object:
    shipment = selectors.shipment_get(actor=actor_of(request), id=shipment_id)
    set_etag(response, shipment)
    return shipment


@router.patch("/shipments/{shipment_id}", response=ShipmentDetailOut)
def update_shipment(request: HttpRequest, shipment_id: int, payload: ShipmentPatch, response: HttpResponse
                    ) -> object:
    actor = actor_of(request)
    selectors.shipment_get(actor=actor, id=shipment_id)
    changes, rel_to = patch_changes(payload)
    services.shipment_update(actor=actor, id=shipment_id, expected_version=expected_version(request, shipment_id),
                             rel_to=rel_to, **changes)
    return _shipment(request, shipment_id, response)


@router.delete("/shipments/{shipment_id}", response={204: None})
def delete_shipment(request: HttpRequest, shipment_id: int) -> Status:
    """Only while planned (its recorded serial numbers go with it)."""
    actor = actor_of(request)
    selectors.shipment_get(actor=actor, id=shipment_id)
    services.shipment_delete(actor=actor, id=shipment_id, expected_version=expected_version(request, shipment_id))
    return Status(204, None)


MOVES = {"dispatch": services.shipment_dispatch, "arrive": services.shipment_arrive,
         "depart": services.shipment_depart, "hand-over": services.shipment_hand_over}


def _move(verb: str):  # type: ignore[no-untyped-def]
    def operation(request: HttpRequest, shipment_id: int, payload: MoveIn, response: HttpResponse) -> object:
        selectors.shipment_get(actor=actor_of(request), id=shipment_id)
        MOVES[verb](actor=actor_of(request), id=shipment_id, on=payload.on,
                    expected_version=_if_match(request, shipment_id))
        return _shipment(request, shipment_id, response)

    operation.__name__ = f"{verb.replace('-', '_')}_shipment"
    operation.__doc__ = {
        "dispatch": "Dispatch: the units are shipped on their pledge lines; refused while serial numbers of a "
                    "serial-tracked line are missing.",
        "arrive": "Arrival at the next hub on the route.",
        "depart": "Departure from the hub it is at.",
        "hand-over": "Handed over to the recipient at the destination.",
    }[verb]
    return operation


for _verb in MOVES:
    router.post(f"/shipments/{{shipment_id}}/{_verb}", response=ShipmentDetailOut)(_move(_verb))


@router.post("/shipments/{shipment_id}/incident", response=ShipmentDetailOut)
def report_incident(request: HttpRequest, shipment_id: int, payload: IncidentIn, response: HttpResponse) -> object:
    """Lost (closes it; its serial items in transit are lost) or damaged (still receivable)."""
    selectors.shipment_get(actor=actor_of(request), id=shipment_id)
    services.shipment_report_incident(actor=actor_of(request), id=shipment_id, kind=payload.kind,
                                      report=payload.report, on=payload.on,
                                      expected_version=_if_match(request, shipment_id))
    return _shipment(request, shipment_id, response)


@router.post("/shipments/{shipment_id}/receipts", response={201: ReceiptOut})
def receive_shipment(request: HttpRequest, shipment_id: int, payload: ReceiptIn) -> object:
    """The recipient confirms what arrived; the pledge lines are delivered by the units received."""
    actor = actor_of(request)
    selectors.shipment_get(actor=actor, id=shipment_id)
    receipt = services.shipment_receive(
        actor=actor, id=shipment_id, received_on=payload.received_on, unit=payload.unit, location=payload.location,
        discrepancies=payload.discrepancies, final=payload.final, expected_version=_if_match(request, shipment_id),
        lines=[services.ReceivedLine(r.shipment_line_id, r.quantity, r.condition, r.serials) for r in payload.lines])
    return Status(201, receipt)


@router.get("/logistics/overdue", response=OverdueOut)
def overdue(request: HttpRequest, filters: Query[OverdueQuery]) -> object:
    """Shipments past their planned dates and pledge lines available but not shipped (of one donor if given)."""
    return selectors.overdue(actor=actor_of(request), donor=filters.donor, today=filters.as_of)

