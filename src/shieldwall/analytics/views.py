"""Pages of the analytics app: donors, series and heavy weapons for signed-in users (over what they may see),
the public transparency page for everyone (PUBLIC data only, cacheable), chart downloads and table exports.

Charts are SVG rendered on the server, so the pages need no script and no network: inlined in the signed-in
pages, and images from the cacheable chart URLs on the public page (see `views_support.dashboard`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import condition

from shieldwall.analytics import exports, selectors, tables, views_support
from shieldwall.analytics.forms import MetricForm
from shieldwall.core import exports as core_exports
from shieldwall.core.actor import Actor
from shieldwall.core.banner import banner_for_marking
from shieldwall.core.errors import NotFound, ValidationFailed
from shieldwall.core.requests import get_actor
from shieldwall.core.views_support import domain_errors, render_page

PUBLIC_MAX_AGE = 300
PAGES = {
    "analytics_donors": ("Donors", ("donors", "groups"), ("donors", "donors-gdp", "groups")),
    "analytics_series": ("Over time", ("series", "stages"), ("series", "cumulative", "stages")),
    "analytics_weapons": ("Heavy weapons and sourcing", ("weapons", "channels"), ("weapons", "channels")),
}


def _dashboard(request: HttpRequest, actor: Actor, name: str, *, template: str = "analytics/dashboard.html",
               public: bool = False) -> HttpResponse:
    form = MetricForm(request.GET or None, actor=actor)
    title, table_names, chart_names = PAGES[name]
    try:
        source = selectors.source_get(actor=actor, code=form.values()["source"] or None)
        filters = form.filters()
    except ValidationFailed as exc:
        for field, messages in exc.errors.items():
            form.add_error(field if field in form.fields else None, "; ".join(messages))
        return render_page(request, template, {"form": form, "title": title, "public": public}, status=422)
    query = request.GET.urlencode()
    html, marking = views_support.results(actor=actor, source=source, filters=filters, tables=table_names,
                                          charts=chart_names, query=query, public=public)
    context = {"form": form, "title": title, "source": source, "results_html": html, "page_name": name,
               "query": query, "public": public, "pages": PAGES}
    return render_page(request, template, context, banner=banner_for_marking(marking),
                       partial="analytics/_results.html")


@login_required
@domain_errors
def donors(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, get_actor(request), "analytics_donors")


@login_required
@domain_errors
def series(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, get_actor(request), "analytics_series")


@login_required
@domain_errors
def weapons(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, get_actor(request), "analytics_weapons")


def _download(actor: Actor, request: HttpRequest, name: str, fmt: str, *, chart: bool) -> HttpResponse:
    form = MetricForm(request.GET or None, actor=actor)
    source = selectors.source_get(actor=actor, code=form.values()["source"] or None)
    filters = form.filters()
    if chart:
        if fmt not in ("svg", "png", "csv", "json"):
            raise NotFound(f"no chart format {fmt}")
        return views_support.chart_response(name, fmt=fmt, actor=actor, source=source, filters=filters)
    marking = banner_for_marking(selectors.marking_of_facts(actor=actor, source=source, filters=filters)).text
    if name == "kiel":
        body = exports.kiel_csv(selectors.kiel_rows(actor=actor, source=source, filters=filters),
                                selectors.KIEL_COLUMNS)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{source.code}-data_explorer.csv"'
        return response
    if name not in tables.TABLES or fmt not in core_exports.FORMATS:
        raise NotFound(f"no export {name}.{fmt}")
    spec = tables.table(name)
    return core_exports.response(spec.rows(actor, source, filters), spec.columns, fmt=fmt,
                                 stem=f"{source.code}-{name}", marking=marking)


@login_required
@domain_errors
def chart(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    return _download(get_actor(request), request, name, fmt, chart=True)


@login_required
@domain_errors
def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    return _download(get_actor(request), request, name, fmt, chart=False)


# --- the public transparency page: PUBLIC data only, whoever asks ------------------------------------------


def _public_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    raw = f"{request.get_full_path()}|{selectors.data_key()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _cacheable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return condition(etag_func=_public_etag)(wrapper)


@_cacheable
@domain_errors
def public(request: HttpRequest) -> HttpResponse:
    """The transparency page: open data and its aggregates, the same for everyone (signed in or not)."""
    return _dashboard(request, Actor.anonymous(), "analytics_donors", template="analytics/public.html",
                      public=True)


@_cacheable
@domain_errors
def public_chart(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    return _download(Actor.anonymous(), request, name, fmt, chart=True)


@_cacheable
@domain_errors
def public_export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    return _download(Actor.anonymous(), request, name, fmt, chart=False)
