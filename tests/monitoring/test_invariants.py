"""Custody invariants under random sequences of onward transfers between allies, status changes, inspections and
loss reports, by officers of several nations (hypothesis), through the services. `tests/logistics/test_invariants.py`
covers the chain through planning, dispatch, receipt and transfers inside the recipient; here items move between
allies and back, and after every step:

- each item has exactly one custodian at any time: its custody chain says who held it on any day, and that is the
  item's recorded custodian from the last link's date on;
- the chain has no gaps: seq contiguous from 1, each link starts from the previous link's holder, dates never go
  back (`schedule.chain_problems`);
- only the nation holding an item hands it on; the nation holding it or its donor (and only they) report it lost,
  whichever ally holds it; a refused step changes nothing;
- the donor keeps seeing every item it gave, and each nation that held one sees it too: items stay RESTRICTED (at
  least) // REL TO the donor, the recipient and every later holder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.core.actor import Actor
from shieldwall.core.errors import DomainError
from shieldwall.core.markings import Classification, Releasability
from shieldwall.core.models import User
from shieldwall.monitoring import services
from shieldwall.monitoring.models import ACCOUNTABLE, CustodyTransfer, SerialItem
from shieldwall.monitoring.schedule import Link, chain_problems
from tests.logistics import factories

pytestmark = pytest.mark.django_db
START = date(2025, 2, 6)  # the day after the items' receipt
OFFICERS = ("UKR", "GBR", "POL", "DEU", "FRA")  # the nations of the officers who may act; FRA is the donor
UNITS = ("1st Bde", "2nd Bde")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- the chain's shape, pure --------------------------------------------------------------------------------------


def _chain(holders: list[tuple[int, str]], gaps: list[int]) -> list[Link]:
    day, before, links = date(2025, 1, 1), None, []
    for seq, (holder, gap) in enumerate(zip(holders, gaps, strict=True), start=1):
        day += timedelta(days=gap)
        links.append(Link(seq, before if before else (None, ""), holder, day))
        before = holder
    return links


holder = st.tuples(st.integers(1, 4), st.sampled_from(UNITS))


@given(st.lists(st.tuples(holder, st.integers(0, 30)), min_size=1, max_size=8), st.data())
def test_chain_problems_finds_every_gap(steps: list[tuple[tuple[int, str], int]], data: st.DataObject) -> None:
    links = _chain([h for h, _ in steps], [g for _, g in steps])
    assert chain_problems(links) == []
    where = data.draw(st.integers(0, len(links) - 1))
    broken = list(links)
    kind = data.draw(st.sampled_from(["seq", "from", "date"] if where else ["seq", "from"]))
    link = broken[where]
    if kind == "seq":
        broken[where] = Link(link.seq + data.draw(st.integers(1, 3)), link.from_holder, link.to_holder, link.on)
    elif kind == "from":
        broken[where] = Link(link.seq, (9, "nowhere"), link.to_holder, link.on)
    else:
        broken[where] = Link(link.seq, link.from_holder, link.to_holder, links[where - 1].on - timedelta(days=1))
    assert chain_problems(broken) != []
    del broken[where]
    if where < len(links) - 1:  # a missing link in the middle
        assert chain_problems(broken) != []


# --- through the services -----------------------------------------------------------------------------------------


# Who acts: mostly the nation holding the item (True), else another officer (refused unless it holds it too).
by_holder = st.sampled_from((True, True, True, False))
# item, by the holder?, else which officer, to nation, to unit, days after the previous step (negative: before)
transfer = st.tuples(st.just("transfer"), st.integers(0, 2), by_holder, st.integers(0, 4),
                     st.sampled_from(("UKR", "GBR", "POL", "DEU")), st.sampled_from(UNITS), st.integers(-3, 5))
ops = st.lists(st.one_of(
    transfer, transfer, transfer, transfer,  # custody is what is under test: mostly transfers
    st.tuples(st.just("status"), st.integers(0, 2), by_holder, st.integers(0, 4),
              st.sampled_from(("in_service", "under_repair"))),
    st.tuples(st.just("inspect"), st.integers(0, 2), st.sampled_from(("found", "not_found"))),
    st.tuples(st.just("lose"), st.integers(0, 2), by_holder, st.integers(0, 4)),
), min_size=1, max_size=10)


def custodian_on(links: list[CustodyTransfer], day: date) -> tuple[int, str] | None:
    """Who held the item at the end of `day` by its chain: the last link on or before it (None before the first)."""
    held = [t for t in links if t.on <= day]
    return (held[-1].to_nation_id, held[-1].to_unit) if held else None


def _state(donor: Actor) -> dict[int, tuple[Any, ...]]:
    return {i.pk: (i.version, i.status, i.custodian_nation_id, i.custodian_unit, i.transfers.count())
            for i in SerialItem.objects.visible_to(donor)}


def _check(donor: Actor, officers: dict[str, Actor], count: int) -> None:
    items = list(SerialItem.objects.visible_to(donor).prefetch_related("rel_to").order_by("serial_number"))
    assert len(items) == count  # the donor sees every item it gave, wherever it went
    codes = {a.nation_id: code for code, a in officers.items()}
    for item in items:
        links = list(item.transfers.order_by("seq"))
        assert chain_problems([Link(t.seq, (t.from_nation_id, t.from_unit), (t.to_nation_id, t.to_unit), t.on)
                               for t in links]) == []
        last = links[-1]
        assert (last.to_nation_id, last.to_unit, last.to_location, last.on) == (
            item.custodian_nation_id, item.custodian_unit, item.custodian_location, item.custody_since)
        # One holder on any day: none before registration, then the holder of the day's last link.
        assert custodian_on(links, links[0].on - timedelta(days=1)) is None
        for t in links:
            same_day = [x for x in links if x.on == t.on]
            assert custodian_on(links, t.on) == (same_day[-1].to_nation_id, same_day[-1].to_unit)
        assert custodian_on(links, date(2030, 1, 1)) == (item.custodian_nation_id, item.custodian_unit)
        released = {n.code for n in item.rel_to.all()}
        held_by = {codes[t.to_nation_id] for t in links}
        assert {"FRA", "UKR"} | held_by <= released
        assert item.classification >= Classification.RESTRICTED and item.releasability == Releasability.REL_TO
        assert SerialItem.objects.visible_to(officers[codes[item.custodian_nation_id]]).filter(pk=item.pk).exists()
        if item.custodian_nation_id != item.recipient_id and item.status in ACCOUNTABLE:
            assert item.status == "transferred"


def _actor(op: tuple[Any, ...], item: SerialItem, officers: dict[str, Actor]) -> Actor:
    holder = next(a for a in officers.values() if a.nation_id == item.custodian_nation_id)
    return holder if op[2] else officers[OFFICERS[op[3]]]


def _run(op: tuple[Any, ...], day: date, items: list[SerialItem], officers: dict[str, Actor]) -> None:
    item = SerialItem.objects.visible_to(officers["FRA"]).get(pk=items[op[1]].pk)
    if op[0] == "transfer":
        actor = _actor(op, item, officers)
        services.serial_item_transfer(actor=actor, item_ids=[item.pk], to_nation=op[4], to_unit=op[5], on=day)
        # Accepted: so the actor's nation held it.
        assert actor.nation_id == item.custodian_nation_id
    elif op[0] == "status":
        services.serial_item_set_status(actor=_actor(op, item, officers), id=item.pk, status=op[4], on=day)
    elif op[0] == "inspect":
        services.inspection_record(actor=officers["UKR"], kind="spot", inspected_on=day,
                                   findings=[services.FindingSpec(item.pk, op[2])])
    elif op[0] == "lose":
        actor = _actor(op, item, officers)
        entitled = (actor.nation_id in (item.custodian_nation_id, item.originator_id)
                    and item.status in ACCOUNTABLE)
        try:
            services.loss_report_create(actor=actor, kind="lost", item_ids=[item.pk],
                                        circumstances="missing at muster", occurred_on=day)
        except DomainError as exc:
            # Not a DomainError, so the test fails: the holder (an ally too) or the donor may report it.
            assert not entitled, f"{actor.nation_code} refused reporting {item} held by it or given by it: {exc}"
            raise
        assert entitled, f"{actor.nation_code} reported {item} lost, neither holding nor having given it"


@pytest.fixture
def officers(fra_officer: Actor, ukr_desk: Actor, make_user: Callable[..., User]) -> dict[str, Actor]:
    def officer(name: str, nation: str) -> Actor:
        return Actor.for_user(make_user(name, nation, ["donor"], Classification.CONFIDENTIAL))

    return {"FRA": fra_officer, "UKR": ukr_desk, "GBR": officer("gbr-officer", "GBR"),
            "POL": officer("pol-officer", "POL"), "DEU": officer("deu-officer", "DEU")}


@SETTINGS
@given(steps=ops)
def test_custody_between_allies_keeps_one_custodian_and_a_chain_without_gaps(
        officers: dict[str, Actor], cat: dict[str, Any], steps: list[tuple[Any, ...]]) -> None:
    with transaction.atomic():
        items = factories.received_items(officers["FRA"], officers["UKR"], cat["m777"], ["H-1", "H-2", "H-3"])
        _check(officers["FRA"], officers, 3)
        day = START
        for op in steps:
            if op[0] == "transfer":
                day += timedelta(days=op[6])
            else:
                day += timedelta(days=1)
            before = _state(officers["FRA"])
            try:
                with transaction.atomic():
                    _run(op, day, items, officers)
            except DomainError:
                assert _state(officers["FRA"]) == before  # a refused step changes nothing
            _check(officers["FRA"], officers, 3)
        transaction.set_rollback(True)
