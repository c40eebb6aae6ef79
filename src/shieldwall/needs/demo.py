"""Demo data of the requirements list: about 300 requirements of Ukraine across every capability area, created by
the Ukrainian recipient officer and taken through their lifecycle by the coordinators, as they would be by hand.

Most are submitted, validated and opened (the list donors pledge against); a few stay in draft or submitted so a
newcomer can submit or validate one, some were validated but not yet opened, and some were withdrawn with a
reason. Quantities are of the right order for each item class (`QUANTITIES`), priorities run from 1 to 5 (urgent
air defence and ammunition first), need-by dates fall over the twelve months after the reference date (today),
destinations are hubs and regions, and markings spread over PUBLIC, COALITION and REL TO lists, some RESTRICTED
and CONFIDENTIAL (never above the deployment's ceiling).

The list is generated from the catalogue with a fixed seed, so every load with the same catalogue and reference
date gives the same requirements. `size` scales it (1 = about 300; SHIELDWALL_DEMO_SCALE when not given). Every
record goes through the needs services; loading is idempotent: nothing is written when the marker requirement
(`MARKER_TITLE`) exists.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from shieldwall.catalogue.models import ItemClass
from shieldwall.catalogue.selectors import item_class_list
from shieldwall.core import demo as core_demo
from shieldwall.core.access import is_releasable
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification, Releasability, ceiling
from shieldwall.needs import services
from shieldwall.needs.models import Requirement, UseCategory
from shieldwall.needs.selectors import requirement_list

SEED = 2025
FULL_SIZE = 300
RECIPIENT = "ukr-recipient"
# The coordinator who validates and opens a requirement: the first of these who may read it.
COORDINATORS = ("coord", "gbr-coord", "deu-coord")
MARKER_TITLE = "Patriot interceptors for the defence of Kyiv"

C, R = Classification, Releasability
U = UseCategory

# Typical quantity of one requirement of each class of the reference catalogue (low, high), in the class's unit:
# a battery or two of long-range air defence, tens of thousands of shells, a hundred thousand FPV drones.
QUANTITIES: dict[str, tuple[int, int]] = {
    "long-range air defence system": (1, 3), "medium-range air defence system": (1, 4),
    "short-range air defence system": (2, 20), "Patriot interceptor": (12, 120), "SAMP/T interceptor": (10, 60),
    "IRIS-T SLM interceptor": (20, 200), "NASAMS interceptor": (20, 150),
    "short-range air-defence missile": (50, 1_000),
    "155 mm self-propelled howitzer": (4, 36), "155 mm towed howitzer": (6, 40), "152 mm howitzer": (4, 24),
    "122 mm howitzer": (6, 30), "105 mm howitzer": (6, 36), "multiple rocket launcher": (2, 18),
    "155 mm artillery ammunition": (10_000, 150_000), "152 mm artillery ammunition": (5_000, 60_000),
    "122 mm artillery ammunition": (5_000, 50_000), "105 mm artillery ammunition": (5_000, 50_000),
    "120 mm mortar ammunition": (5_000, 80_000), "GMLRS rocket": (30, 600), "122 mm MLRS rocket": (2_000, 40_000),
    "main battle tank": (4, 40), "infantry fighting vehicle": (10, 80), "armoured personnel carrier": (20, 200),
    "120 mm tank ammunition": (2_000, 30_000),
    "multirole fighter aircraft": (2, 12), "air-launched cruise missile": (10, 80),
    "precision-guided bomb kit": (100, 2_000),
    "uncrewed surface vessel": (10, 100), "coastal patrol boat": (2, 20), "mine countermeasures vessel": (1, 3),
    "coastal anti-ship missile system": (1, 3),
    "FPV drone": (10_000, 200_000), "reconnaissance UAS": (50, 1_500), "long-range strike drone": (50, 1_000),
    "counter-UAS system": (20, 300),
    "satellite communications terminal": (500, 10_000), "tactical radio": (500, 15_000),
    "ruggedised laptop": (200, 5_000), "cyber defence service": (1, 6),
    "mine clearance machine": (2, 30), "mine detector": (200, 3_000), "EOD protective kit": (100, 2_000),
    "basic military training course seat": (500, 10_000), "specialist training course seat": (50, 1_500),
    "air defence crew training course seat": (20, 300), "pilot training course seat": (4, 24),
    "vehicle spare-part kit": (20, 300), "vehicle repair and overhaul": (10, 200),
    "155 mm replacement barrel": (20, 200),
}

# How much of the list each capability area takes (requirements and, in the pledges demo, pledge lines).
AREA_WEIGHTS = {"air_defence": 18, "artillery": 26, "armour": 10, "air_force": 5, "maritime": 4, "drones": 14,
                "it_cyber": 7, "demining": 5, "training": 6, "other": 5}
AREA_USE = {"air_defence": U.TERRITORIAL_AIR_DEFENCE, "demining": U.HUMANITARIAN, "training": U.TRAINING,
            "other": U.SUSTAINMENT, "it_cyber": U.SUSTAINMENT}
FRONT = ("Kharkiv region", "Donetsk region", "Zaporizhzhia region", "Sumy region", "Dnipro", "Kherson region")
DESTINATIONS: dict[str, tuple[str, ...]] = {
    "air_defence": ("Kyiv", "Odesa", "Dnipro", "Kharkiv region", "Zaporizhzhia region", "Lviv", "Mykolaiv"),
    "artillery": FRONT, "armour": FRONT, "drones": FRONT,
    "maritime": ("Odesa", "Mykolaiv"),
    "air_force": ("Lviv", "Rzeszów hub"),
    "it_cyber": ("Kyiv", "Lviv", "Rzeszów hub"),
    "demining": ("Kharkiv region", "Mykolaiv", "Kherson region"),
    "training": ("Rzeszów hub",),
    "other": ("Rzeszów hub", "Lviv", "Dnipro"),
}
JUSTIFICATIONS: dict[str, tuple[str, ...]] = {
    "air_defence": ("Protects critical energy infrastructure against combined missile and drone strikes.",
                    "Stocks of interceptors at this site fall below one week of engagements.",
                    "Closes a gap in the air defence of the city after recent losses."),
    "artillery": ("Sustains counter-battery fire of the brigades on this axis for three months.",
                  "Replaces guns and rounds expended in defensive operations.",
                  "Needed to keep the rate of fire at the level the defence plan assumes."),
    "armour": ("Re-equips mechanised brigades after losses.", "Forms the armoured reserve of the new corps."),
    "air_force": ("Sustains air operations and the training pipeline of the air force.",),
    "maritime": ("Keeps the grain corridor open and protects the ports.",),
    "drones": ("Brigades on this axis expend this many drones in about three months.",
               "Replaces losses to electronic warfare.", "Extends reconnaissance and strike depth."),
    "it_cyber": ("Secure communications for newly formed units.", "Protects military networks against attack."),
    "demining": ("Clears farmland and infrastructure so civilians can return.",),
    "training": ("Trains the crews of systems already pledged.", "Trains newly mobilised personnel."),
    "other": ("Returns damaged equipment to service instead of waiting for replacements.",),
}
REL_TO_LISTS = (("GBR", "UKR"), ("DEU", "POL", "UKR"), ("FRA", "GBR", "UKR"), ("GBR", "USA", "UKR"),
                ("DEU", "FRA", "UKR"), ("DNK", "GBR", "NLD", "UKR"))
WITHDRAW_REASONS = ("Met from Ukrainian production.", "Superseded by a consolidated requirement.",
                    "The unit was re-equipped with another system.", "Entered twice by mistake.")


@dataclass(frozen=True)
class Plan:
    """One requirement to create, and how far along its lifecycle it goes (`final`)."""

    item_class: str
    title: str
    quantity: int
    priority: int
    destination: str
    use_category: str
    classification: int
    releasability: str
    rel_to: tuple[str, ...] = ()
    final: str = "open"  # draft | submitted | validated | open | withdrawn
    withdrawn_from: str = ""  # the status it was withdrawn from (draft | submitted | open)
    justification: str = ""
    need_in_days: int = 180


# Hand-written requirements the demo always has: the marker first, then the headliners a newcomer finds, and
# some left in draft or submitted for a newcomer to submit or validate.
HEADLINES: tuple[Plan, ...] = (
    Plan("Patriot interceptor", MARKER_TITLE, 96, 1, "Kyiv", U.TERRITORIAL_AIR_DEFENCE, C.RESTRICTED,
         R.COALITION, need_in_days=45,
         justification="Ballistic missile defence of the capital; current stocks last weeks, not months."),
    Plan("155 mm artillery ammunition", "155 mm shells for the Kharkiv front", 120_000, 1, "Kharkiv region",
         U.FRONT_LINE, C.UNCLASSIFIED, R.PUBLIC, need_in_days=60,
         justification="Sustains counter-battery fire of four brigades through the winter."),
    Plan("IRIS-T SLM interceptor", "IRIS-T SLM reloads for Odesa", 120, 1, "Odesa", U.TERRITORIAL_AIR_DEFENCE,
         C.RESTRICTED, R.REL_TO, ("DEU", "UKR"), need_in_days=75,
         justification="Reloads for the fire units defending the port."),
    Plan("FPV drone", "FPV drones for brigades in Donetsk region", 150_000, 2, "Donetsk region", U.FRONT_LINE,
         C.UNCLASSIFIED, R.COALITION, need_in_days=90),
    Plan("mine clearance machine", "Demining machines for farmland in Kharkiv region", 12, 3, "Kharkiv region",
         U.HUMANITARIAN, C.UNCLASSIFIED, R.PUBLIC, need_in_days=240),
    Plan("pilot training course seat", "F-16 pilot conversion, second cohort", 12, 2, "Rzeszów hub",
         U.TRAINING, C.RESTRICTED, R.COALITION, need_in_days=200),
    Plan("vehicle repair and overhaul", "Depot repair of battle-damaged Leopard 2 tanks", 40, 2, "Rzeszów hub",
         U.SUSTAINMENT, C.UNCLASSIFIED, R.COALITION, need_in_days=150),
    Plan("medium-range air defence system", "NASAMS fire units for Dnipro", 2, 1, "Dnipro",
         U.TERRITORIAL_AIR_DEFENCE, C.CONFIDENTIAL, R.COALITION, need_in_days=120),
    Plan("counter-UAS system", "Counter-drone jammers for Zaporizhzhia region", 120, 2, "Zaporizhzhia region",
         U.FRONT_LINE, C.UNCLASSIFIED, R.COALITION, final="submitted", need_in_days=100),
    Plan("tactical radio", "Tactical radios for new brigades", 4_000, 3, "Lviv", U.FRONT_LINE, C.UNCLASSIFIED,
         R.COALITION, final="submitted", need_in_days=160),
    Plan("152 mm artillery ammunition", "152 mm shells for D-20 and 2S3 batteries", 40_000, 2, "Kharkiv region",
         U.FRONT_LINE, C.UNCLASSIFIED, R.COALITION, final="draft", need_in_days=90),
    Plan("EOD protective kit", "EOD kits for the State Emergency Service", 600, 4, "Mykolaiv", U.HUMANITARIAN,
         C.UNCLASSIFIED, R.PUBLIC, final="draft", need_in_days=210),
)


def reference_date() -> date:
    """The day the demo is generated for: need-by dates run from it, lifecycle steps end by it."""
    return timezone.localdate()


def nice(quantity: float) -> int:
    """A quantity as people write it: two significant figures (12,000 rather than 11,873), at least 1."""
    if quantity < 10:
        return max(1, round(quantity))
    digits = len(str(int(quantity))) - 2
    return int(round(quantity / 10**digits) * 10**digits)


def quantity_range(item_class: str, price: Decimal | None) -> tuple[int, int]:
    """The typical quantity of one requirement of this class: from `QUANTITIES`, else from its unit price (a need
    worth roughly 2 to 100 million euros)."""
    if item_class in QUANTITIES:
        return QUANTITIES[item_class]
    unit = float(price) if price and price > 0 else 100_000.0
    return max(1, round(2e6 / unit)), max(2, round(1e8 / unit))


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    """Quantities spread over orders of magnitude: uniform in the logarithm."""
    if high <= low:
        return low
    return float(low * (high / low) ** rng.random())


def _priority(rng: random.Random, area: str, name: str) -> int:
    if area == "air_defence" or "ammunition" in name:
        weights = (30, 35, 20, 10, 5)
    elif area in ("training", "other", "it_cyber", "demining"):
        weights = (5, 15, 35, 30, 15)
    else:
        weights = (15, 25, 30, 20, 10)
    return rng.choices(range(1, 6), weights=weights)[0]


def _need_in_days(rng: random.Random, priority: int) -> int:
    low, high = {1: (14, 120), 2: (30, 200)}.get(priority, (60, 365))
    return rng.randint(low, high)


def _marking(rng: random.Random) -> tuple[int, str, tuple[str, ...]]:
    roll = rng.random()
    if roll < 0.15:
        return C.UNCLASSIFIED, R.PUBLIC, ()
    if roll < 0.68:
        return C.UNCLASSIFIED, R.COALITION, ()
    if roll < 0.83:
        return C.RESTRICTED, R.COALITION, ()
    if roll < 0.96:
        return rng.choice((C.UNCLASSIFIED, C.RESTRICTED)), R.REL_TO, rng.choice(REL_TO_LISTS)
    return C.CONFIDENTIAL, R.COALITION, ()


def _final(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.03:
        return "draft", ""
    if roll < 0.06:
        return "submitted", ""
    if roll < 0.09:
        return "validated", ""
    if roll < 0.16:
        return "withdrawn", rng.choice(("draft", "submitted", "open", "open", "open"))
    return "open", ""


def plan(*, classes: Sequence[ItemClass], size: float, seed: int = SEED) -> list[Plan]:
    """The requirements of the demo: the headlines, then generated ones up to about `FULL_SIZE` × `size`."""
    rng = random.Random(seed)
    by_area: dict[str, list[ItemClass]] = {}
    for item_class in classes:
        by_area.setdefault(item_class.area.code, []).append(item_class)
    areas = [a for a in AREA_WEIGHTS if a in by_area]
    known = {c.name for c in classes}
    plans = [p for p in HEADLINES if p.item_class in known]
    titles = Counter(p.title for p in plans)
    for _ in range(max(0, round(FULL_SIZE * size) - len(plans))):
        area = rng.choices(areas, weights=[AREA_WEIGHTS[a] for a in areas])[0]
        item_class = rng.choice(by_area[area])
        low, high = quantity_range(item_class.name, item_class.reference_unit_price_eur)
        destination = rng.choice(DESTINATIONS.get(area, FRONT))
        title = f"{item_class.name[0].upper()}{item_class.name[1:]} for {destination}"
        titles[title] += 1
        if titles[title] > 1:
            title = f"{title} ({_ordinal(titles[title])} request)"
        priority = _priority(rng, area, item_class.name)
        classification, releasability, rel_to = _marking(rng)
        final, withdrawn_from = _final(rng)
        use = AREA_USE.get(area, U.FRONT_LINE)
        if item_class.name == "long-range strike drone":
            use = U.CROSS_BORDER  # strikes on launch sites and depots beyond the border
        plans.append(Plan(
            item_class.name, title, nice(log_uniform(rng, low, high)), priority, destination, use, classification,
            releasability, rel_to, final, withdrawn_from, rng.choice(JUSTIFICATIONS.get(area, ("",))),
            _need_in_days(rng, priority)))
    return plans


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _coordinator(coordinators: Sequence[Actor], requirement: Requirement) -> Actor | None:
    return next((c for c in coordinators if is_releasable(c, requirement)), None)


def _create(spec: Plan, class_ids: dict[str, int], recipient: Actor, coordinators: Sequence[Actor],
            today: date, rng: random.Random) -> int:
    """Create one requirement and take it as far as its plan says; returns the writes made."""
    requirement = services.requirement_create(
        actor=recipient, item_class_id=class_ids[spec.item_class], quantity=spec.quantity,
        need_by=today + timedelta(days=spec.need_in_days), destination=spec.destination, priority=spec.priority,
        use_category=spec.use_category, justification=spec.justification, title=spec.title,
        classification=min(spec.classification, ceiling()), releasability=spec.releasability, rel_to=spec.rel_to)
    stop = spec.withdrawn_from or spec.final
    path = ("submitted", "validated", "open")[:("draft", "submitted", "validated", "open").index(stop)]
    written = 1
    for status in path:
        if status == "submitted":
            services.requirement_submit(actor=recipient, id=requirement.pk)
        else:
            coordinator = _coordinator(coordinators, requirement)
            if coordinator is None:  # no coordinator may read it: it waits, submitted
                break
            step = services.requirement_validate if status == "validated" else services.requirement_open
            step(actor=coordinator, id=requirement.pk)
        written += 1
    if spec.final == "withdrawn":
        services.requirement_withdraw(actor=recipient, id=requirement.pk, reason=rng.choice(WITHDRAW_REASONS))
        written += 1
    return written


def load(*, report: core_demo.Reporter = core_demo.quiet, size: float | None = None) -> int:
    """Load the requirements list (once); returns the number of writes made."""
    recipient = core_demo.actor(RECIPIENT)
    if requirement_list(actor=recipient).filter(title=MARKER_TITLE).exists():
        report(1, 1, "requirements already loaded")
        return 0
    system = core_demo.system_actor()
    classes = list(item_class_list(actor=system))
    class_ids = {c.name: c.pk for c in classes}
    plans = plan(classes=classes, size=core_demo.scale(size))
    coordinators = [core_demo.actor(name) for name in COORDINATORS]
    today = reference_date()
    rng = random.Random(SEED + 1)  # reasons are drawn apart, so the plan does not depend on them
    written = 0
    for number, spec in enumerate(plans):
        if number % 25 == 0:
            report(number, len(plans), "requirements")
        written += _create(spec, class_ids, recipient, coordinators, today, rng)
    report(len(plans), len(plans), "requirements loaded")
    return written
