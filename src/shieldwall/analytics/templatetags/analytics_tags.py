"""Template helpers of the analytics pages: figures shown to six decimal places (Kiel's own precision), a row's
cell by column name, readable column headings, and a table's cells as text (formatted in Python once, not by
filters per cell: a donor table is a thousand cells)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

register = template.Library()
SIX = Decimal("0.000001")
PLAIN = ("month", "count", "donors")  # integers shown as they are, like every `…year` column
HEADINGS = {"iso": "Donor", "pct_gdp": "% GDP", "pct_gdp_with_eu": "% GDP with EU share", "eu_share": "EU share",
            "total_with_eu": "Total with EU share", "per_capita_eur": "EUR per capita", "gdp_eur_bn": "GDP",
            "pct_defence_budget": "% defence budget", "to_be_allocated": "To be allocated",
            "to_be_delivered": "To be delivered", "value_eur": "Value (EUR)"}


@register.filter
def cell(row: dict[str, Any], column: str) -> Any:
    return row.get(column)


@register.filter
def figure(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)).quantize(SIX, rounding=ROUND_HALF_UP):,}"
    return str(value)


@register.filter
def is_number(value: Any) -> bool:
    return isinstance(value, Decimal | float | int) and not isinstance(value, bool)


@register.filter
def heading(column: str) -> str:
    return HEADINGS.get(column, column.replace("_", " ").capitalize())


def cell_text(column: str, value: Any) -> str:
    """How one cell reads: systems listed, years and counts as they are, figures to six places."""
    if column == "systems" and isinstance(value, list):
        return "; ".join(f"{s['system']} ({s['count']})" for s in value)
    if "year" in column or column in PLAIN:
        return "—" if value is None else str(value)
    return figure(value)


def table_cells(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> list[list[tuple[str, bool]]]:
    """Every cell of a table as (text, whether it is a number)."""
    return [[(cell_text(c, row.get(c)), is_number(row.get(c))) for c in columns] for row in rows]
