"""The rollup the metrics read: contribution facts summed into cells, one per data set, measure, month, donor,
category, channel and marking. Pure, no ORM (the services feed it facts and write its cells; the migration that
introduced the cells uses it too, so keep it free of model imports).

A cell's key carries the whole marking — classification, releasability, originator and, for REL TO, the sorted
list of nations — so every fact of a cell is released to exactly the same actors as the cell. Sums are integer
micro-euros: exact, whatever the number of facts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

REL_TO = "REL_TO"


@dataclass(frozen=True, order=True)
class CellKey:
    measure: str
    period: date
    donor: str
    category: str
    channel: str
    classification: int
    releasability: str
    originator_id: int
    rel_to: tuple[int, ...] = ()

    @property
    def rel_key(self) -> str:
        return rel_key(self.rel_to)


@dataclass
class Cell:
    amount_micro_eur: int = 0
    facts: int = 0


def rel_key(nation_ids: Iterable[int]) -> str:
    """A fixed-width name for a REL TO list (any order, duplicates ignored); empty for none."""
    ids = sorted(set(nation_ids))
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest() if ids else ""


def key(*, measure: str, period: date, donor: str, category: str, channel: str, classification: int,
        releasability: str, originator_id: int, rel_to: Iterable[int] = ()) -> CellKey:
    """The cell a fact belongs to. REL TO rows count only for REL TO facts (the access rule reads them only
    there), so stray rows on another releasability do not split a cell."""
    nations = tuple(sorted(set(rel_to))) if releasability == REL_TO else ()
    return CellKey(measure, period, donor, category, channel or "", int(classification), releasability,
                   originator_id, nations)


def roll_up(facts: Iterable[tuple[CellKey, int]]) -> dict[CellKey, Cell]:
    """(cell key, micro-euros) per fact -> the cells with their sums and fact counts."""
    cells: dict[CellKey, Cell] = {}
    for cell_key, amount in facts:
        cell = cells.get(cell_key)
        if cell is None:
            cell = cells[cell_key] = Cell()
        cell.amount_micro_eur += int(amount)
        cell.facts += 1
    return cells


def fact_rows(rows: Iterable[tuple[int, str, date, str, str, str, int, str, int, int]],
              rel_to: Mapping[int, Iterable[int]]) -> Iterable[tuple[CellKey, int]]:
    """(id, measure, period, donor, category, channel, classification, releasability, originator id, micro-euros)
    rows as read from the facts table, with each fact's REL TO nation ids -> (cell key, micro-euros)."""
    for fact_id, measure, period, donor, category, channel, classification, releasability, originator, amount \
            in rows:
        yield key(measure=measure, period=period, donor=donor, category=category, channel=channel,
                  classification=classification, releasability=releasability, originator_id=originator,
                  rel_to=rel_to.get(fact_id, ())), amount
