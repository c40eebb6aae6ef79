"""Every analytics table as rows of plain values and its columns: the one shape that the API, the CLI, the
pages, the charts and the CSV/XLSX/JSON exports all render, so a figure reads the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from shieldwall.analytics import selectors
from shieldwall.analytics.models import DataSource
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.markings import format_marking

Rows = list[dict[str, Any]]

SERIES_COLUMNS = ("year", "month", "total", "military", "financial", "humanitarian", "unspecified", "cumulative")
DONOR_COLUMNS = ("iso", "name", "total", "military", "financial", "humanitarian", "commitments", "to_be_allocated",
                 "delivered", "to_be_delivered", "pct_gdp", "gdp_eur_bn", "gdp_year", "eu_share", "total_with_eu",
                 "pct_gdp_with_eu", "per_capita_eur", "population_year", "pct_defence_budget",
                 "defence_budget_year")
GROUP_COLUMNS = ("group", "label", "donors", "total", "military", "financial", "humanitarian", "commitments",
                 "pct_gdp", "total_with_eu", "gdp_year")
STAGE_COLUMNS = ("year", "month", "committed", "allocated", "delivered", "cumulative_committed",
                 "cumulative_allocated", "cumulative_delivered")
WEAPON_COLUMNS = ("iso", "name", "category", "count", "value_eur", "systems")
CHANNEL_COLUMNS = ("year", "month", "channel", "amount")
FACT_COLUMNS = ("source", "donor", "year", "month", "measure", "category", "subcategory", "channel", "amount_eur",
                "marking")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[Actor, DataSource, selectors.Filters], Rows]
    chart: str | None = None


def _dicts(items: list[Any]) -> Rows:
    return [asdict(item) for item in items]


def _weapons(actor: Actor, source: DataSource, f: selectors.Filters) -> Rows:
    rows = _dicts(selectors.weapons(actor=actor, source=source, filters=f))
    for row in rows:
        row["systems"] = "; ".join(f"{s['system']} ({s['count']})" for s in row["systems"])
    return rows


def _facts(actor: Actor, source: DataSource, f: selectors.Filters) -> Rows:
    return [{"source": source.code, "donor": c.donor, "year": c.period.year, "month": c.period.month,
             "measure": c.measure, "category": c.category, "subcategory": c.subcategory, "channel": c.channel,
             "amount_eur": c.amount_eur,
             "marking": format_marking(c.classification, c.releasability, [n.code for n in c.rel_to.all()])}
            for c in selectors.fact_list(actor=actor, source=source, filters=f)]


TABLES: dict[str, Table] = {
    "series": Table("series", SERIES_COLUMNS,
                    lambda a, s, f: _dicts(selectors.series(actor=a, source=s, filters=f)), "series"),
    "donors": Table("donors", DONOR_COLUMNS,
                    lambda a, s, f: _dicts(selectors.donors(actor=a, source=s, filters=f)), "donors"),
    "groups": Table("groups", GROUP_COLUMNS,
                    lambda a, s, f: _dicts(selectors.groups(actor=a, source=s, filters=f)), "groups"),
    "stages": Table("stages", STAGE_COLUMNS,
                    lambda a, s, f: _dicts(selectors.stages(actor=a, source=s, filters=f)), "stages"),
    "weapons": Table("weapons", WEAPON_COLUMNS, _weapons, "weapons"),
    "channels": Table("channels", CHANNEL_COLUMNS,
                      lambda a, s, f: _dicts(selectors.channels(actor=a, source=s, filters=f)), "channels"),
    "facts": Table("facts", FACT_COLUMNS, _facts),
}
# Which table each chart draws.
CHART_TABLES = {"donors": "donors", "donors-gdp": "donors", "series": "series", "cumulative": "series",
                "stages": "stages", "weapons": "weapons", "channels": "channels", "groups": "groups"}


def table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise ValidationFailed({"table": [f"unknown table {name!r}; use {', '.join(TABLES)}"]}) from None


def rows(name: str, *, actor: Actor, source: DataSource, filters: selectors.Filters) -> Rows:
    return table(name).rows(actor, source, filters)
