"""The generic exporter: CSV, XLSX and JSON from rows and columns, with the marking carried in each, formulas
neutralised, money exact, and the attachment response."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from shieldwall.core import exports

COLUMNS = ("id", "title", "value_eur", "day", "flags", "at")
ROWS = [
    {"id": 1, "title": "=HYPERLINK(\"http://x\")", "value_eur": Decimal("1234567.89"), "day": date(2025, 3, 1),
     "flags": ["eeum", "no_retransfer"], "at": datetime(2025, 3, 1, 12, 30, tzinfo=UTC)},
    {"id": 2, "title": "-5 shells", "value_eur": Decimal("0.10"), "day": None, "flags": [], "at": None,
     "ignored": "not a column"},
]
MARKING = "RESTRICTED // REL TO FRA, GBR"


def test_csv_neutralises_formulas_and_keeps_decimals() -> None:
    text = exports.render(ROWS, COLUMNS, fmt="csv").decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        list(COLUMNS),
        ["1", "'=HYPERLINK(\"http://x\")", "1234567.89", "2025-03-01", "eeum; no_retransfer",
         "2025-03-01T12:30:00+00:00"],
        ["2", "'-5 shells", "0.10", "", "", ""],
    ]


def test_json_carries_the_marking_and_exact_money() -> None:
    document = json.loads(exports.render(ROWS, COLUMNS, fmt="JSON", marking=MARKING))
    assert document["marking"] == MARKING
    assert document["columns"] == list(COLUMNS) and document["count"] == 2
    assert document["rows"][0] == {"id": 1, "title": "=HYPERLINK(\"http://x\")", "value_eur": "1234567.89",
                                   "day": "2025-03-01", "flags": ["eeum", "no_retransfer"],
                                   "at": "2025-03-01T12:30:00+00:00"}


def test_xlsx_stores_text_as_text_and_prints_the_marking() -> None:
    workbook = load_workbook(io.BytesIO(exports.render(ROWS, COLUMNS, fmt="xlsx", marking=MARKING, sheet="lines")))
    sheet = workbook["lines"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == list(COLUMNS)
    assert values[1][0] == 1 and values[1][1] == "=HYPERLINK(\"http://x\")" and values[1][4] == "eeum; no_retransfer"
    assert values[2][:3] == [2, "-5 shells", pytest.approx(0.1)]
    assert sheet.cell(row=2, column=2).data_type == "s"  # a string, never a formula the spreadsheet would run
    assert sheet.cell(row=2, column=3).value == pytest.approx(1234567.89)
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=4).value == datetime(2025, 3, 1)
    assert sheet.cell(row=2, column=6).value == datetime(2025, 3, 1, 12, 30)  # UTC, without a zone
    assert sheet.oddHeader.center.text == MARKING and sheet.oddFooter.center.text == MARKING
    assert workbook.properties.subject == MARKING


def test_response_is_an_attachment_with_the_marking() -> None:
    response = exports.response(ROWS, COLUMNS, fmt="xlsx", stem="pledge lines", marking=MARKING)
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"].startswith('attachment; filename="pledge-lines-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert response[exports.MARKING_HEADER] == MARKING
    assert response["Cache-Control"] == "no-store"


def test_unknown_format_is_refused() -> None:
    with pytest.raises(exports.ExportError, match="unknown export format 'pdf'; use csv, xlsx, json"):
        exports.render(ROWS, COLUMNS, fmt="pdf")
