"""`shieldwall serial …`, `compliance`, `inspection …`, `disposition …` and `loss …`: thin over
`monitoring.selectors` and `monitoring.services`. A command on one record first reads it as the caller, so a
record they may not see is "not found" whoever asks."""

from __future__ import annotations

import argparse
from typing import Any

from shieldwall.cli import CommandFailed, Context, UsageError, add_command, add_group, arg_date, check_choice
from shieldwall.logistics.cli import EXPORT_FORMATS, write_or_print


def register(subparsers: Any) -> None:
    _register_serials(subparsers)
    board = add_command(subparsers, "compliance", _compliance,
                        help="end-use monitoring compliance by donor and item class, with the monthly trend")
    board.add_argument("--donor", default="", metavar="CODE")
    board.add_argument("--item-class", type=int, default=None, metavar="ID")
    board.add_argument("--as-of", type=arg_date, default=None, metavar="DATE")
    _register_reports(subparsers)


def _register_serials(subparsers: Any) -> None:
    serial = add_group(subparsers, "serial", help="serial-numbered items: registration, custody, history")
    listing = add_command(serial, "list", _serial_list, help="the serial items you may see")
    _serial_filters(listing)
    show = add_command(serial, "show", _serial_show, help="one item's full history")
    show.add_argument("id", type=int)
    reg = add_command(serial, "register", _serial_register,
                      help="record the serial numbers of a planned shipment line (a file: one per line, or CSV "
                           "with a serial_number column; '-' reads standard input); they are recorded upper-cased, "
                           "and one already recorded for the item type in any case is refused")
    reg.add_argument("file", metavar="FILE")
    reg.add_argument("--shipment", type=int, required=True, metavar="ID")
    reg.add_argument("--line", type=int, required=True, metavar="SHIPMENT_LINE")
    reg.add_argument("--unit", default="")
    reg.add_argument("--on", type=arg_date, default=None, metavar="DATE")
    reg.add_argument("--dry-run", action="store_true")
    transfer = add_command(serial, "transfer", _serial_transfer, help="hand an item on to another unit or ally")
    transfer.add_argument("id", type=int)
    transfer.add_argument("--to-nation", required=True, metavar="CODE")
    transfer.add_argument("--to-unit", required=True)
    transfer.add_argument("--to-location", default="")
    transfer.add_argument("--on", type=arg_date, default=None, metavar="DATE")
    transfer.add_argument("--note", default="")
    export = add_command(serial, "export", _serial_export, own_format=True,
                         help="export the serial items you may see")
    export.add_argument("--format", dest="export_format", default="csv", choices=EXPORT_FORMATS)
    export.add_argument("--output", metavar="FILE", default=None)
    _serial_filters(export)


def _serial_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--q", default="")
    parser.add_argument("--donor", default="", metavar="CODE")
    parser.add_argument("--status", default="")
    parser.add_argument("--due", default="", help="overdue, due_soon, unaccounted or never_inventoried")
    parser.add_argument("--shipment", type=int, default=None, metavar="ID")


def _filter_values(a: argparse.Namespace) -> Any:
    from shieldwall.monitoring import selectors
    from shieldwall.monitoring.models import SerialStatus

    if a.status:
        check_choice("--status", a.status, SerialStatus.values)
    if a.due:
        check_choice("--due", a.due, selectors.DUE_CHOICES)
    return selectors.SerialFilters(q=a.q, donor=a.donor, status=a.status, due=a.due, shipment_id=a.shipment)


def _serial_list(ctx: Context) -> None:
    from shieldwall.monitoring import rows, selectors

    found = selectors.serial_item_list(actor=ctx.actor(), filters=_filter_values(ctx.args))
    ctx.render([rows.serial_row(i) for i in found], columns=rows.SERIAL_LIST_COLUMNS)


def _serial_record(item: Any) -> dict[str, Any]:
    from shieldwall.monitoring import rows

    custody = [{"seq": t.seq, "on": t.on, "kind": t.kind, "from": f"{t.from_nation.code} {t.from_unit}".strip()
                if t.from_nation else "", "to": f"{t.to_nation.code} {t.to_unit}".strip(), "by": t.recorded_by_name}
               for t in item.transfers.all()]
    inspections = [{"inspection": f.inspection.pk, "on": f.inspection.inspected_on, "kind": f.inspection.kind,
                    "result": f.result, "on_time": f.on_time} for f in item.visible_findings if f.inspection]
    return {**rows.serial_row(item), "pledge_line": item.pledge_line.pk if item.pledge_line else None,
            "shipment": item.shipment.pk if item.shipment else None, "custody": custody, "inspections": inspections,
            "loss_reports": ", ".join(str(r.pk) for r in item.visible_losses)}


