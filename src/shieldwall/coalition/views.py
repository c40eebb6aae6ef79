"""Pages of the coalition registry: nations, capability coalitions, organisations and meetings.

Views are thin: parse the form, get the actor, call one service or selector, render with the banner of the
records shown (DESIGN.md §3).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from shieldwall.coalition import selectors, services
from shieldwall.coalition.forms import (
    AnnouncementForm,
    AttendanceForm,
    CoalitionFilterForm,
    MeetingFilterForm,
    MeetingForm,
    NationFilterForm,
    OrganisationFilterForm,
)
from shieldwall.coalition.models import Announcement, Attendance, Meeting
from shieldwall.core.access import can
from shieldwall.core.actor import Actor
from shieldwall.core.banner import page_banner
from shieldwall.core.errors import PermissionDenied
from shieldwall.core.requests import get_actor
from shieldwall.core.selectors import object_history
from shieldwall.core.views_support import domain_errors, paginate, render_page, sort_queryset, submit

MEETING_SORTS = {"date": ["date", "id"], "title": ["title", "id"], "place": ["place", "id"],
                 "classification": ["classification", "releasability", "id"], "chair": ["chair__code", "id"]}
NATION_SORTS = {"name": ["name"], "code": ["code"], "gdp": ["gdp_eur_bn", "name"],
                "defence": ["defence_budget_eur_bn", "name"]}
ORGANISATION_SORTS = {"name": ["name"], "kind": ["kind", "name"], "nation": ["nation__code", "name"]}


def _values(form: Any) -> dict[str, Any]:
    return form.cleaned_data if form.is_valid() else {}


# --- nations, organisations, capability coalitions (unmarked reference data) --------------------------------


@login_required
def nation_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = NationFilterForm(request.GET)
    data = _values(form)
    qs = selectors.nation_list(actor=actor, filters=selectors.NationFilters(q=data.get("q", ""),
                                                                            tier=data.get("tier", "")))
    qs, sort = sort_queryset(request, qs, NATION_SORTS, "name")
    page = paginate(request, qs)
    # Tiers are looked up for the page shown only; one query, not one per row.
    tiers = selectors.nation_current_tiers(nation_ids=[n.pk for n in page])
    rows = [(n, tiers.get(n.pk)) for n in page]
    context = {"form": form, "page": page, "rows": rows, "sort": sort, "title": "Nations"}
    return render_page(request, "coalition/nation_list.html", context, partial="coalition/_nation_table.html")


@login_required
@domain_errors
def nation_detail(request: HttpRequest, code: str) -> HttpResponse:
    profile = selectors.nation_profile(actor=get_actor(request), code=code)
    context = {"profile": profile, "nation": profile.nation, "title": profile.nation.name}
    return render_page(request, "coalition/nation_detail.html", context)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET)
    data = _values(form)
    qs = selectors.organisation_list(actor=get_actor(request), q=data.get("q", ""), kind=data.get("kind", ""),
                                     nation=data.get("nation", ""))
    qs, sort = sort_queryset(request, qs, ORGANISATION_SORTS, "name")
    context = {"form": form, "page": paginate(request, qs), "sort": sort, "title": "Organisations"}
    return render_page(request, "coalition/organisation_list.html", context,
                       partial="coalition/_organisation_table.html")


@login_required
def capability_coalition_list(request: HttpRequest) -> HttpResponse:
    form = CoalitionFilterForm(request.GET)
    data = _values(form)
    qs = selectors.capability_coalition_list(actor=get_actor(request), area=data.get("area", ""),
                                             nation=data.get("nation", ""))
    context = {"form": form, "page": paginate(request, qs), "title": "Capability coalitions"}
    return render_page(request, "coalition/coalition_list.html", context,
                       partial="coalition/_coalition_table.html")


@login_required
@domain_errors
def capability_coalition_detail(request: HttpRequest, id: int) -> HttpResponse:
    coalition = selectors.capability_coalition_get(actor=get_actor(request), id=id)
    context = {"coalition": coalition, "title": coalition.name}
    return render_page(request, "coalition/coalition_detail.html", context)


# --- meetings (marked) ----------------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    form = MeetingFilterForm(request.GET)
    qs = selectors.meeting_list(actor=actor, filters=form.filters())
    qs, sort = sort_queryset(request, qs, MEETING_SORTS, "-date")
    page = paginate(request, qs)
    context = {"form": form, "page": page, "sort": sort, "title": "Meetings",
               "can_create": can(actor, "create", Meeting)}
    return render_page(request, "coalition/meeting_list.html", context, banner=page_banner(page.object_list),
                       partial="coalition/_meeting_table.html")


def _meeting_page(
    request: HttpRequest, actor: Actor, meeting: Meeting, *, tab: str = "overview",
    attendance_form: AttendanceForm | None = None, announcement_form: AnnouncementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    announcements: list[Announcement] = meeting.visible_announcements  # type: ignore[attr-defined]
    default_nation = {"nation": actor.nation_code} if actor.nation_code else {}
    context: dict[str, Any] = {
        "meeting": meeting, "announcements": announcements, "tab": tab, "title": meeting.title,
        "can_edit": can(actor, "change", meeting),
        "attendance_form": attendance_form or AttendanceForm(actor=actor, initial=default_nation),
        "announcement_form": announcement_form or AnnouncementForm(actor=actor, initial=default_nation),
        "can_attend": can(actor, "create", Attendance), "can_announce": can(actor, "create", Announcement),
    }
    if tab == "history":
        context["history"] = object_history(actor=actor, object_type="coalition.meeting", object_id=meeting.pk)
    return render_page(request, "coalition/meeting_detail.html", context,
                       banner=page_banner(meeting, announcements), status=status)


@login_required
@domain_errors
def meeting_detail(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    meeting = selectors.meeting_get(actor=actor, id=id)
    tab = "history" if request.GET.get("tab") == "history" else "overview"
    return _meeting_page(request, actor, meeting, tab=tab)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def meeting_create(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can(actor, "create", Meeting):
        raise PermissionDenied("only coordinators record meetings")
    form = MeetingForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        meeting = submit(form, lambda: services.meeting_create(actor=actor, **form.values()))
        if meeting is not None:
            messages.success(request, f"Meeting “{meeting.title}” recorded.")
            return redirect("meeting_detail", id=meeting.pk)
    context = {"form": form, "title": "New meeting"}
    return render_page(request, "coalition/meeting_form.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def meeting_edit(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    meeting = selectors.meeting_get(actor=actor, id=id)
    if not can(actor, "change", meeting):
        raise PermissionDenied("only coordinators of the originating nation edit this meeting")
    form = MeetingForm(request.POST or None, actor=actor, initial=_meeting_initial(meeting))
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        updated = submit(form, lambda: services.meeting_update(actor=actor, id=id, expected_version=version,
                                                              **form.values()))
        if updated is not None:
            messages.success(request, f"Meeting “{updated.title}” saved.")
            return redirect("meeting_detail", id=id)
    context = {"form": form, "meeting": meeting, "title": f"Edit {meeting.title}"}
    return render_page(request, "coalition/meeting_form.html", context, banner=page_banner(meeting),
                       status=422 if form.errors else 200)


def _meeting_initial(meeting: Meeting) -> dict[str, Any]:
    return {
        "title": meeting.title, "date": meeting.date, "place": meeting.place, "format": meeting.format,
        "chair": meeting.chair.code if meeting.chair else None, "notes": meeting.notes,
        "classification": meeting.classification, "releasability": meeting.releasability,
        "rel_to": [n.code for n in meeting.rel_to.all()], "version": meeting.version,
    }


@login_required
@require_POST
@domain_errors
def attendance_add(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    form = AttendanceForm(request.POST, actor=actor)
    if form.is_valid():
        data = form.cleaned_data
        row = submit(form, lambda: services.attendance_add(
            actor=actor, meeting_id=id, nation=data["nation"].code, representative=data["representative"],
            mode=data["mode"]))
        if row is not None:
            messages.success(request, f"Attendance of {row.representative} ({row.nation.code}) recorded.")
            return redirect("meeting_detail", id=id)
    meeting = selectors.meeting_get(actor=actor, id=id)
    return _meeting_page(request, actor, meeting, attendance_form=form, status=422)


@login_required
@require_POST
@domain_errors
def announcement_add(request: HttpRequest, id: int) -> HttpResponse:
    actor = get_actor(request)
    form = AnnouncementForm(request.POST, actor=actor)
    if form.is_valid():
        nation = form.cleaned_data["nation"].code
        row = submit(form, lambda: services.announcement_create(
            actor=actor, meeting_id=id, nation=nation, text=form.cleaned_data["text"], **form.marking_values()))
        if row is not None:
            messages.success(request, f"Announcement by {nation} recorded.")
            return redirect("meeting_detail", id=id)
    meeting = selectors.meeting_get(actor=actor, id=id)
    return _meeting_page(request, actor, meeting, announcement_form=form, status=422)
