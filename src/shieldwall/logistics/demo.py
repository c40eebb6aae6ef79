"""Demo data of delivery and accountability: four hubs, donors' serial-tracked pledge lines shipped to Ukraine
through them in every state (planned, on the way, at a hub, handed over and partly received, received, lost,
damaged), a few thousand serial-numbered items captured before shipment, inspected on time, late or not at all,
a handful lost or destroyed, one handed on from Ukraine to Poland, and a disposition report — so that the
compliance dashboard tells a story.

Dates are relative to today, so the story stays current. The count returned is of audited writes (a batch of
serial numbers is one, as it is one audit event). Everything goes through the services (pledges,
logistics, monitoring), as the users would; idempotent: nothing is written when the hubs already exist.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from shieldwall.catalogue.models import ItemType
from shieldwall.core import demo as core_demo
from shieldwall.core.actor import Actor
from shieldwall.logistics import services
from shieldwall.logistics.models import Hub, Shipment
from shieldwall.monitoring import services as monitoring
from shieldwall.monitoring import tables
from shieldwall.monitoring.models import SerialItem, SerialStatus
from shieldwall.pledges import services as pledges

HUBS = (  # name, nation, place, latitude, longitude, shipments a day
    ("Ramstein", "DEU", "Ramstein-Miesenbach", "49.43690", "7.60030", 6),
    ("Rzeszów-Jasionka", "POL", "Jasionka", "50.11000", "22.01900", 8),
    ("Lublin rail yard", "POL", "Lublin", "51.24650", "22.56840", 4),
    ("Lviv handover point", "UKR", "Lviv", "49.83970", "24.02970", 5),
)
RAMSTEIN, RZESZOW, LUBLIN, LVIV = range(4)


@dataclass(frozen=True)
class Donation:
    donor: str  # demo username
    item_type: str
    units: int
    prefix: str
    batches: tuple[tuple[int, tuple[int, ...]], ...]  # (units, route as hub indexes) per shipment
    classification: int = 0
    releasability: str = "COALITION"


DONATIONS = (
    Donation("usa-donor", "FIM-92 Stinger", 1400, "US-STG", (
        (400, (RAMSTEIN, RZESZOW, LVIV)), (400, (RAMSTEIN, RZESZOW, LVIV)), (300, (RZESZOW, LVIV)),
        (200, (RAMSTEIN, RZESZOW)), (100, (RAMSTEIN,)))),
    Donation("usa-donor", "M31A1 GMLRS unitary rocket", 600, "US-GMLRS", (
        (250, (RAMSTEIN, RZESZOW, LVIV)), (200, (RZESZOW, LVIV)), (150, (RAMSTEIN, RZESZOW)))),
    Donation("fra-donor", "Mistral 3", 450, "FR-MST", (
        (200, (RAMSTEIN, RZESZOW, LVIV)), (150, (LUBLIN, LVIV)), (100, (RZESZOW,)))),
    Donation("gbr-donor", "Starstreak HVM", 500, "GB-SSK", (
        (250, (RZESZOW, LVIV)), (150, (LUBLIN,)), (100, (RZESZOW, LVIV)))),
    Donation("deu-donor", "IRIS-T SL missile", 300, "DE-IRT", ((180, (RAMSTEIN, LUBLIN, LVIV)), (120, (RAMSTEIN,)))),
    Donation("deu-donor", "Flakpanzer Gepard", 15, "DE-GEP", ((15, (RAMSTEIN, RZESZOW, LVIV)),)),
    Donation("pol-donor", "M113 armoured personnel carrier", 60, "PL-M113", ((40, (LUBLIN, LVIV)), (20, (LUBLIN,)))),
)
# How each donation's shipments end, in order (cycled): days before today they left, and what became of them.
FATES = ("received_old", "received_old", "received_mid", "received_recent", "partial", "at_hub", "dispatched",
         "lost", "damaged", "planned", "planned_late")
RECIPIENT = "ukr-recipient"
# Donors one of whose received batches was never inventoried (its items are overdue on the dashboard).
NEVER_INSPECTED = ("USA", "POL")
COORDINATOR = "coord"


def _today() -> date:
    return timezone.localdate()


def load(*, report: core_demo.Reporter = core_demo.quiet) -> int:
    coordinator = core_demo.actor(COORDINATOR)
    if Hub.objects.visible_to(coordinator).filter(name=HUBS[0][0]).exists():
        report(1, 1, "logistics and monitoring already loaded")
        return 0
    rng = random.Random(20250224)
    written = 0
    hubs = [services.hub_create(actor=coordinator, name=name, nation=code, location=place, latitude=Decimal(lat),
                                longitude=Decimal(lon), capacity_per_day=capacity)
            for name, code, place, lat, lon, capacity in HUBS]
    written += len(hubs)
    fate_index = 0
    for number, donation in enumerate(DONATIONS, start=1):
        report(number - 1, len(DONATIONS) + 1, f"shipments of {donation.item_type}")
        donor = core_demo.actor(donation.donor)
        line_id = _pledge(donor, donation)
        written += 2
        plans = []
        for batch, (units, route) in enumerate(donation.batches):
            fate = FATES[fate_index % len(FATES)] if batch else "received_old"
            fate_index += 1
            plans.append((_days_ago(fate, batch), batch, units, route, fate))
        # A line's steps are dated in order, so its shipments are recorded in the order they left.
        for days_ago, batch, units, route, fate in sorted(plans, key=lambda p: -p[0]):
            written += _ship(donor, donation, line_id, batch, units, [hubs[i] for i in route], fate, days_ago, rng)
    report(len(DONATIONS), len(DONATIONS) + 1, "inspections, losses, transfers")
    written += _accountability(rng)
    report(len(DONATIONS) + 1, len(DONATIONS) + 1, "delivery and accountability loaded")
    return written


def _pledge(donor: Actor, donation: Donation) -> int:
    start = _today() - timedelta(days=560)
    item_type = ItemType.objects.get(name=donation.item_type)
    package = pledges.package_create(actor=donor, title=f"{donation.item_type} for Ukraine", date=start,
                                     source="stock", classification=donation.classification,
                                     releasability=donation.releasability)
    price = item_type.reference_unit_price_eur or Decimal(1000)
    spec = pledges.LineSpec(item_type_id=item_type.pk, quantity=donation.units, available_from=start
                            + timedelta(days=20), value_amount=price * donation.units,
                            description=f"{donation.units} × {donation.item_type}")
    line = pledges.line_create(actor=donor, package_id=package.pk, line=spec, effective_date=start)
    pledges.line_commit(actor=donor, line_id=line.pk, effective_date=start + timedelta(days=5))
    if donation.prefix == "FR-MST":
        # A second tranche, available a month ago and not shipped yet: it shows as overdue.
        later = pledges.LineSpec(item_type_id=item_type.pk, quantity=40, available_from=_today() - timedelta(days=30),
                                 value_amount=price * 40, description="40 × Mistral 3, second tranche")
        extra = pledges.line_create(actor=donor, package_id=package.pk, line=later, effective_date=start)
        pledges.line_commit(actor=donor, line_id=extra.pk, effective_date=start + timedelta(days=5))
    return line.pk


def _days_ago(fate: str, batch: int) -> int:
    """How many days ago a shipment with this fate left (negative: it leaves in the future)."""
    return {"received_old": 520 - 60 * batch, "received_mid": 300, "received_recent": 60, "partial": 14,
            "at_hub": 3, "dispatched": 2, "lost": 40, "damaged": 25, "planned": -10, "planned_late": 6}[fate]


def _ship(donor: Actor, donation: Donation, line_id: int, batch: int, units: int, route: list[Hub], fate: str,
          left: int, rng: random.Random) -> int:
    today = _today()
    dispatch = today - timedelta(days=left)
    arrival = dispatch + timedelta(days=2 * len(route) + 3)
    stops = [services.StopPlan(hub.pk, dispatch + timedelta(days=2 * i + 1)) for i, hub in enumerate(route)]
    shipment = services.shipment_create(
        actor=donor, recipient="UKR", origin=f"{donor.nation_code} national depot", destination="Kyiv region",
        planned_dispatch=dispatch, planned_arrival=arrival, lines=[services.LinePlan(line_id, units)], stops=stops,
        reference=f"{donation.prefix}-{batch + 1:02d}", transport_mode="road" if len(route) > 1 else "air")
    row = shipment.lines.get()
    serials = "\n".join(f"{donation.prefix}-{batch + 1:02d}{n:05d}" for n in range(1, units + 1))
    monitoring.serial_items_register(actor=donor, shipment_id=shipment.pk, shipment_line_id=row.pk,
                                     entries=tables.lines_of(serials), unit=f"{donor.nation_code} depot",
                                     on=min(dispatch, today) - timedelta(days=3))
    if fate.startswith("planned"):
        return 2
    services.shipment_dispatch(actor=donor, id=shipment.pk, on=dispatch)
    day = dispatch
    for _ in route:
        day += timedelta(days=1)
        if day > today:
            return 2
        services.shipment_arrive(actor=donor, id=shipment.pk, on=day)
        if fate == "at_hub" and day >= today - timedelta(days=1):
            return 2
        day += timedelta(days=1)
        services.shipment_depart(actor=donor, id=shipment.pk, on=min(day, today))
    if fate == "dispatched":
        return 2
    recipient = core_demo.actor(RECIPIENT)
    if fate == "lost":
        services.shipment_report_incident(actor=recipient, id=shipment.pk, kind="lost", on=day,
                                          report="Convoy struck by a missile near Lutsk; cargo destroyed.")
        return 2
    if fate == "damaged":
        services.shipment_report_incident(actor=donor, id=shipment.pk, kind="damaged", on=day,
                                          report="Rail wagon derailed; crates damaged, contents to be checked.")
    services.shipment_hand_over(actor=donor, id=shipment.pk, on=day)
    received = day + timedelta(days=1)
    unit = rng.choice(("Air Force Command depot", "Land Forces depot 1", "Land Forces depot 2", "Odesa depot"))
    if fate == "partial":
        part = units // 2
        items = list(SerialItem.objects.visible_to(donor).filter(shipment=shipment).order_by("serial_number")[:part])
        services.shipment_receive(actor=recipient, id=shipment.pk, received_on=received, unit=unit,
                                  location="Kyiv region", lines=[services.ReceivedLine(
                                      row.pk, part, serials=[i.serial_number for i in items])])
        return 3
    services.shipment_receive(actor=recipient, id=shipment.pk, received_on=received, unit=unit,
                              location="Kyiv region", lines=[services.ReceivedLine(
                                  row.pk, units, condition="damaged" if fate == "damaged" else "good")],
                              discrepancies="Two crates with broken seals" if fate == "damaged" else "")
    return 3


def _accountability(rng: random.Random) -> int:
    """Inspections of the received items (on time, late, or never for one batch of some donors), a handful lost
    or destroyed, one Gepard handed on to Poland for repair, and Ukraine's disposition report for Germany."""
    recipient = core_demo.actor(RECIPIENT)
    today = _today()
    written = 0
    shipments = list(Shipment.objects.visible_to(recipient).filter(received_on__isnull=False)
                     .select_related("originator").order_by("received_on", "id"))
    skipped: set[str] = set()
    for shipment in shipments:
        items = list(SerialItem.objects.visible_to(recipient).filter(shipment=shipment,
                                                                    status=SerialStatus.IN_SERVICE))
        received = shipment.received_on
        assert received is not None
        donor_code = shipment.originator.code
        if donor_code in NEVER_INSPECTED and donor_code not in skipped and (today - received).days > 150:
            skipped.add(donor_code)  # this batch was never inspected: its items are overdue
            continue
        if (today - received).days < 50 or not items:
            continue
        late = rng.random() < 0.2
        first = received + timedelta(days=rng.randint(95, 130) if late else rng.randint(30, 80))
        if first > today:
            continue
        written += _inspect(recipient, "initial", first, items, rng)
        annual = first + timedelta(days=rng.randint(320, 372))
        if annual <= today:
            fresh = list(SerialItem.objects.visible_to(recipient).filter(pk__in=[i.pk for i in items],
                                                                        status=SerialStatus.IN_SERVICE))
            written += _inspect(recipient, "annual", annual, fresh, rng)
    written += _losses(recipient, today)
    return written


