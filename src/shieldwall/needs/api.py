"""REST API of the requirements list and its coverage (`/api/v1/requirements`, `/api/v1/coverage/…`): thin over
`needs.selectors`, `needs.services` and `needs.coverage`."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.pagination import CursorPagination, paginate
from pydantic import Field

from shieldwall.coalition.schemas import AreaCode
from shieldwall.core.actor import Actor
from shieldwall.core.api_support import AUTH, actor_of, expected_version, idempotent_create, set_etag
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.schemas import InSchema
from shieldwall.needs import coverage, selectors, services
from shieldwall.needs.models import Requirement, RequirementStatus
from shieldwall.needs.schemas import (
    GroupCoverageOut,
    PriorityIn,
    ReasonIn,
    RequirementCoverageOut,
    RequirementIn,
    RequirementOut,
    RequirementPatch,
)

router = Router(auth=AUTH, tags=["requirements"])


class RequirementQuery(InSchema):
    status: str = Field(default="", max_length=200, description="One status or several, comma-separated")
    priority: int | None = None
    item_class: int | None = None
    area: AreaCode | None = None
    need_by_from: dt.date | None = None
    need_by_to: dt.date | None = None
    destination: str = ""
    originator: str = ""
    q: str = ""

    def filters(self) -> selectors.RequirementFilters:
        statuses = tuple(s.strip() for s in self.status.split(",") if s.strip())
        unknown = sorted(set(statuses) - set(RequirementStatus.values))
        if unknown:
            raise ValidationFailed({"status": [f"unknown status {', '.join(unknown)}; use "
                                               f"{', '.join(RequirementStatus.values)} (comma-separated)"]})
        if self.priority is not None and not 1 <= self.priority <= 5:
            raise ValidationFailed({"priority": ["priority runs from 1 to 5"]})
        return selectors.RequirementFilters(
            status=statuses, priority=self.priority, item_class=self.item_class, area=self.area or "",
            need_by_from=self.need_by_from, need_by_to=self.need_by_to, destination=self.destination,
            originator=self.originator, q=self.q)


def _optional_version(request: HttpRequest, pk: int) -> int | None:
    """Lifecycle steps check the status themselves; an If-Match, when sent, also pins the version."""
    return expected_version(request, pk) if request.headers.get("If-Match", "").strip() else None


def _fresh(actor: Actor, pk: int, response: HttpResponse) -> Requirement:
    obj = selectors.requirement_get(actor=actor, id=pk)
    set_etag(response, obj)
    return obj


# --- requirements ------------------------------------------------------------------------------------------


@router.get("/requirements", response=list[RequirementOut])
@paginate(CursorPagination, ordering=("id",))
def list_requirements(request: HttpRequest, filters: Query[RequirementQuery]) -> object:
    """The requirements you may see; the prioritised order is `priority`, then `need_by`."""
    return selectors.requirement_list(actor=actor_of(request), filters=filters.filters())


@router.get("/requirements/{requirement_id}", response=RequirementOut)
def get_requirement(request: HttpRequest, requirement_id: int, response: HttpResponse) -> object:
    return _fresh(actor_of(request), requirement_id, response)


@router.post("/requirements", response={201: RequirementOut})
def create_requirement(request: HttpRequest, payload: RequirementIn) -> HttpResponse:
    """A draft requirement of your nation (recipient officers)."""
    actor = actor_of(request)
    fields = payload.model_dump(exclude={"classification", "releasability", "rel_to"})

    def create() -> RequirementOut:
        obj = services.requirement_create(actor=actor, **fields, **payload.marking_kwargs())
        return RequirementOut.from_orm(selectors.requirement_get(actor=actor, id=obj.pk))

    return idempotent_create(request, actor, create)


@router.patch("/requirements/{requirement_id}", response=RequirementOut)
def update_requirement(request: HttpRequest, requirement_id: int, payload: RequirementPatch,
                       response: HttpResponse) -> object:
    """Change a draft (If-Match required); a submitted requirement changes only through its lifecycle."""
    actor = actor_of(request)
    selectors.requirement_get(actor=actor, id=requirement_id)
    changes, rel_to = payload.changes()
    services.requirement_update(actor=actor, id=requirement_id, rel_to=rel_to,
                                expected_version=expected_version(request, requirement_id), **changes)
    return _fresh(actor, requirement_id, response)


def _step(request: HttpRequest, requirement_id: int, response: HttpResponse,
          call: Callable[..., Requirement], **kwargs: Any) -> Requirement:
    actor = actor_of(request)
    selectors.requirement_get(actor=actor, id=requirement_id)
    call(actor=actor, id=requirement_id, expected_version=_optional_version(request, requirement_id), **kwargs)
    return _fresh(actor, requirement_id, response)


@router.post("/requirements/{requirement_id}/submit", response=RequirementOut)
def submit_requirement(request: HttpRequest, requirement_id: int, response: HttpResponse) -> object:
    """Draft → submitted (recipient officers of the originating nation)."""
    return _step(request, requirement_id, response, services.requirement_submit)


@router.post("/requirements/{requirement_id}/validate", response=RequirementOut)
def validate_requirement(request: HttpRequest, requirement_id: int, response: HttpResponse) -> object:
    """Submitted → validated (coordinators)."""
    return _step(request, requirement_id, response, services.requirement_validate)


@router.post("/requirements/{requirement_id}/open", response=RequirementOut)
def open_requirement(request: HttpRequest, requirement_id: int, response: HttpResponse) -> object:
    """Validated → open: published to donors (coordinators)."""
    return _step(request, requirement_id, response, services.requirement_open)


@router.post("/requirements/{requirement_id}/return", response=RequirementOut)
def return_requirement(request: HttpRequest, requirement_id: int, payload: ReasonIn,
                       response: HttpResponse) -> object:
    """Submitted or validated → draft, with the reason (coordinators)."""
    return _step(request, requirement_id, response, services.requirement_return, reason=payload.reason)


@router.post("/requirements/{requirement_id}/withdraw", response=RequirementOut)
def withdraw_requirement(request: HttpRequest, requirement_id: int, payload: ReasonIn,
                         response: HttpResponse) -> object:
    """Any status but met → withdrawn, with the reason (the originating recipient or a coordinator)."""
    return _step(request, requirement_id, response, services.requirement_withdraw, reason=payload.reason)


@router.post("/requirements/{requirement_id}/reprioritise", response=RequirementOut)
def reprioritise_requirement(request: HttpRequest, requirement_id: int, payload: PriorityIn,
                             response: HttpResponse) -> object:
    """Set the priority of a submitted, validated or published requirement (coordinators)."""
    return _step(request, requirement_id, response, services.requirement_reprioritise, priority=payload.priority)


# --- coverage --------------------------------------------------------------------------------------------------


class CoveragePagination(CursorPagination):
    """Cursor pages of the visible requirements; only the requirements of the page are then aggregated."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request=request, **params)
        ids = [obj.pk for obj in page["results"]]
        page["results"] = coverage.requirement_coverage_for(actor=actor_of(request), ids=ids)
        return page


@router.get("/coverage/requirements", response=list[RequirementCoverageOut])
@paginate(CoveragePagination, ordering=("id",))
def requirement_coverage(request: HttpRequest, filters: Query[RequirementQuery]) -> object:
    """Required, committed, allocated and delivered quantities and EUR values per requirement, over the
    requirements and pledge lines you may see (announced-only and cancelled lines never count)."""
    return selectors.requirement_list(actor=actor_of(request), filters=filters.filters())


@router.get("/coverage/areas", response=list[GroupCoverageOut])
def area_coverage(request: HttpRequest, filters: Query[RequirementQuery]) -> object:
    """Required and pledged EUR values per capability area (% by value)."""
    return coverage.area_coverage(actor=actor_of(request), filters=filters.filters())


@router.get("/coverage/coalitions", response=list[GroupCoverageOut])
def coalition_coverage(request: HttpRequest, filters: Query[RequirementQuery]) -> object:
    """Required and pledged EUR values per capability coalition (% by value)."""
    return coverage.coalition_coverage(actor=actor_of(request), filters=filters.filters())
