"""Packages and pledge lines as flat rows, the same for the CLI, the pages' exports and the API's exports.

Rows are built from records a selector fetched (related marked records through visible prefetches), so a hidden
package or requirement shows as empty, never as an id read through a foreign key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shieldwall.core.banner import marking_of, page_banner
from shieldwall.core.markings import format_marking
from shieldwall.core.models import Marked
from shieldwall.pledges.models import Package, PledgeLine

LINE_COLUMNS = ("id", "package_id", "package", "donor", "item_type", "item_class", "description", "quantity",
                "value_amount", "currency", "value_date", "fx_rate", "value_eur", "valuation_method",
                "available_from", "status", "shipped_quantity", "delivered_quantity", "requirement_id",
                "restrictions", "restriction_flags", "excluded_uses", "marking")
LINE_LIST_COLUMNS = ("id", "package_id", "donor", "item_type", "description", "quantity", "value_amount",
                     "currency", "value_eur", "status", "requirement_id", "marking")
PACKAGE_COLUMNS = ("id", "date", "title", "source", "donor", "funders", "announcement_id", "line_count",
                   "value_eur", "marking")


def marking_text(record: Marked) -> str:
    mark = marking_of(record)
    return format_marking(mark.classification, mark.releasability, mark.rel_to)


def funders_text(package: Package) -> str:
    return "; ".join(f"{f.nation.code} {f.share.normalize():f}" for f in package.funders.all())


def visible_requirement_id(line: PledgeLine) -> int | None:
    """The requirement's id if the actor may see it (the selector prefetched only visible requirements)."""
    requirement = line.requirement  # filled by the visible prefetch: None when hidden
    return requirement.pk if requirement is not None else None


def line_row(line: PledgeLine) -> dict[str, Any]:
    package = line.package
    item_type = line.item_type
    return {
        "id": line.pk, "package_id": line.package_id, "package": package.title if package else None,
        "donor": line.originator.code, "item_type": item_type.name if item_type else None,
        "item_class": item_type.item_class.name if item_type else None, "description": line.description,
        "quantity": line.quantity, "value_amount": line.value_amount, "currency": line.currency,
        "value_date": line.value_date, "fx_rate": line.fx_rate, "value_eur": line.value_eur,
        "valuation_method": line.valuation_method, "available_from": line.available_from,
        "status": line.status, "shipped_quantity": line.shipped_quantity,
        "delivered_quantity": line.delivered_quantity, "requirement_id": visible_requirement_id(line),
        "restrictions": line.restrictions, "restriction_flags": list(line.restriction_flags),
        "excluded_uses": list(line.excluded_uses), "marking": marking_text(line),
    }


def package_row(package: Package) -> dict[str, Any]:
    announcement = package.announcement  # visible prefetch: None when hidden
    return {
        "id": package.pk, "date": package.date, "title": package.title, "source": package.source,
        "donor": package.originator.code, "funders": funders_text(package),
        "announcement_id": announcement.pk if announcement is not None else None,
        "line_count": getattr(package, "line_count", None), "value_eur": getattr(package, "value_eur", None),
        "marking": marking_text(package),
    }


def export_marking(records: Iterable[Marked]) -> str:
    """The marking of a file holding these records (what a page showing them all would carry)."""
    return page_banner(list(records)).text
