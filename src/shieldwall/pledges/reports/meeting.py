"""The meeting report: each visible announcement of a meeting with how much of what it announced has since
been committed, allocated and delivered, and the lines overdue against their dates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet

from shieldwall.coalition.models import Announcement, Meeting
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound
from shieldwall.core.markings import Marking
from shieldwall.core.models import Marked
from shieldwall.pledges.models import LineStatus, Package, PledgeLine
from shieldwall.pledges.reports.common import (
    DEFAULT_OVERDUE_LIMIT,
    DEFAULT_STALE_DAYS,
    NOT_YET_SHIPPED,
    PackageProgress,
    StageTotals,
    as_of_day,
    load_packages,
    page_marking,
    totals_by_package,
    visible_lines,
)


@dataclass(frozen=True)
class OverdueLine:
    line: PledgeLine
    package: Package
    available_days: int | None  # days since `available_from`, when the line should have left by now
    announced_days: int | None  # days since its package was announced, when it is still only announced

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.available_days is not None:
            out.append(f"available since {self.line.available_from} ({self.available_days} days), not yet shipped")
        if self.announced_days is not None:
            out.append(f"announced {self.announced_days} days ago, still only announced")
        return out


@dataclass(frozen=True)
class AnnouncementProgress:
    announcement: Announcement
    packages: list[PackageProgress]
    totals: StageTotals
    overdue: int


@dataclass(frozen=True)
class MeetingReport:
    meeting: Meeting
    announcements: list[AnnouncementProgress]
    totals: StageTotals
    overdue: list[OverdueLine]  # the most overdue first, at most `overdue_limit`
    as_of: date
    stale_days: int
    overdue_count: int = 0  # all of them
    marking: Marking | None = None
    records: list[Marked] = field(default_factory=list)


def meeting_report(
    *, actor: Actor, meeting_id: int, as_of: date | None = None, stale_days: int = DEFAULT_STALE_DAYS,
    overdue_limit: int = DEFAULT_OVERDUE_LIMIT,
) -> MeetingReport:
    """Each visible announcement of a visible meeting, with what its packages have since become, and its
    overdue lines (counted in full, listed up to `overdue_limit`, the longest overdue first)."""
    today = as_of_day(as_of)
    try:
        meeting = (Meeting.objects.visible_to(actor).select_related("originator", "chair")
                   .prefetch_related("rel_to").get(pk=meeting_id))
    except (Meeting.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"meeting {meeting_id} not found") from exc
    announcements = list(Announcement.objects.visible_to(actor).filter(meeting=meeting)
                         .select_related("nation").prefetch_related("rel_to").order_by("id"))
    package_qs = Package.objects.visible_to(actor).filter(announcement_id__in=[a.pk for a in announcements])
    packages = load_packages(package_qs)
    lines = visible_lines(actor, package_qs)
    by_package = totals_by_package(lines)
    by_pk = {p.pk: p for p in packages}
    overdue_lines = lines.filter(_overdue_q(by_pk, today=today, stale_days=stale_days))
    overdue_by_announcement: dict[int, int] = defaultdict(int)
    for package_id, count in (overdue_lines.order_by().values("package_id").annotate(n=Count("pk"))
                              .values_list("package_id", "n")):
        overdue_by_announcement[by_pk[package_id].announcement_id or 0] += count
    overdue = _overdue(overdue_lines, by_pk, today=today, stale_days=stale_days, limit=overdue_limit)
    rows = []
    for announcement in announcements:
        progress = [PackageProgress(p, by_package.get(p.pk, StageTotals())) for p in packages
                    if p.announcement_id == announcement.pk]
        rows.append(AnnouncementProgress(announcement, progress, sum((p.totals for p in progress), StageTotals()),
                                         overdue_by_announcement[announcement.pk]))
    records: list[Marked] = [meeting, *announcements, *packages]
    return MeetingReport(meeting=meeting, announcements=rows, totals=sum(by_package.values(), StageTotals()),
                         overdue=overdue, as_of=today, stale_days=stale_days,
                         overdue_count=sum(overdue_by_announcement.values()),
                         marking=page_marking(records, lines), records=records)


def _cutoff(today: date, stale_days: int) -> date:
    # Clamped, so a judging day near year 1 cannot overflow the calendar.
    return today - timedelta(days=min(stale_days, (today - date.min).days))


def _overdue_q(packages: Mapping[int, Package], *, today: date, stale_days: int) -> Q:
    """Lines due to be available before `today` and not yet shipped, or still only announced `stale_days` after
    their package was."""
    cutoff = _cutoff(today, stale_days)
    stale_packages = [pk for pk, package in packages.items() if package.date < cutoff]
    late = Q(available_from__lt=today, status__in=NOT_YET_SHIPPED)
    return late | Q(status=LineStatus.ANNOUNCED, package_id__in=stale_packages)


def _overdue(lines: QuerySet[PledgeLine], packages: Mapping[int, Package], *, today: date, stale_days: int,
             limit: int) -> list[OverdueLine]:
    cutoff = _cutoff(today, stale_days)
    rows = []
    ordered = lines.select_related("item_type").prefetch_related("rel_to").order_by(
        F("available_from").asc(nulls_last=True), "package_id", "id")
    for line in ordered[:max(limit, 0)]:
        package = packages[line.package_id]
        available_days = ((today - line.available_from).days
                          if line.available_from and line.available_from < today and line.status in NOT_YET_SHIPPED
                          else None)
        announced_days = ((today - package.date).days
                          if line.status == LineStatus.ANNOUNCED and package.date < cutoff else None)
        rows.append(OverdueLine(line, package, available_days, announced_days))
    return rows
