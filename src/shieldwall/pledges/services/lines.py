"""Pledge lines: create, and update what the line's stage lets change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction

from shieldwall.catalogue.models import ItemType
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.needs.models import UseCategory
from shieldwall.pledges.models import (
    LineStatus,
    Package,
    PledgeLine,
    Restriction,
)
from shieldwall.pledges.services.rules import (
    CLOSED,
    LineSpec,
    _after_lines,
    _check_kind,
    _choices,
    _effective_date,
    _event,
    _fail,
    _item_type,
    _line_marking,
    _locked_line,
    _requirement,
    _valuation,
    _visible_package,
)

# What may change on a line, and until when.
EDITABLE_WHILE_OPEN = {"description", "available_from", "restrictions", "restriction_flags", "excluded_uses",
                       "classification", "releasability", "rel_to"}
EDITABLE_WHILE_ANNOUNCED = {"item_type_id", "quantity", "value_amount", "currency", "value_date",
                            "valuation_method"}
EDITABLE_BEFORE_ALLOCATION = {"requirement_id"}


def _new_line(actor: Actor, package: Package, spec: LineSpec, item_type: ItemType | None,
              *, package_codes: Sequence[str] | None = None) -> tuple[PledgeLine, list[str]]:
    """The unsaved line `spec` describes in `package`, checked against the package (kind, value, requirement,
    marking), and its REL TO codes."""
    _check_kind(package, item_type, spec.quantity)
    value = _valuation(spec.value_amount, spec.currency, spec.value_date or package.date)
    requirement = _requirement(actor, spec.requirement_id, item_type) if spec.requirement_id else None
    cls, rel, codes = _line_marking(package, spec.classification, spec.releasability, spec.rel_to,
                                    package_codes=package_codes)
    line = PledgeLine(
        package=package, originator_id=package.originator_id, item_type=item_type,
        description=spec.description, quantity=spec.quantity, value_amount=value.amount, currency=value.currency,
        value_date=value.value_date, fx_rate=value.rate, value_eur=value.eur,
        valuation_method=spec.valuation_method, available_from=spec.available_from,
        restrictions=spec.restrictions,
        restriction_flags=_choices("restriction_flags", spec.restriction_flags, Restriction.values),
        excluded_uses=_choices("excluded_uses", spec.excluded_uses, UseCategory.values),
        requirement=requirement, classification=cls, releasability=rel,
    )
    return line, codes


def _create_line(actor: Actor, package: Package, spec: LineSpec, effective_date: date | None,
                 *, permission: str = "create") -> PledgeLine:
    line, codes = _new_line(actor, package, spec, _item_type(spec.item_type_id))
    day = _effective_date(effective_date, package)
    line = writes.create(actor=actor, obj=line, rel_to=codes, action="pledge_line.create", permission=permission)
    _event(line, actor, before="", after=LineStatus.ANNOUNCED, units=line.quantity, day=day)
    return line


def line_create(*, actor: Actor, package_id: int, line: LineSpec, effective_date: date | None = None) -> PledgeLine:
    with transaction.atomic():
        package = _visible_package(actor, package_id)
        created = _create_line(actor, package, line, effective_date)
        _after_lines(actor, [created.pk], [created.requirement_id])
    return created


def line_update(*, actor: Actor, id: int, expected_version: int | None = None, **changes: Any) -> PledgeLine:
    """Change a line's details; what may change depends on how far the line has come (see the module doc)."""
    allowed = EDITABLE_WHILE_OPEN | EDITABLE_WHILE_ANNOUNCED | EDITABLE_BEFORE_ALLOCATION
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed({name: ["this field cannot be changed"] for name in unknown})
    with transaction.atomic():
        line, package = _locked_line(actor, id, "change")
        writes.check_version(line, expected_version)
        _check_editable(line, changes)
        fields, rel_to = _line_changes(actor, line, package, changes)
        old_requirement = line.requirement_id
        line = writes.update(actor=actor, obj=line, changes=fields, expected_version=expected_version,
                             rel_to=rel_to, action="pledge_line.update")
        _after_lines(actor, [line.pk], [old_requirement, line.requirement_id])
    return line


def editable_fields(line: PledgeLine) -> set[str]:
    """What `line_update` may change on this line at its stage."""
    if line.status in CLOSED:
        return set()
    fields = set(EDITABLE_WHILE_OPEN)
    if line.status == LineStatus.ANNOUNCED:
        fields |= EDITABLE_WHILE_ANNOUNCED
    if line.status in (LineStatus.ANNOUNCED, LineStatus.COMMITTED):
        fields |= EDITABLE_BEFORE_ALLOCATION
    return fields


def _check_editable(line: PledgeLine, changes: dict[str, Any]) -> None:
    if line.status in CLOSED:
        raise _fail("status", f"a {line.status} line is closed and cannot be changed")
    errors: dict[str, list[str]] = {}
    if line.status != LineStatus.ANNOUNCED:
        for name in sorted(set(changes) & EDITABLE_WHILE_ANNOUNCED):
            errors[name] = [f"fixed once the line is committed (it is {line.status}); cancel it and pledge anew"]
    if line.status not in (LineStatus.ANNOUNCED, LineStatus.COMMITTED) and "requirement_id" in changes:
        errors["requirement"] = [f"the line is {line.status}; a coordinator allocates and deallocates it"]
    if errors:
        raise ValidationFailed(errors)


def _line_changes(actor: Actor, line: PledgeLine, package: Package,
                  changes: dict[str, Any]) -> tuple[dict[str, Any], list[str] | None]:
    new = dict(changes)
    fields: dict[str, Any] = {}
    item_type = _item_type(new.pop("item_type_id")) if "item_type_id" in new else _item_type(line.item_type_id)
    if "item_type_id" in changes:
        fields["item_type"] = item_type
    quantity = new.get("quantity", line.quantity)
    _check_kind(package, item_type, quantity)
    if {"value_amount", "currency", "value_date"} & set(new):
        value = _valuation(new.pop("value_amount", line.value_amount), new.pop("currency", line.currency),
                           new.pop("value_date", line.value_date))
        fields.update(value_amount=value.amount, currency=value.currency, value_date=value.value_date,
                      fx_rate=value.rate, value_eur=value.eur)
    if "requirement_id" in new:
        requirement_id = new.pop("requirement_id")
        fields["requirement"] = _requirement(actor, requirement_id, item_type) if requirement_id else None
    elif "item_type_id" in changes and line.requirement_id:
        fields["requirement"] = _requirement(actor, line.requirement_id, item_type)
    for name, allowed in (("restriction_flags", Restriction.values), ("excluded_uses", UseCategory.values)):
        if name in new:
            fields[name] = _choices(name, new.pop(name) or (), allowed)
    rel_to = new.pop("rel_to", None)
    marking_keys = {"classification", "releasability"}
    if marking_keys & set(new) or rel_to is not None:
        cls, rel, codes = _line_marking(package, new.pop("classification", None), new.pop("releasability", None),
                                        rel_to, current=line)
        fields.update(classification=cls, releasability=rel)
        rel_to = codes
    fields.update(new)
    return fields, rel_to
