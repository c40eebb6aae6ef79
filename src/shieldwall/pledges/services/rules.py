"""Rules shared by the pledge services: inputs, checks of values, markings, requirements and dates, the
lifecycle event, and what follows a change of lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shieldwall.catalogue.models import Compatibility, ItemType
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, ValidationFailed
from shieldwall.core.markings import Releasability, format_marking
from shieldwall.needs.models import ACTIVE_STATUSES, Requirement
from shieldwall.pledges import hooks, importing, valuation
from shieldwall.pledges.models import (
    LineStatus,
    Package,
    PackageSource,
    PledgeEvent,
    PledgeLine,
    ValuationMethod,
)

ONE = Decimal(1)
SHARE_PLACES = 6
CLOSED = (LineStatus.DELIVERED, LineStatus.CANCELLED)


@dataclass(frozen=True)
class FunderShare:
    nation: str
    share: Decimal


@dataclass(frozen=True)
class LineSpec:
    """What a donor pledges in one line; unset marking fields take the package's."""

    quantity: int = 1
    value_amount: Decimal = Decimal(0)
    currency: str = "EUR"
    value_date: date | None = None  # default: the package date
    item_type_id: int | None = None
    description: str = ""
    valuation_method: str = ValuationMethod.REPORTED
    available_from: date | None = None
    restrictions: str = ""
    restriction_flags: Sequence[str] = ()
    excluded_uses: Sequence[str] = ()
    requirement_id: int | None = None
    classification: int | None = None
    releasability: str | None = None
    rel_to: Sequence[str] | None = None


@dataclass(frozen=True)
class ImportReport:
    dry_run: bool
    rows: int  # data rows read
    valid: int  # rows that can be (or were) imported
    errors: list[importing.RowError] = field(default_factory=list)
    created: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _today() -> date:
    return timezone.localdate()


def _fail(name: str, message: str) -> ValidationFailed:
    return ValidationFailed({name: [message]})


def _codes(obj: Package | PledgeLine) -> list[str]:
    return sorted(obj.rel_to.values_list("code", flat=True))


def _visible_package(actor: Actor, package_id: int) -> Package:
    package = Package.objects.visible_to(actor).filter(pk=package_id).first()
    if package is None:
        raise NotFound(f"package {package_id} not found")
    return package


def _item_type(item_type_id: int | None) -> ItemType | None:
    if item_type_id is None:
        return None
    found = ItemType.objects.select_related("item_class").filter(pk=item_type_id).first()
    if found is None:
        raise _fail("item_type", f"item type {item_type_id} not found")
    return found


def _check_kind(package: Package, item_type: ItemType | None, quantity: int) -> None:
    if package.source == PackageSource.FINANCING:
        if item_type is not None:
            raise _fail("item_type", "a financing package holds amounts of money: leave the item type empty")
        if quantity != 1:
            raise _fail("quantity", "a financing line is one amount of money: its quantity is 1")
    elif item_type is None:
        raise _fail("item_type", "choose the item type (only financing packages hold amounts of money)")


def _valuation(amount: Decimal, currency: str, on: date) -> valuation.Valuation:
    code = (currency or "").strip().upper()
    if code not in valuation.currencies():
        raise _fail("currency", f"{currency!r} is not a currency with ECB reference rates")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise _fail("value_amount", "the value is an amount of zero or more")
    if on > _today():
        raise _fail("value_date", "the value date cannot be in the future (its ECB rate is not known yet)")
    try:
        return valuation.to_eur(amount, code, on)
    except valuation.ValuationError as exc:
        raise _fail("value_date", str(exc)) from exc


def _choices(name: str, values: Iterable[str], allowed: Sequence[str]) -> list[str]:
    items = list(dict.fromkeys(str(v) for v in values))
    unknown = [v for v in items if v not in allowed]
    if unknown:
        raise _fail(name, f"unknown value(s) {', '.join(unknown)}; use {', '.join(allowed)}")
    return items


def _requirement(actor: Actor, requirement_id: int, item_type: ItemType | None) -> Requirement:
    """A requirement a line may go to: visible to the actor, on the active list, satisfied by the item type."""
    found = (Requirement.objects.visible_to(actor).select_related("item_class")
             .filter(pk=requirement_id).first())
    if found is None:
        raise _fail("requirement", f"requirement {requirement_id} not found")
    if found.status not in ACTIVE_STATUSES:
        raise _fail("requirement", f"requirement {requirement_id} is {found.get_status_display().lower()}; only "
                                   "open or partially met requirements take pledges")
    if item_type is None:
        raise _fail("requirement", "a financing line has no item type, so it cannot go to a requirement")
    satisfies = item_type.item_class_id == found.item_class_id or Compatibility.objects.filter(
        item_type=item_type, item_class_id=found.item_class_id).exists()
    if not satisfies:
        raise _fail("requirement", f"{item_type.name} does not satisfy {found.item_class.name} (requirement "
                                   f"{requirement_id}); the catalogue lists which item types satisfy which classes")
    return found


