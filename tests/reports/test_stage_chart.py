"""The donor page's SVG chart, a pure function of the series."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from shieldwall.pledges.reports import SeriesPoint
from shieldwall.pledges.stage_chart import eur_label, nice_ceiling, stage_chart_svg


def test_axis_tops_and_labels() -> None:
    assert [nice_ceiling(Decimal(v)) for v in ("0", "0.7", "1", "2.2", "4500", "5000001", "81000000000")] == [
        Decimal(1), Decimal("0.8"), Decimal(1), Decimal("2.5"), Decimal(5000), Decimal(6000000),
        Decimal(100000000000)]
    assert [eur_label(Decimal(v)) for v in ("0", "999", "1500", "250000000", "4500000000", "1125000000")] == [
        "EUR 0", "EUR 999", "EUR 1.5 k", "EUR 250 m", "EUR 4.5 bn", "EUR 1.13 bn"]


def test_chart_is_escaped_svg_with_three_series() -> None:
    points = [SeriesPoint(date(2025, m, 1), Decimal(m * 100), Decimal(m * 50), Decimal(m * 10)) for m in (1, 2, 3)]
    svg = stage_chart_svg(points, title="<Côte d'Ivoire> & co")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "<Côte d'Ivoire> & co"  # type: ignore[union-attr]
    assert "&lt;Côte" in svg and "<Côte" not in svg
    lines = root.findall(f"{ns}polyline")
    assert [line.get("class") for line in lines] == ["series series--committed", "series series--allocated",
                                                     "series series--delivered"]
    assert all(len(line.get("points", "").split()) == 3 for line in lines)
    assert "committed EUR 300, allocated EUR 150, delivered EUR 30" in svg
    assert stage_chart_svg([], title="none") == ""
