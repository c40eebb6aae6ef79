"""The recipient's quarterly disposition reports (imported from CSV: every row checked, nothing imported on an
error) and loss or destruction reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F

from shieldwall.catalogue.models import ItemType
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import PermissionDenied
from shieldwall.core.markings import Releasability
from shieldwall.logistics.services.common import day_of, fail, nation_by_code
from shieldwall.monitoring import policy, tables
from shieldwall.monitoring.models import (
    ACCOUNTABLE,
    DispositionLine,
    DispositionReport,
    LossKind,
    LossReport,
    SerialItem,
    SerialStatus,
)
from shieldwall.monitoring.services import cells
from shieldwall.monitoring.services.serials import DEFAULT_CLASSIFICATION

REPORTABLE = (SerialStatus.IN_SERVICE, SerialStatus.UNDER_REPAIR, SerialStatus.DESTROYED, SerialStatus.LOST,
              SerialStatus.TRANSFERRED)
# The statuses a disposition report may change by itself; the others need a loss report or a transfer.
APPLIED = (SerialStatus.IN_SERVICE, SerialStatus.UNDER_REPAIR)


@dataclass(frozen=True)
class DispositionImport:
    dry_run: bool
    rows: int
    errors: list[tables.RowError] = field(default_factory=list)
    report_id: int | None = None
    applied: int = 0  # status changes taken over from the report
    mismatches: int = 0  # reported statuses that differ from the record and were not applied

    @property
    def ok(self) -> bool:
        return not self.errors


def _status(value: str) -> str | None:
    text = value.strip().lower().replace(" ", "_").replace("-", "_")
    aliases = {"destroyed_in_combat": SerialStatus.DESTROYED, "repair": SerialStatus.UNDER_REPAIR,
               "in_repair": SerialStatus.UNDER_REPAIR, "service": SerialStatus.IN_SERVICE}
    text = aliases.get(text, text)
    return text if text in REPORTABLE else None


def disposition_import(
    *, actor: Actor, donor: str, year: int, quarter: int, rows: Sequence[tables.Row], dry_run: bool = False,
    notes: str = "", classification: int | None = None,
) -> DispositionImport:
    """The recipient states the status of its serial items from `donor`, one row per item."""
    donor_nation = nation_by_code("donor", donor)
    if not 1 <= quarter <= 4:
        raise fail("quarter", "a quarter is 1 to 4")
    if not 2000 <= year <= day_of(None).year:
        raise fail("year", "a past or the current year")
    writes.require(actor, "create", DispositionReport(originator_id=actor.nation_id or 0))
    types = {name.lower(): pk for pk, name in ItemType.objects.values_list("pk", "name")}
    held = SerialItem.objects.visible_to(actor).filter(originator=donor_nation, recipient_id=actor.nation_id)
    errors: list[tables.RowError] = []
    parsed: list[tuple[tables.Row, int, str, str]] = []  # row, item type, serial, status
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        type_id = types.get(row.cells.get("item_type", "").strip().lower())
        serial = tables.normalise_serial(row.cells.get("serial_number", ""))
        status = _status(row.cells.get("status", ""))
        if type_id is None:
            errors.append(tables.RowError(row.row, "item_type", f"unknown item type {row.cells.get('item_type')!r}"))
        if status is None:
            errors.append(tables.RowError(row.row, "status", f"{row.cells.get('status')!r}: use "
                                                             f"{', '.join(REPORTABLE)}"))
        if type_id is None or status is None:
            continue
        key = (type_id, serial)
        if key in seen:
            errors.append(tables.RowError(row.row, "serial_number", f"{serial} is given twice (also row {seen[key]})"))
            continue
        seen[key] = row.row
        parsed.append((row, type_id, serial, status))
    found = {(i.item_type_id, i.serial_number): i for i in
             held.filter(serial_number__in=[p[2] for p in parsed])}
    for row, type_id, serial, _status_value in parsed:
        if (type_id, serial) not in found:
            errors.append(tables.RowError(row.row, "serial_number",
                                          f"no item {serial} of this type from {donor_nation.code} is "
                                          "recorded as yours"))
    if not rows:
        errors.append(tables.RowError(0, "serial_number", "the report has no rows"))
    if errors or dry_run:
        return DispositionImport(dry_run=dry_run, rows=len(rows), errors=errors)
    return _file(actor, donor_nation.pk, year, quarter, notes, classification, parsed, found, len(rows))


def _file(actor: Actor, donor_id: int, year: int, quarter: int, notes: str, classification: int | None,
          parsed: Sequence[tuple[tables.Row, int, str, str]], found: dict[tuple[int, str], SerialItem],
          count: int) -> DispositionImport:
    day = day_of(None)
    with transaction.atomic():
        items = [found[(t, s)] for _, t, s, _ in parsed]
        cls = max(int(DEFAULT_CLASSIFICATION), int(classification or 0), *(i.classification for i in items))
        report = DispositionReport(donor_id=donor_id, year=year, quarter=quarter, submitted_on=day, notes=notes,
                                   classification=cls, releasability=Releasability.REL_TO)
        donor_code = items[0].originator.code
        writes.create(actor=actor, obj=report, rel_to=[donor_code, actor.nation_code or ""],
                      extra_audit={"rows": [None, count]})
        lines: list[DispositionLine] = []
        changes: dict[str, list[int]] = {str(s): [] for s in APPLIED}
        mismatches = 0
        for row, type_id, serial, status in parsed:
            item = found[(type_id, serial)]
            applies = status != item.status and status in APPLIED and item.status in APPLIED
            if applies:
                changes[status].append(item.pk)
            mismatches += int(status != item.status and not applies)
            lines.append(DispositionLine(report=report, item=item, reported_status=status,
                                         unit=row.cells.get("unit", "")[:200],
                                         location=row.cells.get("location", "")[:200],
                                         note=row.cells.get("note", "")[:300],
                                         matches=status == item.status or applies))
        DispositionLine.objects.bulk_create(lines)
        with cells.tracking(actor, [pk for ids in changes.values() for pk in ids]):
            for status, ids in changes.items():
                if ids:
                    SerialItem.objects.visible_to(actor).filter(pk__in=ids).update(
                        status=status, status_since=day, version=F("version") + 1)
    applied = sum(len(ids) for ids in changes.values())
    return DispositionImport(dry_run=False, rows=count, report_id=report.pk, applied=applied, mismatches=mismatches)


def loss_report_create(
    *, actor: Actor, kind: str, item_ids: Sequence[int], circumstances: str, occurred_on: date | None = None,
    evidence_ref: str = "", classification: int | None = None, rel_to: Iterable[str] = (),
) -> LossReport:
    """Items lost or destroyed: their status closes, they are no longer due for inspection. Filed by the nation
    holding them or by their donor (`policy.may_report_loss`); released to the donor, the recipient and the
    holder."""
    if kind not in LossKind.values:
        raise fail("kind", f"use one of {', '.join(LossKind.values)}")
    if not circumstances.strip():
        raise fail("circumstances", "describe what happened")
    if kind == LossKind.DESTROYED and not evidence_ref.strip():
        raise fail("evidence_ref", "a destruction is reported with the reference of its evidence")
    if not item_ids:
        raise fail("items", "choose the items lost or destroyed")
    day = day_of(occurred_on, name="occurred_on")
    with transaction.atomic():
        items = list(SerialItem.objects.visible_to(actor).select_for_update().filter(pk__in=set(item_ids))
                     .select_related("originator", "recipient", "custodian_nation"))
        if len(items) != len(set(item_ids)):
            raise fail("items", "serial item(s) not found")
        bad = [str(i) for i in items if i.status not in (*ACCOUNTABLE, SerialStatus.IN_TRANSIT)]
        if bad:
            raise fail("items", f"already closed or not yet shipped: {', '.join(bad[:10])}")
        if len({(i.originator_id, i.recipient_id) for i in items}) > 1:
            raise fail("items", "one report covers the items of one donor held for one recipient")
        if len({i.custodian_nation_id for i in items}) > 1:
            raise fail("items", "one report covers the items held by one nation; report each holder's separately")
        first = items[0]
        if not policy.may_report_loss(actor, holder_id=first.custodian_nation_id, donor_id=first.originator_id):
            # Said here, with the nations named, rather than by the generic refusal of the write rule.
            raise PermissionDenied(
                f"{actor.nation_code or actor.username} may not report {', '.join(str(i) for i in items[:10])} "
                f"lost or destroyed: that is for "
                f"{policy.loss_reporters(holder=first.custodian_nation.code, donor=first.originator.code)}")
        cls = max(int(DEFAULT_CLASSIFICATION), int(classification or 0), *(i.classification for i in items))
        report = LossReport(kind=kind, occurred_on=day, donor=first.originator, recipient=first.recipient,
                            holder=first.custodian_nation, circumstances=circumstances.strip(),
                            evidence_ref=evidence_ref.strip(), classification=cls, releasability=Releasability.REL_TO)
        codes = sorted({first.originator.code, first.recipient.code, first.custodian_nation.code,
                        actor.nation_code or "", *[c.strip().upper() for c in rel_to]} - {""})
        writes.create(actor=actor, obj=report, rel_to=codes, m2m={"items": [i.pk for i in items]})
        status = SerialStatus.LOST if kind == LossKind.LOST else SerialStatus.DESTROYED
        with cells.tracking(actor, [i.pk for i in items]):
            SerialItem.objects.visible_to(actor).filter(pk__in=[i.pk for i in items]).update(
                status=status, status_since=day, next_inspection_due=None, unaccounted=False,
                version=F("version") + 1)
    return report

