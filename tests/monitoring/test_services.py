"""Monitoring services: custody transfers (onward between allies the donor keeps seeing the item), inspections
and their effect on due dates, the compliance dashboard's counts and trend, disposition and loss reports."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, PermissionDenied, ValidationFailed
from shieldwall.core.markings import Classification
from shieldwall.core.models import AuditEvent, User
from shieldwall.monitoring import selectors, services, tables
from shieldwall.monitoring.models import SerialItem, SerialStatus
from shieldwall.monitoring.schedule import Link, chain_problems
from tests.logistics import factories

pytestmark = pytest.mark.django_db
D = date


@pytest.fixture
def guns(fra_officer: Actor, ukr_desk: Actor, cat: dict[str, Any]) -> list[SerialItem]:
    return factories.received_items(fra_officer, ukr_desk, cat["m777"], ["G-1", "G-2", "G-3", "G-4"])


def _chain(item: SerialItem) -> list[Link]:
    return [Link(t.seq, (t.from_nation_id, t.from_unit), (t.to_nation_id, t.to_unit), t.on)
            for t in item.transfers.order_by("seq")]


def test_transfer_to_an_ally_keeps_the_donor_seeing_the_item(fra_officer: Actor, ukr_desk: Actor,
                                                              gbr_analyst: Actor, guns: list[SerialItem]) -> None:
    item = guns[0]
    assert gbr_analyst.nation_code == "GBR"
    with pytest.raises(NotFound):
        selectors.serial_item_get(actor=gbr_analyst, id=item.pk)
    with pytest.raises(PermissionDenied):
        services.serial_item_transfer(actor=fra_officer, item_ids=[item.pk], to_nation="GBR", to_unit="x",
                                      on=D(2025, 3, 1))
    services.serial_item_transfer(actor=ukr_desk, item_ids=[item.pk], to_nation="GBR", to_unit="GBR depot",
                                  to_location="Tidworth", on=D(2025, 3, 1), note="repair loan")
    seen = selectors.serial_item_get(actor=fra_officer, id=item.pk)
    assert (seen.status, seen.custodian_nation.code, seen.custodian_unit) == ("transferred", "GBR", "GBR depot")
    assert sorted(n.code for n in seen.rel_to.all()) == ["FRA", "GBR", "UKR"]
    assert selectors.serial_item_get(actor=gbr_analyst, id=item.pk).serial_number == "G-1"
    assert [t.kind for t in seen.transfers.all()] == ["registered", "dispatched", "received", "transfer"]
    assert chain_problems(_chain(seen)) == []


def test_inspections_move_the_due_dates_and_feed_the_dashboard(fra_officer: Actor, ukr_desk: Actor,
                                                                guns: list[SerialItem]) -> None:
    g1, g2, g3, g4 = guns
    assert g1.next_inspection_due == D(2025, 5, 6)
    spec = services.FindingSpec
    with pytest.raises(ValidationFailed, match="needs the reference of its evidence"):
        services.inspection_record(actor=ukr_desk, kind="initial", inspected_on=D(2025, 4, 1),
                                   findings=[spec(g3.pk, "destroyed")])
    inspection = services.inspection_record(
        actor=fra_officer, kind="initial", inspected_on=D(2025, 4, 1), location="Zaporizhzhia",
        findings=[spec(g1.pk), spec(g2.pk, "not_found"), spec(g3.pk, "destroyed", "photo 77")])
    assert sorted(inspection.rel_to.values_list("code", flat=True)) == ["FRA", "UKR"]
    items = {i.serial_number: i for i in SerialItem.objects.visible_to(fra_officer)}
    assert (items["G-1"].next_inspection_due, items["G-1"].last_inventory_on) == (D(2026, 4, 1), D(2025, 4, 1))
    assert (items["G-2"].unaccounted, items["G-2"].next_inspection_due) == (True, D(2025, 5, 6))
    assert (items["G-3"].status, items["G-3"].next_inspection_due) == ("destroyed", None)
    board = selectors.compliance(actor=fra_officer, today=D(2025, 6, 1))
    (row,) = board.rows
    assert (row.donor, row.item_class, row.items, row.accountable, row.overdue, row.unaccounted, row.destroyed,
            row.never_inventoried) == ("FRA", "155 mm towed howitzer", 4, 3, 2, 1, 1, 2)
    assert (row.inspected, row.on_time, row.on_time_pct) == (3, 3, 100.0)
    april = next(p for p in board.trend if p.month == D(2025, 4, 1))
    assert (april.inspected, april.not_found, april.destroyed) == (3, 1, 1)
    late = services.inspection_record(actor=ukr_desk, kind="spot", inspected_on=D(2025, 6, 1),
                                      findings=[spec(g4.pk), spec(g2.pk)])
    assert [f.on_time for f in late.findings.order_by("item__serial_number")] == [False, False]
    board = selectors.compliance(actor=fra_officer, today=D(2025, 6, 2))
    assert (board.total.overdue, board.total.unaccounted, board.total.on_time_pct) == (0, 0, 60.0)
    assert selectors.compliance(actor=Actor.anonymous(), today=D(2025, 6, 2)).rows == []


def test_disposition_report_import_checks_every_row(fra_officer: Actor, ukr_desk: Actor,
                                                    guns: list[SerialItem]) -> None:
    def rows(text: str) -> list[tables.Row]:
        data = text.encode()
        return tables.read_csv(io.BytesIO(data), size=len(data), columns=tables.DISPOSITION_COLUMNS,
                               required=tables.DISPOSITION_REQUIRED)

    bad = rows("item_type,serial_number,status,unit\nM777,G-1,in service,44\nM777,G-9,in_service,\n"
               "Tank,G-2,in_service,\nM777,G-3,exploded,\n")
    before = AuditEvent.objects.count()
    result = services.disposition_import(actor=ukr_desk, donor="FRA", year=2025, quarter=2, rows=bad)
    assert [(e.row, e.column) for e in result.errors] == [(4, "item_type"), (5, "status"), (3, "serial_number")]
    assert AuditEvent.objects.count() == before
    good = rows("item_type,serial_number,status,unit\nM777,G-1,under repair,44\nM777,G-2,lost,44\n")
    result = services.disposition_import(actor=ukr_desk, donor="FRA", year=2025, quarter=2, rows=good)
    assert (result.ok, result.applied, result.mismatches) == (True, 1, 1)
    view = selectors.disposition_get(actor=fra_officer, id=result.report_id or 0)
    assert [i.serial_number for i in view.missing] == ["G-3", "G-4"]
    assert SerialItem.objects.visible_to(fra_officer).get(serial_number="G-1").status == "under_repair"
    with pytest.raises(PermissionDenied):
        services.disposition_import(actor=fra_officer, donor="FRA", year=2025, quarter=3, rows=good)


def test_loss_report_closes_the_items(fra_officer: Actor, ukr_desk: Actor, guns: list[SerialItem]) -> None:
    with pytest.raises(ValidationFailed, match="reference of its evidence"):
        services.loss_report_create(actor=ukr_desk, kind="destroyed", item_ids=[guns[0].pk], circumstances="strike")
    report = services.loss_report_create(actor=ukr_desk, kind="destroyed", item_ids=[guns[0].pk, guns[1].pk],
                                         circumstances="Artillery strike", evidence_ref="BDA-2025-114",
                                         occurred_on=D(2025, 3, 2))
    assert sorted(report.rel_to.values_list("code", flat=True)) == ["FRA", "UKR"]
    statuses = dict(SerialItem.objects.visible_to(fra_officer).values_list("serial_number", "status"))
    assert statuses == {"G-1": SerialStatus.DESTROYED, "G-2": SerialStatus.DESTROYED, "G-3": "in_service",
                        "G-4": "in_service"}
    assert [i.serial_number for i in selectors.loss_report_get(actor=fra_officer, id=report.pk).visible_items] == [
        "G-1", "G-2"]


@pytest.fixture
def allies(make_user: Any) -> dict[str, Actor]:
    """Donor officers of three allies: GBR and POL take items handed on; DEU never sees them."""
    def officer(code: str) -> Actor:
        user: User = make_user(f"{code.lower()}-officer", code, ["donor"], Classification.CONFIDENTIAL)
        return Actor.for_user(user)

    return {code: officer(code) for code in ("GBR", "POL", "DEU")}


def test_a_loss_is_reported_by_the_nation_holding_the_items_or_by_their_donor(
        fra_officer: Actor, ukr_desk: Actor, allies: dict[str, Actor], guns: list[SerialItem]) -> None:
    gbr, pol, deu = allies["GBR"], allies["POL"], allies["DEU"]
    g1, g2, g3, g4 = guns
    services.serial_item_transfer(actor=ukr_desk, item_ids=[g1.pk, g2.pk, g4.pk], to_nation="GBR",
                                  to_unit="GBR depot", on=D(2025, 3, 1))
    services.serial_item_transfer(actor=gbr, item_ids=[g2.pk], to_nation="POL", to_unit="POL depot",
                                  on=D(2025, 3, 5))

    def lose(actor: Actor, *items: SerialItem, kind: str = "lost") -> Any:
        return services.loss_report_create(actor=actor, kind=kind, item_ids=[i.pk for i in items],
                                           circumstances="Fire at the depot", evidence_ref="BDA-7",
                                           occurred_on=D(2025, 3, 10))

    # The ally holding an item handed on to it reports it (it was refused before: neither donor nor recipient).
    report = lose(gbr, g1)
    assert (report.holder.code, report.originator.code, report.donor.code, report.recipient.code) == (
        "GBR", "GBR", "FRA", "UKR")
    assert sorted(report.rel_to.values_list("code", flat=True)) == ["FRA", "GBR", "UKR"]
    assert SerialItem.objects.visible_to(fra_officer).get(pk=g1.pk).status == "lost"
    # G-2 is held by POL: GBR (which held it before) and UKR (which received it and handed it on) neither hold
    # nor gave it, so they may not report it, and are told who may.
    for actor in (gbr, ukr_desk):
        with pytest.raises(PermissionDenied) as refused:
            lose(actor, g2)
        assert refused.value.detail == (f"{actor.nation_code} may not report G-2 lost or destroyed: that is for an "
                                        "officer of POL, which holds them, or a donor officer of FRA, which gave "
                                        "them")
    assert SerialItem.objects.visible_to(fra_officer).get(pk=g2.pk).status == "transferred"
    # A nation the item was never released to does not even find it.
    with pytest.raises(ValidationFailed, match="not found"):
        lose(deu, g2)
    # The donor reports its items wherever they are; the report is released to the holder too.
    destroyed = lose(fra_officer, g2, kind="destroyed")
    assert (destroyed.holder.code, destroyed.originator.code) == ("POL", "FRA")
    assert sorted(destroyed.rel_to.values_list("code", flat=True)) == ["FRA", "POL", "UKR"]
    assert selectors.loss_report_get(actor=pol, id=destroyed.pk).holder.code == "POL"
    # One report per holder; the recipient reports what it holds.
    with pytest.raises(ValidationFailed, match="held by one nation"):
        lose(fra_officer, g3, g4)
    assert lose(ukr_desk, g3).holder.code == "UKR"
    assert dict(SerialItem.objects.visible_to(fra_officer).values_list("serial_number", "status")) == {
        "G-1": "lost", "G-2": "destroyed", "G-3": "lost", "G-4": "transferred"}


def test_serial_numbers_are_unique_per_item_type_whatever_their_case(
        fra_officer: Actor, ukr_desk: Actor, cat: dict[str, Any], guns: list[SerialItem]) -> None:
    line = factories.committed_line(fra_officer, cat["m777"], 3)
    shipment = factories.shipment(fra_officer, [(line, 3)])
    refused = factories.register(fra_officer, shipment, ["K-1", "g-1", "G-2"])
    assert (refused.ok, refused.created) == (False, 0)
    assert [(e.row, e.column, e.message) for e in refused.errors] == [
        (2, "serial_number", "g-1 is already recorded for M777 (as G-1)"),
        (3, "serial_number", "G-2 is already recorded for M777")]
    # Stored upper-cased, surrounding blanks stripped (as entered through the API, which takes a list).
    entries = [tables.Row(1, {"serial_number": " k-1 "}), tables.Row(2, {"serial_number": "K-2"})]
    done = services.serial_items_register(actor=fra_officer, shipment_id=shipment.pk,
                                          shipment_line_id=shipment.lines.get().pk, entries=entries,
                                          on=D(2025, 1, 20))
    assert done.created == 2
    assert sorted(SerialItem.objects.visible_to(fra_officer).filter(shipment=shipment)
                  .values_list("serial_number", flat=True)) == ["K-1", "K-2"]
    # Whatever case is typed, the lookups find the one item.
    found = selectors.serial_items_by_serial(actor=ukr_desk, item_type_id=cat["m777"].pk, serials=["g-1", " G-2 "])
    assert {s: i.pk for s, i in found.items()} == {"G-1": guns[0].pk, "G-2": guns[1].pk}
    data = b"item_type,serial_number,status\nm777,g-1,under repair\nM777, G-2 ,in service\n"
    rows = tables.read_csv(io.BytesIO(data), size=len(data), columns=tables.DISPOSITION_COLUMNS,
                           required=tables.DISPOSITION_REQUIRED)
    filed = services.disposition_import(actor=ukr_desk, donor="FRA", year=2025, quarter=2, rows=rows)
    assert (filed.ok, filed.applied) == (True, 1)
    assert SerialItem.objects.visible_to(fra_officer).get(pk=guns[0].pk).status == "under_repair"
    # The database holds it too, whoever writes: no second G-1 in any case (unique on UPPER(serial_number) and
    # item type), and no lower-case number at all (g-9).
    items = SerialItem.objects.visible_to(fra_officer)
    for number in ("G-1", "g-1", "g-9"):
        with pytest.raises(IntegrityError), transaction.atomic():
            items.filter(pk=guns[1].pk).update(serial_number=number)
    copy = items.get(pk=guns[2].pk)
    copy.pk, copy.serial_number = None, "G-1"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)
    assert items.get(pk=guns[1].pk).serial_number == "G-2"


def direct(actor: Actor, today: date) -> dict[tuple[str, str], tuple[int, ...]]:
    """The dashboard's counts computed straight from the items the actor may see (what the cells must equal)."""
    from collections import defaultdict
    from datetime import timedelta

    from shieldwall.monitoring.models import ACCOUNTABLE

    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 7)
    for item in SerialItem.objects.visible_to(actor).select_related("originator", "item_class"):
        row = out[(item.originator.code, item.item_class.name)]
        held = item.status in ACCOUNTABLE
        due = item.next_inspection_due
        for index, hit in enumerate((True, held, held and due is not None and due < today,
                                     held and due is not None and today <= due < today + timedelta(days=30),
                                     held and item.last_inventory_on is None, held and item.unaccounted,
                                     item.status == SerialStatus.LOST)):
            row[index] += int(hit)
    return {key: tuple(values) for key, values in out.items()}


