"""Writes of pledges: packages with their funders, pledge lines, each step of a line's lifecycle (a dated,
attributed `PledgeEvent` next to the audit event), splits, and imports from CSV or XLSX.

Every write goes through `core.writes` (permission, validation, one transaction, the write re-check, the audit
event). After lines change, the requirements they are pledged against or allocated to recompute their status
in the same transaction (`needs.services.requirement_refresh_status`), and `hooks.lines_changed` runs once the
transaction has committed.

Rules beyond the models' own:
- a package's funders' shares add up to exactly 1, and the actor's nation — the originator — is the lead funder;
  without funders the package is wholly the actor's nation's;
- a line's marking defaults to its package's and may narrow it, never widen it (a line released further than
  its package would reveal the package);
- a financing package holds amounts of money (no item type, quantity 1), the others hold item types;
- item type, quantity and value are fixed once a line is committed (a formal promise is not edited: cancel it and
  pledge anew), and a closed line (delivered or cancelled) is not edited at all;
- a step takes effect on the date the user gives (default today): not in the future, not before the package
  date, not before the line's previous step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from shieldwall.catalogue.models import Compatibility, ItemType
from shieldwall.coalition.models import Announcement, Nation
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, ValidationFailed
from shieldwall.core.markings import Classification, Releasability, format_marking
from shieldwall.needs.models import ACTIVE_STATUSES, Requirement, UseCategory
from shieldwall.pledges import hooks, importing, lifecycle, valuation
from shieldwall.pledges.models import (
    LineStatus,
    Package,
    PackageFunder,
    PackageSource,
    PledgeEvent,
    PledgeLine,
    Restriction,
    ValuationMethod,
)

ONE = Decimal(1)
SHARE_PLACES = 6
CLOSED = (LineStatus.DELIVERED, LineStatus.CANCELLED)
# What may change on a line, and until when.
EDITABLE_WHILE_OPEN = {"description", "available_from", "restrictions", "restriction_flags", "excluded_uses",
                       "classification", "releasability", "rel_to"}
EDITABLE_WHILE_ANNOUNCED = {"item_type_id", "quantity", "value_amount", "currency", "value_date",
                            "valuation_method"}
EDITABLE_BEFORE_ALLOCATION = {"requirement_id"}
PACKAGE_FIELDS = {"title", "date", "source", "announcement_id", "description", "classification", "releasability"}
_KEEP: Any = object()


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


# --- packages and funders ------------------------------------------------------------------------------------


def _funder_rows(actor: Actor, funders: Sequence[FunderShare] | None) -> list[tuple[int, str, Decimal]]:
    """(nation id, code, share) per funder, checked: shares in (0, 1] adding up to exactly 1, lead included."""
    if actor.nation_id is None or actor.nation_code is None:
        raise _fail("funders", "you have no nation, so you cannot pledge")
    if not funders:
        return [(actor.nation_id, actor.nation_code, ONE)]
    codes = [f.nation.strip().upper() for f in funders]
    errors: list[str] = []
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        errors.append(f"listed more than once: {', '.join(twice)}")
    for code, funder in zip(codes, funders, strict=True):
        share = Decimal(funder.share)
        if not (0 < share <= 1) or not share.is_finite():
            errors.append(f"{code}: a share is more than 0 and at most 1")
        elif share != share.quantize(Decimal(1).scaleb(-SHARE_PLACES)):
            errors.append(f"{code}: a share has at most {SHARE_PLACES} decimal places")
    total = sum((Decimal(f.share) for f in funders), Decimal(0))
    if total != ONE:
        errors.append(f"the shares add up to {total.normalize():f}, not exactly 1")
    if actor.nation_code not in codes:
        errors.append(f"your nation ({actor.nation_code}) originates the package, so it is the lead funder: "
                      "include it")
    found = dict(Nation.objects.filter(code__in=codes).values_list("code", "id"))
    unknown = sorted(set(codes) - set(found))
    if unknown:
        errors.append(f"unknown nation code(s): {', '.join(unknown)}")
    if errors:
        raise ValidationFailed({"funders": errors})
    return [(found[code], code, Decimal(f.share)) for code, f in zip(codes, funders, strict=True)]


def _funders_audit(rows: Iterable[tuple[int, str, Decimal]]) -> dict[str, str]:
    return {code: f"{share.normalize():f}" for _, code, share in sorted(rows, key=lambda r: r[1])}


def _set_funders(package: Package, rows: Sequence[tuple[int, str, Decimal]]) -> None:
    PackageFunder.objects.filter(package=package).delete()
    funders = [PackageFunder(package=package, nation_id=nid, share=share) for nid, _, share in rows]
    for funder in funders:
        try:
            funder.full_clean(exclude=["package"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise ValidationFailed({"funders": [str(m) for m in exc.messages]}) from exc
    PackageFunder.objects.bulk_create(funders)


def _current_funders(package: Package) -> list[tuple[int, str, Decimal]]:
    rows = PackageFunder.objects.filter(package=package).values_list("nation_id", "nation__code", "share")
    return [(nid, code, share) for nid, code, share in rows]


def _announcement(actor: Actor, announcement_id: int | None, funder_ids: set[int]) -> Announcement | None:
    if announcement_id is None:
        return None
    found = Announcement.objects.visible_to(actor).filter(pk=announcement_id).first()
    if found is None:
        raise _fail("announcement", f"announcement {announcement_id} not found")
    if found.nation_id not in funder_ids:
        raise _fail("announcement", "the announcing nation does not fund this package; choose an announcement "
                                    "of one of its funders")
    return found


def _package_date(day: date) -> date:
    if day > _today():
        raise _fail("date", "a package is dated when it was announced, which cannot be in the future")
    return day


def _codes(obj: Package | PledgeLine) -> list[str]:
    return sorted(obj.rel_to.values_list("code", flat=True))


def package_create(
    *,
    actor: Actor,
    title: str,
    date: date,
    source: str,
    funders: Sequence[FunderShare] | None = None,
    announcement_id: int | None = None,
    description: str = "",
    classification: int = Classification.UNCLASSIFIED,
    releasability: str = Releasability.COALITION,
    rel_to: Iterable[str] = (),
    lines: Sequence[LineSpec] = (),
    effective_date: date | None = None,
) -> Package:
    """A package of the actor's nation (the lead funder), with its funders and, optionally, its first lines."""
    rows = _funder_rows(actor, funders)
    with transaction.atomic():
        announcement = _announcement(actor, announcement_id, {nid for nid, _, _ in rows})
        package = Package(title=title, date=_package_date(date), source=source, announcement=announcement,
                          description=description, classification=classification, releasability=releasability)
        package = writes.create(actor=actor, obj=package, rel_to=list(rel_to),
                                extra_audit={"funders": [None, _funders_audit(rows)]})
        _set_funders(package, rows)
        # Lines given with the package were announced with it.
        created = [_create_line(actor, package, spec, effective_date or package.date) for spec in lines]
        _after_lines(actor, [line.pk for line in created], {line.requirement_id for line in created})
    return package


