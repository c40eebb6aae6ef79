"""Reading serial numbers and disposition reports from CSV files or a scanner's lines, with every problem of the
file as a whole refused (`ImportRefused`) and rows numbered as a spreadsheet shows them (header row 1).

Pure: no database. The services check each row against the records and report per-row errors.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
SERIAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_:#-]{0,99}$")
SERIAL_COLUMNS = ("serial_number",)
DISPOSITION_COLUMNS = ("item_type", "serial_number", "status", "unit", "location", "note")
DISPOSITION_REQUIRED = ("item_type", "serial_number", "status")


class ImportRefused(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Row:
    row: int
    cells: dict[str, str]


def serial_problem(value: str) -> str | None:
    """Why `value` is not a serial number, or None when it is one."""
    if not value:
        return "is empty"
    if not SERIAL_RE.match(value):
        return (f"{value[:40]!r} is not a serial number: letters, digits and . / _ : # - or spaces, starting "
                "with a letter or digit, at most 100 characters")
    return None


def normalise_serial(value: str) -> str:
    """A serial number as it is stored and looked up: without surrounding blanks, upper-cased (as scanners deliver
    them). Serial numbers are unique per item type whatever their case (`SerialItem`'s constraints), so every entry
    and every lookup goes through this: an exact match on the indexed column then finds "g-1" as "G-1"."""
    return value.strip().upper()


def lines_of(text: str) -> list[Row]:
    """A scanner's output: one serial number per line (blank lines skipped, numbered as typed)."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if value:
            rows.append(Row(number, {"serial_number": value}))
    if len(rows) > MAX_ROWS:
        raise ImportRefused(f"{len(rows)} lines; at most {MAX_ROWS} at once")
    return rows


def read_csv(stream: IO[bytes], *, size: int, columns: Sequence[str], required: Sequence[str]) -> list[Row]:
    """The data rows of a CSV file whose header names some of `columns` (and all of `required`)."""
    if size > MAX_BYTES:
        raise ImportRefused(f"the file is {size / 1048576:.1f} MB; the limit is {MAX_BYTES // 1048576} MB")
    if size == 0:
        raise ImportRefused("the file is empty")
    try:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        content = text.read()
        text.detach()
    except UnicodeDecodeError as exc:
        raise ImportRefused("the file is not UTF-8 text; save it as CSV UTF-8") from exc
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        table = list(csv.reader(io.StringIO(content), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportRefused(f"the CSV file cannot be read: {exc}") from exc
    if not table:
        raise ImportRefused("the file is empty")
    header = [c.strip().lower().replace(" ", "_") for c in table[0]]
    unknown = [h or "(blank)" for h in header if h not in columns]
    if unknown:
        raise ImportRefused(f"unknown column(s): {', '.join(unknown)}; the columns are {', '.join(columns)}")
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRefused(f"missing column(s): {', '.join(missing)}")
    if len(table) - 1 > MAX_ROWS:
        raise ImportRefused(f"{len(table) - 1} rows; at most {MAX_ROWS} at once")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        if any(values.values()):
            rows.append(Row(number, values))
    return rows
