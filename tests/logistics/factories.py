"""Test data for logistics and monitoring: a serial-tracked catalogue, hubs, and a French stock package whose
committed lines are shipped to Ukraine — all through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from shieldwall.core.actor import Actor
from shieldwall.logistics import services
from shieldwall.logistics.models import Hub, Shipment
from shieldwall.monitoring import services as monitoring
from shieldwall.monitoring.tables import lines_of
from shieldwall.pledges import services as pledges
from shieldwall.pledges.models import PledgeLine
from tests.pledges.factories import CapabilityAreaFactory, ItemClassFactory, ItemTypeFactory

DAY0 = date(2025, 1, 10)


def catalogue() -> dict[str, Any]:
    """Howitzers (serial-tracked) and shells (not)."""
    artillery = CapabilityAreaFactory(code="artillery", name="Artillery")
    guns = ItemClassFactory(area=artillery, name="155 mm towed howitzer", unit="systems", serial_tracked=True)
    ammo = ItemClassFactory(area=artillery, name="155 mm artillery ammunition", unit="rounds")
    return {"guns": guns, "ammo": ammo,
            "m777": ItemTypeFactory(item_class=guns, name="M777", reference_unit_price_eur=Decimal("3000000")),
            "shell": ItemTypeFactory(item_class=ammo, name="155 mm M107", reference_unit_price_eur=Decimal("3500"))}


def committed_line(actor: Actor, item_type: Any, quantity: int, *, available_from: date | None = None,
                   day: date = DAY0, **marking: Any) -> PledgeLine:
    package = pledges.package_create(actor=actor, title=f"{item_type.name} package", date=day, source="stock",
                                     **marking)
    spec = pledges.LineSpec(item_type_id=item_type.pk, quantity=quantity, value_amount=Decimal("1000.00"),
                            available_from=available_from)
    line = pledges.line_create(actor=actor, package_id=package.pk, line=spec, effective_date=day)
    return pledges.line_commit(actor=actor, line_id=line.pk, effective_date=day)


def hub(actor: Actor, name: str = "Rzeszów", *, nation: str = "POL", lat: str = "50.11", lon: str = "22.02",
        capacity: int = 3, **marking: Any) -> Hub:
    return services.hub_create(actor=actor, name=name, nation=nation, location=name, latitude=Decimal(lat),
                               longitude=Decimal(lon), capacity_per_day=capacity, **marking)


def shipment(actor: Actor, lines: list[tuple[PledgeLine, int]], *, hubs: list[Hub] = (),  # type: ignore[assignment]
             dispatch: date = date(2025, 2, 1), arrival: date = date(2025, 2, 10), **kwargs: Any) -> Shipment:
    stops = [services.StopPlan(h.pk, dispatch.replace(day=dispatch.day + 2 + i)) for i, h in enumerate(hubs)]
    return services.shipment_create(
        actor=actor, recipient="UKR", origin="Bourges depot", destination="Lviv", planned_dispatch=dispatch,
        planned_arrival=arrival, lines=[services.LinePlan(line.pk, qty) for line, qty in lines], stops=stops,
        **kwargs)


def register(actor: Actor, shipment: Shipment, serials: list[str], *, line_index: int = 0) -> monitoring.RegisterReport:
    row = shipment.lines.order_by("id")[line_index]
    return monitoring.serial_items_register(actor=actor, shipment_id=shipment.pk, shipment_line_id=row.pk,
                                            entries=lines_of("\n".join(serials)), unit="1er RA depot",
                                            on=date(2025, 1, 20))


def received_items(donor: Actor, recipient: Actor, item_type: Any, serials: list[str], *,
                   received_on: date = date(2025, 2, 5)) -> list[Any]:
    """Items registered, dispatched and received by the recipient (in service, initial inventory due)."""
    from shieldwall.monitoring.models import SerialItem

    line = committed_line(donor, item_type, len(serials))
    sent = shipment(donor, [(line, len(serials))])
    register(donor, sent, serials)
    services.shipment_dispatch(actor=donor, id=sent.pk, on=date(2025, 2, 1))
    services.shipment_receive(actor=recipient, id=sent.pk, received_on=received_on, unit="44th Bde",
                              location="Zaporizhzhia", lines=[services.ReceivedLine(sent.lines.get().pk, len(serials))])
    return list(SerialItem.objects.visible_to(donor).filter(shipment=sent).order_by("serial_number"))
