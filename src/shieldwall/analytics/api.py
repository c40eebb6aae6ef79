"""REST API of the analytics app (`/api/v1/analytics/…`): open data for anonymous callers (PUBLIC facts only),
the same figures over everything a signed-in caller may see. Thin over `selectors` and `tables`.

Responses carry an ETag (the data set's version, the query and whom it was computed for) and Cache-Control:
`public` for anonymous callers, whose answers are the same for everyone, `private` otherwise.
"""


import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import CursorPagination, paginate

from shieldwall.analytics import exports, selectors, tables, views_support
from shieldwall.analytics.models import DataSource
from shieldwall.analytics.schemas import (
    ChannelOut,
    ChartQuery,
    DonorOut,
    ExportQuery,
    FactOut,
    GroupOut,
    MetricQuery,
    SeriesOut,
    SourceOut,
    StageOut,
    WeaponOut,
)
from shieldwall.core import exports as core_exports
from shieldwall.core.actor import Actor
from shieldwall.core.api_support import PUBLIC_AUTH, actor_of
from shieldwall.core.banner import banner_for_marking

router = Router(auth=PUBLIC_AUTH, tags=["analytics"])
PUBLIC_MAX_AGE = 300


def _filters(q: MetricQuery) -> selectors.Filters:
    return selectors.build_filters(measure=q.measure, by=q.by, date_from=q.date_from, date_to=q.date_to,
                                   donors=q.donors, group=q.group, category=q.category)


def etag(request: HttpRequest, actor: Actor, source: DataSource) -> str:
    scope = "public" if not actor.is_authenticated else (
        f"{actor.user_id}:{actor.nation_id}:{int(actor.clearance)}:{actor.is_member}")
    raw = f"{source.code}|{source.data_version}|{source.updated_at}|{request.get_full_path()}|{scope}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def cache_headers(response: HttpResponse, actor: Actor, tag: str) -> None:
    response["ETag"] = tag
    response["Cache-Control"] = (f"public, max-age={PUBLIC_MAX_AGE}" if not actor.is_authenticated
                                 else "private, max-age=60")
    response["Vary"] = "Authorization, Cookie"


def not_modified(request: HttpRequest, actor: Actor, source: DataSource, response: HttpResponse) -> HttpResponse | None:
    """Set the caching headers; a 304 when the caller already holds this answer."""
    tag = etag(request, actor, source)
    cache_headers(response, actor, tag)
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        unchanged = HttpResponse(status=304)
        cache_headers(unchanged, actor, tag)
        return unchanged
    return None


def _source(request: HttpRequest, q: MetricQuery) -> tuple[Actor, DataSource]:
    actor = actor_of(request)
    return actor, selectors.source_get(actor=actor, code=q.source or None)


@router.get("/analytics/sources", response=list[SourceOut])
def list_sources(request: HttpRequest) -> object:
    """The data sets to choose from (a Kiel release, `shieldwall` for this system's own pledges)."""
    return list(selectors.source_list(actor=actor_of(request)))


@router.get("/analytics/series", response=list[SeriesOut])
def series(request: HttpRequest, q: Query[MetricQuery], response: HttpResponse) -> object:
    """One object per month (or year): total, military, financial, humanitarian (EUR bn) and the running total."""
    actor, source = _source(request, q)
    return not_modified(request, actor, source, response) or selectors.series(
        actor=actor, source=source, filters=_filters(q))


@router.get("/analytics/stages", response=list[StageOut])
def stages(request: HttpRequest, q: Query[MetricQuery], response: HttpResponse) -> object:
    """Committed vs allocated vs delivered per month (deliveries: this system's own data)."""
    actor, source = _source(request, q)
    return not_modified(request, actor, source, response) or selectors.stages(
        actor=actor, source=source, filters=_filters(q))


@router.get("/analytics/donors", response=list[DonorOut])
def donors(request: HttpRequest, q: Query[MetricQuery], response: HttpResponse) -> object:
    """One object per donor, largest first: totals by category, commitments, % of GDP (base year given), per
    capita, share of the defence budget, and the EU-level share."""
    actor, source = _source(request, q)
    return not_modified(request, actor, source, response) or selectors.donors(
        actor=actor, source=source, filters=_filters(q))


@router.get("/analytics/groups", response=list[GroupOut])
def groups(request: HttpRequest, q: Query[MetricQuery], response: HttpResponse) -> object:
    """Totals of the regional groups: E5, Nordic-Baltic, EU, G7 and all donors."""
    actor, source = _source(request, q)
    return not_modified(request, actor, source, response) or selectors.groups(
        actor=actor, source=source, filters=_filters(q))


@router.get("/analytics/weapons", response=list[WeaponOut])
def weapons(request: HttpRequest, q: Query[MetricQuery], response: HttpResponse) -> object:
    """Heavy weapons per donor and category: counts, value (EUR) and the systems named."""
    actor, source = _source(request, q)
    return not_modified(request, actor, source, response) or selectors.weapons(
        actor=actor, source=source, filters=_filters(q))


@router.get("/analytics/channels", response=list[ChannelOut])
def channels(request: HttpRequest, q: Query[MetricQuery], response: HttpResponse) -> object:
    """Military allocations by sourcing channel per month (EUR bn)."""
    actor, source = _source(request, q)
    return not_modified(request, actor, source, response) or selectors.channels(
        actor=actor, source=source, filters=_filters(q))


@router.get("/analytics/facts", response=list[FactOut])
@paginate(CursorPagination, ordering=("id",))
def facts(request: HttpRequest, q: Query[MetricQuery]) -> object:
    """The facts themselves, with their markings."""
    actor, source = _source(request, q)
    return selectors.fact_list(actor=actor, source=source, filters=_filters(q))


@router.get("/analytics/export/{table}")
def export(request: HttpRequest, table: str, q: Query[ExportQuery]) -> HttpResponse:
    """Any table as CSV, XLSX or JSON; `kiel` gives the Kiel-compatible CSV (the columns of data_explorer.csv)."""
    actor, source = _source(request, q)
    filters = _filters(q)
    marking = banner_for_marking(selectors.marking_of_facts(actor=actor, source=source, filters=filters)).text
    if table == "kiel":
        body = exports.kiel_csv(selectors.kiel_rows(actor=actor, source=source, filters=filters),
                                selectors.KIEL_COLUMNS)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{source.code}-data_explorer.csv"'
        response[core_exports.MARKING_HEADER] = marking
        return response
    spec = tables.table(table)
    rows = spec.rows(actor, source, filters)
    return core_exports.response(rows, spec.columns, fmt=q.format, stem=f"{source.code}-{table}", marking=marking)


@router.get("/analytics/charts/{chart}")
def chart(request: HttpRequest, chart: str, q: Query[ChartQuery]) -> HttpResponse:
    """A chart as SVG or PNG (rendered on the server), its Vega-Lite spec (json), or its data (csv)."""
    actor, source = _source(request, q)
    return views_support.chart_response(chart, fmt=q.format, actor=actor, source=source, filters=_filters(q))


@router.get("/analytics/iati")
def iati(request: HttpRequest) -> HttpResponse:
    """IATI 2.03 activities XML of this system's own PUBLIC pledge lines."""
    body = exports.iati_xml(selectors.iati_activities(actor=actor_of(request)), generated=timezone.now())
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="shieldwall-iati-activities.xml"'
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response
