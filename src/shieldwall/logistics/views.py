"""Pages of logistics: the shipments board by status, a shipment (route, lines, serial numbers, receipts, the
movements the actor may record, history), the receipt form, hubs (list, a hub's load per day against its capacity,
new hub) and the map of hubs and routes drawn on the server.

Views are thin: parse the form, get the actor, call one service or selector, render with the banner of the records
shown (DESIGN.md §3).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shieldwall.core import exports
from shieldwall.core.access import can
from shieldwall.core.actor import Actor
from shieldwall.core.banner import page_banner
from shieldwall.core.errors import NotFound, PermissionDenied, ValidationFailed
from shieldwall.core.requests import get_actor
from shieldwall.core.selectors import object_history
from shieldwall.core.views_support import domain_errors, render_page, submit
from shieldwall.logistics import flow, rows, selectors, services
from shieldwall.logistics.forms import HubForm, IncidentForm, MoveForm, ReceiptForm, ShipmentFilterForm, ShipmentForm
from shieldwall.logistics.mapsvg import MapHub, MapRoute, map_svg
from shieldwall.logistics.models import Hub, Shipment
from shieldwall.monitoring.selectors import shipment_serial_counts

MOVES = {"dispatch": ("Dispatch", services.shipment_dispatch, "dispatch"),
         "arrive": ("Arrived at the next hub", services.shipment_arrive, "track"),
         "depart": ("Left the hub", services.shipment_depart, "track"),
         "hand_over": ("Handed over", services.shipment_hand_over, "track")}
TARGET = {"dispatch": flow.DISPATCHED, "arrive": flow.AT_HUB, "depart": flow.DISPATCHED,
          "hand_over": flow.HANDED_OVER, "incident": flow.DAMAGED}


# --- shipments -------------------------------------------------------------------------------------------------


@login_required
def shipment_board(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = ShipmentFilterForm(request.GET)
    board = selectors.shipment_board(actor=actor, filters=form.filters())
    shown = [s for _, _, column, _ in board.columns for s in column]
    context = {"form": form, "board": board, "title": "Shipments",
               "can_create": can(actor, "create", Shipment(originator_id=actor.nation_id or 0))}
    return render_page(request, "logistics/board.html", context, banner=page_banner(shown))


@login_required
@require_GET
def shipment_export(request: HttpRequest) -> HttpResponse:
    form = ShipmentFilterForm(request.GET)
    found = list(selectors.shipment_list(actor=get_actor(request), filters=form.filters()))
    fmt = request.GET.get("format", "csv")
    return exports.response([rows.shipment_row(s) for s in found], rows.SHIPMENT_COLUMNS,
                            fmt=fmt if fmt in exports.FORMATS else "csv", stem="shipments",
                            marking=rows.export_marking(found))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def shipment_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can(actor, "create", Shipment(originator_id=actor.nation_id or 0)):
        raise PermissionDenied("only donor officers plan shipments of their nation's pledge lines")
    form = ShipmentForm(request.POST or None, actor=actor, lines=selectors.shippable_lines(actor=actor))
    if request.method == "POST" and form.is_valid():
        lines, stops = form.plans()
        shipment = submit(form, lambda: services.shipment_create(actor=actor, lines=lines, stops=stops,
                                                                 **form.values()))
        if shipment is not None:
            messages.success(request, f"{shipment} planned; record the serial numbers of serial-tracked items "
                                      "before dispatch.")
            return redirect("shipment_detail", id=shipment.pk)
    return render_page(request, "logistics/shipment_form.html", {"form": form, "title": "New shipment"},
                       status=422 if form.errors else 200)


def _actions(actor: Actor, shipment: Shipment) -> list[dict[str, Any]]:
    allowed = flow.TRANSITIONS.get(shipment.status, frozenset())
    stops = list(shipment.stops.all())
    at_hub_next = any(s.arrived_on is None for s in stops)
    out = []
    for verb, (label, _, right) in MOVES.items():
        possible = TARGET[verb] in allowed and (verb != "arrive" or at_hub_next) and (
            verb != "depart" or shipment.status == flow.AT_HUB)
        if possible and can(actor, right, shipment):
            out.append({"verb": verb, "label": label, "form": MoveForm(initial={"version": shipment.version})})
    if (flow.LOST in allowed or flow.DAMAGED in allowed) and can(actor, "report", shipment):
        out.append({"verb": "incident", "label": "Report loss or damage",
                    "form": IncidentForm(initial={"version": shipment.version})})
    return out


def _shipment_page(request: HttpRequest, actor: Actor, shipment: Shipment, *, failed: tuple[str, Any] | None = None,
                   status: int = 200) -> HttpResponse:
    actions = _actions(actor, shipment)
    if failed is not None:
        for action in actions:
            if action["verb"] == failed[0]:
                action["form"] = failed[1]
    counts = shipment_serial_counts(actor=actor, shipment_id=shipment.pk)
    lines = [{"row": row, "line": row.pledge_line, "serials": counts.get(row.pledge_line_id, 0),
              "tracked": bool(row.pledge_line and row.pledge_line.item_type
                              and row.pledge_line.item_type.item_class.serial_tracked)}
             for row in shipment.lines.all()]
    tab = "history" if request.GET.get("tab") == "history" else "overview"
    context: dict[str, Any] = {
        "shipment": shipment, "lines": lines, "stops": list(shipment.stops.all()), "actions": actions, "tab": tab,
        "receipts": list(shipment.receipts.all()), "overdue": selectors.is_overdue(shipment),
        "title": str(shipment), "can_receive": shipment.status in flow.RECEIVABLE and can(actor, "receive", shipment),
        "can_capture": shipment.status == flow.PLANNED and can(actor, "dispatch", shipment),
        "can_delete": shipment.status == flow.PLANNED and can(actor, "delete", shipment),
    }
    if tab == "history":
        context["history"] = object_history(actor=actor, object_type="logistics.shipment", object_id=shipment.pk)
    hubs = [s.hub for s in shipment.stops.all() if s.hub is not None]
    pledge_lines = [row.pledge_line for row in shipment.lines.all() if row.pledge_line is not None]
    return render_page(request, "logistics/shipment_detail.html", context,
                       banner=page_banner(shipment, hubs, pledge_lines), status=status)


@login_required
@domain_errors
def shipment_detail(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    return _shipment_page(request, actor, selectors.shipment_get(actor=actor, id=id))


@login_required
@require_POST
@domain_errors
def shipment_step(request: HttpRequest, id: int, verb: str) -> HttpResponse:
    """A movement, an incident or the deletion of a planned shipment; errors come back on that action's form."""
    actor = get_actor(request)
    shipment = selectors.shipment_get(actor=actor, id=id)
    if verb == "delete":
        try:
            services.shipment_delete(actor=actor, id=id, expected_version=shipment.version)
        except ValidationFailed as exc:
            messages.error(request, exc.detail)
            return redirect("shipment_detail", id=id)
        messages.success(request, f"{shipment} deleted.")
        return redirect("shipment_board")
    if verb not in MOVES and verb != "incident":
        raise NotFound(f"no step {verb!r}")
    form: Any = IncidentForm(request.POST) if verb == "incident" else MoveForm(request.POST)
    if form.is_valid() and submit(form, lambda: _move(actor, id, verb, form.cleaned_data)) is not None:
        messages.success(request, f"{shipment}: recorded.")
        return redirect("shipment_detail", id=id)
    return _shipment_page(request, actor, selectors.shipment_get(actor=actor, id=id), failed=(verb, form), status=422)


