"""Reading a Kiel Ukraine Support Tracker release (the five CSV files of its website data) into dataclasses.

Pure: no ORM. Every problem is reported with the file, the row (the line number in the file, the header
being row 1) and the column, and the whole release is read before anything is written, so a malformed file
never leaves half a release behind. Values are imported as the source has them — Kiel's slightly negative
`to_be_allocated` figures included — and checked only where the files state identities of their own
(`total` = financial + humanitarian + military; `to_be_allocated` = commitments − total; the weapons list
adds up to `number_of_weapons`).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

FILES = ("data_explorer.csv", "weapons.csv", "procurement_trends.csv", "eu_aid_shares.csv", "release_info.csv")
EXPLORER_COLUMNS = ("country", "iso", "year", "month", "total", "financial", "humanitarian", "military",
                    "commitments", "to_be_allocated", "gdp", "pct_gdp")
WEAPONS_COLUMNS = ("donor", "category", "number_of_weapons", "monetary_value_eur", "weapons_list")
CHANNEL_COLUMNS = ("year", "month", "stockpile", "procurement", "unspecified", "nato_purl")
CHANNELS = CHANNEL_COLUMNS[2:]
EU_COLUMNS = ("country", "iso", "bilateral_pct_gdp", "eu_share_pct_gdp", "total_pct_gdp", "eu_share_bn")
RELEASE_COLUMNS = ("release", "period", "date", "label")
PUBLISHER = "Kiel Institute for the World Economy"
TITLE = "Ukraine Support Tracker"
# Kiel relates all aid to 2021 GDP, whatever the month of the row (the file repeats the 2021 figure).
GDP_BASE_YEAR = 2021
# Two figures printed with six decimals may differ by one unit in the last place after addition.
ROUNDING = Decimal("0.000002")
BILLION_MICRO = Decimal(10) ** 15
_ISO = re.compile(r"^[A-Z]{2,3}$")
_SYSTEM = re.compile(r"^(?P<name>.+?)\s*\((?P<count>\d+)\)$")


class KielFormatError(ValueError):
    """A file of the release cannot be read; names the file, row and column."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str) -> None:
        where = file + (f", row {row}" if row is not None else "") + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {message}")
        self.file, self.row, self.column, self.message = file, row, column, message


