"""Charts as Vega-Lite specifications built with altair from metric rows, rendered on the server to SVG or PNG
by vl-convert (no browser, no network: they work air-gapped and go into exports and reports as they are).

Pure: takes rows (mappings), returns a spec, SVG text or PNG bytes. Every chart carries its source's
attribution as a subtitle. Rendered SVG is cached by the digest of its spec, so a page showing the same figures
again does not render them again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

CHARTS = ("donors", "donors-gdp", "series", "cumulative", "stages", "weapons", "channels", "groups")
TITLES = {
    "donors": "Aid by donor (EUR bn), by category, with the EU-level share",
    "donors-gdp": "Aid by donor as a share of GDP (%), with the EU-level share",
    "series": "Aid per month (EUR bn), by category",
    "cumulative": "Cumulative aid (EUR bn)",
    "stages": "Committed, allocated and delivered (EUR bn, cumulative)",
    "weapons": "Heavy weapons by donor (units), by category",
    "channels": "Military aid by sourcing channel (EUR bn per month)",
    "groups": "Aid by group of donors (EUR bn)",
}
CATEGORY_COLOURS = alt.Scale(domain=["military", "financial", "humanitarian", "unspecified", "EU share"],
                             range=["#3b5b7a", "#c9a227", "#6a9f58", "#9aa5b1", "#8c6bb1"])
WIDTH = 640
Row = Mapping[str, Any]


class UnknownChart(ValueError):
    pass


def _month_label(row: Row) -> str:
    return f"{row['year']}-{row['month']:02d}-01" if row.get("month") else f"{row['year']}-01-01"


def _base(values: list[dict[str, Any]]) -> alt.Chart:
    return alt.Chart(alt.Data(values=values))


def _title(name: str, label: str, note: str = "") -> alt.TitleParams:
    return alt.TitleParams(TITLES[name], subtitle=[s for s in (label, note) if s], anchor="start", fontSize=14,
                           subtitleFontSize=11, subtitleColor="#555")


def _donors(rows: Sequence[Row], *, pct: bool, limit: int = 30) -> tuple[list[dict[str, Any]], str]:
    values = []
    for row in list(rows)[:limit]:
        parts = {c: float(row[c] or 0) for c in ("military", "financial", "humanitarian")}
        parts["EU share"] = float(row.get("eu_share") or 0)
        total = sum(parts.values())
        for category, amount in parts.items():
            if pct:
                gdp = float(row.get("gdp_eur_bn") or 0)
                if not gdp:
                    continue
                amount = amount / gdp * 100
            values.append({"donor": row["name"], "category": category, "value": amount,
                           "rank": -(float(row.get("pct_gdp_with_eu") or 0) if pct else total)})
    return values, "% of GDP" if pct else "EUR bn"


def spec(name: str, rows: Sequence[Row], *, label: str, note: str = "") -> dict[str, Any]:
    """The Vega-Lite specification of chart `name` over `rows` (the rows of the matching metric).

    Built without altair's schema validation, which took longer than the whole page's figures (some 0.2 s per
    page); the specs' shapes are fixed here and the tests validate each against the Vega-Lite schema."""
    if name not in CHARTS:
        raise UnknownChart(f"unknown chart {name!r}; use {', '.join(CHARTS)}")
    with alt.utils.schemapi.debug_mode(False):
        return _spec(name, rows, label=label, note=note)


