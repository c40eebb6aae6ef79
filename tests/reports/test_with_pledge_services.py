"""The reports over packages and lines written by the pledges services themselves (not hand-built rows):
the announcement link, the dated lifecycle steps and the co-funding shares they record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from shieldwall.coalition import services as coalition_services
from shieldwall.core.actor import Actor
from shieldwall.pledges import links, reports
from shieldwall.pledges import services as pledges
from shieldwall.pledges.reports import cents
from tests.reports.builders import item_type

pytestmark = pytest.mark.django_db
D = date


@pytest.fixture
def pledged(coord: Actor, deu_officer: Actor, ukr_desk: Actor) -> dict[str, Any]:
    meeting = coalition_services.meeting_create(actor=coord, title="Ramstein", date=D(2025, 2, 14))
    announcement = coalition_services.announcement_create(actor=coord, meeting_id=meeting.pk, nation="DEU",
                                                          text="Germany: more shells")
    agreement = coalition_services.agreement_create(actor=deu_officer, title="DEU–UKR", donor="DEU", partner="UKR",
                                                    signed=D(2024, 2, 16), obligations={2025: Decimal("1000.00")})
    shell = item_type("155 mm DM121", "155 mm artillery ammunition")
    package = pledges.package_create(
        actor=deu_officer, title="Shells", date=D(2025, 2, 14), source="stock", announcement_id=announcement.pk,
        funders=[pledges.FunderShare("DEU", Decimal("0.8")), pledges.FunderShare("POL", Decimal("0.2"))],
        lines=[pledges.LineSpec(quantity=4, value_amount=Decimal("1000.00"), description="Shells",
                                item_type_id=shell.pk,
                                available_from=D(2025, 3, 1))],
        effective_date=D(2025, 2, 14))
    links.package_link_agreement(actor=deu_officer, package_id=package.pk, agreement_id=agreement.pk)
    line_id = reports.meeting_report(actor=deu_officer, meeting_id=meeting.pk).overdue[0].line.pk
    pledges.line_commit(actor=deu_officer, line_id=line_id, effective_date=D(2025, 2, 20))
    pledges.line_ship(actor=deu_officer, line_id=line_id, quantity=4, effective_date=D(2025, 3, 10))
    return {"meeting": meeting, "agreement": agreement, "line_id": line_id, "ukr": ukr_desk}


def test_full_delivery_counts_everywhere(pledged: dict[str, Any], deu_officer: Actor, fra_officer: Actor) -> None:
    pledges.line_deliver(actor=pledged["ukr"], line_id=pledged["line_id"], quantity=4,
                         effective_date=D(2025, 4, 2))
    report = reports.meeting_report(actor=fra_officer, meeting_id=pledged["meeting"].pk, as_of=D(2025, 9, 1))
    assert (cents(report.totals.announced), cents(report.totals.delivered), report.overdue) == (
        Decimal("1000.00"), Decimal("1000.00"), [])
    series = reports.donor_profile(actor=fra_officer, code="DEU", as_of=D(2025, 4, 30)).series
    assert [(p.month, cents(p.committed), cents(p.delivered)) for p in series] == [
        (D(2025, 2, 1), Decimal("800.00"), Decimal("0.00")), (D(2025, 3, 1), Decimal("800.00"), Decimal("0.00")),
        (D(2025, 4, 1), Decimal("800.00"), Decimal("800.00"))]
    year = next(y for y in reports.agreement_fulfilment(actor=deu_officer, agreement_id=pledged["agreement"].pk)
                .years if y.year == 2025)
    assert (cents(year.committed), cents(year.delivered), year.committed_pct) == (
        Decimal("800.00"), Decimal("800.00"), Decimal("80.0"))


def test_partial_delivery_in_the_meeting_report(pledged: dict[str, Any], fra_officer: Actor) -> None:
    pledges.line_deliver(actor=pledged["ukr"], line_id=pledged["line_id"], quantity=1,
                         effective_date=D(2025, 4, 2))
    report = reports.meeting_report(actor=fra_officer, meeting_id=pledged["meeting"].pk, as_of=D(2025, 9, 1))
    assert cents(report.totals.delivered) == Decimal("250.00")  # one unit of four, from the line's quantities


def test_partial_delivery_is_dated(pledged: dict[str, Any], fra_officer: Actor) -> None:
    pledges.line_deliver(actor=pledged["ukr"], line_id=pledged["line_id"], quantity=1,
                         effective_date=D(2025, 4, 2))
    series = reports.donor_profile(actor=fra_officer, code="DEU", as_of=D(2025, 4, 30)).series
    assert cents(series[-1].delivered) == Decimal("200.00")  # DEU's 80 % of one unit of four
