"""Reading pledge lines from a CSV or XLSX file into dataclasses, with every problem reported by row and column.

Pure: no database. The service hands over what the parser must know (the item type names, the currencies, the
vocabularies and today's date), then turns the rows into lines in one transaction, adding the problems only the
database can find. Problems of the whole file (too large, neither CSV nor XLSX, unknown or missing columns, too
many rows) raise `ImportRefused`; problems of single cells are collected as `RowError`s, numbered as a
spreadsheet shows them (the header is row 1, the first line row 2), so that one pass reports all of them.

The size is checked before a byte is read, so a huge upload is refused without being parsed; XLSX is read with
openpyxl in read-only mode, which streams the sheet instead of loading it whole.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Collection, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from shieldwall.core.markings import Classification, Releasability

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
COLUMNS = ("item_type", "description", "quantity", "value", "currency", "value_date", "valuation_method",
           "available_from", "restrictions", "restriction_flags", "classification", "releasability", "rel_to")
REQUIRED = ("item_type", "quantity", "value", "currency", "value_date")
# The ECB's first published reference rates.
ECB_FIRST_DAY = date(1999, 1, 4)
EARLIEST_AVAILABLE = date(1990, 1, 1)
AVAILABLE_HORIZON_YEARS = 25
MAX_QUANTITY = 10**9
MAX_VALUE = Decimal("9" * 16 + ".99")
_XLSX_MAGIC = b"PK\x03\x04"
_CODE = re.compile(r"^[A-Z]{3}$")


class ImportRefused(ValueError):
    """The file as a whole cannot be imported; the message says why and what to do."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Vocabulary:
    """What the parser checks cells against; names are matched case-insensitively."""

    item_types: Mapping[str, int]
    currencies: Collection[str]
    valuation_methods: Mapping[str, str]  # lower-case code or label -> code
    restriction_flags: Collection[str]


@dataclass(frozen=True)
class LineRow:
    row: int
    item_type_id: int | None
    item_type: str
    description: str
    quantity: int
    value: Decimal
    currency: str
    value_date: date
    valuation_method: str
    available_from: date | None
    restrictions: str
    restriction_flags: tuple[str, ...]
    classification: int | None
    releasability: str | None
    rel_to: tuple[str, ...] | None