def _spec(name: str, rows: Sequence[Row], *, label: str, note: str) -> dict[str, Any]:
    title = _title(name, label, note)
    if name in ("donors", "donors-gdp"):
        values, unit = _donors(rows, pct=name == "donors-gdp")
        chart = _base(values).mark_bar().encode(
            y=alt.Y("donor:N", sort=alt.EncodingSortField(field="rank", op="min"), title=None),
            x=alt.X("value:Q", title=unit, stack="zero"),
            color=alt.Color("category:N", scale=CATEGORY_COLOURS, title=None),
            tooltip=["donor:N", "category:N", alt.Tooltip("value:Q", format=",.3f")],
        ).properties(width=WIDTH, height=alt.Step(14))
    elif name == "series":
        values = [{"month": _month_label(r), "category": c, "value": float(r[c])}
                  for r in rows for c in ("military", "financial", "humanitarian", "unspecified") if r.get(c)]
        chart = _base(values).mark_bar().encode(
            x=alt.X("month:T", title=None), y=alt.Y("value:Q", title="EUR bn", stack="zero"),
            color=alt.Color("category:N", scale=CATEGORY_COLOURS, title=None),
            tooltip=["month:T", "category:N", alt.Tooltip("value:Q", format=",.3f")],
        ).properties(width=WIDTH, height=260)
    elif name == "cumulative":
        values = [{"month": _month_label(r), "value": float(r["cumulative"])} for r in rows]
        chart = _base(values).mark_area(line=True, opacity=0.5).encode(
            x=alt.X("month:T", title=None), y=alt.Y("value:Q", title="EUR bn"),
            tooltip=["month:T", alt.Tooltip("value:Q", format=",.3f")],
        ).properties(width=WIDTH, height=260)
    elif name == "stages":
        values = [{"month": _month_label(r), "stage": stage, "value": float(r[f"cumulative_{stage}"])}
                  for r in rows for stage in ("committed", "allocated", "delivered")]
        chart = _base(values).mark_line(interpolate="step-after").encode(
            x=alt.X("month:T", title=None), y=alt.Y("value:Q", title="EUR bn"),
            color=alt.Color("stage:N", sort=["committed", "allocated", "delivered"], title=None),
            tooltip=["month:T", "stage:N", alt.Tooltip("value:Q", format=",.3f")],
        ).properties(width=WIDTH, height=260)
    elif name == "weapons":
        values = [{"donor": r["name"], "category": r["category"], "count": int(r["count"])} for r in rows]
        chart = _base(values).mark_bar().encode(
            y=alt.Y("donor:N", sort="-x", title=None), x=alt.X("sum(count):Q", title="units"),
            color=alt.Color("category:N", title=None), tooltip=["donor:N", "category:N", "count:Q"],
        ).properties(width=WIDTH, height=alt.Step(14))
    elif name == "channels":
        values = [{"month": _month_label(r), "channel": r["channel"], "value": float(r["amount"])} for r in rows]
        chart = _base(values).mark_area().encode(
            x=alt.X("month:T", title=None), y=alt.Y("value:Q", title="EUR bn", stack="zero"),
            color=alt.Color("channel:N", title=None),
            tooltip=["month:T", "channel:N", alt.Tooltip("value:Q", format=",.3f")],
        ).properties(width=WIDTH, height=260)
    else:  # groups
        values = [{"group": r["label"], "category": c, "value": float(r[c])}
                  for r in rows for c in ("military", "financial", "humanitarian")]
        chart = _base(values).mark_bar().encode(
            y=alt.Y("group:N", sort="-x", title=None), x=alt.X("value:Q", title="EUR bn", stack="zero"),
            color=alt.Color("category:N", scale=CATEGORY_COLOURS, title=None),
            tooltip=["group:N", "category:N", alt.Tooltip("value:Q", format=",.3f")],
        ).properties(width=WIDTH, height=alt.Step(22))
    result: dict[str, Any] = chart.properties(title=title).configure_view(stroke=None).to_dict(validate=False)
    return result


def digest(chart_spec: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(chart_spec, sort_keys=True, default=str).encode()).hexdigest()[:32]


def svg(chart_spec: dict[str, Any]) -> str:
    """SVG text of a spec (cached by the spec's digest)."""
    from django.core.cache import cache

    key = f"analytics:svg:{digest(chart_spec)}"
    found = cache.get(key)
    if found is None:
        import vl_convert

        found = vl_convert.vegalite_to_svg(chart_spec)
        cache.set(key, found, 3600)
    return str(found)


def png(chart_spec: dict[str, Any], *, scale: float = 2.0) -> bytes:
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(chart_spec, scale=scale))
