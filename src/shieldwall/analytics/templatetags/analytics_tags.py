"""Template helpers of the analytics pages: figures shown to six decimal places (Kiel's own precision), a row's
cell by column name, and readable column headings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

register = template.Library()
SIX = Decimal("0.000001")
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
