"""Template helpers for the pages: sortable column headers, record markings, and form fields with their errors."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from shieldwall.core.banner import banner_for_marking, marking_of
from shieldwall.core.markings import Classification
from shieldwall.core.models import Marked

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_th(context: template.Context, key: str, label: str, css: str = "") -> str:
    """A `<th>` whose link toggles `?sort=key` / `?sort=-key`, keeping the filters and leaving page 1."""
    request = context["request"]
    current = context.get("sort") or request.GET.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    active = current.removeprefix("-") == key
    descending = current.startswith("-")
    params["sort"] = f"-{key}" if active and not descending else key
    aria = ("descending" if descending else "ascending") if active else "none"
    arrow = ("▼" if descending else "▲") if active else ""
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="?{}">{}<span class="sort-arrow" aria-hidden="true">'
        "{}</span></a></th>",
        css, aria, params.urlencode(), label, arrow,
    )


@register.filter
def marking(record: Marked) -> str:
    """`RESTRICTED // REL TO FRA, GBR`, from the record's prefetched REL TO nations."""
    return banner_for_marking(marking_of(record)).text


@register.filter
def marking_level(record: Marked) -> str:
    return Classification(record.classification).label.lower()


@register.inclusion_tag("_field.html")
def field(bound_field: Any, css: str = "") -> dict[str, Any]:
    """A form field with its label, the widget, and its errors right beside it."""
    return {"field": bound_field, "css": css}


@register.filter(name="sorted")
def sorted_filter(values: Any) -> list[Any]:
    return sorted(values)
