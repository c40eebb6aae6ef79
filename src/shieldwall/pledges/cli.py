"""`shieldwall pledge …`: packages, pledge lines and their lifecycle, import from CSV/XLSX and export, thin over
`pledges.selectors` and `pledges.services`.

Reads act as `--as`/`--token`, else anonymously (PUBLIC only). A step on a line first reads the line as the
caller, so a line they may not see is "not found" whoever asks, and only then requires an acting user.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from shieldwall.cli import (
    CommandFailed,
    Context,
    UsageError,
    add_command,
    add_group,
    arg_classification,
    arg_codes,
    arg_date,
    arg_decimal,
    arg_releasability,
    check_choice,
)

EXPORT_FORMATS = ("csv", "xlsx", "json")


def register(subparsers: Any) -> None:
    pledge = add_group(subparsers, "pledge", help="pledge packages and lines: record, follow through, import, export")
    _register_packages(pledge)
    _register_lines(pledge)
    imp = add_command(pledge, "import", _import, help="import pledge lines from a CSV or XLSX file into a package")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--package", type=int, required=True, metavar="ID")
    imp.add_argument("--dry-run", action="store_true", help="check every row and report; write nothing")
    export = add_command(pledge, "export", _export, own_format=True,
                         help="export the lines (or packages) you may see; put the output --format of other "
                              "commands before 'pledge'")
    export.add_argument("--format", dest="export_format", default="csv", choices=EXPORT_FORMATS)
    export.add_argument("--output", metavar="FILE", default=None, help="file to write (required for xlsx)")
    export.add_argument("--packages", action="store_true", help="export packages instead of lines")
    _line_filters(export)
    export.add_argument("--source", default="", help="packages only: stock, procurement or financing")


def _marking_options(parser: argparse.ArgumentParser, *, default: str) -> None:
    parser.add_argument("--classification", type=arg_classification, default=None, metavar="LEVEL",
                        help=f"UNCLASSIFIED, RESTRICTED, CONFIDENTIAL or SECRET (default: {default})")
    parser.add_argument("--releasability", type=arg_releasability, default=None, metavar="RELEASABILITY",
                        help="PUBLIC, COALITION or REL_TO (implied by --rel-to)")
    parser.add_argument("--rel-to", type=arg_codes, default=None, metavar="CODES", help="e.g. FRA,GBR,UKR")


def _marking(args: argparse.Namespace, *, package_defaults: bool) -> dict[str, Any]:
    releasability = args.releasability or ("REL_TO" if args.rel_to else None)
    classification = int(args.classification) if args.classification is not None else None
    if package_defaults:
        return {"classification": classification, "releasability": releasability, "rel_to": args.rel_to}
    return {"classification": classification or 0, "releasability": releasability or "COALITION",
            "rel_to": args.rel_to or []}


# --- packages ---------------------------------------------------------------------------------------------


def _register_packages(pledge: Any) -> None:
    group = add_group(pledge, "package", help="pledge packages (marked)")
    listing = add_command(group, "list", _package_list, help="list the packages you may see")
    listing.add_argument("--q", default="", help="title or description contains")
    listing.add_argument("--donor", default="", metavar="CODE", help="funded by this nation (lead or co-funder)")
    listing.add_argument("--source", default="", help="stock, procurement or financing")
    listing.add_argument("--from", dest="date_from", type=arg_date, default=None, metavar="DATE")
    listing.add_argument("--to", dest="date_to", type=arg_date, default=None, metavar="DATE")
    listing.add_argument("--meeting", type=int, default=None, metavar="ID", help="announced at this meeting")
    show = add_command(group, "show", _package_show, help="one package with its funders and lines")
    show.add_argument("id", type=int)
    create = add_command(group, "create", _package_create, help="record a package of your nation")
    create.add_argument("--title", required=True)
    create.add_argument("--date", type=arg_date, required=True, metavar="DATE")
    create.add_argument("--source", required=True, help="stock, procurement or financing")
    create.add_argument("--funders", default="", metavar="SHARES",
                        help="co-funded: e.g. FRA=0.6,DEU=0.4 (your nation among them); default your nation alone")
    create.add_argument("--announcement", type=int, default=None, metavar="ID")
    create.add_argument("--description", default="")
    _marking_options(create, default="UNCLASSIFIED // REL TO COALITION")


def _funders(text: str) -> list[Any]:
    from shieldwall.pledges.services import FunderShare

    shares = []
    for part in text.split(","):
        if not part.strip():
            continue
        code, _, share = part.partition("=")
        if not share:
            raise UsageError(f"argument --funders: write CODE=SHARE, e.g. FRA=0.6,DEU=0.4 (got {part!r})")
        try:
            shares.append(FunderShare(code.strip().upper(), arg_decimal(share.strip())))
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"argument --funders: {exc}") from exc
    return shares


def _package_list(ctx: Context) -> None:
    from shieldwall.pledges import rows, selectors

    a = ctx.args
    filters = selectors.PackageFilters(q=a.q, donor=a.donor, source=a.source, date_from=a.date_from,
                                       date_to=a.date_to, meeting_id=a.meeting)
    found = selectors.package_list(actor=ctx.actor(), filters=filters)
    ctx.render([rows.package_row(p) for p in found], columns=rows.PACKAGE_COLUMNS)


def _package_show(ctx: Context) -> None:
    from shieldwall.pledges import rows, selectors

    package = selectors.package_get(actor=ctx.actor(), id=ctx.args.id)
    lines = package.visible_lines  # type: ignore[attr-defined]
    live = [line for line in lines if line.status != "cancelled"]
    record = {**rows.package_row(package), "value_eur": sum(line.value_eur for line in live),
              "line_count": len(live), "description": package.description,
              "lines": [{k: rows.line_row(line)[k] for k in rows.LINE_LIST_COLUMNS} for line in lines]}
    ctx.render_record(record)


def _package_create(ctx: Context) -> None:
    from shieldwall.pledges import rows, selectors, services
    from shieldwall.pledges.models import PackageSource

    a = ctx.args
    check_choice("--source", a.source, PackageSource.values)
    actor = ctx.acting()
    package = services.package_create(actor=actor, title=a.title, date=a.date, source=a.source,
                                      funders=_funders(a.funders), announcement_id=a.announcement,
                                      description=a.description, **_marking(a, package_defaults=False))
    found = selectors.package_list(actor=actor).get(pk=package.pk)
    ctx.render_record(rows.package_row(found))


# --- lines ----------------------------------------------------------------------------------------------------


def _line_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--q", default="", help="description, item type or restrictions contain")
    parser.add_argument("--status", default="", help="announced, committed, allocated, contracted, shipped, "
                                                     "delivered or cancelled")
    parser.add_argument("--donor", default="", metavar="CODE", help="funded by this nation")
    parser.add_argument("--item-class", type=int, default=None, metavar="ID")
    parser.add_argument("--requirement", type=int, default=None, metavar="ID")
    parser.add_argument("--package", type=int, default=None, metavar="ID")
    parser.add_argument("--available-before", type=arg_date, default=None, metavar="DATE")


def _register_lines(pledge: Any) -> None:
    group = add_group(pledge, "line", help="pledge lines and their lifecycle (marked)")
    listing = add_command(group, "list", _line_list, help="list the pledge lines you may see")
    _line_filters(listing)
    show = add_command(group, "show", _line_show, help="one line with its lifecycle history")
    show.add_argument("id", type=int)
    create = add_command(group, "create", _line_create, help="add a line to a package of your nation")
    create.add_argument("--package", type=int, required=True, metavar="ID")
    create.add_argument("--item-type", default=None, metavar="NAME|ID", help="omit for an amount of money")
    create.add_argument("--description", default="")
    create.add_argument("--quantity", type=int, default=1)
    create.add_argument("--value", type=arg_decimal, required=True, metavar="AMOUNT")
    create.add_argument("--currency", default="EUR")
    create.add_argument("--value-date", type=arg_date, default=None, metavar="DATE",
                        help="date of the ECB rate (default: the package date)")
    create.add_argument("--valuation", default="reported", help="reported, market, replacement or book")
    create.add_argument("--available-from", type=arg_date, default=None, metavar="DATE")
    create.add_argument("--restrictions", default="")
    create.add_argument("--flags", type=arg_codes, default=[], metavar="FLAGS",
                        help="territory_only, no_retransfer, defensive_only, eeum (comma-separated)")
    create.add_argument("--excluded-uses", type=arg_codes, default=[], metavar="USES")
    create.add_argument("--requirement", type=int, default=None, metavar="ID", help="pledge against it")
    create.add_argument("--date", type=arg_date, default=None, metavar="DATE", help="announced on (default today)")
    _marking_options(create, default="the package's")
    for verb, needs, text in (
        ("commit", None, "the formal promise: announced → committed (donor)"),
        ("allocate", "--requirement", "earmark a committed line for a requirement (coordinator)"),
        ("deallocate", None, "release an allocated line back to committed (coordinator)"),
        ("contract", None, "record the contract of an allocated line (donor)"),
        ("ship", "--quantity", "dispatch units, in parts if need be (donor)"),
        ("deliver", "--quantity", "record units that arrived (recipient or donor)"),
        ("cancel", "--reason", "cancel what is not yet delivered"),
        ("split", "--quantity", "split units off into a new line (coordinator)"),
    ):
        step = add_command(group, verb, _line_step, help=text)
        step.set_defaults(verb=verb)
        step.add_argument("id", type=int)
        step.add_argument("--date", type=arg_date, default=None, metavar="DATE", help="effective (default today)")
        if needs == "--requirement":
            step.add_argument("--requirement", type=int, required=True, metavar="ID")
        elif needs == "--quantity":
            step.add_argument("--quantity", type=int, required=True)
        elif needs == "--reason":
            step.add_argument("--reason", required=True)


def _line_filter_values(a: argparse.Namespace) -> Any:
    from shieldwall.pledges import selectors
    from shieldwall.pledges.models import LineStatus

    if a.status:
        check_choice("--status", a.status, LineStatus.values)
    return selectors.LineFilters(q=a.q, status=a.status, donor=a.donor, item_class_id=a.item_class,
                                 requirement_id=a.requirement, package_id=a.package,
                                 available_before=a.available_before)


def _line_list(ctx: Context) -> None:
    from shieldwall.pledges import rows, selectors

    found = selectors.line_list(actor=ctx.actor(), filters=_line_filter_values(ctx.args))
    ctx.render([rows.line_row(line) for line in found], columns=rows.LINE_LIST_COLUMNS)


def _line_record(line: Any) -> dict[str, Any]:
    from shieldwall.pledges import rows

    history = [{"date": e.effective_date, "from": e.from_status, "to": e.to_status, "units": e.quantity,
                "value_eur": e.value_eur, "by": e.recorded_by.username if e.recorded_by_id else None,
                "note": e.note} for e in line.events.all()]
    return {**rows.line_row(line), "history": history}


def _line_show(ctx: Context) -> None:
    from shieldwall.pledges import selectors

    ctx.render_record(_line_record(selectors.line_get(actor=ctx.actor(), id=ctx.args.id)))


def _line_create(ctx: Context) -> None:
    from shieldwall.pledges import selectors, services
    from shieldwall.pledges.models import ValuationMethod

    a = ctx.args
    check_choice("--valuation", a.valuation, ValuationMethod.values)
    selectors.package_get(actor=ctx.actor(), id=a.package)
    actor = ctx.acting()
    item_type = selectors.item_type_find(actor=actor, ref=a.item_type) if a.item_type else None
    spec = services.LineSpec(
        item_type_id=item_type.pk if item_type else None, description=a.description, quantity=a.quantity,
        value_amount=a.value, currency=a.currency, value_date=a.value_date, valuation_method=a.valuation,
        available_from=a.available_from, restrictions=a.restrictions,
        restriction_flags=[f.lower() for f in a.flags], excluded_uses=[u.lower() for u in a.excluded_uses],
        requirement_id=a.requirement, **_marking(a, package_defaults=True))
    line = services.line_create(actor=actor, package_id=a.package, line=spec, effective_date=a.date)
    ctx.render_record(_line_record(selectors.line_get(actor=actor, id=line.pk)))


def _line_step(ctx: Context) -> None:
    from shieldwall.pledges import selectors, services

    a = ctx.args
    selectors.line_get(actor=ctx.actor(), id=a.id)  # not visible: "not found", whoever asks
    actor = ctx.acting()
    common: dict[str, Any] = {"actor": actor, "line_id": a.id, "effective_date": a.date}
    if a.verb == "allocate":
        services.line_allocate(requirement_id=a.requirement, **common)
    elif a.verb in ("ship", "deliver"):
        (services.line_ship if a.verb == "ship" else services.line_deliver)(quantity=a.quantity, **common)
    elif a.verb == "split":
        _, new = services.line_split(quantity=a.quantity, **common)
        ctx.err.write(f"split {a.quantity} unit(s) off into line {new.pk}\n")
    elif a.verb == "cancel":
        services.line_cancel(reason=a.reason, **common)
    else:
        {"commit": services.line_commit, "deallocate": services.line_deallocate,
         "contract": services.line_contract}[a.verb](**common)
    ctx.render_record(_line_record(selectors.line_get(actor=actor, id=a.id)))


# --- import and export ----------------------------------------------------------------------------------------


def _import(ctx: Context) -> None:
    from shieldwall.pledges import selectors, services

    a = ctx.args
    selectors.package_get(actor=ctx.actor(), id=a.package)
    actor = ctx.acting()
    try:
        stream = open(a.file, "rb")  # noqa: SIM115 - closed below; the size comes from the open file
    except OSError as exc:
        raise CommandFailed(f"cannot read {a.file}: {exc.strerror}") from exc
    with stream:
        report = services.line_import(actor=actor, package_id=a.package, stream=stream,
                                      size=os.fstat(stream.fileno()).st_size, dry_run=a.dry_run)
    errors = [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors]
    if ctx.fmt == "json":
        ctx.render_record({"dry_run": report.dry_run, "ok": report.ok, "rows": report.rows, "valid": report.valid,
                           "errors": errors, "created": report.created})
    elif errors:
        ctx.render(errors, columns=["row", "column", "message"])
    if not report.ok:
        raise CommandFailed(f"{len(errors)} problem(s) in {report.rows} line(s); nothing was imported")
    if ctx.fmt != "json":
        ctx.say(f"dry run: all {report.valid} line(s) can be imported; nothing was written" if report.dry_run
                else f"{len(report.created)} line(s) imported into package {a.package}")


def _export(ctx: Context) -> None:
    from shieldwall.core import exports
    from shieldwall.pledges import rows, selectors

    a = ctx.args
    if a.export_format == "xlsx" and not a.output:
        raise UsageError("an XLSX export needs --output FILE")
    actor = ctx.actor()
    if a.packages:
        filters = selectors.PackageFilters(q=a.q, donor=a.donor, source=a.source)
        found: list[Any] = list(selectors.package_list(actor=actor, filters=filters))
        data = [rows.package_row(p) for p in found]
        columns: tuple[str, ...] = rows.PACKAGE_COLUMNS
        stem = "packages"
    else:
        found = list(selectors.line_list(actor=actor, filters=_line_filter_values(a)))
        data = [rows.line_row(line) for line in found]
        columns = rows.LINE_COLUMNS
        stem = "pledge-lines"
    body = exports.render(data, columns, fmt=a.export_format, marking=rows.export_marking(found), sheet=stem)
    if a.output:
        try:
            with open(a.output, "wb") as out:
                out.write(body)
        except OSError as exc:
            raise CommandFailed(f"cannot write {a.output}: {exc.strerror}") from exc
        ctx.err.write(f"{len(data)} {stem.replace('-', ' ')} written to {a.output}\n")
        return
    ctx.out.write(body.decode("utf-8"))  # csv or json: text (xlsx needs --output)