def _serial_show(ctx: Context) -> None:
    from shieldwall.monitoring import selectors

    ctx.render_record(_serial_record(selectors.serial_item_get(actor=ctx.actor(), id=ctx.args.id)))


def _read(path: str) -> tuple[bytes, str]:
    import sys

    if path == "-":
        return sys.stdin.buffer.read(), "standard input"
    try:
        with open(path, "rb") as stream:
            return stream.read(), path
    except OSError as exc:
        raise CommandFailed(f"cannot read {path}: {exc.strerror}") from exc


def _entries(data: bytes, columns: tuple[str, ...], required: tuple[str, ...]) -> Any:
    import io

    from shieldwall.monitoring import tables

    try:
        first = data.split(b"\n", 1)[0].decode("utf-8-sig", "replace").strip().lower()
        if first.split(",")[0].split(";")[0] in columns:
            return tables.read_csv(io.BytesIO(data), size=len(data), columns=columns, required=required)
        return tables.lines_of(data.decode("utf-8"))
    except tables.ImportRefused as exc:
        raise CommandFailed(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise CommandFailed("the file is not UTF-8 text") from exc


def _report(ctx: Context, report: Any, ok_text: str) -> None:
    errors = [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors]
    if ctx.fmt == "json":
        # Every field of the result, as the API gives it: a script needs the count created or the report's id.
        ctx.render_record({**{k: v for k, v in vars(report).items() if k != "errors"}, "ok": report.ok,
                           "errors": errors})
    elif errors:
        ctx.render(errors, columns=["row", "column", "message"])
    if not report.ok:
        raise CommandFailed(f"{len(errors)} problem(s) in {report.rows} row(s); nothing was recorded")
    if ctx.fmt != "json":
        ctx.say(ok_text)


def _serial_register(ctx: Context) -> None:
    from shieldwall.logistics.selectors import shipment_get
    from shieldwall.monitoring import services, tables

    a = ctx.args
    shipment_get(actor=ctx.actor(), id=a.shipment)
    data, _ = _read(a.file)
    entries = _entries(data, tables.SERIAL_COLUMNS, tables.SERIAL_COLUMNS)
    report = services.serial_items_register(actor=ctx.acting(), shipment_id=a.shipment, shipment_line_id=a.line,
                                            entries=entries, unit=a.unit, on=a.on, dry_run=a.dry_run)
    _report(ctx, report, f"dry run: all {report.rows} can be recorded" if report.dry_run
            else f"{report.created} serial number(s) recorded")


def _serial_transfer(ctx: Context) -> None:
    from shieldwall.monitoring import selectors, services

    a = ctx.args
    selectors.serial_item_get(actor=ctx.actor(), id=a.id)
    services.serial_item_transfer(actor=ctx.acting(), item_ids=[a.id], to_nation=a.to_nation, to_unit=a.to_unit,
                                  to_location=a.to_location, on=a.on, note=a.note)
    ctx.render_record(_serial_record(selectors.serial_item_get(actor=ctx.actor(), id=a.id)))


def _serial_export(ctx: Context) -> None:
    from shieldwall.core import exports
    from shieldwall.monitoring import rows, selectors

    a = ctx.args
    if a.export_format == "xlsx" and not a.output:
        raise UsageError("an XLSX export needs --output FILE")
    found = list(selectors.serial_item_list(actor=ctx.actor(), filters=_filter_values(a)))
    body = exports.render([rows.serial_row(i) for i in found], rows.SERIAL_COLUMNS, fmt=a.export_format,
                          marking=rows.export_marking(found), sheet="serial-items")
    write_or_print(ctx, body, a.output, f"{len(found)} serial items")


def _compliance(ctx: Context) -> None:
    from shieldwall.core.banner import banner_for_marking
    from shieldwall.monitoring import rows, selectors

    a = ctx.args
    board = selectors.compliance(actor=ctx.actor(), donor=a.donor, item_class_id=a.item_class, today=a.as_of)
    trend = [{"month": p.month, "inspected": p.inspected, "on_time_pct": p.on_time_pct, "not_found": p.not_found,
              "destroyed": p.destroyed} for p in board.trend]
    ctx.render_record({"as_of": board.day, "marking": banner_for_marking(board.marking).text,
                       "rows": rows.compliance_rows(board), "trend": trend})


# --- inspections, disposition and loss reports ------------------------------------------------------------------


def _register_reports(subparsers: Any) -> None:
    inspection = add_group(subparsers, "inspection", help="inspections of serial items")
    add_command(inspection, "list", _inspection_list, help="the inspections you may see")
    show = add_command(inspection, "show", _inspection_show, help="one inspection with its findings")
    show.add_argument("id", type=int)
    record = add_command(inspection, "record", _inspection_record, help="record an inspection by your nation")
    record.add_argument("--kind", required=True, choices=("initial", "annual", "spot"))
    record.add_argument("--item-type", required=True, metavar="NAME|ID")
    record.add_argument("--finding", action="append", required=True, metavar="SERIAL[,RESULT[,EVIDENCE]]",
                        help="an item and what was found (found, not_found, destroyed); repeat")
    record.add_argument("--on", type=arg_date, default=None, metavar="DATE")
    record.add_argument("--location", default="")
    disposition = add_group(subparsers, "disposition", help="the recipient's quarterly disposition reports")
    add_command(disposition, "list", _disposition_list, help="the disposition reports you may see")
    dshow = add_command(disposition, "show", _disposition_show, help="one report, with the items it leaves out")
    dshow.add_argument("id", type=int)
    imp = add_command(disposition, "import", _disposition_import, help="import a report from CSV (recipients)")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--donor", required=True, metavar="CODE")
    imp.add_argument("--year", type=int, required=True)
    imp.add_argument("--quarter", type=int, required=True, choices=(1, 2, 3, 4))
    imp.add_argument("--dry-run", action="store_true")
    loss = add_group(subparsers, "loss", help="loss and destruction reports")
    add_command(loss, "list", _loss_list, help="the loss reports you may see")
    lshow = add_command(loss, "show", _loss_show, help="one loss report")
    lshow.add_argument("id", type=int)
    report = add_command(loss, "report", _loss_report, help="report items lost or destroyed")
    report.add_argument("--kind", required=True, choices=("lost", "destroyed"))
    report.add_argument("--item-type", required=True, metavar="NAME|ID")
    report.add_argument("--serial", action="append", required=True)
    report.add_argument("--circumstances", required=True)
    report.add_argument("--evidence", default="")
    report.add_argument("--on", type=arg_date, default=None, metavar="DATE")


def _inspection_row(i: Any) -> dict[str, Any]:
    from shieldwall.pledges.rows import marking_text

    return {"id": i.pk, "kind": i.kind, "inspected_on": i.inspected_on, "inspector": i.inspector_nation.code,
            "donor": i.donor.code, "recipient": i.recipient.code, "location": i.location,
            "items": getattr(i, "finding_count", None), "marking": marking_text(i)}


def _inspection_list(ctx: Context) -> None:
    from shieldwall.monitoring import selectors

    ctx.render([_inspection_row(i) for i in selectors.inspection_list(actor=ctx.actor())])


def _inspection_show(ctx: Context) -> None:
    from shieldwall.monitoring import selectors

    inspection = selectors.inspection_get(actor=ctx.actor(), id=ctx.args.id)
    findings = [{"serial": f.item.serial_number if f.item else None, "result": f.result, "evidence": f.evidence_ref,
                 "on_time": f.on_time} for f in inspection.findings.all()]
    ctx.render_record({**_inspection_row(inspection), "notes": inspection.notes, "findings": findings})


def _items(ctx: Context, type_ref: str, serials: list[str]) -> dict[str, Any]:
    """The named items by normalised serial number (`tables.normalise_serial`), all found or refused."""
    from shieldwall.monitoring import selectors, tables
    from shieldwall.pledges.selectors import item_type_find

    item_type = item_type_find(actor=ctx.actor(), ref=type_ref)
    found = selectors.serial_items_by_serial(actor=ctx.actor(), item_type_id=item_type.pk, serials=serials)
    missing = [s for s in serials if tables.normalise_serial(s) not in found]
    if missing:
        raise CommandFailed(f"serial item(s) not found: {', '.join(missing[:10])}")
    return found


def _inspection_record(ctx: Context) -> None:
    from shieldwall.monitoring import services, tables

    a = ctx.args
    parts = [[p.strip() for p in f.split(",")] for f in a.finding]
    items = _items(ctx, a.item_type, [p[0] for p in parts])
    specs = [services.FindingSpec(items[tables.normalise_serial(p[0])].pk,
                                  p[1] if len(p) > 1 and p[1] else "found", p[2] if len(p) > 2 else "")
             for p in parts]
    inspection = services.inspection_record(actor=ctx.acting(), kind=a.kind, findings=specs, inspected_on=a.on,
                                            location=a.location)
    ctx.args.id = inspection.pk
    _inspection_show(ctx)


def _disposition_row(r: Any) -> dict[str, Any]:
    from shieldwall.pledges.rows import marking_text

    return {"id": r.pk, "quarter": str(r), "recipient": r.originator.code, "donor": r.donor.code,
            "submitted_on": r.submitted_on, "items": getattr(r, "line_count", None),
            "differing": getattr(r, "mismatch_count", None), "marking": marking_text(r)}


def _disposition_list(ctx: Context) -> None:
    from shieldwall.monitoring import selectors

    ctx.render([_disposition_row(r) for r in selectors.disposition_list(actor=ctx.actor())])


def _disposition_show(ctx: Context) -> None:
    from shieldwall.monitoring import selectors

    view = selectors.disposition_get(actor=ctx.actor(), id=ctx.args.id)
    lines = [{"serial": line.item.serial_number if line.item else None, "reported": line.reported_status,
              "matches": line.matches, "unit": line.unit} for line in view.lines]
    missing = [{"serial": i.serial_number, "item_type": i.item_type.name} for i in view.missing]
    ctx.render_record({**_disposition_row(view.report), "lines": lines, "left_out": missing})


def _disposition_import(ctx: Context) -> None:
    from shieldwall.monitoring import services, tables

    a = ctx.args
    data, _ = _read(a.file)
    entries = _entries(data, tables.DISPOSITION_COLUMNS, tables.DISPOSITION_REQUIRED)
    result = services.disposition_import(actor=ctx.acting(), donor=a.donor, year=a.year, quarter=a.quarter,
                                         rows=entries, dry_run=a.dry_run)
    _report(ctx, result, f"dry run: all {result.rows} rows can be imported" if result.dry_run else
            f"report {result.report_id} filed: {result.applied} status change(s), {result.mismatches} to look into")


def _loss_row(r: Any) -> dict[str, Any]:
    from shieldwall.pledges.rows import marking_text

    return {"id": r.pk, "kind": r.kind, "occurred_on": r.occurred_on, "donor": r.donor.code,
            "recipient": r.recipient.code, "holder": r.holder.code, "filed_by": r.originator.code,
            "items": getattr(r, "item_count", None),
            "circumstances": r.circumstances, "marking": marking_text(r)}


def _loss_list(ctx: Context) -> None:
    from shieldwall.monitoring import selectors

    ctx.render([_loss_row(r) for r in selectors.loss_report_list(actor=ctx.actor())])


def _loss_show(ctx: Context) -> None:
    from shieldwall.monitoring import selectors

    report = selectors.loss_report_get(actor=ctx.actor(), id=ctx.args.id)
    items = [{"serial": i.serial_number, "item_type": i.item_type.name} for i in report.visible_items]  # type: ignore[attr-defined]
    ctx.render_record({**_loss_row(report), "evidence": report.evidence_ref, "serial_items": items})


def _loss_report(ctx: Context) -> None:
    from shieldwall.monitoring import services

    a = ctx.args
    items = _items(ctx, a.item_type, a.serial)
    report = services.loss_report_create(actor=ctx.acting(), kind=a.kind, item_ids=[i.pk for i in items.values()],
                                         circumstances=a.circumstances, evidence_ref=a.evidence, occurred_on=a.on)
    ctx.args.id = report.pk
    _loss_show(ctx)
