"""Writes of logistics: hubs, shipments and their movements, and receipts.

Every write goes through `core.writes` (permission, validation, one transaction, the write re-check, the audit
event). Shipping and delivering units are steps of the pledge lines, taken through `pledges.services`; what
happens to the serial-numbered items on the way is `monitoring.services`'.
"""

from shieldwall.logistics.services.hubs import hub_create, hub_update
from shieldwall.logistics.services.receipts import ReceivedLine, shipment_receive
from shieldwall.logistics.services.shipments import (
    LinePlan,
    StopPlan,
    planned_elsewhere,
    shipment_arrive,
    shipment_create,
    shipment_delete,
    shipment_depart,
    shipment_dispatch,
    shipment_hand_over,
    shipment_report_incident,
    shipment_update,
)

__all__ = [
    "LinePlan", "ReceivedLine", "StopPlan", "hub_create", "hub_update", "planned_elsewhere", "shipment_arrive",
    "shipment_create", "shipment_delete", "shipment_depart", "shipment_dispatch", "shipment_hand_over",
    "shipment_receive", "shipment_report_incident", "shipment_update",
]
