"""What the pledges demo's generator works with (`World`: the seeded random source, the demo's actors, the
catalogue, the open requirements and who may see them) and the plans it makes of packages and line markings,
with the small rules every plan follows (who has which item type, money in the donor's currency)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from shieldwall.catalogue.models import ItemType
from shieldwall.catalogue.selectors import item_type_list
from shieldwall.coalition.demo import COALITIONS
from shieldwall.core import demo as core_demo
from shieldwall.core.actor import Actor
from shieldwall.core.markings import ceiling
from shieldwall.needs.demo import quantity_range, reference_date
from shieldwall.needs.models import ACTIVE_STATUSES, Requirement
from shieldwall.needs.selectors import requirement_list
from shieldwall.pledges import valuation
from shieldwall.pledges.demo.data import COORDINATORS, DONORS, EURO_FROM, ORIGINS, RECIPIENT, SEED, C, Donor, R


def lead_areas() -> dict[str, dict[str, int]]:
    """How much more a nation gives in an area whose capability coalition it leads (×4) or belongs to (×2)."""
    boost: dict[str, dict[str, int]] = {}
    for _name, area, leads, members in COALITIONS:
        for code in members:
            boost.setdefault(code, {})[area] = 2
        for code in leads:
            boost.setdefault(code, {})[area] = 4
    return boost


@dataclass
class Need:
    """An open requirement as the generator sees it: what is left to pledge against it."""

    requirement: Requirement
    room: int  # units still to pledge before the generator moves on to other requirements
    smallest: int  # the fewest units a line against it offers (no line of one FPV drone)


@dataclass
class World:
    """Everything the plans are drawn from, and what they have used up so far."""

    rng: random.Random
    today: date
    donors: dict[str, Actor]
    coordinators: list[Actor]
    recipient: Actor
    types_by_class: dict[int, list[ItemType]]
    classes_by_area: dict[str, list[int]]
    needs: dict[str, list[Need]]  # capability area → its open requirements
    sees: dict[str, set[int]]  # username → ids of the active requirements that actor may see
    boost: dict[str, dict[str, int]] = field(default_factory=lead_areas)
    last_rate: dict[str, date] = field(default_factory=dict)  # currency → its last ECB fixing
    touched: set[int] = field(default_factory=set)  # requirements whose status the lines may move


def gives(code: str, item_type: ItemType) -> bool:
    """Whether the nation has or buys this item type (`ORIGINS`; types not listed there, any nation)."""
    name = item_type.name.lower()
    for pattern, nations in ORIGINS:
        if re.search(pattern, name):
            return code in nations
    return True


def reads(actor: Actor, classification: int, releasability: str, codes: Sequence[str], origin: str) -> bool:
    """Whether the plan should have `actor` record a step on a line so marked (the services check it again)."""
    if classification > actor.clearance:
        return False
    if releasability == R.PUBLIC or actor.nation_code == origin:
        return True
    return actor.is_member if releasability == R.COALITION else actor.nation_code in codes


def money(world: World, eur: Decimal, currency: str, day: date) -> tuple[Decimal, date]:
    """An amount in the donor's currency worth about `eur`, rounded as donors report it, and its value date:
    the given day, or the ECB's last fixing when the packaged rates end before it."""
    if currency not in world.last_rate:
        world.last_rate[currency] = _last_fixing(currency, world.today)
    on = min(day, world.last_rate[currency])
    rate, _ = valuation.ecb_rate(currency, on)
    amount = eur * rate
    places = max(0, len(str(int(amount))) - 3)  # three significant figures
    return (amount / 10**places).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 10**places, on


def _last_fixing(currency: str, today: date) -> date:
    """The latest day up to today the packaged ECB rates value `currency` on (they end some weeks back)."""
    for weeks in range(105):
        try:
            valuation.ecb_rate(currency, today - timedelta(weeks=weeks))
            return today - timedelta(weeks=weeks)
        except valuation.ValuationError:
            continue
    raise valuation.ValuationError(f"no ECB rate for {currency} in the two years up to {today}")


def currency_on(donor: Donor, day: date) -> str:
    euro = EURO_FROM.get(donor.code)
    return "EUR" if euro and day >= euro else donor.currency


