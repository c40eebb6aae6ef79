"""Small helpers shared by the server-rendered pages: domain errors to HTTP, service errors into forms,
sorting and pagination of dense tables, and rendering with the marking banner (full page or htmx partial)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django import forms
from django.core import exceptions as django_exceptions
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from shieldwall.core.banner import UNMARKED, Banner
from shieldwall.core.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationFailed

PER_PAGE = 50
# The id of the element an htmx filter or table link replaces; only such requests get the partial.
RESULTS_TARGET = "results"

R = TypeVar("R")
M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


def domain_errors(view: View) -> View:
    """Map NotFound to 404 and PermissionDenied to 403, once for every page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except PermissionDenied as exc:
            raise django_exceptions.PermissionDenied(exc.detail) from exc

    return wrapper


def add_errors(form: forms.Form, exc: ValidationFailed | PreconditionFailed) -> None:
    """Put a service's errors beside the form's fields; errors about fields the form lacks go on top."""
    if isinstance(exc, PreconditionFailed):
        form.add_error(None, exc.detail)
        return
    for name, messages in exc.errors.items():
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
            elif name == "__all__":
                form.add_error(None, message)
            else:
                form.add_error(None, f"{name.replace('_', ' ')}: {message}")


def submit(form: forms.Form, call: Callable[[], R]) -> R | None:
    """Run one service for a valid form; on a validation or version error, annotate the form and return None."""
    try:
        return call()
    except (ValidationFailed, PreconditionFailed) as exc:
        add_errors(form, exc)
        return None


def sort_queryset(
    request: HttpRequest, qs: QuerySet[M], allowed: Mapping[str, Sequence[str]], default: str
) -> tuple[QuerySet[M], str]:
    """Order by `?sort=key` or `?sort=-key` when `key` is allowed (whitelisted: never order by raw input)."""
    requested = request.GET.get("sort", default)
    key = requested.removeprefix("-")
    if key not in allowed:
        requested, key = default, default.removeprefix("-")
    descending = requested.startswith("-")
    fields = [f"-{f.removeprefix('-')}" if descending != f.startswith("-") else f.removeprefix("-")
              for f in allowed[key]]
    return qs.order_by(*fields), requested


def paginate(request: HttpRequest, items: Sequence[Any] | QuerySet[Any], per_page: int = PER_PAGE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    banner: Banner = UNMARKED,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render a page with its banner; an htmx request aimed at the results region gets only `partial`."""
    context = {**context, "banner": banner}
    htmx = getattr(request, "htmx", None)
    if partial and htmx and htmx.target == RESULTS_TARGET:
        # The banner depends on the rows shown, so the partial also swaps both banners out of band.
        return render(request, partial, {**context, "banner_oob": True}, status=status)
    return render(request, template, context, status=status)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` parameter when it points into this site, else `fallback` (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback
