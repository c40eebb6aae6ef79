"""Reading Kiel's heavy-weapons file (Ukraine Support Tracker, `weapons.csv`): pure, no ORM.

Each row is one donor and one category; its `weapons_list` names the systems with their counts:
`CAESAR artillery howitzer (19); Bohdana self-propelled howitzer (18)`. A name may itself contain parentheses
("National Advanced Surface-to-Air Missile System (NASAMS) (1)", "Modified T-72 tank (T-72A/T-72M1/M1R) (62)"),
so the count is the LAST parenthesised integer of each item. `aggregate_systems` folds spelling variants
("D-30 howitzer" / "D-30 Howitzer") into one system and derives a reference unit price from the rows that hold
a single system (the row's value divided by its count; a row with several systems cannot be split honestly).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TextIO

SEPARATOR = "; "
_ITEM = re.compile(r"^(?P<name>.*?\S)\s*\((?P<count>\d+)\)\s*$", re.DOTALL)
CENT = Decimal("0.01")


class WeaponsListError(ValueError):
    """A `weapons_list` or row that cannot be read; the message quotes the offending part."""


@dataclass(frozen=True)
class WeaponEntry:
    name: str
    count: int


@dataclass(frozen=True)
class KielRow:
    donor: str
    category: str
    number_of_weapons: int
    monetary_value_eur: Decimal
    entries: tuple[WeaponEntry, ...]


@dataclass
class KielSystem:
    """One system over all donors: its display name, Kiel category, units counted and a unit price if known."""

    name: str
    category: str
    count: int = 0
    donors: list[str] = field(default_factory=list)
    unit_price_eur: Decimal | None = None
    spellings: dict[str, int] = field(default_factory=dict)


def parse_weapons_list(text: str) -> list[WeaponEntry]:
    """`"A (1); B (C) (2)"` -> [WeaponEntry("A", 1), WeaponEntry("B (C)", 2)]; empty text gives []."""
    entries = []
    for raw in text.split(";"):
        item = raw.strip()
        if not item:
            continue
        match = _ITEM.match(item)
        if match is None:
            raise WeaponsListError(f"cannot read {item!r}: expected 'System name (count)'")
        entries.append(WeaponEntry(name=" ".join(match["name"].split()), count=int(match["count"])))
    return entries


def format_weapons_list(entries: Iterable[WeaponEntry]) -> str:
    """The inverse of `parse_weapons_list`, in Kiel's own layout."""
    return SEPARATOR.join(f"{entry.name} ({entry.count})" for entry in entries)


def normalise_name(name: str) -> str:
    """The key under which spelling variants meet: case and runs of spaces do not matter."""
    return " ".join(name.split()).casefold()


def read_kiel_weapons(stream: TextIO) -> list[KielRow]:
    """Rows of `weapons.csv` (columns donor, category, number_of_weapons, monetary_value_eur, weapons_list)."""
    rows = []
    for line, record in enumerate(csv.DictReader(stream), start=2):
        try:
            rows.append(KielRow(
                donor=record["donor"].strip(),
                category=record["category"].strip(),
                number_of_weapons=int(record["number_of_weapons"]),
                monetary_value_eur=Decimal(record["monetary_value_eur"]),
                entries=tuple(parse_weapons_list(record["weapons_list"] or "")),
            ))
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise WeaponsListError(f"line {line}: {exc}") from exc
    return rows


def aggregate_systems(rows: Sequence[KielRow], aliases: Mapping[str, str] | None = None) -> list[KielSystem]:
    """One `KielSystem` per distinct system, in order of first appearance.

    `aliases` maps a normalised name to the name it is a variant of ("m270 weapon system (norway)" -> "M270
    weapon system"). The display name is the most used spelling. The unit price is the sum of values over the
    sum of counts of the rows that hold this system alone, to the cent; None when no such row exists.
    """
    known = {normalise_name(k): v for k, v in (aliases or {}).items()}
    systems: dict[str, KielSystem] = {}
    priced: dict[str, tuple[Decimal, int]] = {}
    for row in rows:
        for entry in row.entries:
            spelling = known.get(normalise_name(entry.name), entry.name)
            key = normalise_name(spelling)
            system = systems.setdefault(key, KielSystem(name=spelling, category=row.category))
            system.count += entry.count
            system.spellings[spelling] = system.spellings.get(spelling, 0) + entry.count
            if row.donor not in system.donors:
                system.donors.append(row.donor)
        if len(row.entries) == 1 and row.entries[0].count > 0:
            key = normalise_name(known.get(normalise_name(row.entries[0].name), row.entries[0].name))
            value, count = priced.get(key, (Decimal(0), 0))
            priced[key] = (value + row.monetary_value_eur, count + row.entries[0].count)
    for key, system in systems.items():
        # Most used spelling wins; dict order keeps the first seen on a tie.
        system.name = max(system.spellings, key=lambda s: system.spellings[s])
        if key in priced:
            value, count = priced[key]
            system.unit_price_eur = (value / count).quantize(CENT, rounding=ROUND_HALF_UP)
    return list(systems.values())
