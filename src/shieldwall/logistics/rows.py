"""Shipments and hubs as flat rows, the same for the CLI, the pages' exports and the API's exports. Built from
records a selector fetched, so a hidden hub or pledge line shows as empty, never as an id read through a key."""

from __future__ import annotations

from typing import Any

from shieldwall.logistics.models import Hub, Shipment
from shieldwall.logistics.selectors import is_overdue
from shieldwall.pledges.rows import export_marking, marking_text

SHIPMENT_COLUMNS = ("id", "reference", "donor", "recipient", "status", "overdue", "origin", "hubs", "destination",
                    "transport_mode", "planned_dispatch", "planned_arrival", "dispatched_on", "handed_over_on",
                    "received_on", "lines", "units", "received_units", "marking")
SHIPMENT_LIST_COLUMNS = ("id", "reference", "donor", "recipient", "status", "overdue", "planned_dispatch",
                         "planned_arrival", "units", "received_units", "marking")
HUB_COLUMNS = ("id", "name", "nation", "location", "latitude", "longitude", "capacity_per_day", "marking")

__all__ = ["HUB_COLUMNS", "SHIPMENT_COLUMNS", "SHIPMENT_LIST_COLUMNS", "export_marking", "hub_row", "shipment_row"]


def shipment_row(shipment: Shipment) -> dict[str, Any]:
    lines = list(shipment.lines.all())
    hubs = [stop.hub.name if stop.hub is not None else "(hub not released to you)" for stop in shipment.stops.all()]
    return {
        "id": shipment.pk, "reference": shipment.reference, "donor": shipment.originator.code,
        "recipient": shipment.recipient.code, "status": shipment.status, "overdue": is_overdue(shipment),
        "origin": shipment.origin, "hubs": " → ".join(hubs), "destination": shipment.destination,
        "transport_mode": shipment.transport_mode, "planned_dispatch": shipment.planned_dispatch,
        "planned_arrival": shipment.planned_arrival, "dispatched_on": shipment.dispatched_on,
        "handed_over_on": shipment.handed_over_on, "received_on": shipment.received_on,
        "lines": "; ".join(f"{row.quantity} × {row.pledge_line.item_type.name}" if row.pledge_line is not None
                           and row.pledge_line.item_type is not None else f"{row.quantity} × (not released to you)"
                           for row in lines),
        "units": sum(row.quantity for row in lines), "received_units": sum(row.received_quantity for row in lines),
        "marking": marking_text(shipment),
    }


def hub_row(hub: Hub) -> dict[str, Any]:
    return {"id": hub.pk, "name": hub.name, "nation": hub.nation.code, "location": hub.location,
            "latitude": hub.latitude, "longitude": hub.longitude, "capacity_per_day": hub.capacity_per_day,
            "marking": marking_text(hub)}
