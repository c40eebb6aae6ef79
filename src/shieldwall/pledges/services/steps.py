"""The lifecycle of a line, one service per step: each checks the actor's right to that verb, applies the pure
state machine (`pledges.lifecycle`), writes the line through `core.writes.update` under the step's audit action
and records the dated, attributed `PledgeEvent`.

An event's `to_status` is the stage the step's units reached: a delivery of part of a line is recorded as
`shipped → delivered` for those units (so every delivery is dated), while the line itself stays shipped until all
its units have arrived; a further part shipped is `shipped → shipped`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction

from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.pledges import lifecycle, valuation
from shieldwall.pledges.models import (
    PackageSource,
    PledgeEvent,
    PledgeLine,
)
from shieldwall.pledges.services.rules import (
    _after_lines,
    _codes,
    _effective_date,
    _event,
    _fail,
    _item_type,
    _locked_line,
    _requirement,
)

_KEEP: Any = object()


def line_state(line: PledgeLine) -> lifecycle.LineState:
    return lifecycle.LineState(status=line.status, quantity=line.quantity, shipped=line.shipped_quantity,
                               delivered=line.delivered_quantity, allocated_to=line.requirement_id)


def _run(step: Callable[[], lifecycle.LineState]) -> lifecycle.LineState:
    try:
        return step()
    except lifecycle.IllegalTransition as exc:
        raise _fail(exc.field, str(exc)) from exc


def _record_step(
    actor: Actor, line: PledgeLine, *, verb: str, before: lifecycle.LineState, after: lifecycle.LineState,
    day: date, units: int, expected_version: int | None, note: str = "", requirement: Any = _KEEP,
    extra: dict[str, Any] | None = None, units_reached: str | None = None,
) -> PledgeLine:
    changes: dict[str, Any] = dict(extra or {})
    if after.status != before.status:
        changes["status"] = after.status
    if after.shipped != before.shipped:
        changes["shipped_quantity"] = after.shipped
    if after.delivered != before.delivered:
        changes["delivered_quantity"] = after.delivered
    if requirement is not _KEEP:
        changes["requirement"] = requirement
    old_requirement = line.requirement_id
    audit_extra: dict[str, Any] = {"effective_date": [None, day.isoformat()], "units": [None, units]}
    if note:
        audit_extra["note"] = [None, note]
    line = writes.update(actor=actor, obj=line, changes=changes, expected_version=expected_version,
                         action=f"pledge_line.{verb}", permission=verb, extra_audit=audit_extra)
    _event(line, actor, before=before.status, after=units_reached or after.status, units=units, day=day, note=note)
    _after_lines(actor, [line.pk], [old_requirement, line.requirement_id])
    return line


def line_commit(*, actor: Actor, line_id: int, effective_date: date | None = None,
                expected_version: int | None = None) -> PledgeLine:
    """The donor's formal promise (announced → committed)."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "commit")
        day = _effective_date(effective_date, package, line)
        before = line_state(line)
        after = _run(lambda: lifecycle.commit(before))
        return _record_step(actor, line, verb="commit", before=before, after=after, day=day, units=line.quantity,
                            expected_version=expected_version)


def line_allocate(*, actor: Actor, line_id: int, requirement_id: int, effective_date: date | None = None,
                  expected_version: int | None = None) -> PledgeLine:
    """A coordinator earmarks a committed line for an active requirement its item type satisfies."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "allocate")
        day = _effective_date(effective_date, package, line)
        before = line_state(line)
        _run(lambda: lifecycle.allocate(before, 0))  # the stage first: a clearer error than the requirement's
        requirement = _requirement(actor, requirement_id, _item_type(line.item_type_id))
        after = _run(lambda: lifecycle.allocate(before, requirement.pk))
        return _record_step(actor, line, verb="allocate", before=before, after=after, day=day, units=line.quantity,
                            expected_version=expected_version, note=f"to requirement {requirement.pk}",
                            requirement=requirement)


def line_deallocate(*, actor: Actor, line_id: int, effective_date: date | None = None,
                    expected_version: int | None = None) -> PledgeLine:
    """A coordinator releases an allocated line back to committed."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "deallocate")
        day = _effective_date(effective_date, package, line)
        before = line_state(line)
        after = _run(lambda: lifecycle.deallocate(before))
        return _record_step(actor, line, verb="deallocate", before=before, after=after, day=day,
                            units=line.quantity, expected_version=expected_version,
                            note=f"from requirement {line.requirement_id}", requirement=None)


def line_contract(*, actor: Actor, line_id: int, effective_date: date | None = None,
                  expected_version: int | None = None) -> PledgeLine:
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "contract")
        day = _effective_date(effective_date, package, line)
        before = line_state(line)
        after = _run(lambda: lifecycle.contract(before))
        return _record_step(actor, line, verb="contract", before=before, after=after, day=day,
                            units=line.quantity, expected_version=expected_version)


