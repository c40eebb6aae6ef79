"""Reads of the requirements list, always through the access rule: the actor's visible requirements, and the
visible pledge lines against one of them (their packages prefetched through the same rule, never through the
foreign key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound
from shieldwall.needs.models import Requirement

if TYPE_CHECKING:
    from shieldwall.pledges.models import PledgeLine


@dataclass(frozen=True)
class RequirementFilters:
    status: tuple[str, ...] = ()
    priority: int | None = None
    item_class: int | None = None
    area: str = ""  # capability area code
    need_by_from: date | None = None
    need_by_to: date | None = None
    destination: str = ""
    originator: str = ""  # nation code
    q: str = ""


def filter_requirements(qs: QuerySet[Requirement], f: RequirementFilters) -> QuerySet[Requirement]:
    """The filters of the list, also applied by the coverage selectors (one definition for list and coverage)."""
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.priority is not None:
        qs = qs.filter(priority=f.priority)
    if f.item_class is not None:
        qs = qs.filter(item_class_id=f.item_class)
    if f.area:
        qs = qs.filter(item_class__area__code=f.area)
    if f.need_by_from:
        qs = qs.filter(need_by__gte=f.need_by_from)
    if f.need_by_to:
        qs = qs.filter(need_by__lte=f.need_by_to)
    if f.destination:
        qs = qs.filter(destination__icontains=f.destination)
    if f.originator:
        qs = qs.filter(originator__code=f.originator.upper())
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(justification__icontains=f.q) | Q(item_class__name__icontains=f.q))
    return qs


def requirement_list(*, actor: Actor, filters: RequirementFilters | None = None) -> QuerySet[Requirement]:
    """The prioritised list: most urgent first, then the earliest need-by date."""
    qs = (Requirement.objects.visible_to(actor)
          .select_related("item_class", "item_class__area", "originator").prefetch_related("rel_to"))
    return filter_requirements(qs, filters or RequirementFilters()).order_by("priority", "need_by", "id")


def requirement_get(*, actor: Actor, id: int) -> Requirement:
    try:
        return requirement_list(actor=actor).get(pk=id)
    except (Requirement.DoesNotExist, ValueError, OverflowError) as exc:
        raise NotFound(f"requirement {id} not found") from exc


def requirement_pledge_lines(*, actor: Actor, requirement_id: int) -> list[PledgeLine]:
    """The pledge lines against a requirement the actor already fetched, those the actor may see only, each with
    its package when that too is visible (`line.package` is None otherwise)."""
    from shieldwall.pledges.models import Package, PledgeLine

    packages = Package.objects.visible_to(actor).select_related("originator").prefetch_related("rel_to")
    lines = (PledgeLine.objects.visible_to(actor).filter(requirement_id=requirement_id)
             .select_related("item_type", "originator")
             .prefetch_related("rel_to", Prefetch("package", queryset=packages))
             .order_by("id"))
    return list(lines)
