"""What the API and the pages share for charts: one response for a chart in any of its forms (SVG, PNG, its
Vega-Lite spec, or the data it draws as CSV), carrying its source's attribution; and a page's tables, charts and
marking, cached for the public page, whose figures are the same for every caller."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

from shieldwall.analytics import charts, metrics, selectors, tables
from shieldwall.analytics.models import DataSource
from shieldwall.analytics.templatetags.analytics_tags import table_cells
from shieldwall.core import exports as core_exports
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound

CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png", "json": "application/json"}
PUBLIC_CACHE_SECONDS = 3600  # a bound only: the key changes as soon as the data does


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
              charts: tuple[str, ...], inline: bool = True) -> dict[str, object]:
    """The tables and charts of one page; each table computed once and shared by its charts.

    `inline`: render each chart's SVG into the page. The public page does not: its charts are images from the
    cacheable chart URLs, so the page's figures come back in tens of milliseconds even right after the data
    changed, and each chart (vl-convert takes ~150 ms per chart) is rendered once per data version and cached."""
    from shieldwall.analytics import charts as chart_module
    from shieldwall.analytics import tables as table_module

    rows: dict[str, table_module.Rows] = {}
    for name in tables:
        if name == "groups" and "donors" in rows and filters.donor_set is None:
            # The groups add up the donor rows of the same filters: taken from the table just computed.
            rows[name] = [asdict(g) for g in metrics.group_rows(metrics.DonorRow(**r) for r in rows["donors"])]
        else:
            rows[name] = table_module.rows(name, actor=actor, source=source, filters=filters)
    svgs = []
    for name in charts:
        svg = ""
        if inline:
            data = rows.get(table_module.CHART_TABLES[name]) or chart_rows(name, actor=actor, source=source,
                                                                           filters=filters)
            svg = chart_module.svg(chart_spec(name, data, source=source, filters=filters))
        svgs.append({"name": name, "title": chart_module.TITLES[name], "svg": svg})
    columns = {name: table_module.table(name).columns for name in tables}
    return {"tables": {name: {"columns": columns[name], "rows": rows[name],
                              "cells": table_cells(columns[name], rows[name])} for name in tables},
            "charts": svgs}


def results(*, actor: Actor, source: DataSource, filters: selectors.Filters, tables: tuple[str, ...],
            charts: tuple[str, ...], query: str, public: bool) -> tuple[str, Any]:
    """A page's results region (tables and charts) as HTML, and the marking of the facts it was computed from.

    For the anonymous public the result is the same for every caller, so it is computed once per data version
    (`selectors.data_key`), data set, filters and query, and then served from the cache; anyone else's is
    computed for them."""
    def compute() -> tuple[str, Any]:
        board = dashboard(actor=actor, source=source, filters=filters, tables=tables, charts=charts,
                          inline=not public)
        html = render_to_string("analytics/_region.html", {"source": source, "board": board, "public": public,
                                                           "query": query})
        return html, selectors.marking_of_facts(actor=actor, source=source, filters=filters)

    if actor != Actor.anonymous():
        return compute()
    raw = f"{selectors.data_key()}|{source.pk}|{filters!r}|{tables}|{charts}|{query}|{public}"
    key = "analytics.public." + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, PUBLIC_CACHE_SECONDS)
    return found  # type: ignore[no-any-return]
