"""Reads of the coalition registry, always through the access rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from shieldwall.coalition.models import (
    MEMBER_TIERS,
    Announcement,
    Attendance,
    CapabilityCoalition,
    Meeting,
    Membership,
    Nation,
    Obligation,
    Organisation,
    SecurityAgreement,
)
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def current_membership_q(today: date) -> Q:
    return Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))


def nation_is_current_member(*, nation_id: int, today: date | None = None) -> bool:
    return Membership.objects.filter(
        current_membership_q(_today(today)), nation_id=nation_id, tier__in=MEMBER_TIERS
    ).exists()


# Nations, organisations, memberships and capability coalitions are unmarked reference data: every
# authenticated actor and the public view may read them.


@dataclass(frozen=True)
class NationFilters:
    q: str = ""
    tier: str = ""
    member: bool | None = None


def nation_list(*, actor: Actor, filters: NationFilters | None = None, today: date | None = None) -> QuerySet[Nation]:
    f = filters or NationFilters()
    qs = Nation.objects.all()
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(code__iexact=f.q))
    day = _today(today)
    if f.tier:
        qs = qs.filter(id__in=Membership.objects.filter(current_membership_q(day), tier=f.tier).values("nation_id"))
    if f.member is not None:
        members = Membership.objects.filter(current_membership_q(day), tier__in=MEMBER_TIERS).values("nation_id")
        qs = qs.filter(id__in=members) if f.member else qs.exclude(id__in=members)
    return qs.order_by("name")


def nation_get(*, actor: Actor, code: str) -> Nation:
    try:
        return Nation.objects.get(code=code.upper())
    except Nation.DoesNotExist as exc:
        raise NotFound(f"nation {code} not found") from exc


def nation_current_tiers(*, nation_ids: list[int] | None = None, today: date | None = None) -> dict[int, str]:
    qs = Membership.objects.filter(current_membership_q(_today(today)))
    if nation_ids is not None:
        qs = qs.filter(nation_id__in=nation_ids)
    return dict(qs.values_list("nation_id", "tier"))


def organisation_list(*, actor: Actor, q: str = "", kind: str = "", nation: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("nation")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if nation:
        qs = qs.filter(nation__code=nation.upper())
    return qs.order_by("name")


def organisation_get(*, actor: Actor, id: int) -> Organisation:
    try:
        return Organisation.objects.select_related("nation").get(pk=id)
    except Organisation.DoesNotExist as exc:
        raise NotFound(f"organisation {id} not found") from exc


def membership_list(
    *, actor: Actor, nation: str = "", tier: str = "", current: bool | None = None, today: date | None = None
) -> QuerySet[Membership]:
    qs = Membership.objects.select_related("nation")
    if nation:
        qs = qs.filter(nation__code=nation.upper())
    if tier:
        qs = qs.filter(tier=tier)
    if current is not None:
        cq = current_membership_q(_today(today))
        qs = qs.filter(cq) if current else qs.exclude(cq)
    return qs.order_by("nation__name", "-valid_from", "id")


def membership_get(*, actor: Actor, id: int) -> Membership:
    try:
        return Membership.objects.select_related("nation").get(pk=id)
    except Membership.DoesNotExist as exc:
        raise NotFound(f"membership {id} not found") from exc


def capability_coalition_list(*, actor: Actor, area: str = "", nation: str = "") -> QuerySet[CapabilityCoalition]:
    qs = CapabilityCoalition.objects.prefetch_related("leads", "members")
    if area:
        qs = qs.filter(capability_area=area)
    if nation:
        qs = qs.filter(Q(leads__code=nation.upper()) | Q(members__code=nation.upper())).distinct()
    return qs.order_by("name")


def capability_coalition_get(*, actor: Actor, id: int) -> CapabilityCoalition:
    try:
        return CapabilityCoalition.objects.prefetch_related("leads", "members").get(pk=id)
    except CapabilityCoalition.DoesNotExist as exc:
        raise NotFound(f"capability coalition {id} not found") from exc


@dataclass(frozen=True)
class MeetingFilters:
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    nation: str = ""
    classification: int | None = None


def meeting_list(*, actor: Actor, filters: MeetingFilters | None = None) -> QuerySet[Meeting]:
    f = filters or MeetingFilters()
    qs = Meeting.objects.visible_to(actor).select_related("chair", "originator").prefetch_related("rel_to")
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(place__icontains=f.q))
    if f.date_from:
        qs = qs.filter(date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(date__lte=f.date_to)
    if f.nation:
        qs = qs.filter(attendances__nation__code=f.nation.upper()).distinct()
    if f.classification is not None:
        qs = qs.filter(classification=f.classification)
    return qs.order_by("-date", "-id")


def meeting_get(*, actor: Actor, id: int) -> Meeting:
    announcements = (
        Announcement.objects.visible_to(actor).select_related("nation").prefetch_related("rel_to").order_by("id")
    )
    qs = (
        Meeting.objects.visible_to(actor)
        .select_related("chair", "originator")
        .prefetch_related(
            "rel_to",
            Prefetch("attendances", queryset=Attendance.objects.select_related("nation")),
            Prefetch("announcements", queryset=announcements, to_attr="visible_announcements"),
        )
    )
    try:
        return qs.get(pk=id)
    except (Meeting.DoesNotExist, ValueError) as exc:
        raise NotFound(f"meeting {id} not found") from exc


def announcement_list(*, actor: Actor, meeting_id: int | None = None, nation: str = "") -> QuerySet[Announcement]:
    qs = (
        Announcement.objects.visible_to(actor)
        .filter(meeting__in=Meeting.objects.visible_to(actor))
        .select_related("nation", "originator")
        .prefetch_related("rel_to")
    )
    if meeting_id is not None:
        qs = qs.filter(meeting_id=meeting_id)
    if nation:
        qs = qs.filter(nation__code=nation.upper())
    return qs.order_by("-meeting__date", "id")


def announcement_get(*, actor: Actor, id: int) -> Announcement:
    try:
        return announcement_list(actor=actor).get(pk=id)
    except (Announcement.DoesNotExist, ValueError) as exc:
        raise NotFound(f"announcement {id} not found") from exc


# --- pages: the home overview and a nation's profile ---------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """What the actor can see at a glance: their nation and tier, and the meetings visible to them."""

    nation: Nation | None
    tier: str | None
    visible_meetings: int
    upcoming_meetings: int
    next_meetings: list[Meeting]


def actor_overview(*, actor: Actor, today: date | None = None, limit: int = 5) -> Overview:
    day = _today(today)
    meetings = Meeting.objects.visible_to(actor)
    counts = meetings.aggregate(total=Count("id"), upcoming=Count("id", filter=Q(date__gte=day)))
    upcoming = list(
        meetings.filter(date__gte=day).select_related("chair", "originator").prefetch_related("rel_to")
        .order_by("date", "id")[:limit]
    )
    nation = Nation.objects.filter(pk=actor.nation_id).first() if actor.nation_id else None
    tier = nation_current_tiers(nation_ids=[nation.pk], today=day).get(nation.pk) if nation else None
    return Overview(nation=nation, tier=tier, visible_meetings=counts["total"],
                    upcoming_meetings=counts["upcoming"], next_meetings=upcoming)


@dataclass(frozen=True)
class NationProfile:
    nation: Nation
    current_tier: str | None
    memberships: list[Membership]
    led_coalitions: list[CapabilityCoalition]
    member_coalitions: list[CapabilityCoalition]
    organisations: list[Organisation]


def nation_profile(*, actor: Actor, code: str, today: date | None = None) -> NationProfile:
    """A nation with its membership history, capability coalitions and organisations (all unmarked)."""
    nation = nation_get(actor=actor, code=code)
    memberships = list(Membership.objects.filter(nation=nation).order_by("-valid_from", "-id"))
    return NationProfile(
        nation=nation,
        current_tier=nation_current_tiers(nation_ids=[nation.pk], today=today).get(nation.pk),
        memberships=memberships,
        led_coalitions=list(CapabilityCoalition.objects.filter(leads=nation).order_by("name")),
        member_coalitions=list(
            CapabilityCoalition.objects.filter(members=nation).exclude(leads=nation).order_by("name")
        ),
        organisations=list(Organisation.objects.filter(nation=nation).order_by("name")),
    )


# --- security agreements (marked) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementFilters:
    q: str = ""
    donor: str = ""
    partner: str = ""


def agreement_list(*, actor: Actor, filters: AgreementFilters | None = None) -> QuerySet[SecurityAgreement]:
    f = filters or AgreementFilters()
    qs = (
        SecurityAgreement.objects.visible_to(actor)
        .select_related("donor", "partner", "originator")
        .prefetch_related("rel_to", Prefetch("obligations", queryset=Obligation.objects.order_by("year")))
        .annotate(obligations_total=Sum("obligations__amount_eur"))
    )
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(description__icontains=f.q))
    if f.donor:
        qs = qs.filter(donor__code=f.donor.upper())
    if f.partner:
        qs = qs.filter(partner__code=f.partner.upper())
    return qs.order_by("-signed", "id")


def agreement_get(*, actor: Actor, id: int) -> SecurityAgreement:
    try:
        return agreement_list(actor=actor).get(pk=id)
    except (SecurityAgreement.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"security agreement {id} not found") from exc
