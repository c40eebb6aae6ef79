"""REST API of the words-to-action reports: what came of a meeting's announcements, and a donor's page.
Thin over `pledges.reports`; every figure is computed over the records the caller may see."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from shieldwall.core.api_support import AUTH, actor_of
from shieldwall.pledges import reports
from shieldwall.pledges.report_schemas import (
    DonorPageOut,
    DonorPageQuery,
    MeetingReportOut,
    MeetingReportQuery,
    donor_out,
    meeting_report_out,
)

router = Router(auth=AUTH, tags=["reports"])


@router.get("/meetings/{meeting_id}/report", response=MeetingReportOut)
def meeting_report(request: HttpRequest, meeting_id: int, filters: Query[MeetingReportQuery]) -> dict[str, Any]:
    """Each announcement of the meeting with how much of it has been committed, allocated and delivered, and
    the lines that are overdue against their dates."""
    report = reports.meeting_report(actor=actor_of(request), meeting_id=meeting_id, as_of=filters.as_of,
                                    stale_days=filters.stale_days, overdue_limit=filters.overdue_limit)
    return meeting_report_out(report)


@router.get("/donors/{code}", response=DonorPageOut)
def donor(request: HttpRequest, code: str, filters: Query[DonorPageQuery]) -> dict[str, Any]:
    """A nation's packages, its stages over time, its share of the coalition's effort and its top item classes."""
    profile = reports.donor_profile(actor=actor_of(request), code=code, as_of=filters.as_of, top=filters.top)
    return donor_out(profile)
