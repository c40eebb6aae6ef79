"""Serial items and the compliance dashboard as flat rows, the same for the CLI and the exports of pages and API."""

from __future__ import annotations

from typing import Any

from shieldwall.monitoring.models import SerialItem
from shieldwall.monitoring.selectors import Compliance, ComplianceRow
from shieldwall.pledges.rows import export_marking, marking_text

SERIAL_COLUMNS = ("id", "item_type", "item_class", "serial_number", "donor", "recipient", "status", "status_since",
                  "custodian_nation", "custodian_unit", "custodian_location", "custody_since", "received_on",
                  "last_inventory_on", "next_inspection_due", "unaccounted", "marking")
SERIAL_LIST_COLUMNS = ("id", "item_type", "serial_number", "donor", "status", "custodian_nation", "custodian_unit",
                       "next_inspection_due", "unaccounted", "marking")
COMPLIANCE_COLUMNS = ("donor", "item_class", "items", "accountable", "due_soon", "overdue", "never_inventoried",
                      "unaccounted", "in_transit", "lost", "destroyed", "transferred", "inspected", "on_time",
                      "on_time_pct")

__all__ = ["COMPLIANCE_COLUMNS", "SERIAL_COLUMNS", "SERIAL_LIST_COLUMNS", "compliance_rows", "export_marking",
           "serial_row"]


def serial_row(item: SerialItem) -> dict[str, Any]:
    return {
        "id": item.pk, "item_type": item.item_type.name, "item_class": item.item_class.name,
        "serial_number": item.serial_number, "donor": item.originator.code, "recipient": item.recipient.code,
        "status": item.status, "status_since": item.status_since, "custodian_nation": item.custodian_nation.code,
        "custodian_unit": item.custodian_unit, "custodian_location": item.custodian_location,
        "custody_since": item.custody_since, "received_on": item.received_on,
        "last_inventory_on": item.last_inventory_on, "next_inspection_due": item.next_inspection_due,
        "unaccounted": item.unaccounted, "marking": marking_text(item),
    }


def _compliance_row(row: ComplianceRow) -> dict[str, Any]:
    return {name: (row.on_time_pct if name == "on_time_pct" else getattr(row, name)) for name in COMPLIANCE_COLUMNS}


def compliance_rows(board: Compliance) -> list[dict[str, Any]]:
    return [_compliance_row(r) for r in [*board.rows, board.total]]
