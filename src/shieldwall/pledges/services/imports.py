"""Import of pledge lines from CSV or XLSX into a package: all rows or none, in one transaction."""

from __future__ import annotations

from datetime import date
from typing import IO

from django.db import transaction

from shieldwall.catalogue.models import ItemType
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.markings import Releasability
from shieldwall.pledges import importing, valuation
from shieldwall.pledges.models import (
    PledgeLine,
    Restriction,
    ValuationMethod,
)
from shieldwall.pledges.services.lines import _create_line
from shieldwall.pledges.services.rules import (
    ImportReport,
    LineSpec,
    _after_lines,
    _fail,
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