def type_for(world: World, class_id: int, code: str, *, draw: bool = True) -> ItemType | None:
    """An item type of the class this donor has or buys (with `draw=False`, only whether there is one)."""
    allowed = [t for t in world.types_by_class.get(class_id, []) if gives(code, t)]
    if not allowed or not draw:
        return allowed[0] if allowed else None
    return world.rng.choice(allowed)


def unit_price(item_type: ItemType) -> Decimal:
    return item_type.reference_unit_price_eur or item_type.item_class.reference_unit_price_eur or Decimal(10_000)


def package_marking(world: World, donor: Actor) -> tuple[int, str, tuple[str, ...]]:
    """A package's marking: most PUBLIC or COALITION, some RESTRICTED, REL TO lists, a few CONFIDENTIAL."""
    rng, top = world.rng, min(donor.clearance, ceiling())
    roll = rng.random()
    if roll < 0.28:
        return C.UNCLASSIFIED, R.PUBLIC, ()
    if roll < 0.70:
        return C.UNCLASSIFIED, R.COALITION, ()
    if roll < 0.82:
        return min(C.RESTRICTED, top), R.COALITION, ()
    if roll < 0.96:
        code = donor.nation_code or ""
        lists = [(code, "UKR"), (code, "POL", "UKR"), (code, "GBR", "UKR"), (code, "FRA", "UKR"), (code, "USA", "UKR")]
        if code == "DEU":
            lists.append(("DEU", "POL"))
        return min(rng.choice((C.UNCLASSIFIED, C.RESTRICTED)), top), R.REL_TO, tuple(dict.fromkeys(rng.choice(lists)))
    return min(C.CONFIDENTIAL, top), R.COALITION, ()


@dataclass
class PackagePlan:
    donor: Donor
    title: str
    day: date
    source: str
    areas: tuple[str, ...]
    lines: int
    marking: tuple[int, str, tuple[str, ...]]
    funders: tuple[tuple[str, str], ...] = ()
    announcement_id: int | None = None
    items: tuple[tuple[str, int], ...] = ()
    description: str = ""


@dataclass(frozen=True)
class LineMarking:
    """A line's marking as the plan knows it: what it was given (None: the package's) and what it comes to."""

    given: tuple[int | None, str | None, tuple[str, ...] | None]
    classification: int
    releasability: str
    codes: tuple[str, ...]


def build_world() -> World:
    """The world as the demo's requirements, catalogue and users leave it (the seeded source starts afresh)."""
    system = core_demo.system_actor()
    donors = {d.code: core_demo.actor(core_demo.donor_username(d.code)) for d in DONORS}
    coordinators = [core_demo.actor(name) for name in COORDINATORS]
    recipient = core_demo.actor(RECIPIENT)
    types = list(item_type_list(actor=system).select_related("item_class__area").order_by("name"))
    types_by_class: dict[int, list[ItemType]] = {}
    classes_by_area: dict[str, list[int]] = {}
    for item_type in types:
        for class_id in sorted({item_type.item_class_id, *(c.item_class_id for c in item_type.compatibilities.all())}):
            types_by_class.setdefault(class_id, []).append(item_type)
        area_classes = classes_by_area.setdefault(item_type.item_class.area.code, [])
        if item_type.item_class_id not in area_classes:
            area_classes.append(item_type.item_class_id)
    active = requirement_list(actor=recipient).filter(status__in=ACTIVE_STATUSES).order_by("id")
    rng = random.Random(SEED)
    needs: dict[str, list[Need]] = {}
    for requirement in active:
        # How far donors go towards each requirement: some little, some fully, a few beyond it.
        room = round(requirement.quantity * rng.choice((0.3, 0.6, 0.9, 1.0, 1.1)))
        low, _ = quantity_range(requirement.item_class.name, requirement.item_class.reference_unit_price_eur)
        needs.setdefault(requirement.item_class.area.code, []).append(Need(requirement, room, max(1, low // 5)))
    sees = {a.username: set(requirement_list(actor=a).filter(status__in=ACTIVE_STATUSES).values_list("pk", flat=True))
            for a in (*donors.values(), *coordinators)}
    return World(rng, reference_date(), donors, coordinators, recipient, types_by_class, classes_by_area, needs,
                  sees)