def package_update(
    *,
    actor: Actor,
    id: int,
    expected_version: int | None = None,
    funders: Sequence[FunderShare] | None = None,
    rel_to: Iterable[str] | None = None,
    **changes: Any,
) -> Package:
    unknown = sorted(set(changes) - PACKAGE_FIELDS)
    if unknown:
        raise ValidationFailed({name: ["this field cannot be changed"] for name in unknown})
    with transaction.atomic():
        package: Package = writes.get_visible_for_update(Package.objects, actor=actor, pk=id)
        writes.require(actor, "change", package)
        writes.check_version(package, expected_version)
        rows = _funder_rows(actor, funders) if funders is not None else _current_funders(package)
        extra: dict[str, Any] = {}
        if funders is not None:
            before = _funders_audit(_current_funders(package))
            if before != _funders_audit(rows):
                extra["funders"] = [before, _funders_audit(rows)]
        if "announcement_id" in changes:
            changes["announcement"] = _announcement(actor, changes.pop("announcement_id"),
                                                    {nid for nid, _, _ in rows})
        if "date" in changes:
            _check_package_date(package, _package_date(changes["date"]))
        if "source" in changes and changes["source"] != package.source:
            _check_source(package, changes["source"])
        package = writes.update(actor=actor, obj=package, changes=changes, expected_version=expected_version,
                                rel_to=None if rel_to is None else list(rel_to), extra_audit=extra)
        if funders is not None:
            _set_funders(package, rows)
        _check_lines_within(package)
    return package


def _check_package_date(package: Package, day: date) -> None:
    first = PledgeEvent.objects.filter(line__package=package).aggregate(first=Min("effective_date"))["first"]
    if first is not None and day > first:
        raise _fail("date", f"lines of this package have steps dated {first}; the package cannot be dated later")


def _check_source(package: Package, source: str) -> None:
    # Lines are counted through the plain reverse relation: an integrity check that reveals only a count.
    lines = package.lines.all()
    if source == PackageSource.FINANCING and lines.filter(item_type__isnull=False).exists():
        raise _fail("source", "the package has lines of items; a financing package holds amounts of money only")
    if source != PackageSource.FINANCING and lines.filter(item_type__isnull=True).exists():
        raise _fail("source", "the package has amounts of money; only a financing package holds them")


