"""Exports of the analytics app beyond the generic CSV/XLSX/JSON tables (`core.exports`): the Kiel-compatible
CSV (the columns and units of Kiel's `data_explorer.csv`, so analysts can move between the two) and the IATI 2.03
XML of this system's own PUBLIC pledges. Pure: rows and dataclasses in, bytes out.

IATI mapping: one activity per PUBLIC pledge line, reported by the donor nation (`XM-SHIELDWALL-<ISO>`), for
Ukraine (UA); its transactions are the lifecycle steps — the announced pledge is an outgoing pledge (type 12),
the commitment an outgoing commitment (2), each delivery a disbursement (3) for money or an expenditure (4) for
goods. Values are in EUR at the line's ECB valuation, dated with the step.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

IATI_VERSION = "2.03"
PLEDGE, COMMITMENT, DISBURSEMENT, EXPENDITURE = "12", "2", "3", "4"
ORG_GOVERNMENT = "10"
# Activity status codes: 1 pipeline, 2 implementation, 4 closed, 5 cancelled.
STATUS = {"announced": "1", "committed": "2", "allocated": "2", "contracted": "2", "shipped": "2",
          "delivered": "4", "cancelled": "5"}


def number(value: Any) -> str:
    """A number as plain decimal text (never `1E+2`), as Kiel's files print them."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    return "" if value is None else str(value)


def kiel_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """Kiel's dialect: text quoted, numbers bare and exact, one row per line."""

    def cell(value: Any) -> str:
        if isinstance(value, str):
            return '"' + value.replace('"', '""') + '"'
        return number(value)

    lines = [",".join(f'"{c}"' for c in columns)]
    lines.extend(",".join(cell(row[c]) for c in columns) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class IatiTransaction:
    type: str
    day: date
    value_eur: Decimal


@dataclass(frozen=True)
class IatiActivity:
    line_id: int
    donor_code: str  # ISO 3166 alpha-3
    donor_name: str
    title: str
    description: str
    status: str
    start: date
    transactions: tuple[IatiTransaction, ...]


def iati_xml(activities: Iterable[IatiActivity], *, generated: datetime) -> bytes:
    root = ET.Element("iati-activities", {"version": IATI_VERSION,
                                          "generated-datetime": generated.replace(microsecond=0).isoformat()})
    for act in activities:
        org = f"XM-SHIELDWALL-{act.donor_code}"
        el = ET.SubElement(root, "iati-activity", {"last-updated-datetime": generated.replace(microsecond=0)
                                                   .isoformat(), "default-currency": "EUR",
                                                   "{http://www.w3.org/XML/1998/namespace}lang": "en"})
        ET.SubElement(el, "iati-identifier").text = f"{org}-PL{act.line_id}"
        _narrative(ET.SubElement(el, "reporting-org", {"ref": org, "type": ORG_GOVERNMENT}), act.donor_name)
        _narrative(ET.SubElement(el, "title"), act.title)
        _narrative(ET.SubElement(el, "description", {"type": "1"}), act.description)
        _narrative(ET.SubElement(el, "participating-org", {"ref": org, "type": ORG_GOVERNMENT, "role": "1"}),
                   act.donor_name)
        ET.SubElement(el, "activity-status", {"code": STATUS.get(act.status, "2")})
        ET.SubElement(el, "activity-date", {"iso-date": act.start.isoformat(), "type": "2"})
        ET.SubElement(el, "recipient-country", {"code": "UA", "percentage": "100"})
        for tx in act.transactions:
            t = ET.SubElement(el, "transaction")
            ET.SubElement(t, "transaction-type", {"code": tx.type})
            ET.SubElement(t, "transaction-date", {"iso-date": tx.day.isoformat()})
            ET.SubElement(t, "value", {"currency": "EUR", "value-date": tx.day.isoformat()}).text = number(
                tx.value_eur.quantize(Decimal("0.01")))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _narrative(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, "narrative").text = text
