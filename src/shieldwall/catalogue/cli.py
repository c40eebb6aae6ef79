"""`shieldwall catalogue …`: seed the reference catalogue (from Kiel's heavy-weapons file and the built-in list),
list item classes and show one with the types that satisfy it; admins add and edit item classes and item types.
Thin over `catalogue.services` and `catalogue.selectors`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from shieldwall.cli import Context, UsageError, add_command, add_group, arg_date, arg_decimal, check_choice


def register(subparsers: Any) -> None:
    group = add_group(subparsers, "catalogue", help="capability areas, item classes, item types, reference prices")
    seed = add_command(group, "seed", _seed,
                       help="create what is missing of the reference catalogue (idempotent; admins, or the "
                            "installation itself without --as)")
    seed.add_argument("--weapons", type=Path, default=None, metavar="CSV",
                      help="Kiel UST weapons.csv to read (default: the copy packaged with Shieldwall, Release 29)")
    listing = add_command(group, "list", _list, help="list item classes with their unit and reference price")
    listing.add_argument("--area", default="", metavar="CODE", help="capability area code, e.g. artillery")
    listing.add_argument("--q", default="", help="name, family or description contains")
    show = add_command(group, "show", _show, help="one item class and every item type that satisfies it")
    show.add_argument("item_class", metavar="CLASS", help="the item class's id or exact name")
    _register_edits(group)


def _register_edits(group: Any) -> None:
    add_class = add_command(group, "add-class", _add_class, help="add an item class (admins)")
    add_class.add_argument("name")
    add_class.add_argument("--area", required=True, metavar="CODE", help="capability area code, e.g. artillery")
    add_class.add_argument("--unit", default="units", help="e.g. rounds, systems (default: units)")
    add_class.add_argument("--serial-tracked", action="store_true", help="items are recorded by serial number")
    add_class.add_argument("--family", default="")
    add_class.add_argument("--price", type=arg_decimal, default=None, metavar="EUR", help="reference unit price")
    add_class.add_argument("--description", default="")
    edit_class = add_command(group, "edit-class", _edit_class,
                             help="change an item class (admins); only the options given change")
    edit_class.add_argument("item_class", metavar="CLASS", help="the item class's id or exact name")
    edit_class.add_argument("--name")
    edit_class.add_argument("--area", metavar="CODE")
    edit_class.add_argument("--unit")
    edit_class.add_argument("--serial-tracked", action=argparse.BooleanOptionalAction, default=None)
    edit_class.add_argument("--family")
    edit_class.add_argument("--price", type=arg_decimal, default=None, metavar="EUR")
    edit_class.add_argument("--description")
    edit_class.add_argument("--version", type=int, default=None, help="refuse if the class changed since")
    add_type = add_command(group, "add-type", _add_type, help="add an item type with its reference price (admins)")
    add_type.add_argument("name")
    add_type.add_argument("--class", dest="item_class", required=True, metavar="CLASS",
                          help="its item class's id or exact name")
    _price_options(add_type)
    edit_type = add_command(group, "edit-type", _edit_type,
                            help="change an item type (admins); only the options given change")
    edit_type.add_argument("id", type=int)
    edit_type.add_argument("--name")
    edit_type.add_argument("--class", dest="item_class", metavar="CLASS", help="move it to this item class")
    _price_options(edit_type)
    edit_type.add_argument("--version", type=int, default=None, help="refuse if the type changed since")


def _price_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--price", type=arg_decimal, default=None, metavar="EUR", help="reference unit price")
    parser.add_argument("--source", default=None, help="where the price comes from")
    parser.add_argument("--date", type=arg_date, default=None, metavar="DATE", help="date of the price")


def _seed(ctx: Context) -> None:
    from shieldwall.catalogue import services
    from shieldwall.core.actor import Actor

    actor = ctx.actor()
    if not actor.is_authenticated:
        # Loading reference data is an installation step, like `migrate`: the installation acts, and says so.
        actor = Actor.system("catalogue seed")
    result = services.catalogue_seed(actor=actor, weapons_csv=ctx.args.weapons)
    ctx.render_record({**{f"created_{kind}": n for kind, n in result.created.items()}, "updated": result.updated,
                       "kiel_systems": result.kiel_systems, "filed_by_category_default": result.unmapped,
                       "skipped": result.skipped})


def _list(ctx: Context) -> None:
    from shieldwall.catalogue import selectors
    from shieldwall.coalition.models import CapabilityAreaCode

    if ctx.args.area:
        check_choice("--area", ctx.args.area, CapabilityAreaCode.values)
    filters = selectors.ItemClassFilters(q=ctx.args.q, area=ctx.args.area)
    ctx.render([{"id": c.pk, "area": c.area.code, "name": c.name, "unit": c.unit,
                 "reference_unit_price_eur": c.reference_unit_price_eur, "serial_tracked": c.serial_tracked,
                 "types": c.type_count}  # type: ignore[attr-defined]
                for c in selectors.item_class_list(actor=ctx.actor(), filters=filters)])


def _show(ctx: Context) -> None:
    from shieldwall.catalogue import selectors

    actor, key = ctx.actor(), ctx.args.item_class.strip()
    obj = (selectors.item_class_get(actor=actor, id=int(key)) if key.isdigit()
           else selectors.item_class_by_name(actor=actor, name=key))
    types = [{"item_type": c.item_type.name, "own_class": c.item_type.item_class_id == obj.pk,
              "reference_unit_price_eur": c.item_type.reference_unit_price_eur,
              "price_source": c.item_type.price_source, "price_date": c.item_type.price_date}
             for c in obj.satisfying]  # type: ignore[attr-defined]
    ctx.render_record({"id": obj.pk, "name": obj.name, "area": obj.area.name, "unit": obj.unit,
                       "serial_tracked": obj.serial_tracked, "family": obj.family,
                       "reference_unit_price_eur": obj.reference_unit_price_eur, "description": obj.description,
                       "satisfied_by": types})


# --- admin edits ------------------------------------------------------------------------------------------------


def _class_id(ctx: Context, key: str) -> int:
    from shieldwall.catalogue import selectors

    key = key.strip()
    if key.isdigit():
        return int(key)
    return selectors.item_class_by_name(actor=ctx.actor(), name=key).pk


def _area_id(ctx: Context, code: str) -> int:
    from shieldwall.catalogue import selectors
    from shieldwall.coalition.models import CapabilityAreaCode

    check_choice("--area", code, CapabilityAreaCode.values)
    area = selectors.capability_area_list(actor=ctx.actor()).filter(code=code).first()
    if area is None:
        raise UsageError(f"argument --area: no capability area {code!r} yet (run 'shieldwall catalogue seed')")
    return area.pk


def _class_record(ctx: Context, pk: int) -> dict[str, Any]:
    from shieldwall.catalogue import selectors

    obj = selectors.item_class_get(actor=ctx.actor(), id=pk)
    return {"id": obj.pk, "name": obj.name, "area": obj.area.code, "unit": obj.unit,
            "serial_tracked": obj.serial_tracked, "family": obj.family,
            "reference_unit_price_eur": obj.reference_unit_price_eur, "description": obj.description,
            "version": obj.version}


def _type_record(ctx: Context, pk: int) -> dict[str, Any]:
    from shieldwall.catalogue import selectors

    obj = selectors.item_type_get(actor=ctx.actor(), id=pk)
    return {"id": obj.pk, "name": obj.name, "item_class": obj.item_class.name,
            "reference_unit_price_eur": obj.reference_unit_price_eur, "price_source": obj.price_source,
            "price_date": obj.price_date, "satisfies": [c.item_class.name for c in obj.compatibilities.all()],
            "version": obj.version}


def _add_class(ctx: Context) -> None:
    from shieldwall.catalogue import services

    a = ctx.args
    actor = ctx.acting()
    obj = services.item_class_create(actor=actor, area_id=_area_id(ctx, a.area), name=a.name, unit=a.unit,
                                     serial_tracked=a.serial_tracked, family=a.family,
                                     reference_unit_price_eur=a.price, description=a.description)
    ctx.render_record(_class_record(ctx, obj.pk))


def _edit_class(ctx: Context) -> None:
    from shieldwall.catalogue import services

    a = ctx.args
    actor = ctx.acting()
    pk = _class_id(ctx, a.item_class)
    changes = {name: value for name, value in (
        ("name", a.name), ("unit", a.unit), ("serial_tracked", a.serial_tracked), ("family", a.family),
        ("reference_unit_price_eur", a.price), ("description", a.description)) if value is not None}
    if a.area is not None:
        changes["area_id"] = _area_id(ctx, a.area)
    if not changes:
        raise UsageError("nothing to change: give at least one of --name, --area, --unit, --serial-tracked, "
                         "--family, --price, --description")
    services.item_class_update(actor=actor, id=pk, expected_version=a.version, **changes)
    ctx.render_record(_class_record(ctx, pk))


def _add_type(ctx: Context) -> None:
    from shieldwall.catalogue import services

    a = ctx.args
    actor = ctx.acting()
    obj = services.item_type_create(actor=actor, item_class_id=_class_id(ctx, a.item_class), name=a.name,
                                    reference_unit_price_eur=a.price, price_source=a.source or "",
                                    price_date=a.date)
    ctx.render_record(_type_record(ctx, obj.pk))


def _edit_type(ctx: Context) -> None:
    from shieldwall.catalogue import services

    a = ctx.args
    actor = ctx.acting()
    changes = {name: value for name, value in (
        ("name", a.name), ("reference_unit_price_eur", a.price), ("price_source", a.source),
        ("price_date", a.date)) if value is not None}
    if a.item_class is not None:
        changes["item_class_id"] = _class_id(ctx, a.item_class)
    if not changes:
        raise UsageError("nothing to change: give at least one of --name, --class, --price, --source, --date")
    services.item_type_update(actor=actor, id=a.id, expected_version=a.version, **changes)
    ctx.render_record(_type_record(ctx, a.id))
