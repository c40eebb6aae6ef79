"""The report selectors on the hand-built world: exact figures, for viewers who may see different records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from shieldwall.core.actor import Actor
from shieldwall.core.banner import banner_for_marking
from shieldwall.core.errors import NotFound
from shieldwall.pledges import reports
from shieldwall.pledges.reports import cents

pytestmark = pytest.mark.django_db
D = date


def money(value: Decimal) -> str:
    return str(cents(value))


def stage_row(totals: reports.StageTotals) -> tuple[str, str, str, str]:
    return (money(totals.announced), money(totals.committed), money(totals.allocated), money(totals.delivered))


# --- meeting report -------------------------------------------------------------------------------------------


def test_meeting_report_for_a_french_viewer(words: dict[str, Any], fra_officer: Actor) -> None:
    report = reports.meeting_report(actor=fra_officer, meeting_id=words["meeting"].pk, as_of=D(2025, 9, 1))
    # The British announcement is REL TO GBR, UKR: not shown, and the package it produced does not count.
    assert [row.announcement.nation.code for row in report.announcements] == ["FRA", "DEU"]
    fra, deu = report.announcements
    assert stage_row(fra.totals) == ("2051000.00", "1801000.00", "801000.00", "600000.00")
    assert (fra.totals.committed_pct, fra.totals.allocated_pct, fra.totals.delivered_pct) == (
        Decimal("87.8"), Decimal("39.1"), Decimal("29.3"))
    # The German package REL TO DEU and the line REL TO DEU in the coalition package do not count for France.
    assert [p.package.title for p in deu.packages] == ["German coalition package"]
    assert stage_row(deu.totals) == ("3000100.00", "3000100.00", "100.00", "33.33")
    assert (deu.totals.committed_pct, deu.totals.delivered_pct) == (Decimal("100.0"), Decimal("0.0"))
    assert stage_row(report.totals) == ("5051100.00", "4801100.00", "801100.00", "600033.33")
    assert banner_for_marking(report.marking).text == "UNCLASSIFIED // REL TO COALITION"


def test_meeting_report_overdue_lines(words: dict[str, Any], fra_officer: Actor) -> None:
    report = reports.meeting_report(actor=fra_officer, meeting_id=words["meeting"].pk, as_of=D(2025, 9, 1))
    overdue = [(o.line.description, o.available_days, o.announced_days) for o in report.overdue]
    # Late CAESAR: available since 1 April (153 days), and announced on 12 March (173 days) yet still announced.
    assert overdue == [("Late CAESAR", 153, 173), ("Late spares", 123, None)]
    assert report.overdue[0].reasons == ["available since 2025-04-01 (153 days), not yet shipped",
                                         "announced 173 days ago, still only announced"]
    assert [row.overdue for row in report.announcements] == [2, 0] and report.overdue_count == 2
    # All are counted; only the longest overdue are listed when a limit is given.
    short = reports.meeting_report(actor=fra_officer, meeting_id=words["meeting"].pk, as_of=D(2025, 9, 1),
                                   overdue_limit=1)
    assert ([o.line.description for o in short.overdue], short.overdue_count) == (["Late CAESAR"], 2)
    # Before the dates pass nothing is overdue; a longer grace period drops the "still announced" reason.
    assert reports.meeting_report(actor=fra_officer, meeting_id=words["meeting"].pk, as_of=D(2025, 4, 1)).overdue == []
    lenient = reports.meeting_report(actor=fra_officer, meeting_id=words["meeting"].pk, as_of=D(2025, 9, 1),
                                     stale_days=200)
    assert [(o.available_days, o.announced_days) for o in lenient.overdue] == [(153, None), (123, None)]


def test_meeting_report_for_a_german_viewer_counts_its_own_records(words: dict[str, Any],
                                                                  deu_officer: Actor) -> None:
    report = reports.meeting_report(actor=deu_officer, meeting_id=words["meeting"].pk, as_of=D(2025, 9, 1))
    deu = report.announcements[1]
    assert sorted(p.package.title for p in deu.packages) == ["German coalition package", "German national package"]
    assert stage_row(deu.totals) == ("5700100.00", "5700100.00", "100.00", "33.33")
    assert banner_for_marking(report.marking).text == "RESTRICTED // REL TO DEU"


def test_meeting_report_of_a_hidden_meeting_is_not_found(words: dict[str, Any], jpn_observer: Actor) -> None:
    with pytest.raises(NotFound):
        reports.meeting_report(actor=jpn_observer, meeting_id=words["meeting"].pk)
    with pytest.raises(NotFound):
        reports.meeting_report(actor=jpn_observer, meeting_id=999999)


# --- donor page -----------------------------------------------------------------------------------------------


def test_donor_profile_counts_co_funded_shares(words: dict[str, Any], fra_officer: Actor) -> None:
    profile = reports.donor_profile(actor=fra_officer, code="deu", as_of=D(2026, 1, 31))
    assert [(p.package.title, p.share) for p in profile.packages] == [
        ("PURL package", Decimal("0.250000")), ("German coalition package", Decimal("1"))]
    # DEU's quarter of the PURL lines (4,000,000 and 400,000) plus its own visible lines.
    assert stage_row(profile.totals) == ("4100100.00", "4100100.00", "1000100.00", "500033.33")
    assert money(profile.coalition_committed) == "10201100.00"
    assert profile.share_pct == Decimal("40.2")
    assert [(c.name, money(c.committed), c.pct) for c in profile.top_classes] == [
        ("155 mm artillery ammunition", "3000000.00", Decimal("73.2")),
        ("Air defence missiles", "1000100.00", Decimal("24.4")),
        ("Financing (money)", "100000.00", Decimal("2.4")),
    ]
    assert banner_for_marking(profile.marking).text == "UNCLASSIFIED // REL TO COALITION"


def test_donor_series_is_cumulative_by_month(words: dict[str, Any], fra_officer: Actor) -> None:
    series = reports.donor_profile(actor=fra_officer, code="DEU", as_of=D(2026, 1, 31)).series
    points = {p.month: (money(p.committed), money(p.allocated), money(p.delivered)) for p in series}
    assert series[0].month == D(2025, 3, 1) and len(series) == 11  # March 2025 … January 2026
    assert points[D(2025, 3, 1)] == ("3000100.00", "0.00", "0.00")
    assert points[D(2025, 4, 1)] == ("3000100.00", "100.00", "0.00")
    assert points[D(2025, 6, 1)] == ("4100100.00", "100.00", "33.33")
    assert points[D(2025, 11, 1)] == points[D(2025, 6, 1)]
    assert points[D(2025, 12, 1)] == ("4100100.00", "1000100.00", "33.33")
    assert points[D(2026, 1, 1)] == ("4100100.00", "1000100.00", "500033.33")


def test_donor_share_for_the_other_funder_and_unknown_nation(words: dict[str, Any], fra_officer: Actor) -> None:
    usa = reports.donor_profile(actor=fra_officer, code="USA", as_of=D(2026, 1, 31))
    assert stage_row(usa.totals) == ("3300000.00", "3300000.00", "3000000.00", "1500000.00")
    assert usa.share_pct == Decimal("32.3")  # 3,300,000 of 10,201,100
    with pytest.raises(NotFound):
        reports.donor_profile(actor=fra_officer, code="XXX")


def test_donor_profile_for_the_german_viewer_includes_rel_to_deu(words: dict[str, Any], deu_officer: Actor) -> None:
    profile = reports.donor_profile(actor=deu_officer, code="DEU", as_of=D(2026, 1, 31))
    assert money(profile.totals.committed) == "6800100.00"
    assert money(profile.coalition_committed) == "12901100.00"


def test_anonymous_sees_no_figures(words: dict[str, Any]) -> None:
    profile = reports.donor_profile(actor=Actor.anonymous(), code="DEU")
    assert profile.packages == [] and profile.series == [] and profile.totals == reports.StageTotals()
    assert profile.coalition_committed == 0 and profile.share_pct is None


# --- agreement fulfilment -------------------------------------------------------------------------------------


def test_agreement_fulfilment_by_year(words: dict[str, Any], fra_officer: Actor) -> None:
    result = reports.agreement_fulfilment(actor=fra_officer, agreement_id=words["agreement"].pk)
    years = {y.year: y for y in result.years}
    assert sorted(years) == list(range(2024, 2035))  # signed 16 Feb 2024 for ten years: until 15 Feb 2034
    y2025, y2026 = years[2025], years[2026]
    assert (money(y2025.committed), money(y2025.delivered), y2025.committed_pct, y2025.delivered_pct) == (
        "4100100.00", "33.33", Decimal("82.0"), Decimal("0.0"))
    assert (money(y2026.committed), money(y2026.delivered), y2026.committed_pct, y2026.delivered_pct) == (
        "0.00", "500000.00", Decimal("0.0"), Decimal("8.3"))
    assert years[2024].obligation is None and years[2024].committed_pct is None
    total = result.total
    assert (money(total.obligation or Decimal(0)), money(total.committed), money(total.delivered)) == (
        "11000000.00", "4100100.00", "500033.33")
    assert sorted(p.package.title for p in result.packages) == ["German coalition package", "PURL package"]


def test_agreement_fulfilment_for_the_donor_itself(words: dict[str, Any], deu_officer: Actor) -> None:
    result = reports.agreement_fulfilment(actor=deu_officer, agreement_id=words["agreement"].pk)
    y2025 = next(y for y in result.years if y.year == 2025)
    assert (money(y2025.committed), y2025.committed_pct) == ("6800100.00", Decimal("136.0"))


def test_cumulative_fills_empty_months() -> None:
    series = reports.cumulative({D(2025, 1, 1): Decimal("10")}, {}, {D(2025, 3, 1): Decimal("4")},
                                until=D(2025, 4, 20))
    assert [(p.month, p.committed, p.delivered) for p in series] == [
        (D(2025, 1, 1), 10, 0), (D(2025, 2, 1), 10, 0), (D(2025, 3, 1), 10, 4), (D(2025, 4, 1), 10, 4)]
    assert reports.cumulative({}, {}, {}) == []


def test_a_reallocated_line_counts_as_allocated_from_its_last_allocation(words: dict[str, Any],
                                                                        fra_officer: Actor) -> None:
    from tests.reports.builders import line

    line(words["p3"], "1000.00", status="allocated", history=[
        ("committed", D(2025, 3, 20), 1), ("allocated", D(2025, 4, 2), 1), ("committed", D(2025, 5, 1), 1),
        ("allocated", D(2025, 8, 10), 1)])
    series = {p.month: p for p in reports.donor_profile(actor=fra_officer, code="DEU", as_of=D(2026, 1, 31)).series}
    assert money(series[D(2025, 7, 1)].allocated) == "100.00"
    assert money(series[D(2025, 8, 1)].allocated) == "1100.00"
    assert money(series[D(2025, 3, 1)].committed) == "3001100.00"
