"""REST API of the coalition registry (`/api/v1/`): thin over the selectors and services."""


import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import CursorPagination, paginate

from shieldwall.coalition import selectors, services
from shieldwall.coalition.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    AnnouncementPatch,
    AttendanceIn,
    AttendanceOut,
    CapabilityCoalitionIn,
    CapabilityCoalitionOut,
    CapabilityCoalitionPatch,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    MembershipEnd,
    MembershipIn,
    MembershipOut,
    NationIn,
    NationOut,
    NationPatch,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    patch_changes,
)
from shieldwall.core.api_support import AUTH, actor_of, expected_version, idempotent_create, set_etag
from shieldwall.core.markings import Classification
from shieldwall.core.schemas import InSchema

router = Router(auth=AUTH, tags=["coalition"])


class NationQuery(InSchema):
    q: str = ""
    tier: str = ""
    member: bool | None = None


class OrganisationQuery(InSchema):
    q: str = ""
    kind: str = ""
    nation: str = ""


class MembershipQuery(InSchema):
    nation: str = ""
    tier: str = ""
    current: bool | None = None


class CoalitionQuery(InSchema):
    area: str = ""
    nation: str = ""


class MeetingQuery(InSchema):
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    nation: str = ""
    classification: str = ""


class AnnouncementQuery(InSchema):
    meeting: int | None = None
    nation: str = ""


# --- nations ----------------------------------------------------------------------------------------------


@router.get("/nations", response=list[NationOut])
@paginate(CursorPagination, ordering=("code",))
def list_nations(request: HttpRequest, filters: Query[NationQuery]) -> object:
    f = selectors.NationFilters(q=filters.q, tier=filters.tier, member=filters.member)
    return selectors.nation_list(actor=actor_of(request), filters=f)


@router.get("/nations/{code}", response=NationOut)
def get_nation(request: HttpRequest, code: str, response: HttpResponse) -> object:
    nation = selectors.nation_get(actor=actor_of(request), code=code)
    set_etag(response, nation)
    return nation


@router.post("/nations", response={201: NationOut})
def create_nation(request: HttpRequest, payload: NationIn) -> HttpResponse:
    actor = actor_of(request)
    return idempotent_create(request, actor, lambda: NationOut.from_orm(
        services.nation_create(actor=actor, **payload.model_dump())))


@router.patch("/nations/{code}", response=NationOut)
def update_nation(request: HttpRequest, code: str, payload: NationPatch, response: HttpResponse) -> object:
    actor = actor_of(request)
    nation = selectors.nation_get(actor=actor, code=code)
    nation = services.nation_update(actor=actor, code=code, expected_version=expected_version(request, nation.pk),
                                    **payload.model_dump(exclude_unset=True))
    set_etag(response, nation)
    return nation


# --- organisations ----------------------------------------------------------------------------------------


@router.get("/organisations", response=list[OrganisationOut])
@paginate(CursorPagination, ordering=("id",))
def list_organisations(request: HttpRequest, filters: Query[OrganisationQuery]) -> object:
    return selectors.organisation_list(actor=actor_of(request), **filters.model_dump())


