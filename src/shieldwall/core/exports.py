"""Exports of any list a user can see: rows (mappings) and the columns to write, as CSV, XLSX or JSON bytes, and the
HTTP response that delivers them from a page or the API.

Callers pass rows their selectors already filtered by the access rule; this module only renders them. Each file
carries the marking of what it holds: a `marking` column in the rows (the caller's choice), the page header
and footer and the document properties of a workbook, a `marking` member of the JSON document, and the
`X-Shieldwall-Marking` header of the response. Text that a spreadsheet would run as a formula (`=`, `+`, `-`,
`@` …) is neutralised: prefixed with `'` in CSV, stored as text in XLSX. Money stays exact: Decimal values are
written as their decimal text (JSON, CSV) or as numbers (XLSX, whose cells are numbers by nature).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
MARKING_HEADER = "X-Shieldwall-Marking"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = Mapping[str, Any]


class ExportError(ValueError):
    """An export that cannot be produced as asked (an unknown format)."""


def check_format(fmt: str) -> str:
    value = (fmt or "").strip().lower()
    if value not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use {', '.join(FORMATS)}")
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # a JSON number would pass through a float in most readers
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _text(value: Any) -> str:
    """One CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return "; ".join(_text(v) for v in items)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return str(value)


def to_csv(rows: Iterable[Row], columns: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(row.get(col)) for col in columns])
    return buffer.getvalue().encode("utf-8")


def to_json(rows: Iterable[Row], columns: Sequence[str], *, marking: str | None = None) -> bytes:
    data = [{col: _jsonable(row.get(col)) for col in columns} for row in rows]
    document = {"marking": marking, "columns": list(columns), "count": len(data), "rows": data}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # Spreadsheet cells have no time zone: write UTC, which is what the application stores.
        return timezone.make_naive(value, UTC) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | Decimal | date) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return _text(value)
    return str(value)


def to_xlsx(rows: Iterable[Row], columns: Sequence[str], *, marking: str | None = None,
            sheet: str = "Export") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    # Write-only mode streams rows to the file instead of building the whole sheet in memory.
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=sheet[:31] or "Export")
    if marking:
        workbook.properties.subject = marking
        workbook.properties.keywords = marking
        for part in (ws.oddHeader.center, ws.oddFooter.center):
            part.text = marking
            part.font = "Arial,Bold"
    bold = Font(bold=True)
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells = []
        for col in columns:
            value = _xlsx_value(row.get(col))
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text, never a formula the spreadsheet would run
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00" if value == value.quantize(Decimal("0.01")) else "General"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        ws.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(rows: Iterable[Row], columns: Sequence[str], *, fmt: str, marking: str | None = None,
           sheet: str = "Export") -> bytes:
    """The export as bytes in `fmt` (csv, xlsx or json)."""
    fmt = check_format(fmt)
    if fmt == "csv":
        return to_csv(rows, columns)
    if fmt == "json":
        return to_json(rows, columns, marking=marking)
    return to_xlsx(rows, columns, marking=marking, sheet=sheet)


def filename(stem: str, fmt: str, *, today: date | None = None) -> str:
    day = today or timezone.localdate()
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem) or "export"
    return f"{safe}-{day.isoformat()}.{fmt}"


def response(rows: Iterable[Row], columns: Sequence[str], *, fmt: str, stem: str,
             marking: str | None = None) -> HttpResponse:
    """An attachment response for a page or an API operation."""
    fmt = check_format(fmt)
    body = render(rows, columns, fmt=fmt, marking=marking, sheet=stem)
    result = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    result["Content-Disposition"] = f'attachment; filename="{filename(stem, fmt)}"'
    result["Cache-Control"] = "no-store"  # marked content does not belong in shared caches
    if marking:
        result[MARKING_HEADER] = marking
    return result