def _check_lines_within(package: Package) -> None:
    wider = [line for line in package.lines.prefetch_related("rel_to")
             if _widens(package, line.classification, line.releasability, [n.code for n in line.rel_to.all()])]
    if wider:
        raise _fail("releasability", f"{len(wider)} line(s) of this package would be released further than the "
                                     "package; narrow their marking first")


def package_delete(*, actor: Actor, id: int, expected_version: int | None = None) -> None:
    """Delete a package and its lines while every line is still only announced (a promise not yet made)."""
    with transaction.atomic():
        package: Package = writes.get_visible_for_update(Package.objects, actor=actor, pk=id)
        writes.require(actor, "delete", package)
        writes.check_version(package, expected_version)
        lines = list(package.lines.select_for_update().order_by("id"))
        later = [line for line in lines if line.status != LineStatus.ANNOUNCED]
        if later:
            raise _fail("__all__", f"{len(later)} line(s) of this package are past the announced stage; cancel "
                                   "them instead of deleting the package")
        for line in lines:
            writes.delete(actor=actor, obj=line)
        writes.delete(actor=actor, obj=package)
        _after_lines(actor, [line.pk for line in lines if line.pk], {line.requirement_id for line in lines})


# --- lines --------------------------------------------------------------------------------------------------


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
                  rel_to: Sequence[str] | None, current: PledgeLine | None = None) -> tuple[int, str, list[str]]:
    """The line's marking: given values, else the line's current ones, else the package's; never wider."""
    package_codes = _codes(package)
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


def _event(line: PledgeLine, actor: Actor, *, before: str, after: str, units: int, day: date,
           note: str = "") -> PledgeEvent:
    return PledgeEvent.objects.create(
        line=line, from_status=before, to_status=after, quantity=units,
        value_eur=valuation.part_value(line.value_eur, units, line.quantity), effective_date=day,
        recorded_by_id=actor.user_id, note=note[:300],
    )


def _create_line(actor: Actor, package: Package, spec: LineSpec, effective_date: date | None,
                 *, permission: str = "create") -> PledgeLine:
    item_type = _item_type(spec.item_type_id)
    _check_kind(package, item_type, spec.quantity)
    value = _valuation(spec.value_amount, spec.currency, spec.value_date or package.date)
    requirement = _requirement(actor, spec.requirement_id, item_type) if spec.requirement_id else None
    cls, rel, codes = _line_marking(package, spec.classification, spec.releasability, spec.rel_to)
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
    day = _effective_date(effective_date, package)
    line = writes.create(actor=actor, obj=line, rel_to=codes, action="pledge_line.create", permission=permission)
    _event(line, actor, before="", after=LineStatus.ANNOUNCED, units=line.quantity, day=day)
    return line


def _after_lines(actor: Actor, line_ids: Sequence[int], requirement_ids: Iterable[int | None]) -> None:
    """Requirements recompute their status now (same transaction); the hook runs once it has committed."""
    from shieldwall.needs import services as needs_services

    wanted = {r for r in requirement_ids if r is not None}
    # The refresh reads the requirement as the actor, who may not see one a coordinator allocated the line to
    # (a donor cancelling it); it is skipped then rather than failing the donor's step or revealing the record.
    visible = Requirement.objects.visible_to(actor).filter(pk__in=wanted).values_list("pk", flat=True) \
        if wanted else []
    for requirement_id in sorted(visible):
        needs_services.requirement_refresh_status(actor=actor, requirement_id=requirement_id)
    ids = sorted(set(line_ids))
    if ids:
        transaction.on_commit(lambda: hooks.lines_changed(ids))


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


# --- the lifecycle --------------------------------------------------------------------------------------------


def _locked_line(actor: Actor, line_id: int, verb: str) -> tuple[PledgeLine, Package]:
    """The line (visible, locked) and its package, once the actor's right to `verb` it is checked."""
    line: PledgeLine = writes.get_visible_for_update(PledgeLine.objects, actor=actor, pk=line_id)
    writes.require(actor, verb, line)
    package = Package.objects.visible_to(actor).select_related("originator").filter(pk=line.package_id).first()
    if package is None:
        raise NotFound(f"pledge line {line_id} not found")
    return line, package


def _state(line: PledgeLine) -> lifecycle.LineState:
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
    extra: dict[str, Any] | None = None,
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
    _event(line, actor, before=before.status, after=after.status, units=units, day=day, note=note)
    _after_lines(actor, [line.pk], [old_requirement, line.requirement_id])
    return line


