"""`shieldwall requirement …` and `shieldwall coverage`: the prioritised requirements list, its lifecycle steps
and its coverage, thin over `needs.selectors`, `needs.services` and `needs.coverage`.

Reads act as `--as`/`--token`, else anonymously (PUBLIC only); writes need an acting user.
"""

from __future__ import annotations

import argparse
from typing import Any

from shieldwall.cli import (
    Context,
    UsageError,
    add_command,
    add_group,
    arg_classification,
    arg_codes,
    arg_date,
    arg_releasability,
    check_choice,
)
from shieldwall.core.markings import Classification

STEPS = ("submit", "validate", "open", "return", "withdraw", "reprioritise")


def register(subparsers: Any) -> None:
    group = add_group(subparsers, "requirement", help="the prioritised requirements list and its lifecycle (marked)")
    listing = add_command(group, "list", _list, help="the requirements you may see, most urgent first")
    _filter_options(listing)
    show = add_command(group, "show", _show, help="one requirement with its coverage and the lines against it")
    show.add_argument("id", type=int)
    create = add_command(group, "create", _create, help="post a draft requirement of your nation (recipients)")
    create.add_argument("--item-class", required=True, metavar="CLASS", help="item class id or exact name")
    create.add_argument("--quantity", type=int, required=True)
    create.add_argument("--need-by", type=arg_date, required=True, metavar="DATE")
    create.add_argument("--destination", required=True, help="a hub or a region")
    create.add_argument("--priority", type=int, default=3, help="1 (most urgent) … 5; default 3")
    create.add_argument("--use", default="front_line", metavar="CATEGORY",
                        help="front_line (default), territorial_air_defence, cross_border, training, sustainment, "
                             "humanitarian")
    create.add_argument("--title", default="")
    create.add_argument("--justification", default="")
    _marking_options(create)
    for step in STEPS:
        command = add_command(group, step, _step, help=_STEP_HELP[step])
        command.add_argument("id", type=int)
        if step in ("return", "withdraw"):
            command.add_argument("--reason", required=True)
        if step == "reprioritise":
            command.add_argument("--priority", type=int, required=True, help="1 (most urgent) … 5")
        command.set_defaults(step=step)
    cover = add_command(subparsers, "coverage", _coverage,
                        help="required against committed, allocated and delivered, over what you may see")
    cover.add_argument("--by", choices=("requirement", "area", "coalition"), default="requirement")
    _filter_options(cover)


_STEP_HELP = {
    "submit": "draft → submitted (recipient officers of the originating nation)",
    "validate": "submitted → validated (coordinators)",
    "open": "validated → open: published to donors (coordinators)",
    "return": "submitted or validated → draft, with a reason (coordinators)",
    "withdraw": "withdraw, with a reason (the originating recipient or a coordinator)",
    "reprioritise": "set the priority of a submitted, validated or published requirement (coordinators)",
}


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", type=arg_codes, default=[], metavar="STATUSES",
                        help="e.g. open,partially_met (comma-separated)")
    parser.add_argument("--priority", type=int, default=None)
    parser.add_argument("--item-class", type=int, default=None, metavar="ID")
    parser.add_argument("--area", default="", metavar="CODE", help="capability area code, e.g. artillery")
    parser.add_argument("--from", dest="need_by_from", type=arg_date, default=None, metavar="DATE",
                        help="needed on or after")
    parser.add_argument("--to", dest="need_by_to", type=arg_date, default=None, metavar="DATE",
                        help="needed on or before")
    parser.add_argument("--destination", default="", help="destination contains")


def _marking_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--classification", type=arg_classification, default=Classification.UNCLASSIFIED,
                        metavar="LEVEL", help="UNCLASSIFIED (default) … up to the ceiling")
    parser.add_argument("--releasability", type=arg_releasability, default=None, metavar="RELEASABILITY",
                        help="PUBLIC, COALITION (default) or REL_TO (implied by --rel-to)")
    parser.add_argument("--rel-to", type=arg_codes, default=[], metavar="CODES", help="e.g. UKR,FRA")


def _filters(args: argparse.Namespace) -> Any:
    from shieldwall.needs.models import RequirementStatus
    from shieldwall.needs.selectors import RequirementFilters

    statuses = tuple(s.lower() for s in args.status)
    for status in statuses:
        check_choice("--status", status, RequirementStatus.values)
    return RequirementFilters(status=statuses, priority=args.priority, item_class=args.item_class,
                              area=args.area, need_by_from=args.need_by_from, need_by_to=args.need_by_to,
                              destination=args.destination)


