"""`shieldwall report meeting ID` and `shieldwall donor show CODE`: the words-to-action reports in the console,
thin over `pledges.reports`. Figures are EUR rounded to the cent, computed over what the acting user may see."""

from __future__ import annotations

from typing import Any

from shieldwall.cli import Context, add_command, add_group, arg_date


def register(subparsers: Any) -> None:
    report = add_group(subparsers, "report", help="reports that follow words to action")
    meeting = add_command(report, "meeting", _report_meeting,
                          help="what became of a meeting's announcements: committed, allocated, delivered, overdue")
    meeting.add_argument("id", type=int)
    meeting.add_argument("--as-of", type=arg_date, default=None, metavar="DATE",
                         help="judge overdue lines on this day (default today)")
    meeting.add_argument("--stale-days", type=int, default=90, metavar="DAYS",
                         help="announced-only lines older than this are overdue (default 90)")
    meeting.add_argument("--overdue-limit", type=int, default=100, metavar="N",
                         help="list at most this many overdue lines, the longest overdue first (default 100)")
    donor = add_group(subparsers, "donor", help="a nation's effort as a donor")
    show = add_command(donor, "show", _donor_show,
                       help="a nation's packages, stages over time, share of the effort and top item classes")
    show.add_argument("code")
    show.add_argument("--as-of", type=arg_date, default=None, metavar="DATE",
                      help="run the monthly series to this day's month (default today)")
    show.add_argument("--top", type=int, default=5, metavar="N", help="how many item classes to rank")


def _stages(totals: Any) -> dict[str, Any]:
    return {key: value for key, value in totals.rounded().items() if key != "lines"}


def _report_meeting(ctx: Context) -> None:
    from shieldwall.core.banner import banner_for_marking
    from shieldwall.pledges import reports

    a = ctx.args
    if a.stale_days < 0:
        from shieldwall.cli import UsageError

        raise UsageError("argument --stale-days: give zero or more days")
    report = reports.meeting_report(actor=ctx.actor(), meeting_id=a.id, as_of=a.as_of, stale_days=a.stale_days,
                                    overdue_limit=max(a.overdue_limit, 0))
    ctx.render_record({
        "meeting": report.meeting.pk, "title": report.meeting.title, "date": report.meeting.date,
        "as_of": report.as_of, "marking": banner_for_marking(report.marking).text, **_stages(report.totals),
        "announcements": [
            {"id": row.announcement.pk, "nation": row.announcement.nation.code, "text": row.announcement.text,
             "packages": len(row.packages), **_stages(row.totals), "overdue": row.overdue}
            for row in report.announcements],
        "overdue_count": report.overdue_count,
        "overdue": [
            {"line": o.line.pk, "package": o.package.title, "description": o.line.description,
             "status": o.line.status, "value_eur": o.line.value_eur, "available_from": o.line.available_from,
             "why": "; ".join(o.reasons)}
            for o in report.overdue],
    })


def _donor_show(ctx: Context) -> None:
    from shieldwall.core.banner import banner_for_marking
    from shieldwall.pledges import reports
    from shieldwall.pledges.reports import cents

    a = ctx.args
    profile = reports.donor_profile(actor=ctx.actor(), code=a.code, as_of=a.as_of, top=max(a.top, 1))
    ctx.render_record({
        "code": profile.nation.code, "name": profile.nation.name, "as_of": profile.as_of,
        "marking": banner_for_marking(profile.marking).text, **_stages(profile.totals),
        "coalition_committed_eur": cents(profile.coalition_committed), "share_pct": profile.share_pct,
        "top_item_classes": [{"name": c.name, "committed_eur": cents(c.committed), "pct": c.pct}
                             for c in profile.top_classes],
        "packages": [{"id": p.package.pk, "date": p.package.date, "title": p.package.title,
                      "share_pct": p.share_pct, **_stages(p.totals)} for p in profile.packages],
        "series": [{"month": p.month.strftime("%Y-%m"), "committed_eur": cents(p.committed),
                    "allocated_eur": cents(p.allocated), "delivered_eur": cents(p.delivered)}
                   for p in profile.series],
    })