@dataclass
class ParseResult:
    rows: list[LineRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    read: int = 0  # data rows read (blank rows are skipped and not counted)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_size(size: int, *, limit: int | None = None) -> None:
    limit = MAX_BYTES if limit is None else limit
    if size > limit:
        raise ImportRefused(f"the file is {_mb(size)}; the limit is {_mb(limit)}: split it into smaller files")
    if size == 0:
        raise ImportRefused("the file is empty")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# --- reading the table ---------------------------------------------------------------------------------------


def _is_xlsx(stream: IO[bytes]) -> bool:
    start = stream.read(4)
    stream.seek(0)
    return start == _XLSX_MAGIC


def _csv_rows(stream: IO[bytes]) -> Generator[list[Any], None, None]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        # Spreadsheets set to a European locale write `;` between cells; take it when the header uses it.
        delimiter = ";" if first.count(";") > first.count(",") else ","
        yield from csv.reader([first], delimiter=delimiter)
        yield from csv.reader(text, delimiter=delimiter)
    except UnicodeDecodeError as exc:
        raise ImportRefused("the file is neither UTF-8 text (CSV) nor an XLSX workbook; save it as CSV UTF-8 "
                            "or as .xlsx") from exc
    except csv.Error as exc:
        raise ImportRefused(f"the CSV file cannot be read: {exc}") from exc
    finally:
        with contextlib.suppress(ValueError):  # already detached or closed
            text.detach()  # leave the caller's stream open


def _xlsx_rows(stream: IO[bytes]) -> Generator[list[Any], None, None]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRefused("the XLSX workbook cannot be read; save it again from the spreadsheet") from exc
    try:
        if not workbook.worksheets:
            raise ImportRefused("the workbook has no sheet")
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _header(cells: list[Any]) -> list[str]:
    names = [str(c or "").strip().lower().replace(" ", "_") for c in cells]
    while names and not names[-1]:
        names.pop()
    unknown = [n or "(blank)" for n in names if n not in COLUMNS]
    if unknown:
        raise ImportRefused(f"unknown column(s): {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ImportRefused(f"column(s) given twice: {', '.join(twice)}")
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise ImportRefused(f"missing column(s): {', '.join(missing)}; required are {', '.join(REQUIRED)}")
    return names


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- reading cells -------------------------------------------------------------------------------------------


class _CellError(ValueError):
    pass


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _CellError("is not a number")
    if isinstance(value, float):
        # A spreadsheet cell holds a binary float; its shortest decimal form is what the user typed.
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise _CellError(f"{_str(value)!r} is not a number; write e.g. 1250000.00 (no thousands separators)") \
            from exc
    if not number.is_finite():
        raise _CellError("is not a finite number")
    return number


def _quantity(value: Any) -> int:
    number = _decimal(value)
    if number != number.to_integral_value():
        raise _CellError(f"{_str(value)!r} is not a whole number of units")
    if not 1 <= number <= MAX_QUANTITY:
        raise _CellError(f"must be between 1 and {MAX_QUANTITY:,}")
    return int(number)


def _money(value: Any) -> Decimal:
    number = _decimal(value)
    if number < 0:
        raise _CellError("cannot be negative")
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _CellError(f"{_str(value)!r} has more than 2 decimal places")
    if number > MAX_VALUE:
        raise _CellError("is too large")
    return number.quantize(Decimal("0.01"))


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_str(value))
    except ValueError as exc:
        raise _CellError(f"{_str(value)!r} is not a date; write YYYY-MM-DD") from exc


def _value_date(value: Any, today: date) -> date:
    day = _date(value)
    if day > today:
        raise _CellError(f"{day} is in the future; value a pledge at a past date (the ECB rate of that day)")
    if day < ECB_FIRST_DAY:
        raise _CellError(f"{day} is before the first ECB reference rates ({ECB_FIRST_DAY})")
    return day


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _available_from(value: Any, today: date) -> date:
    day = _date(value)
    latest = _years_later(today, AVAILABLE_HORIZON_YEARS)
    if not EARLIEST_AVAILABLE <= day <= latest:
        raise _CellError(f"{day} is out of range ({EARLIEST_AVAILABLE} to {latest})")
    return day


def _choice_list(value: Any, allowed: Collection[str], what: str) -> tuple[str, ...]:
    items = [part.strip().lower() for part in re.split(r"[;,]", _str(value)) if part.strip()]
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise _CellError(f"unknown {what} {', '.join(unknown)}; use {', '.join(sorted(allowed))}, "
                         "separated by ';'")
    return tuple(dict.fromkeys(items))


def _classification(value: Any) -> int:
    label = _str(value).upper()
    if label not in Classification.names:
        raise _CellError(f"{_str(value)!r} is not a classification; use {', '.join(Classification.names)}")
    return int(Classification[label])


def _releasability(value: Any) -> str:
    code = _str(value).upper().replace(" ", "_")
    if code == "REL_TO_COALITION":
        code = Releasability.COALITION
    if code not in Releasability.values:
        raise _CellError(f"{_str(value)!r} is not a releasability; use PUBLIC, COALITION or REL_TO")
    return code


def _codes(value: Any) -> tuple[str, ...]:
    codes = [part.strip().upper() for part in re.split(r"[;,]", _str(value)) if part.strip()]
    bad = [code for code in codes if not _CODE.match(code)]
    if bad:
        raise _CellError(f"{', '.join(bad)}: REL TO takes ISO 3166 alpha-3 codes separated by ';'")
    return tuple(sorted(set(codes)))


class _Row:
    """Reads the cells of one row, collecting an error per bad cell instead of stopping at the first."""

    def __init__(self, number: int, cells: Mapping[str, Any]) -> None:
        self.number = number
        self.cells = cells
        self.errors: list[RowError] = []

    def get(self, column: str, read: Any, *, default: Any = None, required: bool = False) -> Any:
        value = self.cells.get(column)
        if _blank(value):
            if required:
                self.errors.append(RowError(self.number, column, "is required"))
            return default
        try:
            return read(value)
        except _CellError as exc:
            self.errors.append(RowError(self.number, column, str(exc)))
            return default


def _line(row: _Row, vocabulary: Vocabulary, today: date) -> LineRow | None:
    item_name = _str(row.cells.get("item_type"))
    item_type_id = None
    if item_name:
        item_type_id = vocabulary.item_types.get(item_name.lower())
        if item_type_id is None:
            row.errors.append(RowError(row.number, "item_type", f"unknown item type {item_name!r}"))

    def currency(value: Any) -> str:
        code = _str(value).upper()
        if code not in vocabulary.currencies:
            raise _CellError(f"{_str(value)!r} is not a currency with ECB reference rates")
        return code

    def method(value: Any) -> str:
        code = vocabulary.valuation_methods.get(_str(value).lower())
        if code is None:
            raise _CellError(f"{_str(value)!r} is not a valuation method; use "
                             f"{', '.join(sorted(set(vocabulary.valuation_methods.values())))}")
        return code

    flags = vocabulary.restriction_flags
    values = {
        "quantity": row.get("quantity", _quantity, required=True),
        "value": row.get("value", _money, required=True),
        "currency": row.get("currency", currency, required=True),
        "value_date": row.get("value_date", lambda v: _value_date(v, today), required=True),
        "valuation_method": row.get("valuation_method", method, default="reported"),
        "available_from": row.get("available_from", lambda v: _available_from(v, today)),
        "restriction_flags": row.get("restriction_flags", lambda v: _choice_list(v, flags, "restriction flag(s)"),
                                     default=()),
        "classification": row.get("classification", _classification),
        "releasability": row.get("releasability", _releasability),
        "rel_to": row.get("rel_to", _codes),
    }
    if row.errors:
        return None
    return LineRow(
        row=row.number, item_type_id=item_type_id, item_type=item_name,
        description=_str(row.cells.get("description")), restrictions=_str(row.cells.get("restrictions")),
        **values,
    )


def parse(stream: IO[bytes], *, size: int, vocabulary: Vocabulary, today: date) -> ParseResult:
    """Read every row of a CSV or XLSX file; refuses the whole file only for problems of the file itself."""
    check_size(size)
    rows = _xlsx_rows(stream) if _is_xlsx(stream) else _csv_rows(stream)
    with contextlib.closing(rows):
        return _parse_rows(rows, vocabulary, today)


def _parse_rows(rows: Iterator[list[Any]], vocabulary: Vocabulary, today: date) -> ParseResult:
    try:
        header_cells = next(rows)
    except StopIteration:
        raise ImportRefused("the file has no header row") from None
    names = _header(header_cells)
    # Matched case-insensitively: normalise the vocabulary once, not per row.
    prepared = Vocabulary(
        item_types={name.lower(): pk for name, pk in vocabulary.item_types.items()},
        currencies=frozenset(c.upper() for c in vocabulary.currencies),
        valuation_methods={k.lower(): v for k, v in vocabulary.valuation_methods.items()},
        restriction_flags=frozenset(f.lower() for f in vocabulary.restriction_flags),
    )
    result = ParseResult()
    for number, cells in enumerate(rows, start=2):
        if all(_blank(c) for c in cells):
            continue
        result.read += 1
        if result.read > MAX_ROWS:
            raise ImportRefused(f"the file has more than {MAX_ROWS:,} lines; split it into smaller files")
        extra = [c for c in cells[len(names):] if not _blank(c)]
        row = _Row(number, dict(zip(names, cells, strict=False)))
        if extra:
            row.errors.append(RowError(number, "(beyond the last column)", f"{len(extra)} cell(s) without a header"))
        line = _line(row, prepared, today)
        result.errors.extend(row.errors)
        if line is not None:
            result.rows.append(line)
    return result