def line_ship(*, actor: Actor, line_id: int, quantity: int, effective_date: date | None = None,
              expected_version: int | None = None) -> PledgeLine:
    """Dispatch `quantity` more units; a line ships in parts."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "ship")
        day = _effective_date(effective_date, package, line)
        before = line_state(line)
        from_stock = package.source == PackageSource.STOCK
        after = _run(lambda: lifecycle.ship(before, quantity, from_stock=from_stock))
        return _record_step(actor, line, verb="ship", before=before, after=after, day=day, units=quantity,
                            expected_version=expected_version)


def line_deliver(*, actor: Actor, line_id: int, quantity: int, effective_date: date | None = None,
                 expected_version: int | None = None) -> PledgeLine:
    """Record that `quantity` more shipped units arrived; the line is delivered when all have."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "deliver")
        day = _effective_date(effective_date, package, line)
        before = line_state(line)
        after = _run(lambda: lifecycle.deliver(before, quantity))
        note = "" if after.status == lifecycle.DELIVERED else f"{after.delivered} of {after.quantity} units delivered"
        return _record_step(actor, line, verb="deliver", before=before, after=after, day=day, units=quantity,
                            expected_version=expected_version, note=note, units_reached=lifecycle.DELIVERED)


def line_cancel(*, actor: Actor, line_id: int, reason: str, effective_date: date | None = None,
                expected_version: int | None = None) -> PledgeLine:
    """Cancel what is not yet delivered, with the reason."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "cancel")
        day = _effective_date(effective_date, package, line)
        before = line_state(line)
        after = _run(lambda: lifecycle.cancel(before, reason))
        return _record_step(actor, line, verb="cancel", before=before, after=after, day=day,
                            units=line.quantity - line.delivered_quantity, expected_version=expected_version,
                            note=reason.strip(), extra={"cancel_reason": reason.strip()})


def line_split(*, actor: Actor, line_id: int, quantity: int, effective_date: date | None = None,
               expected_version: int | None = None) -> tuple[PledgeLine, PledgeLine]:
    """Split `quantity` units off into a new line at the same stage: (the line, the new line).

    Values split in proportion to the units, the new line's rounded half-up to the cent and the line keeping
    the exact rest, so the two add up to the original to the cent (in EUR and in the original currency).
    """
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "split")
        day = _effective_date(effective_date, package, line)
        before = line_state(line)
        try:
            kept_state, new_state = lifecycle.split(before, quantity)
        except lifecycle.IllegalTransition as exc:
            raise _fail(exc.field, str(exc)) from exc
        eur_taken, eur_kept = valuation.split_value(line.value_eur, quantity, line.quantity)
        amount_taken, amount_kept = valuation.split_value(line.value_amount, quantity, line.quantity)
        codes = _codes(line)
        new = PledgeLine(
            package=package, originator_id=line.originator_id, item_type_id=line.item_type_id,
            description=line.description, quantity=new_state.quantity, value_amount=amount_taken,
            currency=line.currency, value_date=line.value_date, fx_rate=line.fx_rate, value_eur=eur_taken,
            valuation_method=line.valuation_method, available_from=line.available_from,
            restrictions=line.restrictions, restriction_flags=list(line.restriction_flags),
            excluded_uses=list(line.excluded_uses), status=line.status, requirement_id=line.requirement_id,
            split_from=line, classification=line.classification, releasability=line.releasability,
        )
        new = writes.create(actor=actor, obj=new, rel_to=codes or None, action="pledge_line.split_create",
                            permission="split", extra_audit={"split_from": [None, line.pk]})
        note = f"{quantity} unit(s) split off to line {new.pk}"
        line = writes.update(
            actor=actor, obj=line, changes={"quantity": kept_state.quantity, "value_eur": eur_kept,
                                            "value_amount": amount_kept},
            expected_version=expected_version, action="pledge_line.split", permission="split",
            extra_audit={"effective_date": [None, day.isoformat()], "note": [None, note]})
        PledgeEvent.objects.create(line=line, from_status=line.status, to_status=line.status, quantity=quantity,
                                   value_eur=eur_taken, effective_date=day, recorded_by_id=actor.user_id, note=note)
        PledgeEvent.objects.create(line=new, from_status="", to_status=new.status, quantity=new.quantity,
                                   value_eur=eur_taken, effective_date=day, recorded_by_id=actor.user_id,
                                   note=f"split off line {line.pk}")
        _after_lines(actor, [line.pk, new.pk], [line.requirement_id])
    return line, new