@router.get("/organisations/{org_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, org_id: int, response: HttpResponse) -> object:
    org = selectors.organisation_get(actor=actor_of(request), id=org_id)
    set_etag(response, org)
    return org


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> HttpResponse:
    actor = actor_of(request)
    return idempotent_create(request, actor, lambda: OrganisationOut.from_orm(
        services.organisation_create(actor=actor, **payload.model_dump())))


@router.patch("/organisations/{org_id}", response=OrganisationOut)
def update_organisation(request: HttpRequest, org_id: int, payload: OrganisationPatch,
                        response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.organisation_get(actor=actor, id=org_id)
    org = services.organisation_update(actor=actor, id=org_id, expected_version=expected_version(request, org_id),
                                       **payload.model_dump(exclude_unset=True))
    set_etag(response, org)
    return org


@router.delete("/organisations/{org_id}", response={204: None})
def delete_organisation(request: HttpRequest, org_id: int) -> Status[None]:
    actor = actor_of(request)
    selectors.organisation_get(actor=actor, id=org_id)
    services.organisation_delete(actor=actor, id=org_id, expected_version=expected_version(request, org_id))
    return Status(204, None)


# --- memberships --------------------------------------------------------------------------------------------


@router.get("/memberships", response=list[MembershipOut])
@paginate(CursorPagination, ordering=("id",))
def list_memberships(request: HttpRequest, filters: Query[MembershipQuery]) -> object:
    return selectors.membership_list(actor=actor_of(request), **filters.model_dump())


@router.get("/memberships/{membership_id}", response=MembershipOut)
def get_membership(request: HttpRequest, membership_id: int, response: HttpResponse) -> object:
    row = selectors.membership_get(actor=actor_of(request), id=membership_id)
    set_etag(response, row)
    return row


@router.post("/memberships", response={201: MembershipOut})
def set_tier(request: HttpRequest, payload: MembershipIn) -> HttpResponse:
    """Give a nation a tier from a date: the open period is closed the day before (the history is kept)."""
    actor = actor_of(request)
    return idempotent_create(request, actor, lambda: MembershipOut.from_orm(
        services.membership_set_tier(actor=actor, **payload.model_dump())))


@router.post("/memberships/{membership_id}/end", response=MembershipOut)
def end_membership(request: HttpRequest, membership_id: int, payload: MembershipEnd,
                   response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.membership_get(actor=actor, id=membership_id)
    row = services.membership_end(actor=actor, id=membership_id, valid_to=payload.valid_to,
                                  expected_version=expected_version(request, membership_id))
    set_etag(response, row)
    return row


# --- capability coalitions ------------------------------------------------------------------------------


@router.get("/coalitions", response=list[CapabilityCoalitionOut])
@paginate(CursorPagination, ordering=("id",))
def list_coalitions(request: HttpRequest, filters: Query[CoalitionQuery]) -> object:
    return selectors.capability_coalition_list(actor=actor_of(request), **filters.model_dump())


@router.get("/coalitions/{coalition_id}", response=CapabilityCoalitionOut)
def get_coalition(request: HttpRequest, coalition_id: int, response: HttpResponse) -> object:
    row = selectors.capability_coalition_get(actor=actor_of(request), id=coalition_id)
    set_etag(response, row)
    return row


@router.post("/coalitions", response={201: CapabilityCoalitionOut})
def create_coalition(request: HttpRequest, payload: CapabilityCoalitionIn) -> HttpResponse:
    actor = actor_of(request)

    def create() -> CapabilityCoalitionOut:
        row = services.capability_coalition_create(actor=actor, **payload.model_dump())
        return CapabilityCoalitionOut.from_orm(selectors.capability_coalition_get(actor=actor, id=row.pk))

    return idempotent_create(request, actor, create)


@router.patch("/coalitions/{coalition_id}", response=CapabilityCoalitionOut)
def update_coalition(request: HttpRequest, coalition_id: int, payload: CapabilityCoalitionPatch,
                     response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.capability_coalition_get(actor=actor, id=coalition_id)
    services.capability_coalition_update(actor=actor, id=coalition_id,
                                         expected_version=expected_version(request, coalition_id),
                                         **payload.model_dump(exclude_unset=True))
    row = selectors.capability_coalition_get(actor=actor, id=coalition_id)
    set_etag(response, row)
    return row


# --- meetings (marked) ------------------------------------------------------------------------------------


@router.get("/meetings", response=list[MeetingOut])
@paginate(CursorPagination, ordering=("-id",))
def list_meetings(request: HttpRequest, filters: Query[MeetingQuery]) -> object:
    level = Classification[filters.classification.upper()] if filters.classification.upper() in \
        Classification.names else None
    f = selectors.MeetingFilters(q=filters.q, date_from=filters.date_from, date_to=filters.date_to,
                                 nation=filters.nation, classification=level)
    return selectors.meeting_list(actor=actor_of(request), filters=f)


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def get_meeting(request: HttpRequest, meeting_id: int, response: HttpResponse) -> object:
    meeting = selectors.meeting_get(actor=actor_of(request), id=meeting_id)
    set_etag(response, meeting)
    return meeting


@router.post("/meetings", response={201: MeetingDetailOut})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> HttpResponse:
    actor = actor_of(request)
    fields = payload.model_dump(exclude={"classification", "releasability", "rel_to"})

    def create() -> MeetingDetailOut:
        meeting = services.meeting_create(actor=actor, **fields, **payload.marking_kwargs())
        return MeetingDetailOut.from_orm(selectors.meeting_get(actor=actor, id=meeting.pk))

    return idempotent_create(request, actor, create)


@router.patch("/meetings/{meeting_id}", response=MeetingDetailOut)
def update_meeting(request: HttpRequest, meeting_id: int, payload: MeetingPatch, response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.meeting_get(actor=actor, id=meeting_id)
    changes, rel_to = patch_changes(payload)
    services.meeting_update(actor=actor, id=meeting_id, expected_version=expected_version(request, meeting_id),
                            rel_to=rel_to, **changes)
    meeting = selectors.meeting_get(actor=actor, id=meeting_id)
    set_etag(response, meeting)
    return meeting


@router.delete("/meetings/{meeting_id}", response={204: None})
def delete_meeting(request: HttpRequest, meeting_id: int) -> Status[None]:
    actor = actor_of(request)
    selectors.meeting_get(actor=actor, id=meeting_id)
    services.meeting_delete(actor=actor, id=meeting_id, expected_version=expected_version(request, meeting_id))
    return Status(204, None)


@router.post("/meetings/{meeting_id}/attendances", response={201: AttendanceOut})
def add_attendance(request: HttpRequest, meeting_id: int, payload: AttendanceIn) -> HttpResponse:
    actor = actor_of(request)
    return idempotent_create(request, actor, lambda: AttendanceOut.from_orm(
        services.attendance_add(actor=actor, meeting_id=meeting_id, **payload.model_dump())))


@router.delete("/meetings/{meeting_id}/attendances/{attendance_id}", response={204: None})
def remove_attendance(request: HttpRequest, meeting_id: int, attendance_id: int) -> Status[None]:
    services.attendance_remove(actor=actor_of(request), meeting_id=meeting_id, attendance_id=attendance_id)
    return Status(204, None)


# --- announcements (marked) ---------------------------------------------------------------------------------


@router.get("/announcements", response=list[AnnouncementOut])
@paginate(CursorPagination, ordering=("-id",))
def list_announcements(request: HttpRequest, filters: Query[AnnouncementQuery]) -> object:
    return selectors.announcement_list(actor=actor_of(request), meeting_id=filters.meeting, nation=filters.nation)


@router.get("/announcements/{announcement_id}", response=AnnouncementOut)
def get_announcement(request: HttpRequest, announcement_id: int, response: HttpResponse) -> object:
    row = selectors.announcement_get(actor=actor_of(request), id=announcement_id)
    set_etag(response, row)
    return row


@router.post("/meetings/{meeting_id}/announcements", response={201: AnnouncementOut})
def create_announcement(request: HttpRequest, meeting_id: int, payload: AnnouncementIn) -> HttpResponse:
    actor = actor_of(request)

    def create() -> AnnouncementOut:
        row = services.announcement_create(actor=actor, meeting_id=meeting_id, nation=payload.nation,
                                           text=payload.text, **payload.marking_kwargs())
        return AnnouncementOut.from_orm(selectors.announcement_get(actor=actor, id=row.pk))

    return idempotent_create(request, actor, create)


@router.patch("/announcements/{announcement_id}", response=AnnouncementOut)
def update_announcement(request: HttpRequest, announcement_id: int, payload: AnnouncementPatch,
                        response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.announcement_get(actor=actor, id=announcement_id)
    changes, rel_to = patch_changes(payload)
    services.announcement_update(actor=actor, id=announcement_id, rel_to=rel_to,
                                 expected_version=expected_version(request, announcement_id), **changes)
    row = selectors.announcement_get(actor=actor, id=announcement_id)
    set_etag(response, row)
    return row


@router.delete("/announcements/{announcement_id}", response={204: None})
def delete_announcement(request: HttpRequest, announcement_id: int) -> Status[None]:
    actor = actor_of(request)
    selectors.announcement_get(actor=actor, id=announcement_id)
    services.announcement_delete(actor=actor, id=announcement_id,
                                 expected_version=expected_version(request, announcement_id))
    return Status(204, None)
