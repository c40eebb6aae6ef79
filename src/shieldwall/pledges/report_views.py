"""Pages of the words-to-action reports: a meeting's report and a nation's donor page. Thin: parse the query,
get the actor, call one selector, render with the banner of every record the figures come from."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.safestring import mark_safe

from shieldwall.core.banner import banner_for_marking, combine, page_banner
from shieldwall.core.requests import get_actor
from shieldwall.core.views_support import domain_errors, render_page
from shieldwall.logistics.selectors import overdue
from shieldwall.pledges import reports
from shieldwall.pledges.stage_chart import stage_chart_svg


class ReportForm(forms.Form):
    as_of = forms.DateField(label="As of", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="The day overdue lines are judged on (default today).")
    stale_days = forms.IntegerField(label="Still announced after (days)", required=False, min_value=0,
                                    max_value=3650, initial=reports.DEFAULT_STALE_DAYS)


@login_required
@domain_errors
def meeting_report(request: HttpRequest, id: int) -> HttpResponse:
    # Bound to the query with the default grace period filled in, so the form shows what was applied.
    form = ReportForm({"stale_days": reports.DEFAULT_STALE_DAYS, **request.GET.dict()})
    data = form.cleaned_data if form.is_valid() else {}
    stale_days = data.get("stale_days")
    report = reports.meeting_report(actor=get_actor(request), meeting_id=id, as_of=data.get("as_of"),
                                    stale_days=reports.DEFAULT_STALE_DAYS if stale_days is None else stale_days)
    context = {"report": report, "meeting": report.meeting, "form": form,
               "title": f"Report: {report.meeting.title}"}
    return render_page(request, "pledges/meeting_report.html", context, banner=banner_for_marking(report.marking))


@login_required
@domain_errors
def donor_detail(request: HttpRequest, code: str) -> HttpResponse:
    profile = reports.donor_profile(actor=get_actor(request), code=code)
    # The SVG is built with ElementTree, which escapes every label.
    chart = mark_safe(stage_chart_svg(profile.series, title=f"{profile.nation.name}: stages over time (EUR)"))
    late = overdue(actor=get_actor(request), donor=profile.nation.code)
    context = {"profile": profile, "nation": profile.nation, "chart": chart, "overdue": late,
               "title": f"{profile.nation.name} as a donor"}
    marking = combine([m for m in (profile.marking, page_banner(late.shipments, late.lines).marking) if m])
    return render_page(request, "pledges/donor_detail.html", context, banner=banner_for_marking(marking))
