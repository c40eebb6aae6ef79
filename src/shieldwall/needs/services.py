"""Writes to the requirements list: recipient officers create, edit (while draft) and submit their nation's
requirements; coordinators validate, return, open and reprioritise them; either withdraws. The derived statuses
(partially met, met) follow the pledge lines through `requirement_refresh_status`.

Every step checks the actor's right to that action, the lifecycle (`needs.lifecycle`), validates, runs in one
transaction and appends an audit event named after the action (`requirement.submit` …).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from shieldwall.catalogue.models import ItemClass
from shieldwall.core import writes
from shieldwall.core.access import originator_actor
from shieldwall.core.actor import Actor
from shieldwall.core.errors import Conflict, NotFound, ValidationFailed
from shieldwall.core.markings import Classification
from shieldwall.needs import lifecycle
from shieldwall.needs.models import Requirement

EDITABLE_FIELDS = {"title", "item_class", "quantity", "priority", "need_by", "destination", "use_category",
                   "justification", "classification", "releasability"}


def _item_class(pk: int) -> ItemClass:
    obj = ItemClass.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed({"item_class_id": [f"item class {pk} does not exist"]})
    return obj


def requirement_create(
    *, actor: Actor, item_class_id: int, quantity: int, need_by: date, destination: str, priority: int = 3,
    use_category: str = "front_line", justification: str = "", title: str = "",
    classification: int = int(Classification.UNCLASSIFIED), releasability: str = "COALITION",
    rel_to: Iterable[str] = (),
) -> Requirement:
    """A draft requirement of the actor's nation (its originator)."""
    obj = Requirement(item_class=_item_class(item_class_id), quantity=quantity, need_by=need_by,
                      destination=destination, priority=priority, use_category=use_category,
                      justification=justification, title=title, classification=classification,
                      releasability=releasability)
    return writes.create(actor=actor, obj=obj, rel_to=list(rel_to))


def requirement_update(
    *, actor: Actor, id: int, expected_version: int | None = None, rel_to: Iterable[str] | None = None,
    **changes: Any,
) -> Requirement:
    """Change a draft's content; once submitted it changes only through the lifecycle (return it to draft)."""
    if "item_class_id" in changes:
        changes["item_class"] = _item_class(changes.pop("item_class_id"))
    bad = sorted(set(changes) - EDITABLE_FIELDS)
    if bad:
        raise ValidationFailed({name: ["this field cannot be changed here"] for name in bad})
    with transaction.atomic():
        obj: Requirement = writes.get_visible_for_update(Requirement.objects, actor=actor, pk=id)
        if obj.status not in lifecycle.EDITABLE:
            writes.require(actor, "change", obj)
            raise Conflict(f"a {obj.get_status_display().lower()} requirement cannot be edited; only drafts can "
                           "(a coordinator can return it to draft)")
        return writes.update(actor=actor, obj=obj, changes=changes, expected_version=expected_version,
                             rel_to=None if rel_to is None else list(rel_to))


def _step(
    *, actor: Actor, id: int, action: str, expected_version: int | None, reason: str = "",
    priority: int | None = None,
) -> Requirement:
    with transaction.atomic():
        obj: Requirement = writes.get_visible_for_update(Requirement.objects, actor=actor, pk=id)
        writes.require(actor, action, obj)
        try:
            step = lifecycle.check(obj.status, action)
        except lifecycle.IllegalStep as exc:
            raise Conflict(str(exc)) from exc
        reason = " ".join(reason.split())
        if step.needs_reason and not reason:
            verb = "returned" if action == "return" else "withdrawn"
            raise ValidationFailed({"reason": [f"say why the requirement is {verb}"]})
        changes: dict[str, Any] = {}
        if step.target is not None:
            changes = {"status": step.target, "status_changed_at": timezone.now(), "status_reason": reason}
        if priority is not None:
            changes["priority"] = priority
        return writes.update(actor=actor, obj=obj, changes=changes, expected_version=expected_version,
                             action=f"requirement.{action}", permission=action)


