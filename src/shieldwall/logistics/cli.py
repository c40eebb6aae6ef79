"""`shieldwall hub …`, `shieldwall shipment …` and `shieldwall overdue`: thin over `logistics.selectors` and
`logistics.services`. Reads act as `--as`/`--token`, else anonymously; a step first reads the shipment as the
caller, so one they may not see is "not found" whoever asks, and only then requires an acting user."""

from __future__ import annotations

import argparse
from typing import Any

from shieldwall.cli import (
    CommandFailed,
    Context,
    UsageError,
    add_command,
    add_group,
    arg_date,
    arg_decimal,
    check_choice,
)

EXPORT_FORMATS = ("csv", "xlsx", "json")


def register(subparsers: Any) -> None:
    _register_hubs(subparsers)
    _register_shipments(subparsers)
    late = add_command(subparsers, "overdue", _overdue,
                       help="shipments past their planned dates and pledge lines available but not shipped")
    late.add_argument("--donor", default="", metavar="CODE")
    late.add_argument("--as-of", type=arg_date, default=None, metavar="DATE")


def _register_hubs(subparsers: Any) -> None:
    hub = add_group(subparsers, "hub", help="logistics hubs (marked)")
    listing = add_command(hub, "list", _hub_list, help="the hubs you may see")
    listing.add_argument("--nation", default="", metavar="CODE")
    show = add_command(hub, "show", _hub_show, help="a hub and its load per day against its capacity")
    show.add_argument("id", type=int)
    show.add_argument("--from", dest="start", type=arg_date, default=None, metavar="DATE")
    show.add_argument("--days", type=int, default=14)
    create = add_command(hub, "create", _hub_create, help="record a hub (coordinators, admins, its nation's donors)")
    create.add_argument("--name", required=True)
    create.add_argument("--nation", required=True, metavar="CODE")
    create.add_argument("--location", required=True)
    create.add_argument("--lat", type=arg_decimal, required=True)
    create.add_argument("--lon", type=arg_decimal, required=True)
    create.add_argument("--capacity", type=int, required=True, help="shipments a day")


def _hub_list(ctx: Context) -> None:
    from shieldwall.logistics import rows, selectors

    ctx.render([rows.hub_row(h) for h in selectors.hub_list(actor=ctx.actor(), nation=ctx.args.nation)],
               columns=rows.HUB_COLUMNS)


def _hub_show(ctx: Context) -> None:
    from shieldwall.logistics import rows, selectors

    load = selectors.hub_load(actor=ctx.actor(), id=ctx.args.id, start=ctx.args.start, days=ctx.args.days)
    days = [{"day": d.day, "arriving": d.arriving, "present": d.present, "units": d.units, "capacity": d.capacity,
             "over": d.over} for d in load.days]
    ctx.render_record({**rows.hub_row(load.hub), "days": days})


def _hub_create(ctx: Context) -> None:
    from shieldwall.logistics import rows, selectors, services

    a = ctx.args
    hub = services.hub_create(actor=ctx.acting(), name=a.name, nation=a.nation, location=a.location, latitude=a.lat,
                              longitude=a.lon, capacity_per_day=a.capacity)
    ctx.render_record(rows.hub_row(selectors.hub_get(actor=ctx.actor(), id=hub.pk)))


def _pairs(values: list[str], what: str) -> list[tuple[int, str]]:
    out = []
    for value in values:
        key, sep, rest = value.partition("=") if "=" in value else value.partition(":")
        if not key.strip().isdigit():
            raise UsageError(f"argument {what}: write ID=VALUE, got {value!r}")
        out.append((int(key), rest.strip() if sep else ""))
    return out


