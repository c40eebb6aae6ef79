"""API schemas of the words-to-action reports (meeting report, donor page, agreement fulfilment), and the
conversions from the selectors' dataclasses. Money is Decimal in EUR, rounded half-up to the cent; each report
carries the combined marking of the records it was computed from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from shieldwall.core.banner import banner_for_marking, marking_of
from shieldwall.core.models import Marked
from shieldwall.core.schemas import InSchema
from shieldwall.pledges import reports
from shieldwall.pledges.reports import cents


def _marking(record: Marked) -> str:
    return banner_for_marking(marking_of(record)).text


class ReportStagesOut(Schema):
    announced_eur: Decimal = Field(description="value of every line that is not cancelled")
    committed_eur: Decimal
    allocated_eur: Decimal
    delivered_eur: Decimal = Field(description="each line's value pro rata of its delivered units")
    committed_pct: Decimal | None = Field(description="of the announced value, one decimal")
    allocated_pct: Decimal | None
    delivered_pct: Decimal | None
    lines: int


class ReportFunderOut(Schema):
    nation: str
    share: Decimal


class ReportPackageOut(Schema):
    id: int
    title: str
    date: dt.date
    source: str
    originator: str
    funders: list[ReportFunderOut]
    share: Decimal = Field(description="the share counted for the donor or agreement in question (1 if sole)")
    marking: str
    totals: ReportStagesOut = Field(description="the package's whole value, over the lines visible to you")


class ReportOverdueLineOut(Schema):
    line_id: int
    package_id: int
    package: str
    description: str
    item_type: str | None
    status: str
    quantity: int
    value_eur: Decimal
    available_from: dt.date | None
    available_days: int | None = Field(description="days since it was due to be available, if not yet shipped")
    announced_days: int | None = Field(description="days since its package was announced, if still announced")
    reasons: list[str]
    marking: str


class ReportAnnouncementOut(Schema):
    id: int
    nation: str
    text: str
    marking: str
    totals: ReportStagesOut
    overdue: int
    packages: list[ReportPackageOut]


class ReportMeetingRefOut(Schema):
    id: int
    title: str
    date: dt.date
    marking: str


class MeetingReportOut(Schema):
    meeting: ReportMeetingRefOut
    as_of: dt.date
    stale_days: int
    marking: str = Field(description="combined marking of every record the figures come from")
    totals: ReportStagesOut
    announcements: list[ReportAnnouncementOut]
    overdue_count: int = Field(description="all overdue lines")
    overdue: list[ReportOverdueLineOut] = Field(description="the longest overdue first, at most overdue_limit")


class DonorSeriesPointOut(Schema):
    month: str = Field(description="YYYY-MM")
    committed_eur: Decimal
    allocated_eur: Decimal
    delivered_eur: Decimal


class DonorItemClassOut(Schema):
    item_class_id: int | None
    name: str
    committed_eur: Decimal
    pct: Decimal | None = Field(description="of the donor's committed value")


class DonorPageOut(Schema):
    code: str
    name: str
    as_of: dt.date
    marking: str
    totals: ReportStagesOut = Field(description="the donor's share of its visible packages")
    coalition_committed_eur: Decimal = Field(description="all committed value visible to you, every donor")
    share_pct: Decimal | None = Field(description="the donor's committed value as % of the coalition's")
    packages: list[ReportPackageOut]
    series: list[DonorSeriesPointOut] = Field(description="cumulative by month, the donor's share")
    top_item_classes: list[DonorItemClassOut]


class FulfilmentYearOut(Schema):
    year: int
    in_term: bool
    obligation_eur: Decimal | None
    committed_eur: Decimal
    delivered_eur: Decimal
    committed_pct: Decimal | None
    delivered_pct: Decimal | None


class FulfilmentOut(Schema):
    agreement_id: int
    title: str
    donor: str
    partner: str
    marking: str
    years: list[FulfilmentYearOut]
    total: FulfilmentYearOut
    packages: list[ReportPackageOut]


class MeetingReportQuery(InSchema):
    as_of: dt.date | None = Field(default=None, description="the day to judge overdue lines on (default today)")
    stale_days: int = Field(default=reports.DEFAULT_STALE_DAYS, ge=0, le=3650,
                            description="announced-only lines older than this many days are overdue")
    overdue_limit: int = Field(default=reports.DEFAULT_OVERDUE_LIMIT, ge=0, le=1000,
                               description="how many overdue lines to list (all are counted)")


class DonorPageQuery(InSchema):
    as_of: dt.date | None = Field(default=None, description="the series runs to this day's month (default today)")
    top: int = Field(default=5, ge=1, le=50, description="how many item classes to rank")


# --- conversions ------------------------------------------------------------------------------------------------


def stages_out(totals: reports.StageTotals) -> dict[str, Any]:
    return totals.rounded()


def package_out(progress: reports.PackageProgress) -> dict[str, Any]:
    package = progress.package
    return {
        "id": package.pk, "title": package.title, "date": package.date, "source": package.source,
        "originator": package.originator.code,
        "funders": [{"nation": f.nation.code, "share": f.share} for f in package.funders.all()],
        "share": progress.share, "marking": _marking(package), "totals": stages_out(progress.totals),
    }


def overdue_out(row: reports.OverdueLine) -> dict[str, Any]:
    line = row.line
    return {
        "line_id": line.pk, "package_id": row.package.pk, "package": row.package.title,
        "description": line.description, "item_type": line.item_type.name if line.item_type else None,
        "status": line.status, "quantity": line.quantity, "value_eur": line.value_eur,
        "available_from": line.available_from, "available_days": row.available_days,
        "announced_days": row.announced_days, "reasons": row.reasons, "marking": _marking(line),
    }


def meeting_report_out(report: reports.MeetingReport) -> dict[str, Any]:
    meeting = report.meeting
    return {
        "meeting": {"id": meeting.pk, "title": meeting.title, "date": meeting.date, "marking": _marking(meeting)},
        "as_of": report.as_of, "stale_days": report.stale_days,
        "marking": banner_for_marking(report.marking).text, "totals": stages_out(report.totals),
        "announcements": [
            {"id": row.announcement.pk, "nation": row.announcement.nation.code, "text": row.announcement.text,
             "marking": _marking(row.announcement), "totals": stages_out(row.totals), "overdue": row.overdue,
             "packages": [package_out(p) for p in row.packages]}
            for row in report.announcements],
        "overdue_count": report.overdue_count, "overdue": [overdue_out(row) for row in report.overdue],
    }


def donor_out(profile: reports.DonorProfile) -> dict[str, Any]:
    return {
        "code": profile.nation.code, "name": profile.nation.name, "as_of": profile.as_of,
        "marking": banner_for_marking(profile.marking).text, "totals": stages_out(profile.totals),
        "coalition_committed_eur": cents(profile.coalition_committed), "share_pct": profile.share_pct,
        "packages": [package_out(p) for p in profile.packages],
        "series": [{"month": p.month.strftime("%Y-%m"), "committed_eur": cents(p.committed),
                    "allocated_eur": cents(p.allocated), "delivered_eur": cents(p.delivered)}
                   for p in profile.series],
        "top_item_classes": [{"item_class_id": c.item_class_id, "name": c.name, "committed_eur": cents(c.committed),
                              "pct": c.pct} for c in profile.top_classes],
    }


def fulfilment_year_out(row: reports.FulfilmentYear) -> dict[str, Any]:
    return {"year": row.year, "in_term": row.in_term,
            "obligation_eur": None if row.obligation is None else cents(row.obligation),
            "committed_eur": cents(row.committed), "delivered_eur": cents(row.delivered),
            "committed_pct": row.committed_pct, "delivered_pct": row.delivered_pct}


def fulfilment_out(result: reports.AgreementFulfilment) -> dict[str, Any]:
    agreement = result.agreement
    return {
        "agreement_id": agreement.pk, "title": agreement.title, "donor": agreement.donor.code,
        "partner": agreement.partner.code, "marking": banner_for_marking(result.marking).text,
        "years": [fulfilment_year_out(row) for row in result.years], "total": fulfilment_year_out(result.total),
        "packages": [package_out(p) for p in result.packages],
    }
