"""Inspections of serial items: what was found, not found or destroyed (with evidence), and what follows for
each item — the next inventory due a year later, the item unaccounted for, or destroyed. Per-class tallies are
kept next to the inspection for the dashboard's trend."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F

from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.markings import Releasability
from shieldwall.logistics.services.common import day_of, fail
from shieldwall.monitoring import schedule
from shieldwall.monitoring.models import (
    ACCOUNTABLE,
    FindingResult,
    Inspection,
    InspectionFinding,
    InspectionKind,
    InspectionTally,
    SerialItem,
    SerialStatus,
)
from shieldwall.monitoring.services import cells
from shieldwall.monitoring.services.serials import DEFAULT_CLASSIFICATION


@dataclass(frozen=True)
class FindingSpec:
    item_id: int
    result: str = FindingResult.FOUND
    evidence_ref: str = ""


def _items(actor: Actor, findings: Sequence[FindingSpec]) -> dict[int, SerialItem]:
    if not findings:
        raise fail("findings", "an inspection records at least one item")
    ids = [f.item_id for f in findings]
    if len(set(ids)) != len(ids):
        raise fail("findings", "each item appears once in an inspection")
    items = {i.pk: i for i in SerialItem.objects.visible_to(actor).select_for_update().filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in items]
    if missing:
        raise fail("findings", f"serial item(s) not found: {', '.join(missing[:10])}")
    return items


def _check(findings: Sequence[FindingSpec], items: dict[int, SerialItem], kind: str, day: date) -> None:
    problems: list[str] = []
    donors = {i.originator_id for i in items.values()}
    recipients = {i.recipient_id for i in items.values()}
    if len(donors) > 1 or len(recipients) > 1:
        problems.append("an inspection covers the items of one donor held for one recipient")
    for spec in findings:
        item = items[spec.item_id]
        if spec.result not in FindingResult.values:
            problems.append(f"{item}: unknown result {spec.result!r}; use {', '.join(FindingResult.values)}")
        elif item.status not in ACCOUNTABLE:
            problems.append(f"{item} is {item.get_status_display().lower()}: only received items are inspected")
        elif item.received_on and day < item.received_on:
            problems.append(f"{item} was received on {item.received_on}, after this inspection")
        elif kind == InspectionKind.INITIAL and item.last_inventory_on is not None:
            problems.append(f"{item} already had its initial inventory ({item.last_inventory_on})")
        elif spec.result == FindingResult.DESTROYED and not spec.evidence_ref.strip():
            problems.append(f"{item}: a destroyed item needs the reference of its evidence")
    if problems:
        raise ValidationFailed({"findings": problems})


def inspection_record(
    *, actor: Actor, kind: str, findings: Sequence[FindingSpec], inspected_on: date | None = None,
    location: str = "", notes: str = "", classification: int | None = None, rel_to: Iterable[str] = (),
) -> Inspection:
    """Record an inspection by the actor's nation; it is REL TO the donor, the recipient and the inspector."""
    if kind not in InspectionKind.values:
        raise fail("kind", f"use one of {', '.join(InspectionKind.values)}")
    if actor.nation_id is None:
        raise fail("inspector_nation", "you have no nation, so you cannot inspect")
    day = day_of(inspected_on, name="inspected_on")
    with transaction.atomic():
        items = _items(actor, findings)
        _check(findings, items, kind, day)
        first = SerialItem.objects.visible_to(actor).select_related("originator", "recipient").get(
            pk=findings[0].item_id)
        cls = max(int(DEFAULT_CLASSIFICATION), int(classification or 0), *(i.classification for i in items.values()))
        codes = {c.strip().upper() for c in rel_to if c.strip()}
        inspection = Inspection(kind=kind, inspected_on=day, inspector_nation_id=actor.nation_id,
                                donor_id=first.originator_id, recipient_id=first.recipient_id, location=location,
                                notes=notes, classification=cls, releasability=Releasability.REL_TO)
        donor_recipient = [first.originator.code, first.recipient.code, actor.nation_code or ""]
        counts = Counter(spec.result for spec in findings)
        writes.create(actor=actor, obj=inspection, rel_to=sorted({*codes, *donor_recipient} - {""}),
                      extra_audit={"findings": [None, dict(sorted(counts.items()))]})
        rows = [InspectionFinding(inspection=inspection, item_id=spec.item_id, result=spec.result,
                                  evidence_ref=spec.evidence_ref.strip()[:200],
                                  due_on=items[spec.item_id].next_inspection_due,
                                  on_time=schedule.on_time(day, items[spec.item_id].next_inspection_due))
                for spec in findings]
        InspectionFinding.objects.bulk_create(rows)
        _tally(inspection, rows, items, day)
        with cells.tracking(actor, [spec.item_id for spec in findings]):
            _apply(actor, findings, day)
    return inspection


def _tally(inspection: Inspection, rows: Sequence[InspectionFinding], items: dict[int, SerialItem],
           day: date) -> None:
    tallies: dict[int, InspectionTally] = {}
    for row in rows:
        class_id = items[row.item_id].item_class_id
        tally = tallies.setdefault(class_id, InspectionTally(inspection=inspection, item_class_id=class_id,
                                                             month=day.replace(day=1)))
        tally.findings += 1
        tally.on_time += int(row.on_time)
        tally.not_found += int(row.result == FindingResult.NOT_FOUND)
        tally.destroyed += int(row.result == FindingResult.DESTROYED)
    InspectionTally.objects.bulk_create(list(tallies.values()))


def _apply(actor: Actor, findings: Sequence[FindingSpec], day: date) -> None:
    by_result: dict[str, list[int]] = {}
    for spec in findings:
        by_result.setdefault(spec.result, []).append(spec.item_id)
    visible = SerialItem.objects.visible_to(actor)
    if by_result.get(FindingResult.FOUND):
        visible.filter(pk__in=by_result[FindingResult.FOUND]).update(
            last_inventory_on=day, next_inspection_due=schedule.next_due(day), unaccounted=False,
            version=F("version") + 1)
    if by_result.get(FindingResult.NOT_FOUND):
        # Still due: the item must be found (or reported lost); until then it is unaccounted for.
        visible.filter(pk__in=by_result[FindingResult.NOT_FOUND]).update(unaccounted=True, version=F("version") + 1)
    if by_result.get(FindingResult.DESTROYED):
        visible.filter(pk__in=by_result[FindingResult.DESTROYED]).update(
            status=SerialStatus.DESTROYED, status_since=day, next_inspection_due=None, unaccounted=False,
            last_inventory_on=day, version=F("version") + 1)