def _widens(package: Package, classification: int, releasability: str, codes: Sequence[str],
            package_codes: Sequence[str] | None = None) -> bool:
    """Would a line with this marking be released further than its package?"""
    if classification < package.classification:
        return True
    if package.releasability == Releasability.PUBLIC:
        return False
    if package.releasability == Releasability.COALITION:
        return releasability == Releasability.PUBLIC
    allowed = set(package_codes if package_codes is not None else _codes(package))
    return releasability != Releasability.REL_TO or not set(codes) <= allowed


def _line_marking(package: Package, classification: int | None, releasability: str | None,
                  rel_to: Sequence[str] | None, current: PledgeLine | None = None,
                  *, package_codes: Sequence[str] | None = None) -> tuple[int, str, list[str]]:
    """The line's marking: given values, else the line's current ones, else the package's; never wider.

    `package_codes`: the package's REL TO codes when the caller has read them already (an import, per file)."""
    package_codes = _codes(package) if package_codes is None else list(package_codes)
    base_cls = current.classification if current else package.classification
    base_rel = current.releasability if current else package.releasability
    cls = base_cls if classification is None else int(classification)
    rel = base_rel if releasability is None else releasability
    if rel_to is not None:
        codes = sorted({c.strip().upper() for c in rel_to if c.strip()})
    elif current is not None and rel == current.releasability:
        codes = _codes(current)
    else:
        codes = package_codes if rel == Releasability.REL_TO else []
    if rel == Releasability.REL_TO and package.originator.code not in codes and codes:
        codes = sorted({*codes, package.originator.code})
    if _widens(package, cls, rel, codes, package_codes):
        shown = format_marking(package.classification, package.releasability, package_codes)
        raise _fail("releasability", f"a line cannot be released further than its package ({shown})")
    return cls, rel, codes if rel == Releasability.REL_TO else []


def _effective_date(given: date | None, package: Package, line: PledgeLine | None = None) -> date:
    day = given or _today()
    if day > _today():
        raise _fail("date", "a step cannot take effect in the future")
    if day < package.date:
        raise _fail("date", f"a step cannot take effect before the package date ({package.date})")
    if line is not None:
        last = PledgeEvent.objects.filter(line=line).aggregate(last=Max("effective_date"))["last"]
        if last is not None and day < last:
            raise _fail("date", f"a step cannot take effect before the line's previous step ({last})")
    return day


def _new_event(line: PledgeLine, actor: Actor, *, before: str, after: str, units: int, day: date,
               note: str = "") -> PledgeEvent:
    """The lifecycle event of a step, not saved yet (an import saves its lines' events at once)."""
    return PledgeEvent(
        line=line, from_status=before, to_status=after, quantity=units,
        value_eur=valuation.part_value(line.value_eur, units, line.quantity), effective_date=day,
        recorded_by_id=actor.user_id, note=note[:300],
    )


def _event(line: PledgeLine, actor: Actor, *, before: str, after: str, units: int, day: date,
           note: str = "") -> PledgeEvent:
    event = _new_event(line, actor, before=before, after=after, units=units, day=day, note=note)
    event.save(force_insert=True)
    return event


def _after_lines(actor: Actor, line_ids: Sequence[int], requirement_ids: Iterable[int | None]) -> None:
    """Requirements recompute their status now (same transaction); the hook runs once it has committed."""
    from shieldwall.needs import services as needs_services

    wanted = {r for r in requirement_ids if r is not None}
    # Every requirement touched is refreshed, also one the actor cannot see (a donor cancelling a line a
    # coordinator allocated to it): the refresh then runs as the requirement's own nation and reveals nothing.
    for requirement_id in sorted(wanted):
        needs_services.requirement_refresh_status(actor=actor, requirement_id=requirement_id)
    ids = sorted(set(line_ids))
    if ids:
        transaction.on_commit(lambda: hooks.lines_changed(ids))


def _locked_line(actor: Actor, line_id: int, verb: str) -> tuple[PledgeLine, Package]:
    """The line (visible, locked) and its package, once the actor's right to `verb` it is checked."""
    line: PledgeLine = writes.get_visible_for_update(PledgeLine.objects, actor=actor, pk=line_id)
    writes.require(actor, verb, line)
    package = Package.objects.visible_to(actor).select_related("originator").filter(pk=line.package_id).first()
    if package is None:
        raise NotFound(f"pledge line {line_id} not found")
    return line, package
