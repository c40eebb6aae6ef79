"""The end-use monitoring calendar and the custody chain's shape, pure: the initial inventory is due within 90
days of receipt, each inventory makes the next due a year later, and a chain of custody links has no gaps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

INITIAL_DAYS = 90
ANNUAL_DAYS = 365
DUE_SOON_DAYS = 30


def initial_due(received_on: date) -> date:
    return received_on + timedelta(days=INITIAL_DAYS)


def next_due(inventoried_on: date) -> date:
    return inventoried_on + timedelta(days=ANNUAL_DAYS)


def on_time(inspected_on: date, due: date | None) -> bool:
    return due is None or inspected_on <= due


@dataclass(frozen=True)
class Link:
    seq: int
    from_holder: tuple[int | None, str]  # (nation id, unit)
    to_holder: tuple[int, str]
    on: date


def chain_problems(links: Sequence[Link]) -> list[str]:
    """What is wrong with a custody chain: numbering gaps, a link not starting where the previous ended, dates
    going backwards. Empty for a complete chain."""
    problems = []
    for index, link in enumerate(links):
        if link.seq != index + 1:
            problems.append(f"link {index + 1} is numbered {link.seq}")
        if index == 0:
            if link.from_holder[0] is not None:
                problems.append("the first link must start from no one (the item's registration)")
            continue
        before = links[index - 1]
        if link.from_holder != before.to_holder:
            problems.append(f"link {link.seq} starts from {link.from_holder}, not from {before.to_holder}")
        if link.on < before.on:
            problems.append(f"link {link.seq} is dated before link {before.seq}")
    return problems
