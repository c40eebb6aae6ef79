"""The `shieldwall` source: facts derived from this system's pledges by the month of each lifecycle step, kept
current through `lines_changed`, marked like their lines; and the IATI 2.03 export of the PUBLIC ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shieldwall.analytics import exports, own, selectors, services
from shieldwall.analytics.models import Contribution
from shieldwall.core.actor import Actor
from shieldwall.pledges import services as pledges

pytestmark = pytest.mark.django_db
ANON = Actor.anonymous()
SCHEMA = Path(__file__).parent / "iati_2_03" / "iati-activities-schema.xsd"


def _financing(actor: Actor, *, value: str = "1000.00", funders: Any = None, **marking: Any) -> int:
    package = pledges.package_create(actor=actor, title="Budget support", date=date(2025, 4, 1), source="financing",
                                     funders=funders, lines=[pledges.LineSpec(value_amount=Decimal(value))],
                                     **marking)
    return int(package.lines.get().pk)


def _facts(actor: Actor) -> set[tuple[str, str, str, int]]:
    return {(c.donor, c.measure, f"{c.period:%Y-%m}", c.amount_micro_eur)
            for c in Contribution.objects.visible_to(actor).filter(source__code="shieldwall")}


def test_steps_become_facts_through_the_hook(fra_officer: Actor, gbr_analyst: Actor, jpn_observer: Actor,
                                             django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        line = _financing(fra_officer, releasability="REL_TO", rel_to=["FRA", "GBR"])
        pledges.line_commit(actor=fra_officer, line_id=line, effective_date=date(2025, 4, 2))
        pledges.line_ship(actor=fra_officer, line_id=line, quantity=1, effective_date=date(2025, 5, 10))
        pledges.line_deliver(actor=fra_officer, line_id=line, quantity=1, effective_date=date(2025, 6, 20))
    expected = {("FRA", "commitment", "2025-04", 1_000_000_000), ("FRA", "allocation", "2025-05", 1_000_000_000),
                ("FRA", "delivery", "2025-06", 1_000_000_000)}
    assert _facts(fra_officer) == expected
    assert _facts(gbr_analyst) == expected  # REL TO FRA, GBR, like the line
    assert _facts(jpn_observer) == set() and _facts(ANON) == set()
    fact = Contribution.objects.visible_to(fra_officer).filter(source__code="shieldwall").first()
    assert fact is not None and fact.classification == 0 and fact.releasability == "REL_TO"
    assert sorted(n.code for n in fact.rel_to.all()) == ["FRA", "GBR"] and fact.category == "financial"
    # Figures over what each viewer may see: the French officer sees the line, the public does not.
    source = selectors.source_get(actor=fra_officer, code="shieldwall")
    [row] = selectors.donors(actor=fra_officer, source=source, filters=selectors.Filters())
    assert (row.iso, row.total, row.delivered, row.to_be_delivered) == (
        "FRA", Decimal("0.000001000"), Decimal("0.000001000"), Decimal(0))
    assert selectors.donors(actor=ANON, source=source, filters=selectors.Filters()) == []
    stages = selectors.stages(actor=fra_officer, source=source, filters=selectors.Filters())
    assert [(p.month, p.cumulative_committed, p.cumulative_delivered) for p in stages] == [
        (4, Decimal("0.000001000"), Decimal(0)), (5, Decimal("0.000001000"), Decimal(0)),
        (6, Decimal("0.000001000"), Decimal("0.000001000"))]
    # A cancelled line no longer counts; rebuilding gives the same facts again (idempotent).
    with django_capture_on_commit_callbacks(execute=True):
        other = _financing(fra_officer, value="500.00")
        pledges.line_commit(actor=fra_officer, line_id=other, effective_date=date(2025, 4, 3))
    assert ("FRA", "commitment", "2025-04", 500_000_000) in _facts(fra_officer)
    with django_capture_on_commit_callbacks(execute=True):
        pledges.line_cancel(actor=fra_officer, line_id=other, reason="budget cut", effective_date=date(2025, 4, 4))
    assert _facts(fra_officer) == expected
    services.shieldwall_refresh()
    assert _facts(fra_officer) == expected


def test_co_funded_packages_split_by_share_to_the_micro_euro() -> None:
    funders = (own.Funder(1, "FRA", Decimal("0.333333")), own.Funder(2, "GBR", Decimal("0.666667")))
    parts = own.split(1_000_000_001, funders)
    assert sum(amount for _f, amount in parts) == 1_000_000_001
    assert [(f.code, amount) for f, amount in parts] == [("FRA", 333_333_000), ("GBR", 666_667_001)]
    line = own.Line(id=1, status="delivered", quantity=4, value_eur=Decimal("10.00"), category="military",
                    subcategory="artillery", funders=funders, delivered_quantity=4,
                    events=(own.Event("committed", date(2025, 1, 5)), own.Event("allocated", date(2025, 2, 1)),
                            own.Event("committed", date(2025, 2, 9)), own.Event("allocated", date(2025, 3, 1)),
                            own.Event("shipped", date(2025, 3, 9)), own.Event("delivered", date(2025, 4, 1))))
    steps = [(m, d.month, a) for m, d, a in own.steps(line)]
    # Re-allocated after a deallocation: the allocation counts from the last time.
    assert steps == [("commitment", 1, 10_000_000), ("allocation", 3, 10_000_000), ("delivery", 4, 10_000_000)]
    assert len(own.facts(line)) == 6


def test_iati_export_of_public_pledges_is_valid(fra_officer: Actor) -> None:
    import xmlschema

    public = _financing(fra_officer, value="2500.50", releasability="PUBLIC")
    pledges.line_commit(actor=fra_officer, line_id=public, effective_date=date(2025, 4, 2))
    pledges.line_ship(actor=fra_officer, line_id=public, quantity=1, effective_date=date(2025, 5, 10))
    pledges.line_deliver(actor=fra_officer, line_id=public, quantity=1, effective_date=date(2025, 6, 20))
    hidden = _financing(fra_officer, releasability="COALITION")
    activities = selectors.iati_activities(actor=fra_officer)
    assert [a.line_id for a in activities] == [public]
    assert [(t.type, t.day, t.value_eur) for t in activities[0].transactions] == [
        ("12", date(2025, 4, 1), Decimal("2500.50")), ("2", date(2025, 4, 2), Decimal("2500.50")),
        ("3", date(2025, 6, 20), Decimal("2500.5"))]
    from django.utils import timezone

    xml = exports.iati_xml(activities, generated=timezone.now())
    schema = xmlschema.XMLSchema(str(SCHEMA), allow="local")
    schema.validate(xml.decode())
    text = xml.decode()
    assert 'version="2.03"' in text and f"PL{public}" in text and f"PL{hidden}" not in text
    assert '<transaction-type code="12" />' in text and "<value currency=\"EUR\"" in text


def test_each_delivery_is_dated_by_its_event_pro_rata() -> None:
    fra = (own.Funder(1, "FRA", Decimal(1)),)

    def deliveries(status: str, delivered: int, *events: own.Event) -> list[tuple[str, int]]:
        line = own.Line(id=1, status=status, quantity=3, value_eur=Decimal("10.00"), category="military",
                        subcategory="", funders=fra, delivered_quantity=delivered,
                        events=(own.Event("committed", date(2025, 3, 2), 3), own.Event("shipped", date(2025, 4, 1), 3),
                                *events))
        return [(f"{day:%m-%d}", amount) for measure, day, amount in own.steps(line) if measure == "delivery"]

    first, second = own.Event("delivered", date(2025, 4, 20), 1), own.Event("delivered", date(2025, 6, 2), 2)
    # Still being delivered (the line stays shipped): the part that arrived, in its month.
    assert deliveries("shipped", 1, first) == [("04-20", 3_333_333)]
    assert deliveries("delivered", 3, first, second) == [("04-20", 3_333_333), ("06-02", 6_666_667)]
    singles = deliveries("delivered", 3, *(own.Event("delivered", date(2025, m, 1), 1) for m in (5, 6, 7)))
    assert singles == [("05-01", 3_333_333), ("06-01", 3_333_333), ("07-01", 3_333_334)]
    assert sum(amount for _d, amount in singles) == 10_000_000  # exactly the value, to the micro-euro
    # Recorded before deliveries were dated (a partial delivery as shipped → shipped): dated to the latest step,
    # or to the final delivery, as before.
    assert deliveries("shipped", 1, own.Event("shipped", date(2025, 5, 9), 1)) == [("05-09", 3_333_333)]
    assert deliveries("delivered", 3, own.Event("shipped", date(2025, 5, 9), 1), second) == [
        ("06-02", 6_666_666), ("06-02", 3_333_334)]


def test_partial_deliveries_through_the_services(fra_officer: Actor, ukr_desk: Actor,
                                                 django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    from tests.pledges import factories

    cat = factories.catalogue()
    with django_capture_on_commit_callbacks(execute=True):
        package = factories.package(fra_officer, title="Shells", releasability="PUBLIC")
        line = factories.line(fra_officer, package, cat["m107"], quantity=4, value="1000.00",
                              effective_date=date(2025, 3, 1)).pk
        pledges.line_commit(actor=fra_officer, line_id=line, effective_date=date(2025, 3, 2))
        pledges.line_ship(actor=fra_officer, line_id=line, quantity=4, effective_date=date(2025, 4, 1))
        pledges.line_deliver(actor=ukr_desk, line_id=line, quantity=1, effective_date=date(2025, 4, 20))
    delivered = {(c.period.month, c.amount_micro_eur) for c in Contribution.objects.visible_to(ANON).filter(
        source__code="shieldwall", measure="delivery")}
    assert delivered == {(4, 250_000_000)}  # the line is still shipped; the unit that arrived counts in April
    with django_capture_on_commit_callbacks(execute=True):
        pledges.line_deliver(actor=ukr_desk, line_id=line, quantity=3, effective_date=date(2025, 6, 2))
    source = selectors.source_get(actor=ANON, code="shieldwall")
    stages = selectors.stages(actor=ANON, source=source, filters=selectors.Filters())
    assert [(p.month, p.delivered, p.cumulative_delivered) for p in stages] == [
        (3, Decimal(0), Decimal(0)), (4, Decimal("0.000000250"), Decimal("0.000000250")),
        (6, Decimal("0.000000750"), Decimal("0.000001000"))]
    [row] = selectors.donors(actor=ANON, source=source, filters=selectors.Filters())
    assert (row.delivered, row.to_be_delivered) == (Decimal("0.000001000"), Decimal(0))
    [activity] = selectors.iati_activities(actor=ANON)
    assert [(t.type, t.day, t.value_eur) for t in activity.transactions if t.type == exports.EXPENDITURE] == [
        ("4", date(2025, 4, 20), Decimal(250)), ("4", date(2025, 6, 2), Decimal(750))]