def requirement_transition(
    *, actor: Actor, id: int, action: str, reason: str = "", priority: int | None = None,
    expected_version: int | None = None,
) -> Requirement:
    """Any lifecycle step by its name (`submit`, `validate`, `open`, `return`, `withdraw`, `reprioritise`), for
    adapters that offer the steps as buttons."""
    if action not in lifecycle.STEPS:
        raise ValidationFailed({"action": [f"unknown step {action!r}; use one of {', '.join(lifecycle.STEPS)}"]})
    if action == "reprioritise":
        if priority is None:
            raise ValidationFailed({"priority": ["give the new priority (1 = most urgent … 5)"]})
        return requirement_reprioritise(actor=actor, id=id, priority=priority, expected_version=expected_version)
    return _step(actor=actor, id=id, action=action, expected_version=expected_version, reason=reason)


def requirement_submit(*, actor: Actor, id: int, expected_version: int | None = None) -> Requirement:
    return _step(actor=actor, id=id, action="submit", expected_version=expected_version)


def requirement_validate(*, actor: Actor, id: int, expected_version: int | None = None) -> Requirement:
    return _step(actor=actor, id=id, action="validate", expected_version=expected_version)


def requirement_open(*, actor: Actor, id: int, expected_version: int | None = None) -> Requirement:
    """Publish a validated requirement to the list donors pledge against."""
    return _step(actor=actor, id=id, action="open", expected_version=expected_version)


def requirement_return(*, actor: Actor, id: int, reason: str, expected_version: int | None = None) -> Requirement:
    """Send a submitted or validated requirement back to its originator as a draft, saying why."""
    return _step(actor=actor, id=id, action="return", expected_version=expected_version, reason=reason)


def requirement_withdraw(*, actor: Actor, id: int, reason: str, expected_version: int | None = None) -> Requirement:
    return _step(actor=actor, id=id, action="withdraw", expected_version=expected_version, reason=reason)


def requirement_reprioritise(
    *, actor: Actor, id: int, priority: int, expected_version: int | None = None
) -> Requirement:
    if not 1 <= int(priority) <= 5:
        raise ValidationFailed({"priority": ["priority runs from 1 (most urgent) to 5"]})
    return _step(actor=actor, id=id, action="reprioritise", expected_version=expected_version,
                 priority=int(priority))


def requirement_refresh_status(*, actor: Actor, requirement_id: int) -> Requirement:
    """Derive open / partially met / met from the pledge lines against the requirement; call it after a line
    allocated to or delivered against it changes (inside the same transaction).

    Definition: the *allocated quantity* is the sum of `quantity` over pledge lines with `requirement` = this
    one whose status is allocated or later (allocated, contracted, shipped, delivered — announced, committed and
    cancelled lines do not count). Nothing allocated → open; some but less than the required quantity →
    partially met; at least the required quantity → met. The lines counted are those the requirement's
    originating nation may see at the deployment ceiling, whoever triggers the refresh, so the status does not
    depend on who caused it and never rests on a line its owner cannot see.

    Only requirements already published (open, partially met, met) move; drafts, submitted, validated and
    withdrawn ones are left as they are. An unchanged status writes nothing; a change bumps the version and is
    audited as `requirement.refresh_status` — under the actor's name when the actor may see the requirement,
    otherwise as "status of requirement N" (the derivation), so a hidden requirement still follows its lines
    without anything about it reaching the actor. NotFound if the requirement does not exist.
    """
    from shieldwall.pledges.models import ALLOCATED_OR_LATER, PledgeLine

    deriver = originator_actor(Requirement, requirement_id, purpose=f"status of requirement {requirement_id}")
    if deriver is None:
        raise NotFound(f"requirement {requirement_id} not found")
    if not Requirement.objects.visible_to(actor).filter(pk=requirement_id).exists():
        actor = deriver
    with transaction.atomic():
        obj: Requirement = writes.get_visible_for_update(
            Requirement.objects.select_related("originator"), actor=actor, pk=requirement_id)
        writes.require(actor, "refresh_status", obj)
        if obj.status not in lifecycle.DERIVED:
            return obj
        lines = PledgeLine.objects.visible_to(deriver).filter(
            requirement_id=obj.pk, status__in=ALLOCATED_OR_LATER)
        allocated = lines.aggregate(total=Sum("quantity"))["total"] or 0
        status = lifecycle.derived_status(required=obj.quantity, allocated=allocated)
        if status == obj.status:
            return obj
        # The quantity stays out of the event: it may rest on lines some readers of the log may not see.
        return writes.update(actor=actor, obj=obj, changes={"status": status, "status_changed_at": timezone.now(),
                                                            "status_reason": ""},
                             action="requirement.refresh_status", permission="refresh_status")
