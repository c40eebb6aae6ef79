"""The donor page's chart: cumulative committed, allocated and delivered EUR by month, as an inline SVG.

Pure (no ORM, no JavaScript, no CDN): it takes the series points and returns SVG markup built with ElementTree,
so every label is escaped and the chart works air-gapped, in the page and on paper. Money stays Decimal; only
pixel positions are floats.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

# Colours distinguishable in greyscale print and for the common colour-vision deficiencies.
STAGES = (("committed", "Committed", "#0b4f8a", ""), ("allocated", "Allocated", "#d55e00", "6 3"),
          ("delivered", "Delivered", "#1e6b34", "2 2"))
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 84, 28, 30, 40
TICKS = 4


class Point(Protocol):
    @property
    def month(self) -> date: ...
    @property
    def committed(self) -> Decimal: ...
    @property
    def allocated(self) -> Decimal: ...
    @property
    def delivered(self) -> Decimal: ...


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 3, 4, 5, 6, 8 × 10^k at least `value` (a round top for the axis, whose
    quarters stay short numbers)."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(3), Decimal(4), Decimal(5), Decimal(6),
                 Decimal(8), Decimal(10)):
        top = step.scaleb(exponent)
        if top >= value:
            return top
    return Decimal(10).scaleb(exponent)  # pragma: no cover — 10 × 10^k always reaches value


def eur_label(value: Decimal) -> str:
    """`EUR 1.5 bn`, `EUR 250 m`, `EUR 12 k`, `EUR 0`: short axis labels."""
    for size, unit in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m"), (Decimal(10) ** 3, "k")):
        if abs(value) >= size:
            scaled = (value / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
            return f"EUR {scaled:f} {unit}"
    return f"EUR {value.quantize(Decimal(1), rounding=ROUND_HALF_UP):f}"


def _month_label(month: date) -> str:
    return month.strftime("%b %Y")


def stage_chart_svg(points: Sequence[Point], *, title: str, width: int = 760, height: int = 280) -> str:
    """The chart as SVG markup ("" when there is nothing to draw)."""
    if not points:
        return ""
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    top = nice_ceiling(max(max(p.committed, p.allocated, p.delivered) for p in points))
    step_x = plot_w / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return MARGIN_LEFT + (index * step_x if len(points) > 1 else plot_w / 2)

    def y(value: Decimal) -> float:
        return MARGIN_TOP + plot_h - float(value / top) * plot_h

    last = points[-1]
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {width} {height}",
                             "width": "100%", "style": f"max-width: {width}px; height: auto", "role": "img",
                             "aria-labelledby": "stage-chart-title stage-chart-desc", "class": "chart",
                             "font-family": "system-ui, sans-serif", "font-size": "11"})
    ET.SubElement(svg, "title", {"id": "stage-chart-title"}).text = title
    ET.SubElement(svg, "desc", {"id": "stage-chart-desc"}).text = (
        f"Cumulative EUR from {_month_label(points[0].month)} to {_month_label(last.month)}: "
        + ", ".join(f"{label.lower()} {eur_label(getattr(last, name))}" for name, label, _c, _d in STAGES) + ".")
    _axes(svg, top, y, plot_w)
    _month_ticks(svg, points, x, height)
    for name, _label, colour, dash in STAGES:
        coords = " ".join(f"{x(i):.1f},{y(getattr(p, name)):.1f}" for i, p in enumerate(points))
        attrs = {"points": coords, "fill": "none", "stroke": colour, "stroke-width": "2",
                 "stroke-linejoin": "round", "class": f"series series--{name}"}
        if dash:
            attrs["stroke-dasharray"] = dash
        ET.SubElement(svg, "polyline", attrs)
    _legend(svg)
    return ET.tostring(svg, encoding="unicode")


def _axes(svg: ET.Element, top: Decimal, y: Callable[[Decimal], float], plot_w: int) -> None:
    for i in range(TICKS + 1):
        value = top * i / TICKS
        pos = y(value)
        ET.SubElement(svg, "line", {"x1": str(MARGIN_LEFT), "x2": str(MARGIN_LEFT + plot_w), "y1": f"{pos:.1f}",
                                    "y2": f"{pos:.1f}", "stroke": "#d5d9e0" if i else "#5a6270"})
        label = ET.SubElement(svg, "text", {"x": str(MARGIN_LEFT - 6), "y": f"{pos + 4:.1f}", "text-anchor": "end",
                                            "fill": "#1b1f24"})
        label.text = eur_label(value)


def _month_ticks(svg: ET.Element, points: Sequence[Point], x: Callable[[int], float], height: int) -> None:
    every = max(1, -(-len(points) // 12))  # at most about twelve labels
    last = len(points) - 1
    for i, point in enumerate(points):
        # Counted back from the last month, so the latest is always labelled and the spacing stays even.
        if (last - i) % every:
            continue
        label = ET.SubElement(svg, "text", {"x": f"{x(i):.1f}", "y": str(height - MARGIN_BOTTOM + 16),
                                            "text-anchor": "middle", "fill": "#1b1f24"})
        label.text = point.month.strftime("%b %y")


def _legend(svg: ET.Element) -> None:
    left = MARGIN_LEFT
    for _name, label, colour, dash in STAGES:
        attrs = {"x1": str(left), "x2": str(left + 22), "y1": "12", "y2": "12", "stroke": colour,
                 "stroke-width": "3"}
        if dash:
            attrs["stroke-dasharray"] = dash
        ET.SubElement(svg, "line", attrs)
        text = ET.SubElement(svg, "text", {"x": str(left + 28), "y": "16", "fill": "#1b1f24"})
        text.text = label
        left += 110
