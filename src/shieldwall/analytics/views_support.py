"""What the API and the pages share for charts: one response for a chart in any of its forms (SVG, PNG, its
Vega-Lite spec, or the data it draws as CSV), carrying its source's attribution."""

from __future__ import annotations

import json

from django.http import HttpResponse

from shieldwall.analytics import charts, selectors, tables
from shieldwall.analytics.models import DataSource
from shieldwall.core import exports as core_exports
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound

CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png", "json": "application/json"}


def chart_rows(name: str, *, actor: Actor, source: DataSource, filters: selectors.Filters) -> tables.Rows:
    if name not in tables.CHART_TABLES:
        raise NotFound(f"no chart {name}; charts: {', '.join(charts.CHARTS)}")
    return tables.rows(tables.CHART_TABLES[name], actor=actor, source=source, filters=filters)


def chart_spec(name: str, rows: tables.Rows, *, source: DataSource, filters: selectors.Filters) -> dict[str, object]:
    note = f"Measure: {filters.measure}"
    if source.gdp_year and name == "donors-gdp":
        note += f"; GDP of {source.gdp_year}"
    return charts.spec(name, rows, label=f"Source: {source.label}", note=note)


def chart_response(name: str, *, fmt: str, actor: Actor, source: DataSource,
                   filters: selectors.Filters) -> HttpResponse:
    rows = chart_rows(name, actor=actor, source=source, filters=filters)
    stem = f"{source.code}-{name}"
    if fmt == "csv":
        columns = tables.table(tables.CHART_TABLES[name]).columns
        response = core_exports.response(rows, columns, fmt="csv", stem=stem)
        response["X-Source"] = source.label
        return response
    spec = chart_spec(name, rows, source=source, filters=filters)
    if fmt == "json":
        body: bytes | str = json.dumps(spec)
    elif fmt == "png":
        body = charts.png(spec)
    else:
        body = charts.svg(spec)
    response = HttpResponse(body, content_type=CHART_TYPES.get(fmt, "image/svg+xml"))
    if fmt == "png":
        response["Content-Disposition"] = f'attachment; filename="{stem}.png"'
    response["X-Source"] = source.label
    return response


def dashboard(*, actor: Actor, source: DataSource, filters: selectors.Filters, tables: tuple[str, ...],
              charts: tuple[str, ...]) -> dict[str, object]:
    """The tables and inline SVG charts of one page; each table computed once and shared by its charts."""
    from shieldwall.analytics import charts as chart_module
    from shieldwall.analytics import tables as table_module

    rows = {name: table_module.rows(name, actor=actor, source=source, filters=filters) for name in tables}
    svgs = []
    for name in charts:
        data = rows.get(table_module.CHART_TABLES[name]) or chart_rows(name, actor=actor, source=source,
                                                                       filters=filters)
        svgs.append({"name": name, "title": chart_module.TITLES[name],
                     "svg": chart_module.svg(chart_spec(name, data, source=source, filters=filters))})
    return {"tables": {name: {"columns": table_module.table(name).columns, "rows": rows[name]} for name in tables},
            "charts": svgs}