def from_cells(actor: Actor, today: date) -> dict[tuple[str, str], tuple[int, ...]]:
    board = selectors.compliance(actor=actor, today=today)
    return {(r.donor, r.item_class): (r.items, r.accountable, r.overdue, r.due_soon, r.never_inventoried,
                                      r.unaccounted, r.lost) for r in board.rows}


def test_the_dashboard_cells_follow_every_change(fra_officer: Actor, ukr_desk: Actor, gbr_analyst: Actor,
                                                 guns: list[SerialItem], cat: dict[str, Any]) -> None:
    spec = services.FindingSpec
    services.inspection_record(actor=ukr_desk, kind="initial", inspected_on=D(2025, 4, 1),
                               findings=[spec(guns[0].pk), spec(guns[1].pk, "not_found")])
    services.serial_item_transfer(actor=ukr_desk, item_ids=[guns[2].pk], to_nation="GBR", to_unit="depot",
                                  on=D(2025, 4, 2))
    services.loss_report_create(actor=ukr_desk, kind="lost", item_ids=[guns[3].pk], circumstances="gone",
                                occurred_on=D(2025, 4, 3))
    services.serial_item_set_status(actor=ukr_desk, id=guns[0].pk, status="under_repair", on=D(2025, 4, 4))
    more = factories.committed_line(fra_officer, cat["m777"], 2)
    planned = factories.shipment(fra_officer, [(more, 2)])
    factories.register(fra_officer, planned, ["N-1", "N-2"])
    for actor in (fra_officer, ukr_desk, gbr_analyst, Actor.anonymous()):
        for day in (D(2025, 4, 5), D(2025, 5, 10), D(2026, 6, 1)):
            assert from_cells(actor, day) == direct(actor, day), (actor.username, day)
    from shieldwall.logistics.services import shipment_delete

    shipment_delete(actor=fra_officer, id=planned.pk)
    assert from_cells(fra_officer, D(2025, 5, 10)) == direct(fra_officer, D(2025, 5, 10))
    board = selectors.compliance(actor=gbr_analyst, today=D(2025, 5, 10))
    assert [(r.donor, r.items, r.transferred) for r in board.rows] == [("FRA", 1, 1)]
    assert str(board.marking) == "RESTRICTED // REL TO FRA, GBR, UKR"