def _register_shipments(subparsers: Any) -> None:
    group = add_group(subparsers, "shipment", help="shipments of pledge lines, their movements and receipts")
    listing = add_command(group, "list", _shipment_list, help="the shipments you may see")
    _filters(listing)
    show = add_command(group, "show", _shipment_show, help="a shipment with its route, lines and receipts")
    show.add_argument("id", type=int)
    create = add_command(group, "create", _shipment_create, help="plan a shipment of your nation's pledge lines")
    create.add_argument("--recipient", default="UKR", metavar="CODE")
    create.add_argument("--origin", required=True)
    create.add_argument("--destination", required=True)
    create.add_argument("--dispatch", type=arg_date, required=True, metavar="DATE")
    create.add_argument("--arrival", type=arg_date, required=True, metavar="DATE")
    create.add_argument("--line", action="append", required=True, metavar="LINE=UNITS",
                        help="a pledge line and its units; repeat")
    create.add_argument("--hub", action="append", default=[], metavar="HUB=DATE",
                        help="a hub on the way and the day it arrives there; repeat in order")
    create.add_argument("--mode", default="road", help="road, rail, air, sea or multimodal")
    create.add_argument("--reference", default="")
    for verb, text in (("dispatch", "dispatch (refused while serial numbers are missing)"),
                       ("arrive", "arrival at the next hub"), ("depart", "departure from the hub"),
                       ("hand-over", "handed over to the recipient")):
        step = add_command(group, verb, _shipment_move, help=text)
        step.set_defaults(verb=verb)
        step.add_argument("id", type=int)
        step.add_argument("--on", type=arg_date, default=None, metavar="DATE")
    incident = add_command(group, "incident", _shipment_incident, help="report a lost or damaged shipment")
    incident.add_argument("id", type=int)
    incident.add_argument("--kind", required=True, choices=("lost", "damaged"))
    incident.add_argument("--report", required=True)
    incident.add_argument("--on", type=arg_date, default=None, metavar="DATE")
    receive = add_command(group, "receive", _shipment_receive, help="record a receipt (recipient officers)")
    receive.add_argument("id", type=int)
    receive.add_argument("--unit", required=True)
    receive.add_argument("--location", default="")
    receive.add_argument("--line", action="append", default=[], metavar="SHIPMENT_LINE=UNITS",
                         help="units received of a shipment line; repeat (serials with --serials)")
    receive.add_argument("--serials", action="append", default=[], metavar="SHIPMENT_LINE=S1,S2",
                         help="the serial numbers received on a line")
    receive.add_argument("--final", action="store_true", help="close the shipment: the rest is not coming")
    receive.add_argument("--discrepancies", default="")
    receive.add_argument("--on", type=arg_date, default=None, metavar="DATE")
    export = add_command(group, "export", _shipment_export, own_format=True,
                         help="export the shipments you may see; put the output --format of other commands before "
                              "'shipment'")
    export.add_argument("--format", dest="export_format", default="csv", choices=EXPORT_FORMATS)
    export.add_argument("--output", metavar="FILE", default=None, help="file to write (required for xlsx)")
    _filters(export)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", default="")
    parser.add_argument("--donor", default="", metavar="CODE")
    parser.add_argument("--recipient-nation", dest="recipient", default="", metavar="CODE")
    parser.add_argument("--overdue", action="store_true")


def _filter_values(a: argparse.Namespace) -> Any:
    from shieldwall.logistics import selectors
    from shieldwall.logistics.models import ShipmentStatus

    if a.status:
        check_choice("--status", a.status, ShipmentStatus.values)
    return selectors.ShipmentFilters(status=a.status, donor=a.donor, recipient=a.recipient, overdue=a.overdue)


def _shipment_list(ctx: Context) -> None:
    from shieldwall.logistics import rows, selectors

    found = selectors.shipment_list(actor=ctx.actor(), filters=_filter_values(ctx.args))
    ctx.render([rows.shipment_row(s) for s in found], columns=rows.SHIPMENT_LIST_COLUMNS)


def _record(shipment: Any) -> dict[str, Any]:
    from shieldwall.logistics import rows

    lines = [{"shipment_line": r.pk, "pledge_line": r.pledge_line.pk if r.pledge_line else None,
              "item_type": r.pledge_line.item_type.name if r.pledge_line and r.pledge_line.item_type else None,
              "units": r.quantity, "received": r.received_quantity} for r in shipment.lines.all()]
    receipts = [{"id": r.pk, "received_on": r.received_on, "unit": r.unit, "final": r.final,
                 "units": sum(line.quantity for line in r.lines.all()), "discrepancies": r.discrepancies}
                for r in shipment.receipts.all()]
    return {**rows.shipment_row(shipment), "lines": lines, "receipts": receipts}


def _shipment_show(ctx: Context) -> None:
    from shieldwall.logistics import selectors

    ctx.render_record(_record(selectors.shipment_get(actor=ctx.actor(), id=ctx.args.id)))