def _inspect(actor: Actor, kind: str, day: date, items: list[SerialItem], rng: random.Random) -> int:
    specs = []
    for item in items:
        roll = rng.random()
        result = "not_found" if roll < 0.01 else "found"
        specs.append(monitoring.FindingSpec(item.pk, result))
    monitoring.inspection_record(actor=actor, kind=kind, inspected_on=day, findings=specs,
                                 location=items[0].custodian_unit, notes="Joint inventory with the donor's "
                                                                         "end-use monitoring team")
    return 1


def _losses(recipient: Actor, today: date) -> int:
    visible = SerialItem.objects.visible_to(recipient).filter(status=SerialStatus.IN_SERVICE)
    stingers = list(visible.filter(serial_number__startswith="US-STG").order_by("serial_number")[:3])
    gmlrs = list(visible.filter(serial_number__startswith="US-GMLRS").order_by("serial_number")[:2])
    written = 0
    if stingers:
        monitoring.loss_report_create(
            actor=recipient, kind="destroyed", item_ids=[i.pk for i in stingers], evidence_ref="BDA-2025-0412",
            circumstances="Firing position hit by a Lancet drone during an engagement; launchers destroyed.",
            occurred_on=max(i.custody_since for i in stingers) + timedelta(days=20))
        written += 1
    if gmlrs:
        monitoring.loss_report_create(
            actor=recipient, kind="lost", item_ids=[i.pk for i in gmlrs],
            circumstances="Not found at the depot after relocation under fire; search under way.",
            occurred_on=max(i.custody_since for i in gmlrs) + timedelta(days=30))
        written += 1
    gepard = visible.filter(serial_number__startswith="DE-GEP").order_by("serial_number").first()
    if gepard is not None:
        monitoring.serial_item_transfer(actor=recipient, item_ids=[gepard.pk], to_nation="POL",
                                        to_unit="Bumar-Łabędy repair works", to_location="Gliwice",
                                        on=min(today, gepard.custody_since + timedelta(days=40)),
                                        note="Barrel and radar overhaul; returns after repair")
        written += 1
    held = list(SerialItem.objects.visible_to(recipient).filter(originator__code="DEU",
                                                               status__in=(SerialStatus.IN_SERVICE,
                                                                           SerialStatus.UNDER_REPAIR)))
    if held:
        last_quarter = (today.month - 1) // 3 or 4
        year = today.year if last_quarter != 4 or today.month > 3 else today.year - 1
        rows = [tables.Row(n, {"item_type": i.item_type.name, "serial_number": i.serial_number,
                               "status": "under_repair" if n % 40 == 0 else "in_service", "unit": i.custodian_unit})
                for n, i in enumerate(held[:-3], start=2)]
        result = monitoring.disposition_import(actor=recipient, donor="DEU", year=year, quarter=last_quarter,
                                               rows=rows, notes="Quarterly statement to the German EUM team")
        written += 1 if result.ok else 0
    return written