def _move(actor: Actor, id: int, verb: str, data: dict[str, Any]) -> Shipment:
    common: dict[str, Any] = {"actor": actor, "id": id, "on": data.get("on"),
                              "expected_version": data.get("version")}
    if verb == "incident":
        return services.shipment_report_incident(kind=data["kind"], report=data["report"], **common)
    return MOVES[verb][1](**common)  # type: ignore[operator]


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def shipment_receive(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    shipment = selectors.shipment_get(actor=actor, id=id)
    if not can(actor, "receive", shipment):
        raise PermissionDenied("only recipient officers of the receiving nation confirm receipts")
    form = ReceiptForm(request.POST or None, rows=[r for r in shipment.lines.all() if r.received_quantity < r.quantity])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        receipt = submit(form, lambda: services.shipment_receive(
            actor=actor, id=id, lines=form.received(), unit=data["unit"], received_on=data["received_on"],
            location=data["location"], discrepancies=data["discrepancies"], final=data["final"]))
        if receipt is not None:
            messages.success(request, "Receipt recorded; the pledge lines are delivered by the units received.")
            return redirect("shipment_detail", id=id)
    context = {"shipment": shipment, "form": form, "title": f"Receive {shipment}"}
    return render_page(request, "logistics/receipt_form.html", context, banner=page_banner(shipment),
                       status=422 if form.errors else 200)


# --- hubs and the map ----------------------------------------------------------------------------------------


@login_required
def hub_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    hubs = list(selectors.hub_list(actor=actor, q=request.GET.get("q", "")[:200]))
    context = {"hubs": hubs, "title": "Hubs", "can_create": can(actor, "create", Hub)}
    return render_page(request, "logistics/hubs.html", context, banner=page_banner(hubs))


@login_required
@domain_errors
def hub_detail(request: HttpRequest, id: int) -> HttpResponse:
    load = selectors.hub_load(actor=get_actor(request), id=id)
    shipments = [s.shipment for s in load.stops]
    context = {"load": load, "hub": load.hub, "title": load.hub.name}
    return render_page(request, "logistics/hub_detail.html", context, banner=page_banner(load.hub, shipments))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def hub_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can(actor, "create", Hub):
        raise PermissionDenied("coordinators, administrators and donor officers record hubs")
    form = HubForm(request.POST or None, actor=actor, initial={"releasability": "COALITION", "capacity_per_day": 10})
    if request.method == "POST" and form.is_valid():
        hub = submit(form, lambda: services.hub_create(actor=actor, **form.values()))
        if hub is not None:
            messages.success(request, f"Hub “{hub.name}” recorded.")
            return redirect("hub_detail", id=hub.pk)
    return render_page(request, "logistics/hub_form.html", {"form": form, "title": "New hub"},
                       status=422 if form.errors else 200)


@login_required
def hub_map(request: HttpRequest) -> HttpResponse:
    hubs, routes = selectors.map_routes(actor=get_actor(request))
    svg = map_svg([MapHub(h.pk, h.name, h.nation.code, float(h.latitude), float(h.longitude), h.capacity_per_day)
                   for h in hubs],
                  [MapRoute(f"{r.shipment} ({r.shipment.get_status_display()})", r.shipment.status,
                            tuple(h.pk for h in r.hubs)) for r in routes])
    # ElementTree escaped every label, so the markup is safe to inline.
    context = {"svg": mark_safe(svg), "hubs": hubs, "routes": routes, "title": "Map of hubs and routes"}
    return render_page(request, "logistics/map.html", context,
                       banner=page_banner(hubs, [r.shipment for r in routes]))
