"""The `shieldwall` source: contribution facts derived from this system's own pledge lines. Pure, no ORM.

A line counts from the month of each lifecycle step (DESIGN.md §4: announced-only and cancelled lines never
count): its value is *committed* in the month it was committed, *allocated* in the month it was last
allocated (or first contracted, shipped or delivered, when it skipped allocation), and *delivered* in the
months its units arrived (each delivery's value, else the line's value pro rata; the last delivery takes the
remainder so the parts add up to the whole exactly). A co-funded package splits each amount between its
funders by their shares, to the micro-euro, the largest funder taking the remainder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

COMMITTED, ALLOCATED, CONTRACTED, SHIPPED, DELIVERED = "committed", "allocated", "contracted", "shipped", "delivered"
NOT_COUNTED = ("announced", "cancelled")
PAST_ALLOCATION = (CONTRACTED, SHIPPED, DELIVERED)
ALLOCATED_OR_LATER = (ALLOCATED, *PAST_ALLOCATION)


@dataclass(frozen=True)
class Event:
    to_status: str
    effective_date: date
    quantity: int = 0
    value_eur: Decimal = Decimal(0)


@dataclass(frozen=True)
class Funder:
    nation_id: int
    code: str
    share: Decimal


@dataclass(frozen=True)
class Line:
    id: int
    status: str
    quantity: int
    value_eur: Decimal
    category: str  # military for an item, financial for money
    subcategory: str
    funders: tuple[Funder, ...]
    events: tuple[Event, ...]
    channel: str = ""


@dataclass(frozen=True)
class Fact:
    line_id: int
    donor: str
    donor_nation_id: int
    period: date
    category: str
    subcategory: str
    measure: str
    amount_micro_eur: int


def micro(value: Decimal) -> int:
    return int((value * Decimal(1_000_000)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def month(day: date) -> date:
    return day.replace(day=1)


def split(amount: int, funders: Sequence[Funder]) -> list[tuple[Funder, int]]:
    """Share `amount` micro-euros between funders; the parts add up to `amount` exactly."""
    if not funders:
        return []
    parts = [(f, int((Decimal(amount) * f.share).quantize(Decimal(1), rounding=ROUND_HALF_UP))) for f in funders]
    remainder = amount - sum(p for _f, p in parts)
    largest = max(range(len(parts)), key=lambda i: (parts[i][0].share, -i))
    funder, part = parts[largest]
    parts[largest] = (funder, part + remainder)
    return parts


def steps(line: Line) -> list[tuple[str, date, int]]:
    """(measure, day, micro-euros) for the whole line, before splitting between funders."""
    if line.status in NOT_COUNTED:
        return []
    whole = micro(line.value_eur)
    events = sorted(line.events, key=lambda e: e.effective_date)
    out: list[tuple[str, date, int]] = []
    committed = next((e for e in events if e.to_status == COMMITTED), None) or next(
        (e for e in events if e.to_status in ALLOCATED_OR_LATER), None)
    if committed is not None:
        out.append(("commitment", committed.effective_date, whole))
    if line.status in ALLOCATED_OR_LATER:
        allocations = [e for e in events if e.to_status == ALLOCATED]
        allocated = allocations[-1] if allocations else next(
            (e for e in events if e.to_status in PAST_ALLOCATION), None)
        if allocated is not None:
            out.append(("allocation", allocated.effective_date, whole))
    out.extend(_deliveries(line, events, whole))
    return out


def _deliveries(line: Line, events: Sequence[Event], whole: int) -> list[tuple[str, date, int]]:
    out: list[tuple[str, date, int]] = []
    delivered_units, delivered_micro = 0, 0
    quantity = max(line.quantity, 1)
    for event in (e for e in events if e.to_status == DELIVERED):
        units = event.quantity or (quantity - delivered_units)
        delivered_units = min(quantity, delivered_units + units)
        if delivered_units >= quantity:
            amount = whole - delivered_micro
        elif event.value_eur > 0:
            amount = micro(event.value_eur)
        else:
            amount = whole * delivered_units // quantity - delivered_micro
        delivered_micro += amount
        out.append(("delivery", event.effective_date, amount))
    return out


def facts(line: Line) -> list[Fact]:
    """The facts of one line: one per measure step and funder."""
    out: list[Fact] = []
    for measure, day, amount in steps(line):
        for funder, part in split(amount, line.funders):
            out.append(Fact(line_id=line.id, donor=funder.code, donor_nation_id=funder.nation_id, period=month(day),
                            category=line.category, subcategory=line.subcategory, measure=measure,
                            amount_micro_eur=part))
    return out