def _row(obj: Any) -> dict[str, Any]:
    from shieldwall.core.banner import marking_of

    return {"id": obj.pk, "priority": obj.priority, "need_by": obj.need_by, "title": obj.title,
            "item_class": obj.item_class.name, "quantity": obj.quantity, "unit": obj.item_class.unit,
            "destination": obj.destination, "status": obj.status, "originator": obj.originator.code,
            "marking": str(marking_of(obj))}


def _list(ctx: Context) -> None:
    from shieldwall.needs import selectors

    ctx.render([_row(obj) for obj in selectors.requirement_list(actor=ctx.actor(), filters=_filters(ctx.args))])


def _show(ctx: Context) -> None:
    from shieldwall.core.banner import marking_of
    from shieldwall.needs import coverage, selectors

    actor = ctx.actor()
    obj = selectors.requirement_get(actor=actor, id=ctx.args.id)
    found = coverage.requirement_coverage_one(actor=actor, requirement_id=obj.pk)
    figures = {name: getattr(found, name) for name in (
        "required_value", "committed_qty", "committed_value", "allocated_qty", "allocated_value", "delivered_qty",
        "delivered_value", "pct_committed", "pct_allocated", "pct_delivered")} if found else {}
    lines = [{"id": line.pk, "donor": line.originator.code, "item": line.item_type.name if line.item_type else
              line.description, "quantity": line.quantity, "delivered": line.delivered_quantity,
              "value_eur": line.value_eur, "status": line.status, "marking": str(marking_of(line))}
             for line in selectors.requirement_pledge_lines(actor=actor, requirement_id=obj.pk)]
    ctx.render_record({**_row(obj), "use_category": obj.use_category, "justification": obj.justification,
                       "status_reason": obj.status_reason, **figures, "pledge_lines": lines})


def _item_class_id(ctx: Context, key: str) -> int:
    from shieldwall.catalogue import selectors

    key = key.strip()
    return int(key) if key.isdigit() else selectors.item_class_by_name(actor=ctx.actor(), name=key).pk


def _create(ctx: Context) -> None:
    from shieldwall.needs import services
    from shieldwall.needs.models import UseCategory

    a = ctx.args
    check_choice("--use", a.use, UseCategory.values)
    releasability = a.releasability or ("REL_TO" if a.rel_to else "COALITION")
    obj = services.requirement_create(
        actor=ctx.acting(), item_class_id=_item_class_id(ctx, a.item_class), quantity=a.quantity,
        need_by=a.need_by, destination=a.destination, priority=a.priority, use_category=a.use, title=a.title,
        justification=a.justification, classification=int(a.classification), releasability=releasability,
        rel_to=a.rel_to)
    _show_after(ctx, obj.pk)


def _step(ctx: Context) -> None:
    from shieldwall.needs import selectors, services

    a = ctx.args
    selectors.requirement_get(actor=ctx.actor(), id=a.id)  # what you may not see is "not found", signed in or not
    if a.step == "reprioritise" and not 1 <= a.priority <= 5:
        raise UsageError("argument --priority: use 1 (most urgent) … 5")
    services.requirement_transition(actor=ctx.acting(), id=a.id, action=a.step, reason=getattr(a, "reason", ""),
                                    priority=getattr(a, "priority", None))
    _show_after(ctx, a.id)


def _show_after(ctx: Context, pk: int) -> None:
    from shieldwall.needs import selectors

    ctx.render_record(_row(selectors.requirement_get(actor=ctx.actor(), id=pk)))


_GROUP_COLUMNS = ("name", "requirements", "unpriced", "required_value", "committed_value", "allocated_value",
                  "delivered_value", "pct_committed", "pct_allocated", "pct_delivered")
_REQUIREMENT_COLUMNS = ("id", "priority", "need_by", "title", "item_class", "unit", "status", "marking",
                        "required_qty", "committed_qty", "allocated_qty", "delivered_qty", "required_value",
                        "committed_value", "allocated_value", "delivered_value", "pct_committed", "pct_allocated",
                        "pct_delivered")


def _coverage(ctx: Context) -> None:
    from shieldwall.needs import coverage

    actor, filters, by = ctx.actor(), _filters(ctx.args), ctx.args.by
    if by == "requirement":
        rows = coverage.requirement_coverage(actor=actor, filters=filters)
        ctx.render([{c: (r.marking_text if c == "marking" else getattr(r, c)) for c in _REQUIREMENT_COLUMNS}
                    for r in rows], columns=_REQUIREMENT_COLUMNS)
        return
    groups = (coverage.area_coverage if by == "area" else coverage.coalition_coverage)(actor=actor, filters=filters)
    ctx.render([{c: (g.label if c == "name" else getattr(g, c)) for c in _GROUP_COLUMNS} for g in groups],
               columns=_GROUP_COLUMNS)
