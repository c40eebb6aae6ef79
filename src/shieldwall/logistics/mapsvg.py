"""The map of hubs and routes as an inline SVG drawn on the server: an equirectangular projection of the hubs'
area with a graticule every few degrees, a dot per hub (its size the hub's capacity) and a line per route.

Pure (no ORM, no tile service, no JavaScript): it takes plain values and returns SVG markup built with ElementTree,
so every label is escaped and the map works air-gapped, in the page and on paper.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

ROUTE_COLOURS = {"planned": "#8a8f98", "dispatched": "#0b4f8a", "at_hub": "#d55e00", "handed_over": "#1e6b34",
                 "damaged": "#a50f15"}


@dataclass(frozen=True)
class MapHub:
    id: int
    name: str
    nation: str
    lat: float
    lon: float
    capacity: int


@dataclass(frozen=True)
class MapRoute:
    label: str
    status: str
    hub_ids: tuple[int, ...]


def map_svg(hubs: Sequence[MapHub], routes: Sequence[MapRoute], *, width: int = 760, height: int = 460,
            title: str = "Hubs and routes") -> str:
    """The map as SVG markup ("" when there is no hub to draw)."""
    if not hubs:
        return ""
    pad = 2.0
    south, north = min(h.lat for h in hubs) - pad, max(h.lat for h in hubs) + pad
    west, east = min(h.lon for h in hubs) - pad * 1.5, max(h.lon for h in hubs) + pad * 1.5
    # Longitudes shrink with the cosine of the latitude: scale them so the map is not stretched sideways.
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x, span_y = (east - west) * squeeze, north - south
    scale = min((width - 40) / span_x, (height - 40) / span_y)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return 20 + (lon - west) * squeeze * scale, 20 + (north - lat) * scale

    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {width} {height}",
                             "role": "img", "aria-label": title, "class": "map"})
    ET.SubElement(svg, "title").text = title
    ET.SubElement(svg, "rect", {"x": "0", "y": "0", "width": str(width), "height": str(height), "fill": "#f4f6f8",
                                "stroke": "#c5cad3"})
    for lon in range(math.ceil(west), math.floor(east) + 1):
        if lon % 2 == 0:
            x, _ = xy(south, lon)
            ET.SubElement(svg, "line", {"x1": f"{x:.1f}", "y1": "0", "x2": f"{x:.1f}", "y2": str(height),
                                        "stroke": "#dfe3e8"})
            ET.SubElement(svg, "text", {"x": f"{x + 2:.1f}", "y": str(height - 4), "font-size": "9",
                                        "fill": "#6b7280"}).text = f"{lon}°E" if lon >= 0 else f"{-lon}°W"
    for lat in range(math.ceil(south), math.floor(north) + 1):
        if lat % 2 == 0:
            _, y = xy(lat, west)
            ET.SubElement(svg, "line", {"x1": "0", "y1": f"{y:.1f}", "x2": str(width), "y2": f"{y:.1f}",
                                        "stroke": "#dfe3e8"})
            ET.SubElement(svg, "text", {"x": "3", "y": f"{y - 2:.1f}", "font-size": "9",
                                        "fill": "#6b7280"}).text = f"{lat}°N" if lat >= 0 else f"{-lat}°S"
    by_id = {h.id: h for h in hubs}
    for route in routes:
        points = [xy(by_id[i].lat, by_id[i].lon) for i in route.hub_ids if i in by_id]
        if len(points) < 2:
            continue
        line = ET.SubElement(svg, "polyline", {
            "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points), "fill": "none", "stroke-width": "2",
            "stroke": ROUTE_COLOURS.get(route.status, "#444"), "stroke-opacity": "0.7"})
        ET.SubElement(line, "title").text = route.label
    top = max(h.capacity for h in hubs) or 1
    for hub in hubs:
        x, y = xy(hub.lat, hub.lon)
        radius = 4 + 8 * math.sqrt(hub.capacity / top)
        dot = ET.SubElement(svg, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": f"{radius:.1f}",
                                            "fill": "#0b4f8a", "fill-opacity": "0.8", "stroke": "#fff"})
        ET.SubElement(dot, "title").text = f"{hub.name} ({hub.nation}): {hub.capacity} shipments a day"
        ET.SubElement(svg, "text", {"x": f"{x + radius + 3:.1f}", "y": f"{y + 4:.1f}", "font-size": "12",
                                    "fill": "#111827"}).text = f"{hub.name} · {hub.nation}"
    return ET.tostring(svg, encoding="unicode")
