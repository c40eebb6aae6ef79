"""Import of pledge lines from CSV or XLSX into a package: all rows or none, in one transaction.

Every row goes through the checks of `lines._create_line` and `core.writes.create` (kind, value, marking, the
actor's right, the model's validation, REL TO codes, the author still seeing the line), with what they read
per line — item types, the package's REL TO codes, nations, the effective date — read once per file. Only when
every row passes (and it is not a dry run) are the lines written, at once: lines, REL TO rows, their
`announced` events and one audit event per line, appended to the chain in file order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction

from shieldwall.catalogue.models import ItemType
from shieldwall.coalition.models import Nation
from shieldwall.core import audit, writes
from shieldwall.core.access import rel_to_through
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.markings import Releasability
from shieldwall.pledges import importing, valuation
from shieldwall.pledges.models import (
    LineStatus,
    Package,
    PledgeEvent,
    PledgeLine,
    Restriction,
    ValuationMethod,
)
from shieldwall.pledges.services.lines import _new_line
from shieldwall.pledges.services.rules import (
    ImportReport,
    LineSpec,
    _after_lines,
    _codes,
    _effective_date,
    _fail,
    _new_event,
    _today,
    _visible_package,
)

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


# Foreign keys the import reads and checks itself (the package and its originator, the item types; no
# requirement nor split); the model's full_clean would query each of them again for every line.
_RESOLVED = ["package", "originator", "item_type", "requirement", "split_from"]


class _File:
    """What the rows of one file are checked against, read once: their item types, the package's REL TO codes,
    the nations they name and the effective date of their `announced` step."""

    def __init__(self, package: Package, rows: list[importing.LineRow], effective_date: date | None) -> None:
        wanted = {row.item_type_id for row in rows if row.item_type_id is not None}
        self.item_types = {t.pk: t for t in ItemType.objects.select_related("item_class").filter(pk__in=wanted)}
        self.package_codes = _codes(package)
        self.origin = package.originator.code
        codes = {code for row in rows for code in row.rel_to or ()} | {*self.package_codes, self.origin}
        self.nations = dict(Nation.objects.filter(code__in=codes).values_list("code", "id"))
        self.day: date | None = None
        self.day_error: ValidationFailed | None = None
        try:
            self.day = _effective_date(effective_date, package)
        except ValidationFailed as exc:  # every row reports it, as each line's creation would
            self.day_error = exc

    def item_type(self, item_type_id: int | None) -> ItemType | None:
        if item_type_id is None:
            return None
        found = self.item_types.get(item_type_id)
        if found is None:  # named in the vocabulary, deleted since
            raise _fail("item_type", f"item type {item_type_id} not found")
        return found


@dataclass(frozen=True)
class _Checked:
    line: PledgeLine
    codes: list[str]
    nation_ids: list[int]


def _check(actor: Actor, package: Package, spec: LineSpec, file: _File) -> _Checked:
    """The line a row becomes, through the checks creating it by hand runs, in the same order (the first
    failing one is the row's error)."""
    line, codes = _new_line(actor, package, spec, file.item_type(spec.item_type_id),
                            package_codes=file.package_codes)
    line.originator = package.originator  # read once with the package, not per line
    if file.day_error is not None:
        raise file.day_error
    writes.require(actor, "create", line)
    try:
        # Unique checks have nothing to check on a new line, and the check constraints (delivered <= shipped <=
        # quantity) hold for one with nothing shipped; the database enforces them on insert all the same.
        line.full_clean(exclude=_RESOLVED, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    codes = writes.marking_codes(line, codes)
    ids = writes.nation_ids(codes, known=file.nations)
    # Only the donor of the package's nation may create its lines, so the access rule can judge the unsaved
    # line: its originator is the actor's nation, and REL TO rows are not consulted.
    writes.check_releasable(actor, line)
    return _Checked(line, codes, ids)


def _write(actor: Actor, checked: list[_Checked], day: date, origin: str) -> list[PledgeLine]:
    """Write the checked lines at once: what `writes.create` and `_event` write for each, in file order."""
    lines = PledgeLine.objects.bulk_create([c.line for c in checked])
    if any(line.pk is None for line in lines):
        raise RuntimeError("the database did not return the new lines' ids")
    through = PledgeLine.rel_to.through
    _, source = rel_to_through(PledgeLine)
    through.objects.bulk_create([through(**{f"{source}_id": c.line.pk, "nation_id": nation_id})
                                  for c in checked for nation_id in c.nation_ids])
    PledgeEvent.objects.bulk_create([
        _new_event(line, actor, before="", after=LineStatus.ANNOUNCED, units=line.quantity, day=day)
        for line in lines])
    entries = []
    for c in checked:
        changes = {k: [None, v] for k, v in audit.snapshot(c.line, writes.audited_fields(c.line)).items()}
        changes["rel_to"] = [None, c.codes]
        marking = audit.EventMarking.of(c.line.classification, c.line.releasability, origin, c.codes)
        entries.append(audit.Entry("pledge_line.create", c.line, changes, marking))
    audit.record_many(actor=actor, entries=entries)
    return lines


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
        file = _File(package, parsed.rows, effective_date)
        checked: list[_Checked] = []
        for row in parsed.rows:
            try:
                checked.append(_check(actor, package, _spec(row), file))
            except ValidationFailed as exc:
                errors.extend(importing.RowError(row.row, _COLUMN_OF.get(name, name), message)
                              for name, messages in exc.errors.items() for message in messages)
        if errors or dry_run:
            order = {name: i for i, name in enumerate(importing.COLUMNS)}
            errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
            return ImportReport(dry_run=dry_run, rows=parsed.read, valid=len(checked), errors=errors)
        created = _write(actor, checked, file.day, file.origin) if file.day is not None else []
        _after_lines(actor, [line.pk for line in created], ())
    return ImportReport(dry_run=False, rows=parsed.read, valid=len(created), created=[line.pk for line in created])