@dataclass(frozen=True)
class MonthRow:
    country: str
    iso: str
    year: int
    month: int
    financial: Decimal
    humanitarian: Decimal
    military: Decimal
    commitments: Decimal
    gdp: Decimal

    @property
    def period(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def total(self) -> Decimal:
        return self.financial + self.humanitarian + self.military


@dataclass(frozen=True)
class WeaponSystem:
    system: str
    count: int


@dataclass(frozen=True)
class WeaponRow:
    iso: str
    donor_name: str
    category: str
    count: int
    value_eur: Decimal
    systems: tuple[WeaponSystem, ...]


@dataclass(frozen=True)
class ChannelRow:
    year: int
    month: int
    channel: str
    amount_bn: Decimal

    @property
    def period(self) -> date:
        return date(self.year, self.month, 1)


@dataclass(frozen=True)
class EuShareRow:
    iso: str
    bilateral_pct_gdp: Decimal
    eu_share_pct_gdp: Decimal
    total_pct_gdp: Decimal
    eu_share_bn: Decimal


@dataclass(frozen=True)
class Release:
    release: str
    period: str
    published: date
    label: str
    checksum: str
    months: tuple[MonthRow, ...]
    weapons: tuple[WeaponRow, ...]
    channels: tuple[ChannelRow, ...]
    eu_shares: tuple[EuShareRow, ...]
    names: dict[str, str] = field(default_factory=dict)  # iso -> Kiel's spelling
    gdp: dict[str, Decimal] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return f"kiel-ust-r{self.release}"

    @property
    def attribution(self) -> str:
        return f"{PUBLISHER}, {TITLE}, Release {self.release}"


def bn_to_micro(value: Decimal) -> int:
    """Billions of EUR to integer micro-euros (exact for Kiel's six-decimal figures; finer digits round)."""
    return int((value * BILLION_MICRO).to_integral_value())


def eur_to_micro(value: Decimal) -> int:
    return int((value * Decimal(1_000_000)).to_integral_value())


# --- reading ------------------------------------------------------------------------------------------------


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    name = path.name
    if not path.is_file():
        raise KielFormatError(name, None, None, f"missing from {path.parent}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in columns if c not in header]
            if missing:
                raise KielFormatError(name, 1, missing[0], f"missing column (expected {', '.join(columns)})")
            for row in reader:
                if None in row or any(value is None for value in row.values()):
                    raise KielFormatError(name, reader.line_num, None, "wrong number of fields")
                yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise KielFormatError(name, None, None, "not UTF-8 text") from exc
    except csv.Error as exc:
        raise KielFormatError(name, None, None, f"not a CSV file ({exc})") from exc


def _decimal(file: str, row: int, column: str, text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise KielFormatError(file, row, column, f"not a number: {text!r}") from None
    if not value.is_finite():
        raise KielFormatError(file, row, column, f"not a finite number: {text!r}")
    return value


def _int(file: str, row: int, column: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise KielFormatError(file, row, column, f"not a whole number: {text!r}") from None
    if not low <= value <= high:
        raise KielFormatError(file, row, column, f"{value} is outside {low}..{high}")
    return value


def _non_negative(file: str, row: int, column: str, text: str) -> Decimal:
    value = _decimal(file, row, column, text)
    if value < 0:
        raise KielFormatError(file, row, column, f"must not be negative: {text!r}")
    return value


def _month(file: str, line: int, row: dict[str, str]) -> tuple[int, int]:
    return (_int(file, line, "year", row["year"], 1990, 2100), _int(file, line, "month", row["month"], 1, 12))


def read_explorer(path: Path) -> tuple[list[MonthRow], dict[str, str]]:
    file = path.name
    rows: list[MonthRow] = []
    names: dict[str, str] = {}
    seen: set[tuple[str, int, int]] = set()
    for line, raw in _rows(path, EXPLORER_COLUMNS):
        iso = raw["iso"].strip()
        if not _ISO.match(iso):
            raise KielFormatError(file, line, "iso", f"not an ISO 3166 alpha-3 or institution code: {iso!r}")
        year, month = _month(file, line, raw)
        if (iso, year, month) in seen:
            raise KielFormatError(file, line, "iso", f"{iso} {year}-{month:02d} appears twice")
        seen.add((iso, year, month))
        values = {c: _non_negative(file, line, c, raw[c])
                  for c in ("total", "financial", "humanitarian", "military", "commitments", "gdp")}
        to_be_allocated = _decimal(file, line, "to_be_allocated", raw["to_be_allocated"])
        parts = values["financial"] + values["humanitarian"] + values["military"]
        if abs(parts - values["total"]) > ROUNDING:
            raise KielFormatError(file, line, "total", f"{values['total']} is not financial + humanitarian + "
                                                       f"military ({parts})")
        if abs(values["commitments"] - values["total"] - to_be_allocated) > ROUNDING:
            raise KielFormatError(file, line, "to_be_allocated", "is not commitments − total")
        country = raw["country"].strip()
        if not country:
            raise KielFormatError(file, line, "country", "empty")
        names.setdefault(iso, country)
        rows.append(MonthRow(country=country, iso=iso, year=year, month=month, financial=values["financial"],
                             humanitarian=values["humanitarian"], military=values["military"],
                             commitments=values["commitments"], gdp=values["gdp"]))
    if not rows:
        raise KielFormatError(file, None, None, "has no rows")
    return rows, names


def parse_weapons_list(text: str) -> tuple[WeaponSystem, ...]:
    """`"CAESAR artillery howitzer (19); Zusana-2 howitzer (5)"` -> systems with counts (the last bracket)."""
    systems = []
    for item in (part.strip() for part in text.split(";")):
        match = _SYSTEM.match(item)
        if not match or not match["name"].strip():
            raise ValueError(f"cannot read {item!r}; write 'System name (count)' separated by ';'")
        systems.append(WeaponSystem(system=match["name"].strip(), count=int(match["count"])))
    return tuple(systems)


def read_weapons(path: Path, iso_of: dict[str, str]) -> list[WeaponRow]:
    file = path.name
    rows: list[WeaponRow] = []
    for line, raw in _rows(path, WEAPONS_COLUMNS):
        donor = raw["donor"].strip()
        if donor not in iso_of:
            raise KielFormatError(file, line, "donor", f"{donor!r} is not a country of data_explorer.csv")
        category = raw["category"].strip()
        if not category or len(category) > 60:
            raise KielFormatError(file, line, "category", "empty or longer than 60 characters")
        count = _int(file, line, "number_of_weapons", raw["number_of_weapons"], 0, 10**9)
        value = _non_negative(file, line, "monetary_value_eur", raw["monetary_value_eur"])
        try:
            systems = parse_weapons_list(raw["weapons_list"])
        except ValueError as exc:
            raise KielFormatError(file, line, "weapons_list", str(exc)) from None
        listed = sum(s.count for s in systems)
        if listed != count:
            raise KielFormatError(file, line, "weapons_list", f"lists {listed} systems, number_of_weapons is {count}")
        rows.append(WeaponRow(iso=iso_of[donor], donor_name=donor, category=category, count=count, value_eur=value,
                              systems=systems))
    return rows


def read_channels(path: Path) -> list[ChannelRow]:
    file = path.name
    rows: list[ChannelRow] = []
    seen: set[tuple[int, int]] = set()
    for line, raw in _rows(path, CHANNEL_COLUMNS):
        year, month = _month(file, line, raw)
        if (year, month) in seen:
            raise KielFormatError(file, line, "month", f"{year}-{month:02d} appears twice")
        seen.add((year, month))
        for channel in CHANNELS:
            rows.append(ChannelRow(year, month, channel, _non_negative(file, line, channel, raw[channel])))
    return rows


def read_eu_shares(path: Path, known: set[str]) -> list[EuShareRow]:
    file = path.name
    rows: list[EuShareRow] = []
    for line, raw in _rows(path, EU_COLUMNS):
        iso = raw["iso"].strip()
        if iso not in known:
            raise KielFormatError(file, line, "iso", f"{iso!r} is not a donor of data_explorer.csv")
        values = {c: _non_negative(file, line, c, raw[c]) for c in EU_COLUMNS[2:]}
        rows.append(EuShareRow(iso=iso, **values))
    return rows


def read_release_info(path: Path) -> tuple[str, str, date, str]:
    file = path.name
    rows = list(_rows(path, RELEASE_COLUMNS))
    if len(rows) != 1:
        raise KielFormatError(file, None, None, f"must have exactly one release row, has {len(rows)}")
    line, raw = rows[0]
    release = raw["release"].strip()
    if not re.fullmatch(r"\d{1,4}", release):
        raise KielFormatError(file, line, "release", f"not a release number: {release!r}")
    try:
        published = date.fromisoformat(raw["date"].strip())
    except ValueError:
        raise KielFormatError(file, line, "date", f"not a date (YYYY-MM-DD): {raw['date']!r}") from None
    return release, raw["period"].strip(), published, raw["label"].strip()


def checksum(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in FILES:
        path = directory / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return digest.hexdigest()


def read_release(directory: Path) -> Release:
    """Read and check the whole release in `directory`; raises KielFormatError naming the first problem."""
    if not directory.is_dir():
        raise KielFormatError(str(directory), None, None, "is not a directory")
    months, names = read_explorer(directory / "data_explorer.csv")
    iso_of = {name: iso for iso, name in names.items()}
    release, period, published, label = read_release_info(directory / "release_info.csv")
    gdp: dict[str, Decimal] = {}
    for row in months:
        gdp[row.iso] = row.gdp  # constant per donor in the file; the last row's figure is kept
    return Release(
        release=release, period=period, published=published, label=label, checksum=checksum(directory),
        months=tuple(months), weapons=tuple(read_weapons(directory / "weapons.csv", iso_of)),
        channels=tuple(read_channels(directory / "procurement_trends.csv")),
        eu_shares=tuple(read_eu_shares(directory / "eu_aid_shares.csv", set(names))), names=names, gdp=gdp,
    )
