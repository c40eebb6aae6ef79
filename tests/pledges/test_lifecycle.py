"""The pledge-line lifecycle as a state machine: random sequences of steps, on the pure module and through the
services on the database, never reach a state the rules forbid, never deliver more than was shipped nor ship
more than was pledged, and the totals by stage always add up to the whole."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.core.actor import Actor
from shieldwall.core.errors import PermissionDenied, ValidationFailed
from shieldwall.needs.models import Requirement
from shieldwall.pledges import lifecycle, selectors, services
from shieldwall.pledges.lifecycle import IllegalTransition, LineState
from shieldwall.pledges.models import LineStatus, PledgeEvent, PledgeLine
from tests.pledges import factories

VERBS = ("commit", "allocate", "deallocate", "contract", "ship", "deliver", "cancel", "split")
steps = st.lists(st.tuples(st.sampled_from(VERBS), st.integers(min_value=0, max_value=3),
                           st.integers(min_value=0, max_value=12), st.booleans()), max_size=25)


def apply(state: LineState, verb: str, units: int, from_stock: bool) -> tuple[LineState, LineState | None]:
    """One step on the pure module: (the line's new state, a new line when split)."""
    if verb == "split":
        kept, new = lifecycle.split(state, units)
        return kept, new
    call = {
        "commit": lambda: lifecycle.commit(state),
        "allocate": lambda: lifecycle.allocate(state, 7),
        "deallocate": lambda: lifecycle.deallocate(state),
        "contract": lambda: lifecycle.contract(state),
        "ship": lambda: lifecycle.ship(state, units, from_stock=from_stock),
        "deliver": lambda: lifecycle.deliver(state, units),
        "cancel": lambda: lifecycle.cancel(state, "changed plans" if units else " "),
    }[verb]
    return call(), None


def check(before: LineState, after: LineState, verb: str) -> None:
    assert 0 <= after.delivered <= after.shipped <= after.quantity
    assert (after.status == lifecycle.DELIVERED) == (after.delivered == after.quantity)
    if verb != "split" and after.status != before.status:
        assert after.status in lifecycle.TRANSITIONS[before.status], (before, after)
    if before.status in (lifecycle.DELIVERED, lifecycle.CANCELLED):
        raise AssertionError("a final stage accepted a step")
    if after.status in (lifecycle.ALLOCATED, lifecycle.CONTRACTED):
        assert after.allocated_to is not None
    if after.status in (lifecycle.ANNOUNCED, lifecycle.COMMITTED) and before.status != lifecycle.ALLOCATED:
        assert after.allocated_to == before.allocated_to
    if after.shipped:
        assert after.status in (lifecycle.SHIPPED, lifecycle.DELIVERED, lifecycle.CANCELLED)


@settings(max_examples=300)
@given(quantity=st.integers(min_value=1, max_value=12), sequence=steps)
def test_random_sequences_on_the_pure_module(quantity: int, sequence: list[tuple[str, int, int, bool]]) -> None:
    lines = [LineState(status=lifecycle.ANNOUNCED, quantity=quantity)]
    for verb, index, units, from_stock in sequence:
        i = index % len(lines)
        before = lines[i]
        try:
            after, new = apply(before, verb, units, from_stock)
        except IllegalTransition as exc:
            assert str(exc) and exc.field in {"status", "quantity", "reason"}
            continue
        check(before, after, verb)
        lines[i] = after
        if new is not None:
            assert new.status == before.status and new.shipped == 0
            lines.append(new)
        # Splits conserve the units pledged; the totals by stage add up to them.
        assert sum(line.quantity for line in lines) == quantity
        by_stage = Counter()
        for line in lines:
            by_stage[line.status] += line.quantity
        assert sum(by_stage.values()) == quantity


def test_the_messages_name_the_allowed_steps() -> None:
    with pytest.raises(IllegalTransition, match="a delivered line cannot become cancelled; allowed next: none"):
        lifecycle.cancel(LineState(status=lifecycle.DELIVERED, quantity=1, shipped=1, delivered=1), "late")
    with pytest.raises(IllegalTransition, match="allowed next: committed, cancelled"):
        lifecycle.ship(LineState(status=lifecycle.ANNOUNCED, quantity=3), 1)
    with pytest.raises(IllegalTransition, match="must be contracted") as exc:
        lifecycle.ship(LineState(status=lifecycle.ALLOCATED, quantity=3, allocated_to=1), 1, from_stock=False)
    assert exc.value.field == "status"


# --- the same through the services, on the database ---------------------------------------------------------


def db_step(verb: str, line_id: int, units: int, actors: dict[str, Actor], requirement: Requirement) -> list[int]:
    """Run one step as the role that may take it; returns the ids of lines it created."""
    if verb == "commit":
        services.line_commit(actor=actors["donor"], line_id=line_id)
    elif verb == "allocate":
        services.line_allocate(actor=actors["coord"], line_id=line_id, requirement_id=requirement.pk)
    elif verb == "deallocate":
        services.line_deallocate(actor=actors["coord"], line_id=line_id)
    elif verb == "contract":
        services.line_contract(actor=actors["donor"], line_id=line_id)
    elif verb == "ship":
        services.line_ship(actor=actors["donor"], line_id=line_id, quantity=units)
    elif verb == "deliver":
        services.line_deliver(actor=actors["recipient"], line_id=line_id, quantity=units)
    elif verb == "cancel":
        services.line_cancel(actor=actors["donor"], line_id=line_id, reason="changed plans" if units else "")
    else:
        _, new = services.line_split(actor=actors["coord"], line_id=line_id, quantity=units)
        return [new.pk]
    return []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(quantity=st.integers(min_value=1, max_value=6), sequence=steps, procurement=st.booleans())
def test_random_sequences_through_the_services(
    fra_officer: Actor, coord: Actor, ukr_desk: Actor, cat: dict[str, Any], quantity: int,
    sequence: list[tuple[str, int, int, bool]], procurement: bool,
) -> None:
    actors = {"donor": fra_officer, "coord": coord, "recipient": ukr_desk}
    need = factories.requirement("UKR", cat["ammo"], quantity=quantity)
    package = factories.package(fra_officer, source="procurement" if procurement else "stock")
    first = factories.line(fra_officer, package, cat["m107"], quantity=quantity, value="1000.01")
    ids = [first.pk]
    total_eur = first.value_eur
    for verb, index, units, _ in sequence:
        line_id = ids[index % len(ids)]
        before = PledgeLine.objects.visible_to(coord).get(pk=line_id)
        events_before = PledgeEvent.objects.filter(line_id=line_id).count()
        try:
            ids += db_step(verb, line_id, units, actors, need)
        except ValidationFailed as exc:
            assert set(exc.errors) <= {"status", "quantity", "reason", "requirement"}, exc.errors
            after = PledgeLine.objects.visible_to(coord).get(pk=line_id)
            assert (after.status, after.version) == (before.status, before.version)  # nothing written
            continue
        after = PledgeLine.objects.visible_to(coord).get(pk=line_id)
        check(services.line_state(before), services.line_state(after), verb)
        assert PledgeEvent.objects.filter(line_id=line_id).count() == events_before + 1
        totals = selectors.line_totals(actor=coord, filters=selectors.LineFilters(package_id=package.pk))
        assert totals.quantity == quantity == sum(s.quantity for s in totals.stages)
        assert totals.value_eur == total_eur == sum(s.value_eur for s in totals.stages)
        assert totals.lines == len(ids) == sum(s.lines for s in totals.stages)


def test_each_step_needs_its_role(fra_officer: Actor, coord: Actor, ukr_desk: Actor, gbr_analyst: Actor,
                                  cat: dict[str, Any], ammo_need: Requirement) -> None:
    package = factories.package(fra_officer)
    line = factories.line(fra_officer, package, cat["m107"], quantity=10)
    for actor, call in [
        (coord, lambda a: services.line_commit(actor=a, line_id=line.pk)),
        (ukr_desk, lambda a: services.line_commit(actor=a, line_id=line.pk)),
        (gbr_analyst, lambda a: services.line_cancel(actor=a, line_id=line.pk, reason="x")),
        (fra_officer, lambda a: services.line_allocate(actor=a, line_id=line.pk, requirement_id=ammo_need.pk)),
        (fra_officer, lambda a: services.line_split(actor=a, line_id=line.pk, quantity=2)),
    ]:
        with pytest.raises(PermissionDenied):
            call(actor)
    assert PledgeLine.objects.visible_to(coord).get(pk=line.pk).status == LineStatus.ANNOUNCED


def test_dates_are_checked(fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer, day=date(2025, 3, 1))
    line = factories.line(fra_officer, package, cat["m107"], effective_date=date(2025, 3, 10))
    with pytest.raises(ValidationFailed, match="before the package date"):
        services.line_commit(actor=fra_officer, line_id=line.pk, effective_date=date(2025, 2, 28))
    with pytest.raises(ValidationFailed, match="before the line's previous step"):
        services.line_commit(actor=fra_officer, line_id=line.pk, effective_date=date(2025, 3, 9))
    with pytest.raises(ValidationFailed, match="in the future"):
        services.line_commit(actor=fra_officer, line_id=line.pk, effective_date=date(2999, 1, 1))
    services.line_commit(actor=fra_officer, line_id=line.pk, effective_date=date(2025, 3, 10))
    event = PledgeEvent.objects.filter(line=line).order_by("-id").first()
    assert event is not None
    assert (event.from_status, event.to_status, event.effective_date) == ("announced", "committed", date(2025, 3, 10))
