"""`shieldwall` subcommands of the analytics app: `import kiel PATH`, and `analytics …` giving the same tables as
the API (`series`, `donors`, `groups`, `stages`, `weapons`, `channels`, `facts`) with the same options, in
`--format table|json|csv`; exports and charts to files; `analytics refresh` rebuilding the `shieldwall` facts.

Reads act as `--as`/`--token`, else anonymously (PUBLIC figures only); imports and refreshes need a user.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from shieldwall.cli import CommandFailed, Context, add_command, add_group

METRICS = ("series", "donors", "groups", "stages", "weapons", "channels", "facts")


def register(subparsers: Any) -> None:
    imports = add_group(subparsers, "import", help="import external data sets")
    kiel = add_command(imports, "kiel", _import_kiel,
                       help="import a Kiel Ukraine Support Tracker release (its folder of CSV files)")
    kiel.add_argument("path", type=Path, metavar="PATH", help="e.g. ../shared/data/kiel-ust-r29")

    group = add_group(subparsers, "analytics", help="burden-sharing figures, exports and charts")
    add_command(group, "sources", _sources, help="the data sets to choose from")
    for name in METRICS:
        parser = add_command(group, name, _metric, help=f"the {name} table (as GET /api/v1/analytics/{name})")
        _metric_options(parser)
        parser.set_defaults(table=name)
    export = add_command(group, "export", _export, help="write a table to a CSV, XLSX or JSON file "
                                                        "('kiel': the Kiel-compatible data_explorer CSV)")
    export.add_argument("table", choices=(*METRICS, "kiel"))
    export.add_argument("--output", "-o", type=Path, required=True, metavar="FILE",
                        help="the file; its extension (.csv, .xlsx, .json) chooses the format")
    _metric_options(export)
    chart = add_command(group, "chart", _chart, help="render a chart to an SVG or PNG file (no network needed)")
    chart.add_argument("name", choices=("donors", "donors-gdp", "series", "cumulative", "stages", "weapons",
                                        "channels", "groups"))
    chart.add_argument("--output", "-o", type=Path, required=True, metavar="FILE", help="FILE.svg or FILE.png")
    _metric_options(chart)
    iati = add_command(group, "iati", _iati, help="IATI 2.03 XML of this system's own PUBLIC pledges")
    iati.add_argument("--output", "-o", type=Path, default=None, metavar="FILE", help="default: standard output")
    add_command(group, "refresh", _refresh, help="rebuild every 'shieldwall' fact from the pledge lines")


def _metric_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", default="", help="data set code (default: the newest external release)")
    parser.add_argument("--measure", default="allocation", choices=("allocation", "commitment", "delivery"))
    parser.add_argument("--by", default="month", choices=("month", "year"))
    parser.add_argument("--from", dest="date_from", default="", metavar="YYYY-MM")
    parser.add_argument("--to", dest="date_to", default="", metavar="YYYY-MM")
    parser.add_argument("--donors", default="", metavar="CODES", help="e.g. FRA,DEU")
    parser.add_argument("--group", default="all", choices=("all", "e5", "nordic-baltic", "eu", "g7"))
    parser.add_argument("--category", default="", help="military, financial, humanitarian (comma-separated)")


def _query(ctx: Context) -> tuple[Any, Any, Any]:
    from shieldwall.analytics import selectors

    a = ctx.args
    actor = ctx.actor()
    source = selectors.source_get(actor=actor, code=a.source or None)
    filters = selectors.build_filters(measure=a.measure, by=a.by, date_from=a.date_from, date_to=a.date_to,
                                      donors=a.donors, group=a.group, category=a.category)
    return actor, source, filters


def _import_kiel(ctx: Context) -> None:
    from shieldwall.analytics import services

    result = services.kiel_import(actor=ctx.acting(), directory=ctx.args.path)
    record = {"source": result.source.code, "label": result.source.label,
              "imported": "yes" if result.created else "no (this release is already imported; nothing changed)",
              "facts": result.facts, "weapons": result.weapons, "channels": result.channels,
              "donors": result.donors, "nations_created": result.nations_created}
    ctx.render_record(record)


def _sources(ctx: Context) -> None:
    from shieldwall.analytics import selectors

    ctx.render([{"code": s.code, "kind": s.kind, "release": s.release, "period": s.period,
                 "published": s.published, "gdp_year": s.gdp_year, "label": s.label}
                for s in selectors.source_list(actor=ctx.actor())])


def _metric(ctx: Context) -> None:
    from shieldwall.analytics import metrics, tables

    actor, source, filters = _query(ctx)
    spec = tables.table(ctx.args.table)
    rows = [{k: metrics.as_float(v) for k, v in row.items()} for row in spec.rows(actor, source, filters)]
    ctx.render(rows, columns=spec.columns)


def _export(ctx: Context) -> None:
    from shieldwall.analytics import exports, selectors, tables
    from shieldwall.core import exports as core_exports
    from shieldwall.core.banner import banner_for_marking

    actor, source, filters = _query(ctx)
    output: Path = ctx.args.output
    fmt = output.suffix.lstrip(".").lower()
    if ctx.args.table == "kiel":
        body = exports.kiel_csv(selectors.kiel_rows(actor=actor, source=source, filters=filters),
                                selectors.KIEL_COLUMNS)
    else:
        if fmt not in core_exports.FORMATS:
            raise CommandFailed(f"cannot tell the format from {output.name!r}; name it .csv, .xlsx or .json")
        marking = banner_for_marking(selectors.marking_of_facts(actor=actor, source=source, filters=filters)).text
        spec = tables.table(ctx.args.table)
        body = core_exports.render(spec.rows(actor, source, filters), spec.columns, fmt=fmt, marking=marking,
                                   sheet=ctx.args.table)
    output.write_bytes(body)
    ctx.say(f"wrote {output} ({len(body):,} bytes; source: {source.label})")


def _chart(ctx: Context) -> None:
    from shieldwall.analytics import charts, views_support

    actor, source, filters = _query(ctx)
    output: Path = ctx.args.output
    rows = views_support.chart_rows(ctx.args.name, actor=actor, source=source, filters=filters)
    spec = views_support.chart_spec(ctx.args.name, rows, source=source, filters=filters)
    if output.suffix.lower() == ".png":
        output.write_bytes(charts.png(spec))
    elif output.suffix.lower() == ".svg":
        output.write_text(charts.svg(spec), encoding="utf-8")
    else:
        raise CommandFailed(f"name the chart file .svg or .png, not {output.name!r}")
    ctx.say(f"wrote {output}")


def _iati(ctx: Context) -> None:
    from django.utils import timezone

    from shieldwall.analytics import exports, selectors

    body = exports.iati_xml(selectors.iati_activities(actor=ctx.actor()), generated=timezone.now())
    if ctx.args.output is None:
        ctx.out.write(body.decode("utf-8"))
        return
    ctx.args.output.write_bytes(body)
    ctx.say(f"wrote {ctx.args.output}")


def _refresh(ctx: Context) -> None:
    from shieldwall.analytics import services

    written = services.shieldwall_rebuild(actor=ctx.acting())
    ctx.say(f"rebuilt the 'shieldwall' facts: {written} facts")
