"""`shieldwall catalogue …`: seed the reference catalogue (from Kiel's heavy-weapons file and the built-in list),
list item classes and show one with the types that satisfy it. Thin over `catalogue.services` and
`catalogue.selectors`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shieldwall.cli import Context, add_command, add_group, check_choice


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
