"""Writes of end-use monitoring: serial items (registration before shipment, custody with the shipment and after
it, status), inspections, disposition reports and loss reports.

Bulk steps (a batch of serial numbers, the items of a shipment leaving or arriving) write their rows in bulk and
one audit event for the batch, marked as the items are; single-record changes go through `core.writes`.
"""

from shieldwall.monitoring.services.inspections import FindingSpec, inspection_record
from shieldwall.monitoring.services.reports import DispositionImport, disposition_import, loss_report_create
from shieldwall.monitoring.services.serials import (
    RegisterReport,
    missing_serials,
    serial_item_set_status,
    serial_item_transfer,
    serial_items_register,
    serials_discard,
    serials_dispatched,
    serials_lost_in_shipment,
    serials_received,
)

__all__ = [
    "DispositionImport", "FindingSpec", "RegisterReport", "disposition_import", "inspection_record",
    "loss_report_create", "missing_serials", "serial_item_set_status", "serial_item_transfer",
    "serial_items_register", "serials_discard", "serials_dispatched", "serials_lost_in_shipment", "serials_received",
]
