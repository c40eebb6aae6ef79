"""Rendering for the `shieldwall` console command: tables, JSON and CSV from plain rows, and a progress bar.

Commands hand over rows as mappings of column name to value; this module owns how values look (dates in ISO,
money as exact decimals, lists joined) so every command prints alike and scripts can rely on `--format json`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TextIO

FORMATS = ("table", "json", "csv")
Row = Mapping[str, Any]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # A string keeps the exact figure; a JSON number would pass through a float in most readers.
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def text(value: Any) -> str:
    """A value as one cell of a table or CSV file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        if value and all(isinstance(item, Mapping) for item in value):
            return json.dumps(list(value), default=_json_default, ensure_ascii=False)
        return ", ".join(text(item) for item in value)
    return str(value)


def _columns(rows: Sequence[Row], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    return list(rows[0].keys()) if rows else []


def _table(rows: Sequence[Row], columns: list[str], stream: TextIO) -> None:
    if not rows:
        stream.write("(no results)\n")
        return
    cells = [[text(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(col), *(len(line[i]) for line in cells)) for i, col in enumerate(columns)]
    for line in [[col.upper() for col in columns], *cells]:
        stream.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() + "\n")


def _csv(rows: Sequence[Row], columns: list[str], stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([text(row.get(col)) for col in columns])


def render(rows: Sequence[Row], *, fmt: str, stream: TextIO, columns: Sequence[str] | None = None) -> None:
    """Print a list of records."""
    cols = _columns(rows, columns)
    if fmt == "json":
        data = [{col: row.get(col) for col in cols} for row in rows]
        stream.write(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        _csv(rows, cols, stream)
    else:
        _table(rows, cols, stream)


def render_record(record: Row, *, fmt: str, stream: TextIO) -> None:
    """Print one record: fields one per line in a table; nested lists of records as tables below it."""
    if fmt == "json":
        stream.write(json.dumps(dict(record), indent=2, default=_json_default, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        _csv([record], list(record.keys()), stream)
        return
    nested = {k: v for k, v in record.items() if isinstance(v, list) and v and isinstance(v[0], Mapping)}
    fields = [(k, v) for k, v in record.items() if k not in nested]
    width = max((len(k) for k, _ in fields), default=0)
    for key, value in fields:
        stream.write(f"{key.replace('_', ' ').ljust(width)}  {text(value)}".rstrip() + "\n")
    for key, value in nested.items():
        stream.write(f"\n{key.replace('_', ' ').upper()}\n")
        _table(value, _columns(value, None), stream)


class ProgressBar:
    """`[#####.....] 3/7 meetings` redrawn in place on a terminal, one line per step otherwise (logs, CI)."""

    def __init__(self, stream: TextIO, *, width: int = 24) -> None:
        self.stream = stream
        self.width = width
        self.live = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int, label: str) -> None:
        total = max(total, 1)
        filled = self.width * min(done, total) // total
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {label}"
        if self.live:
            end = "\n" if done >= total else ""
            self.stream.write(f"\r\x1b[2K{line}{end}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