def _shipment_create(ctx: Context) -> None:
    from shieldwall.logistics import selectors, services
    from shieldwall.logistics.models import TransportMode

    a = ctx.args
    check_choice("--mode", a.mode, TransportMode.values)
    lines = []
    for line_id, units in _pairs(a.line, "--line"):
        if not units.isdigit():
            raise UsageError(f"argument --line: the units of line {line_id} are a whole number")
        lines.append(services.LinePlan(line_id, int(units)))
    stops = []
    for hub_id, day in _pairs(a.hub, "--hub"):
        try:
            stops.append(services.StopPlan(hub_id, arg_date(day) if day else a.dispatch))
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"argument --hub: {exc}") from exc
    actor = ctx.acting()
    shipment = services.shipment_create(actor=actor, recipient=a.recipient, origin=a.origin,
                                        destination=a.destination, planned_dispatch=a.dispatch,
                                        planned_arrival=a.arrival, lines=lines, stops=stops, transport_mode=a.mode,
                                        reference=a.reference)
    ctx.render_record(_record(selectors.shipment_get(actor=actor, id=shipment.pk)))


def _shipment_move(ctx: Context) -> None:
    from shieldwall.logistics import selectors, services

    a = ctx.args
    selectors.shipment_get(actor=ctx.actor(), id=a.id)
    moves = {"dispatch": services.shipment_dispatch, "arrive": services.shipment_arrive,
             "depart": services.shipment_depart, "hand-over": services.shipment_hand_over}
    moves[a.verb](actor=ctx.acting(), id=a.id, on=a.on)
    ctx.render_record(_record(selectors.shipment_get(actor=ctx.actor(), id=a.id)))


def _shipment_incident(ctx: Context) -> None:
    from shieldwall.logistics import selectors, services

    a = ctx.args
    selectors.shipment_get(actor=ctx.actor(), id=a.id)
    services.shipment_report_incident(actor=ctx.acting(), id=a.id, kind=a.kind, report=a.report, on=a.on)
    ctx.render_record(_record(selectors.shipment_get(actor=ctx.actor(), id=a.id)))


def _shipment_receive(ctx: Context) -> None:
    from shieldwall.logistics import selectors, services

    a = ctx.args
    selectors.shipment_get(actor=ctx.actor(), id=a.id)
    serials = {line_id: [s.strip() for s in text.split(",") if s.strip()] for line_id, text in
               _pairs(a.serials, "--serials")}
    lines = []
    for line_id, units in _pairs(a.line, "--line"):
        if not units.isdigit():
            raise UsageError(f"argument --line: the units of line {line_id} are a whole number")
        lines.append(services.ReceivedLine(line_id, int(units), serials=serials.get(line_id, [])))
    services.shipment_receive(actor=ctx.acting(), id=a.id, lines=lines, unit=a.unit, location=a.location,
                              received_on=a.on, discrepancies=a.discrepancies, final=a.final)
    ctx.render_record(_record(selectors.shipment_get(actor=ctx.actor(), id=a.id)))


def _shipment_export(ctx: Context) -> None:
    from shieldwall.core import exports
    from shieldwall.logistics import rows, selectors

    a = ctx.args
    if a.export_format == "xlsx" and not a.output:
        raise UsageError("an XLSX export needs --output FILE")
    found = list(selectors.shipment_list(actor=ctx.actor(), filters=_filter_values(a)))
    body = exports.render([rows.shipment_row(s) for s in found], rows.SHIPMENT_COLUMNS, fmt=a.export_format,
                          marking=rows.export_marking(found), sheet="shipments")
    write_or_print(ctx, body, a.output, f"{len(found)} shipments")


def write_or_print(ctx: Context, body: bytes, output: str | None, what: str) -> None:
    """An export to a file (`--output`), else to standard output (CSV and JSON are text)."""
    if output:
        try:
            with open(output, "wb") as out:
                out.write(body)
        except OSError as exc:
            raise CommandFailed(f"cannot write {output}: {exc.strerror}") from exc
        ctx.err.write(f"{what} written to {output}\n")
        return
    ctx.out.write(body.decode("utf-8"))


def _overdue(ctx: Context) -> None:
    from shieldwall.logistics import rows, selectors

    late = selectors.overdue(actor=ctx.actor(), donor=ctx.args.donor, today=ctx.args.as_of)
    lines = [{"line": line.pk, "donor": line.originator.code, "item_type": line.item_type.name if line.item_type
              else None, "quantity": line.quantity, "status": line.status, "available_from": line.available_from}
             for line in late.lines]
    ctx.render_record({"as_of": late.day,
                       "shipments": [{k: rows.shipment_row(s)[k] for k in rows.SHIPMENT_LIST_COLUMNS}
                                     for s in late.shipments], "lines": lines})