def line_commit(*, actor: Actor, line_id: int, effective_date: date | None = None,
                expected_version: int | None = None) -> PledgeLine:
    """The donor's formal promise (announced → committed)."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "commit")
        day = _effective_date(effective_date, package, line)
        before = _state(line)
        after = _run(lambda: lifecycle.commit(before))
        return _record_step(actor, line, verb="commit", before=before, after=after, day=day, units=line.quantity,
                            expected_version=expected_version)


def line_allocate(*, actor: Actor, line_id: int, requirement_id: int, effective_date: date | None = None,
                  expected_version: int | None = None) -> PledgeLine:
    """A coordinator earmarks a committed line for an active requirement its item type satisfies."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "allocate")
        day = _effective_date(effective_date, package, line)
        before = _state(line)
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
        before = _state(line)
        after = _run(lambda: lifecycle.deallocate(before))
        return _record_step(actor, line, verb="deallocate", before=before, after=after, day=day,
                            units=line.quantity, expected_version=expected_version,
                            note=f"from requirement {line.requirement_id}", requirement=None)


def line_contract(*, actor: Actor, line_id: int, effective_date: date | None = None,
                  expected_version: int | None = None) -> PledgeLine:
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "contract")
        day = _effective_date(effective_date, package, line)
        before = _state(line)
        after = _run(lambda: lifecycle.contract(before))
        return _record_step(actor, line, verb="contract", before=before, after=after, day=day,
                            units=line.quantity, expected_version=expected_version)


def line_ship(*, actor: Actor, line_id: int, quantity: int, effective_date: date | None = None,
              expected_version: int | None = None) -> PledgeLine:
    """Dispatch `quantity` more units; a line ships in parts."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "ship")
        day = _effective_date(effective_date, package, line)
        before = _state(line)
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
        before = _state(line)
        after = _run(lambda: lifecycle.deliver(before, quantity))
        return _record_step(actor, line, verb="deliver", before=before, after=after, day=day, units=quantity,
                            expected_version=expected_version)


def line_cancel(*, actor: Actor, line_id: int, reason: str, effective_date: date | None = None,
                expected_version: int | None = None) -> PledgeLine:
    """Cancel what is not yet delivered, with the reason."""
    with transaction.atomic():
        line, package = _locked_line(actor, line_id, "cancel")
        day = _effective_date(effective_date, package, line)
        before = _state(line)
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
        before = _state(line)
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


# --- import ---------------------------------------------------------------------------------------------------

# Service field names as the file's columns, so that every error names the column to fix.
_COLUMN_OF = {"value_amount": "value", "date": "value_date", "requirement": "item_type", "__all__": "(row)"}


def _vocabulary() -> importing.Vocabulary:
    methods = {code: code for code in ValuationMethod.values}
    methods.update({str(label).lower(): code for code, label in ValuationMethod.choices})
    return importing.Vocabulary(
        item_types=dict(ItemType.objects.values_list("name", "pk")),
        currencies=valuation.currencies(),
        valuation_methods=methods,
        restriction_flags=Restriction.values,
    )


def _spec(row: importing.LineRow) -> LineSpec:
    releasability = row.releasability or (Releasability.REL_TO if row.rel_to else None)
    return LineSpec(
        quantity=row.quantity, value_amount=row.value, currency=row.currency, value_date=row.value_date,
        item_type_id=row.item_type_id, description=row.description, valuation_method=row.valuation_method,
        available_from=row.available_from, restrictions=row.restrictions, restriction_flags=row.restriction_flags,
        classification=row.classification, releasability=releasability, rel_to=row.rel_to,
    )


def line_import(*, actor: Actor, package_id: int, stream: IO[bytes], size: int, dry_run: bool = True,
                effective_date: date | None = None) -> ImportReport:
    """Import pledge lines from a CSV or XLSX file into a package: all rows or none, in one transaction.

    A dry run (and a file with any problem) writes nothing and reports every row's problems; otherwise the lines
    are created, each audited as if entered by hand.
    """
    with transaction.atomic():
        package = _visible_package(actor, package_id)
        writes.require(actor, "create", PledgeLine(package=package, originator_id=package.originator_id))
        try:
            parsed = importing.parse(stream, size=size, vocabulary=_vocabulary(), today=_today())
        except importing.ImportRefused as exc:
            raise _fail("file", str(exc)) from exc
        errors = list(parsed.errors)
        created: list[PledgeLine] = []
        for row in parsed.rows:
            try:
                with transaction.atomic():  # a savepoint: one row's failure leaves the others' work intact
                    created.append(_create_line(actor, package, _spec(row), effective_date))
            except ValidationFailed as exc:
                errors.extend(importing.RowError(row.row, _COLUMN_OF.get(name, name), message)
                              for name, messages in exc.errors.items() for message in messages)
        if errors or dry_run:
            transaction.set_rollback(True)
            order = {name: i for i, name in enumerate(importing.COLUMNS)}
            errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
            return ImportReport(dry_run=dry_run, rows=parsed.read, valid=len(created), errors=errors)
        _after_lines(actor, [line.pk for line in created], ())
    return ImportReport(dry_run=False, rows=parsed.read, valid=len(created), created=[line.pk for line in created])
