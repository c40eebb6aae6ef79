"""The `shieldwall` source: contribution facts derived from this system's own pledge lines. Pure, no ORM.

A line counts from the month of each lifecycle step (DESIGN.md §4: announced-only and cancelled lines never
count): its value is *committed* in the month it was committed, *allocated* in the month it was last
allocated (or first contracted, shipped or delivered, when it skipped allocation), and *delivered* in the
month each delivery arrived (pro rata to its units; see `_deliveries`). A co-funded package splits
each amount between its funders by their shares, to the micro-euro, the largest funder taking the remainder.
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
    delivered_quantity: int = 0


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
    # Each delivery is its own event (shipped → delivered for the units that arrived, the line staying shipped
    # until all have), so each is dated: its units' part of the value, in the month it arrived. Parts are
    # differences of cumulated shares (value × units so far ÷ quantity, rounded down), so they add up to the
    # delivered units' value exactly, and to the whole value once every unit has arrived.
    units = min(line.delivered_quantity, line.quantity)
    final = next((e for e in reversed(events) if e.to_status == DELIVERED), None)
    if final is not None and not units:
        units = line.quantity  # a delivered line without its count of units: all of them arrived
    if units <= 0 or not events:
        return []
    quantity = max(line.quantity, 1)
    out: list[tuple[str, date, int]] = []
    counted = 0

    def part(day: date, count: int) -> None:
        nonlocal counted
        out.append(("delivery", day, whole * (counted + count) // quantity - whole * counted // quantity))
        counted += count

    for event in events:
        if event.to_status == DELIVERED and event.quantity > 0 and counted < units:
            part(event.effective_date, min(event.quantity, units - counted))
    if counted < units:
        # Units no delivery event accounts for (recorded before deliveries were dated, as shipped → shipped):
        # dated to the final delivery, or while the line is still being delivered, to its latest step.
        part((final or events[-1]).effective_date, units - counted)
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
