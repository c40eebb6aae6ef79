"""Template helpers of the coverage pages: the width of a % bar (capped at 100, 0 when there is no figure)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def bar_width(pct: Decimal | None) -> str:
    """`style="width: …%"` value: over-coverage fills the bar, no figure leaves it empty."""
    if pct is None:
        return "0"
    return str(min(max(pct, Decimal(0)), Decimal(100)))
