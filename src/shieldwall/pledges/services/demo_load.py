"""A demo-only bulk loader: the pledge lines of a donor's packages written at once, each already taken through
its dated lifecycle steps. `shieldwall demo` puts about 1,500 lines in place with it in seconds; the step
services, at some thirty queries a step, would take minutes. Nothing but the demo calls it.

It checks what the line and step services check: the actor's right to create lines in the package, the item
type against the package's kind, the value and its ECB rate, the line's marking against the package's (never
wider), every step through the pure state machine (`pledges.lifecycle`) with its units, each step's date (not in
the future, not before the package date nor the step before), a requirement being visible to whoever names it
(the donor pledging against it, the coordinator allocating to it), active and satisfied by the item type, and,
once the lines exist, each step actor's right to its verb on the line (which includes seeing it). It writes the
same rows: the lines at their final stage, their REL TO rows and one dated, attributed `PledgeEvent` per step.

Two things differ, on purpose:
- ONE audit event per line (`pledge_line.load`), carrying the line as loaded and its steps (stage reached,
  date, units, who recorded it), instead of one event per step;
- the requirements' derived statuses are not refreshed here: the caller calls
  `needs.services.requirement_refresh_status` once per requirement after all the lines are loaded (inside the
  same transaction), which leaves them as the step services would have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from shieldwall.catalogue.models import Compatibility, ItemType
from shieldwall.coalition.models import Nation
from shieldwall.core import audit, writes
from shieldwall.core.access import rel_to_through
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.needs.models import ACTIVE_STATUSES, Requirement, UseCategory
from shieldwall.pledges import hooks, lifecycle, valuation
from shieldwall.pledges.models import Package, PackageSource, PledgeEvent, PledgeLine, Restriction
from shieldwall.pledges.services.rules import (
    LineSpec,
    _check_kind,
    _choices,
    _effective_date,
    _fail,
    _line_marking,
    _valuation,
    _visible_package,
)

VERBS = ("commit", "allocate", "contract", "ship", "deliver", "cancel")
# Foreign keys are resolved and checked by the loader itself; full_clean would query each one again.
_RESOLVED = ["package", "originator", "item_type", "requirement", "split_from"]


@dataclass(frozen=True)
class StepPlan:
    """One lifecycle step of a line: its verb, the day it took effect and who recorded it."""

    verb: str  # one of VERBS
    day: date
    actor: Actor
    units: int = 0  # ship and deliver: how many units
    requirement_id: int | None = None  # allocate: to which requirement
    reason: str = ""  # cancel: why


@dataclass(frozen=True)
class LinePlan:
    spec: LineSpec
    steps: Sequence[StepPlan] = ()


@dataclass
class _Event:
    verb: str
    before: str
    reached: str
    units: int
    day: date
    actor: Actor
    note: str = ""


@dataclass
class _Built:
    line: PledgeLine
    codes: list[str]
    events: list[_Event] = field(default_factory=list)


class _Requirements:
    """The batched form of `rules._requirement`: each actor's visible requirements among those the lines name,
    read once, then checked per line (active, satisfied by the item type) with the same messages."""

    def __init__(self, plans: Sequence[LinePlan], creator: Actor, item_types: dict[int, ItemType]) -> None:
        wanted: dict[str, tuple[Actor, set[int]]] = {}
        for plan in plans:
            pairs = [(creator, plan.spec.requirement_id)]
            pairs += [(step.actor, step.requirement_id) for step in plan.steps if step.verb == "allocate"]
            for actor, requirement_id in pairs:
                if requirement_id is not None:
                    wanted.setdefault(actor.username, (actor, set()))[1].add(requirement_id)
        self._visible = {
            username: {r.pk: r for r in Requirement.objects.visible_to(actor).select_related("item_class")
                       .filter(pk__in=ids)}
            for username, (actor, ids) in wanted.items()
        }
        classes = {r.item_class_id for seen in self._visible.values() for r in seen.values()}
        compatible = Compatibility.objects.filter(item_type_id__in=list(item_types), item_class_id__in=classes)
        self._compatible = set(compatible.values_list("item_type_id", "item_class_id"))

    def get(self, actor: Actor, requirement_id: int, item_type: ItemType | None) -> Requirement:
        found = self._visible.get(actor.username, {}).get(requirement_id)
        if found is None:
            raise _fail("requirement", f"requirement {requirement_id} not found")
        if found.status not in ACTIVE_STATUSES:
            raise _fail("requirement", f"requirement {requirement_id} is {found.get_status_display().lower()}; "
                                       "only open or partially met requirements take pledges")
        if item_type is None:
            raise _fail("requirement", "a financing line has no item type, so it cannot go to a requirement")
        satisfies = item_type.item_class_id == found.item_class_id or (
            (item_type.pk, found.item_class_id) in self._compatible)
        if not satisfies:
            raise _fail("requirement", f"{item_type.name} does not satisfy {found.item_class.name} (requirement "
                                       f"{requirement_id}); the catalogue lists which item types satisfy which "
                                       "classes")
        return found


class _Markings:
    """`rules._line_marking` once per package and marking asked for (most lines take their package's), since it
    reads the package's REL TO rows each time."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, int | None, str | None, tuple[str, ...] | None], tuple[int, str, list[str]]] = {}

    def get(self, package: Package, spec: LineSpec) -> tuple[int, str, list[str]]:
        rel_to = None if spec.rel_to is None else tuple(spec.rel_to)
        key = (package.pk, spec.classification, spec.releasability, rel_to)
        if key not in self._seen:
            self._seen[key] = _line_marking(package, spec.classification, spec.releasability, spec.rel_to)
        cls, rel, codes = self._seen[key]
        return cls, rel, list(codes)


def lines_load(*, actor: Actor, lines: Mapping[int, Sequence[LinePlan]]) -> list[PledgeLine]:
    """Create the lines of one or more packages (package id → its lines), each line at the stage its steps take
    it to; all or none (see the module doc)."""
    plans = [plan for package_lines in lines.values() for plan in package_lines]
    with transaction.atomic():
        packages = {pk: _visible_package(actor, pk) for pk in lines}
        for package in packages.values():
            writes.require(actor, "create", PledgeLine(package=package, originator_id=package.originator_id))
        wanted_types = {plan.spec.item_type_id for plan in plans if plan.spec.item_type_id is not None}
        item_types = {t.pk: t for t in ItemType.objects.select_related("item_class").filter(pk__in=wanted_types)}
        requirements = _Requirements(plans, actor, item_types)
        markings = _Markings()
        built = [_build(actor, packages[pk], plan, item_types, requirements, markings)
                 for pk, package_lines in lines.items() for plan in package_lines]
        created = PledgeLine.objects.bulk_create([b.line for b in built])
        _store_rel_to(built)
        for b in built:
            # Now that the line and its REL TO rows exist, each actor's right includes seeing it.
            writes.require(actor, "create", b.line)
            for event in b.events[1:]:
                writes.require(event.actor, event.verb, b.line)
        PledgeEvent.objects.bulk_create([
            PledgeEvent(line=b.line, from_status=e.before, to_status=e.reached, quantity=e.units,
                        value_eur=valuation.part_value(b.line.value_eur, e.units, b.line.quantity),
                        effective_date=e.day, recorded_by_id=e.actor.user_id, note=e.note[:300])
            for b in built for e in b.events])
        origins = {pk: package.originator.code for pk, package in packages.items()}
        for b in built:
            _audit(actor, b, origins[b.line.package_id])
        ids = [line.pk for line in created]
        transaction.on_commit(lambda: hooks.lines_changed(ids))
    return created


def _build(actor: Actor, package: Package, plan: LinePlan, item_types: dict[int, ItemType],
           requirements: _Requirements, markings: _Markings) -> _Built:
    spec = plan.spec
    item_type = None
    if spec.item_type_id is not None:
        item_type = item_types.get(spec.item_type_id)
        if item_type is None:
            raise _fail("item_type", f"item type {spec.item_type_id} not found")
    _check_kind(package, item_type, spec.quantity)
    value = _valuation(spec.value_amount, spec.currency, spec.value_date or package.date)
    requirement = requirements.get(actor, spec.requirement_id, item_type) if spec.requirement_id else None
    cls, rel, codes = markings.get(package, spec)
    day = _effective_date(package.date, package)
    state = lifecycle.LineState(status=lifecycle.ANNOUNCED, quantity=spec.quantity)
    events = [_Event("create", "", lifecycle.ANNOUNCED, spec.quantity, day, actor)]
    cancel_reason = ""
    for step in plan.steps:
        _step_day(step.day, package, events[-1].day)
        try:
            state, event, requirement = _apply(step, state, package, item_type, requirement, requirements)
        except lifecycle.IllegalTransition as exc:
            raise _fail(exc.field, str(exc)) from exc
        events.append(event)
        if step.verb == "cancel":
            cancel_reason = step.reason.strip()
    line = PledgeLine(
        package=package, originator_id=package.originator_id, item_type=item_type, description=spec.description,
        quantity=spec.quantity, value_amount=value.amount, currency=value.currency, value_date=value.value_date,
        fx_rate=value.rate, value_eur=value.eur, valuation_method=spec.valuation_method,
        available_from=spec.available_from, restrictions=spec.restrictions,
        restriction_flags=_choices("restriction_flags", spec.restriction_flags, Restriction.values),
        excluded_uses=_choices("excluded_uses", spec.excluded_uses, UseCategory.values),
        requirement=requirement, classification=cls, releasability=rel, status=state.status,
        shipped_quantity=state.shipped, delivered_quantity=state.delivered, cancel_reason=cancel_reason,
        version=len(events),  # one version per write, as the step services count them
    )
    try:
        line.full_clean(exclude=_RESOLVED, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    return _Built(line, codes, events)


def _step_day(day: date, package: Package, previous: date) -> None:
    _effective_date(day, package)
    if day < previous:
        raise _fail("date", f"a step cannot take effect before the line's previous step ({previous})")


def _apply(step: StepPlan, state: lifecycle.LineState, package: Package, item_type: ItemType | None,
           requirement: Requirement | None, requirements: _Requirements,
           ) -> tuple[lifecycle.LineState, _Event, Requirement | None]:
    """The state after one step, its event and the line's requirement after it."""
    before, units, note, reached = state.status, state.quantity, "", None
    # The actor's right to the verb first, as the step services check it before anything else (whether the
    # actor may also see the line is checked once it exists).
    writes.require(step.actor, step.verb, PledgeLine(package=package, originator_id=package.originator_id))
    if step.verb == "commit":
        state = lifecycle.commit(state)
    elif step.verb == "allocate":
        lifecycle.allocate(state, 0)  # the stage first: a clearer error than the requirement's
        if step.requirement_id is None:
            raise _fail("requirement", "say which requirement the line is allocated to")
        requirement = requirements.get(step.actor, step.requirement_id, item_type)
        state, note = lifecycle.allocate(state, requirement.pk), f"to requirement {requirement.pk}"
    elif step.verb == "contract":
        state = lifecycle.contract(state)
    elif step.verb == "ship":
        state, units = lifecycle.ship(state, step.units, from_stock=package.source == PackageSource.STOCK), step.units
    elif step.verb == "deliver":
        # The delivered units reached "delivered" even while the line stays shipped (see `services.steps`).
        state, units, reached = lifecycle.deliver(state, step.units), step.units, lifecycle.DELIVERED
        if state.status != lifecycle.DELIVERED:
            note = f"{state.delivered} of {state.quantity} units delivered"
    elif step.verb == "cancel":
        units, note = state.quantity - state.delivered, step.reason.strip()
        state = lifecycle.cancel(state, step.reason)
    else:
        raise _fail("steps", f"unknown step {step.verb!r}; use one of {', '.join(VERBS)}")
    event = _Event(step.verb, before, reached or state.status, units, step.day, step.actor, note)
    return state, event, requirement


def _store_rel_to(built: Sequence[_Built]) -> None:
    codes = {code for b in built for code in b.codes}
    if not codes:
        return
    ids = dict(Nation.objects.filter(code__in=codes).values_list("code", "id"))
    through = PledgeLine.rel_to.through
    _, source = rel_to_through(PledgeLine)
    through.objects.bulk_create([through(**{f"{source}_id": b.line.pk, "nation_id": ids[code]})
                                 for b in built for code in b.codes])


def _audit(actor: Actor, built: _Built, origin: str) -> None:
    line = built.line
    changes = {name: [None, value] for name, value in audit.snapshot(line, writes.audited_fields(line)).items()}
    changes["rel_to"] = [None, built.codes]
    changes["steps"] = [None, [[e.reached, e.day.isoformat(), e.units, e.actor.username, e.note]
                               for e in built.events]]
    marking = audit.EventMarking.of(line.classification, line.releasability, origin, built.codes)
    audit.record(actor=actor, action="pledge_line.load", obj=line, changes=changes, marking=marking)
