"""Planning the lines of a package: item types the donor has, quantities of the order a requirement is expressed
in, values at reference prices with noise in the donor's currency, markings, and the dated steps towards a
stage drawn for each line."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from shieldwall.catalogue.models import ItemType
from shieldwall.core.actor import Actor
from shieldwall.core.markings import ceiling
from shieldwall.needs.demo import log_uniform, nice, quantity_range
from shieldwall.needs.models import UseCategory
from shieldwall.pledges import services
from shieldwall.pledges.demo.data import CANCEL_REASONS, FINANCED, ONE_NATION, STAGE_WEIGHTS, STAGES, C, Donor, R
from shieldwall.pledges.demo.world import (
    LineMarking,
    Need,
    PackagePlan,
    World,
    currency_on,
    money,
    reads,
    type_for,
    unit_price,
)
from shieldwall.pledges.models import PackageSource, ValuationMethod
from shieldwall.pledges.services.demo_load import LinePlan, StepPlan


def line_marking(world: World, donor: Actor, package: PackagePlan) -> LineMarking:
    """Most lines take their package's marking; some German lines are released to Germany alone, and a few lines
    are RESTRICTED within a package that is not."""
    cls, rel, codes = package.marking
    roll, code = world.rng.random(), donor.nation_code or ""
    if code == ONE_NATION and roll < 0.12:
        return LineMarking((None, R.REL_TO, (code,)), cls, R.REL_TO, (code,))
    if roll < 0.05 and cls < C.RESTRICTED <= min(donor.clearance, ceiling()):
        # RESTRICTED is not for public release: such a line of a public package goes to the coalition only.
        wider = rel == R.PUBLIC
        given = (C.RESTRICTED, R.COALITION if wider else None, None)
        return LineMarking(given, C.RESTRICTED, R.COALITION if wider else rel, codes)
    return LineMarking((None, None, None), cls, rel, codes)


def need_for(world: World, donor: Actor, area: str, excluded: Sequence[str]) -> Need | None:
    """An open requirement of the area the donor may see, with room left, most urgent likeliest (or none)."""
    seen = world.sees.get(donor.username, set())
    found = [n for n in world.needs.get(area, []) if n.room >= n.smallest and n.requirement.pk in seen
             and n.requirement.use_category not in excluded]
    if not found or world.rng.random() > 0.7:
        return None
    return world.rng.choices(found, weights=[6 - n.requirement.priority for n in found])[0]


def barred_uses(code: str, area: str) -> list[str]:
    # Some donors bar the use of what they give beyond Ukraine's territory.
    if code in ("DEU", "ITA", "JPN") and area in ("artillery", "air_force", "drones"):
        return [UseCategory.CROSS_BORDER]
    return []


def plan_item_line(world: World, donor: Donor, actor: Actor, package: PackagePlan, area: str) -> LinePlan | None:
    """A line of an item type in the area, against an open requirement when one suits (None: the donor has
    nothing to give in any area it gives in)."""
    rng = world.rng
    excluded = barred_uses(donor.code, area)
    need = need_for(world, actor, area, excluded)
    item_type = type_for(world, need.requirement.item_class_id, donor.code) if need else None
    if item_type is None:
        need = None
        # A class of the area this donor has something of, else of another area it gives in.
        classes = [c for c in world.classes_by_area[area] if _has_type(world, c, donor)]
        if not classes:
            areas = [a for a in world.classes_by_area if not donor.only or a in donor.only]
            classes = [c for a in areas for c in world.classes_by_area[a] if _has_type(world, c, donor)]
        if not classes:
            return None
        item_type = type_for(world, rng.choice(classes), donor.code)
        assert item_type is not None
    if need is not None:
        quantity = scaled(item_type, min(need.room, max(need.smallest, nice(need.room * rng.uniform(0.25, 0.8)))))
        need.room -= quantity
    else:
        low, high = quantity_range(item_type.item_class.name, item_type.item_class.reference_unit_price_eur)
        quantity = scaled(item_type, nice(log_uniform(rng, max(1, low / 5), max(1, high / 2))))
    return plan_line(world, donor, actor, package, item_type, quantity, need, excluded)


def _has_type(world: World, class_id: int, donor: Donor) -> bool:
    return type_for(world, class_id, donor.code, draw=False) is not None


def scaled(item_type: ItemType, quantity: int) -> int:
    """Fewer units of a type far dearer than its class (guided shells among shells): about the same money."""
    typical, price = item_type.item_class.reference_unit_price_eur, item_type.reference_unit_price_eur
    if typical and price and price > 3 * typical:
        return nice(float(quantity * typical / price))
    return quantity


def plan_line(world: World, donor: Donor, actor: Actor, package: PackagePlan, item_type: ItemType | None,
              quantity: int, need: Need | None, excluded: Sequence[str] = (), financed: str = "",
              eur: Decimal | None = None) -> LinePlan:
    """One line: its value, currency, marking and restrictions, and its dated steps."""
    rng = world.rng
    if package.source == PackageSource.STOCK:
        method = rng.choices((ValuationMethod.NET_BOOK_VALUE, ValuationMethod.REPLACEMENT_COST,
                              ValuationMethod.REPORTED), weights=(4, 3, 3))[0]
    else:
        method = rng.choices((ValuationMethod.NEW_MARKET_PRICE, ValuationMethod.REPORTED), weights=(7, 3))[0]
    low, high = {ValuationMethod.NET_BOOK_VALUE: (30, 70), ValuationMethod.REPLACEMENT_COST: (95, 130),
                 ValuationMethod.NEW_MARKET_PRICE: (95, 125)}.get(method, (80, 115))
    if eur is None:
        assert item_type is not None
        eur = unit_price(item_type) * quantity * Decimal(rng.randint(low, high)) / 100
    amount, value_date = money(world, eur, currency_on(donor, package.day), package.day)
    available = package.day + timedelta(days=rng.randint(7, 120))
    flags: list[str] = []
    if item_type is not None and item_type.item_class.serial_tracked and rng.random() < 0.3:
        flags.append("eeum" if donor.code == "USA" else "no_retransfer")
    marking = line_marking(world, actor, package)
    spec = services.LineSpec(
        item_type_id=item_type.pk if item_type else None, quantity=quantity, value_amount=amount,
        currency=currency_on(donor, package.day), value_date=value_date, valuation_method=method,
        description=financed or ("from national stocks" if package.source == PackageSource.STOCK
                                 else "new production"),
        available_from=available, restriction_flags=flags, excluded_uses=list(excluded),
        restrictions="Re-transfer and end use as agreed with the donor." if flags else "",
        requirement_id=need.requirement.pk if need else None, classification=marking.given[0],
        releasability=marking.given[1], rel_to=marking.given[2])
    steps = plan_steps(world, actor, package, spec, need, marking)
    if need is not None and steps and steps[-1].verb in ("allocate", "contract", "ship", "deliver"):
        world.touched.add(need.requirement.pk)  # its status may move on from open
    return LinePlan(spec, steps)


def plan_steps(world: World, donor: Actor, package: PackagePlan, spec: services.LineSpec, need: Need | None,
               marking: LineMarking) -> list[StepPlan]:
    """The dated steps towards a stage drawn for the line; those that would fall after today are not taken yet."""
    rng, origin = world.rng, donor.nation_code or ""
    target = rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
    allocator = next((c for c in world.coordinators if need is not None
                      and reads(c, marking.classification, marking.releasability, marking.codes, origin)
                      and need.requirement.pk in world.sees.get(c.username, set())), None)
    if allocator is None and target in ("allocated", "contracted"):
        target = "committed" if target == "allocated" else "shipped"
    if target == "contracted" and package.source == PackageSource.STOCK:
        target = "allocated"  # a line from stocks needs no contract
    receiver = world.recipient if reads(world.recipient, marking.classification, marking.releasability,
                                         marking.codes, origin) else donor
    plan: list[tuple[str, int, int, Actor, int]] = [("commit", 0, 30, donor, 0)]  # (verb, gap from, to, who, units)
    if target == "announced":
        plan = []
    elif target == "cancelled":
        plan = [*plan[:rng.randint(0, 1)], ("cancel", 20, 150, donor, 0)]
    else:
        allocated = allocator is not None and (target in ("allocated", "contracted") or rng.random() < 0.7)
        if allocated and allocator is not None:
            plan.append(("allocate", 7, 45, allocator, 0))
        if allocated and package.source != PackageSource.STOCK and target != "allocated":
            plan.append(("contract", 14, 75, donor, 0))
        if target in ("shipped", "delivered"):
            parts = split_parts(rng, spec.quantity)
            for number, part in enumerate(parts):
                plan.append(("ship", 10 if number else 20, 60, donor, part))
                if target == "delivered" or number < len(parts) - 1:
                    plan.append(("deliver", 2, 14, receiver, part))
    steps, day = [], package.day
    for verb, low, high, actor, units in plan:
        day += timedelta(days=rng.randint(low, high))
        if day > world.today:
            break
        steps.append(StepPlan(verb, day, actor, units=units, reason=rng.choice(CANCEL_REASONS) if verb == "cancel"
                              else "", requirement_id=need.requirement.pk if verb == "allocate" and need else None))
    return steps


def split_parts(rng: random.Random, quantity: int) -> list[int]:
    """A line ships in one to three parts."""
    count = 1 if quantity < 4 else rng.choice((1, 1, 2, 2, 3))
    cuts = sorted(rng.sample(range(1, quantity), count - 1)) if count > 1 else []
    bounds = [0, *cuts, quantity]
    return [b - a for a, b in itertools.pairwise(bounds)]


def lines_of(world: World, plan: PackagePlan, types: dict[str, ItemType]) -> list[LinePlan]:
    """The lines of a package: amounts of money for financing, the fixed items of a co-funded package, else
    lines drawn in its areas."""
    actor = world.donors[plan.donor.code]
    if plan.source == PackageSource.FINANCING:
        if plan.items:
            return [plan_line(world, plan.donor, actor, plan, None, 1, None, financed=what, eur=Decimal(eur))
                    for what, eur in plan.items]
        return [plan_line(world, plan.donor, actor, plan, None, 1, None, financed=world.rng.choice(FINANCED),
                          eur=Decimal(nice(log_uniform(world.rng, 5e6, 3e8)))) for _ in range(plan.lines)]
    if plan.items:
        out = []
        for name, quantity in plan.items:
            item_type = types[name]
            seen = world.sees.get(actor.username, set())
            need = next((n for n in world.needs.get(item_type.item_class.area.code, []) if n.room >= n.smallest
                         and n.requirement.pk in seen and n.requirement.item_class_id in classes_of(world, item_type)),
                        None)
            if need is not None:
                need.room -= quantity
            out.append(plan_line(world, plan.donor, actor, plan, item_type, quantity, need))
        return out
    lines = [plan_item_line(world, plan.donor, actor, plan, world.rng.choice(plan.areas)) for _ in range(plan.lines)]
    return [line for line in lines if line is not None]


def classes_of(world: World, item_type: ItemType) -> set[int]:
    return {class_id for class_id, types in world.types_by_class.items() if item_type in types}
