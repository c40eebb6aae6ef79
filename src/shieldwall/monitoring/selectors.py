"""Reads of end-use monitoring, always through the access rule.

An item's pledge line, shipment, inspections, disposition and loss reports arrive through prefetches of their
visible querysets; its custody chain and findings belong to it. The compliance dashboard counts only the items
and inspections the reader may see, in the database: one GROUP BY over the items by (donor, item class) with
conditional counts on the indexed `next_inspection_due`, and the trend from the per-inspection tallies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from shieldwall.catalogue.models import ItemClass
from shieldwall.coalition.models import Nation
from shieldwall.core.actor import Actor
from shieldwall.core.banner import combine, marking_of
from shieldwall.core.errors import NotFound
from shieldwall.core.markings import Marking
from shieldwall.logistics.models import Shipment
from shieldwall.monitoring import schedule, tables
from shieldwall.monitoring.models import (
    ACCOUNTABLE,
    ComplianceCell,
    CustodyTransfer,
    DispositionLine,
    DispositionReport,
    Inspection,
    InspectionFinding,
    InspectionTally,
    ItemMarking,
    LossReport,
    SerialItem,
    SerialStatus,
)
from shieldwall.pledges.selectors import visible_lines

DUE_CHOICES = ("overdue", "due_soon", "unaccounted", "never_inventoried")


def _today(day: date | None) -> date:
    return day or timezone.localdate()


# --- serial items --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SerialFilters:
    q: str = ""
    donor: str = ""
    recipient: str = ""
    custodian: str = ""
    item_class_id: int | None = None
    item_type_id: int | None = None
    status: str = ""
    due: str = ""
    pledge_line_id: int | None = None
    shipment_id: int | None = None


def visible_items(actor: Actor) -> QuerySet[SerialItem]:
    return SerialItem.objects.visible_to(actor)


def due_q(due: str, day: date) -> Q:
    accountable = Q(status__in=ACCOUNTABLE)
    return {
        "overdue": accountable & Q(next_inspection_due__lt=day),
        "due_soon": accountable & Q(next_inspection_due__gte=day,
                                    next_inspection_due__lt=day + timedelta(days=schedule.DUE_SOON_DAYS)),
        "unaccounted": accountable & Q(unaccounted=True),
        "never_inventoried": accountable & Q(last_inventory_on__isnull=True),
    }.get(due, Q())


def serial_item_list(*, actor: Actor, filters: SerialFilters | None = None, today: date | None = None
                     ) -> QuerySet[SerialItem]:
    f = filters or SerialFilters()
    qs = (visible_items(actor).select_related("item_type", "item_class", "originator", "recipient",
                                              "custodian_nation").prefetch_related("rel_to"))
    if f.q:
        qs = qs.filter(Q(serial_number__icontains=f.q) | Q(custodian_unit__icontains=f.q))
    for name, code in (("originator", f.donor), ("recipient", f.recipient), ("custodian_nation", f.custodian)):
        if code:
            qs = qs.filter(**{f"{name}__code": code.strip().upper()})
    if f.item_class_id is not None:
        qs = qs.filter(item_class_id=f.item_class_id)
    if f.item_type_id is not None:
        qs = qs.filter(item_type_id=f.item_type_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.due:
        qs = qs.filter(due_q(f.due, _today(today)))
    if f.pledge_line_id is not None:
        qs = qs.filter(pledge_line_id=f.pledge_line_id)
    if f.shipment_id is not None:
        qs = qs.filter(shipment_id=f.shipment_id)
    return qs.order_by("item_type__name", "serial_number", "id")


def serial_item_get(*, actor: Actor, id: int) -> SerialItem:
    """One item with its full history: the custody chain, the findings of the inspections the reader may see,
    disposition report lines, loss reports, and its pledge line and shipment when visible (None otherwise).

    Plain queries rather than prefetches: one item's history is read often (the inspector's and the auditor's
    page) and the prefetch machinery cost as much as the database; findings come with their inspection, and
    disposition lines with their report, in one query each.
    """
    try:
        item = (visible_items(actor).select_related("item_type", "item_class", "originator", "recipient",
                                                    "custodian_nation")
                .prefetch_related("rel_to", Prefetch(
                    "transfers", queryset=CustodyTransfer.objects.select_related("from_nation", "to_nation")
                    .order_by("seq")))
                .get(pk=id))
    except (SerialItem.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"serial item {id} not found") from exc
    item.visible_findings = list(  # type: ignore[attr-defined]
        InspectionFinding.objects.filter(item_id=item.pk, inspection__in=Inspection.objects.visible_to(actor))
        .select_related("inspection__inspector_nation").order_by("-inspection__inspected_on", "-id"))
    item.visible_disposition = list(  # type: ignore[attr-defined]
        DispositionLine.objects.filter(item_id=item.pk, report__in=DispositionReport.objects.visible_to(actor))
        .select_related("report").order_by("-report__year", "-report__quarter", "-id"))
    item.visible_losses = list(  # type: ignore[attr-defined]
        LossReport.objects.visible_to(actor).filter(items=item.pk).order_by("-occurred_on", "-id"))
    line = visible_lines(actor).filter(pk=item.pledge_line_id).first() if item.pledge_line_id else None
    shipment = Shipment.objects.visible_to(actor).filter(pk=item.shipment_id).first() if item.shipment_id else None
    # What the reader may not see reads as absent (None), never as the hidden record.
    SerialItem._meta.get_field("pledge_line").set_cached_value(item, line)  # type: ignore[union-attr]
    SerialItem._meta.get_field("shipment").set_cached_value(item, shipment)  # type: ignore[union-attr]
    return item


def serial_items_by_serial(*, actor: Actor, item_type_id: int | None, serials: list[str]
                           ) -> dict[str, SerialItem]:
    """Visible items by serial number as `tables.normalise_serial` gives it (of one item type when given), for the
    pages and the CLI: callers look up what was typed through the same normalisation, so "g-1" finds "G-1"."""
    wanted = sorted({tables.normalise_serial(s) for s in serials if s.strip()})
    qs = visible_items(actor).filter(serial_number__in=wanted)
    if item_type_id is not None:
        qs = qs.filter(item_type_id=item_type_id)
    return {item.serial_number: item for item in qs.select_related("item_type")}


def shipment_serial_counts(*, actor: Actor, shipment_id: int) -> dict[int, int]:
    """Serial numbers recorded per pledge line of a shipment (visible items)."""
    return dict(visible_items(actor).filter(shipment_id=shipment_id).values_list("pledge_line_id")
                .annotate(n=Count("id")).order_by())


# --- compliance dashboard ------------------------------------------------------------------------------------


COUNTS = ("items", "accountable", "due_soon", "overdue", "never_inventoried", "unaccounted", "in_transit", "lost",
          "destroyed", "transferred")


@dataclass
class ComplianceRow:
    donor: str
    item_class: str
    item_class_id: int
    items: int = 0  # every item, whatever its status
    accountable: int = 0
    due_soon: int = 0
    overdue: int = 0
    never_inventoried: int = 0
    unaccounted: int = 0
    in_transit: int = 0
    lost: int = 0
    destroyed: int = 0
    transferred: int = 0
    inspected: int = 0  # findings in the trailing year
    on_time: int = 0

    @property
    def on_time_pct(self) -> float | None:
        return round(100 * self.on_time / self.inspected, 1) if self.inspected else None

    @property
    def overdue_pct(self) -> float | None:
        return round(100 * self.overdue / self.accountable, 1) if self.accountable else None


@dataclass(frozen=True)
class TrendPoint:
    month: date
    inspected: int
    on_time: int
    not_found: int
    destroyed: int

    @property
    def on_time_pct(self) -> float | None:
        return round(100 * self.on_time / self.inspected, 1) if self.inspected else None


@dataclass(frozen=True)
class Compliance:
    day: date
    rows: list[ComplianceRow]
    total: ComplianceRow
    trend: list[TrendPoint] = field(default_factory=list)
    marking: Marking | None = None  # of the items counted: the page and its exports carry it


def _months_back(day: date, months: int) -> date:
    year, month = day.year, day.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def compliance(*, actor: Actor, donor: str = "", item_class_id: int | None = None, today: date | None = None,
               months: int = 12) -> Compliance:
    """Per donor and item class: items due for inspection, overdue, never inventoried, unaccounted for, lost,
    destroyed, transferred; the share inventoried on time over the trailing year; the monthly trend."""
    day = _today(today)
    soon = day + timedelta(days=schedule.DUE_SOON_DAYS)
    # Read through the markings the actor may see: every item's marking is one of them (see ItemMarking).
    markings = {m.pk: m for m in ItemMarking.objects.visible_to(actor).select_related("originator")
                .prefetch_related("rel_to")}
    cells = ComplianceCell.objects.filter(marking_id__in=list(markings), items__gt=0)
    tallies = InspectionTally.objects.filter(inspection__in=Inspection.objects.visible_to(actor))
    if donor:
        cells = cells.filter(donor__code=donor.strip().upper())
        tallies = tallies.filter(inspection__donor__code=donor.strip().upper())
    if item_class_id is not None:
        cells = cells.filter(item_class_id=item_class_id)
        tallies = tallies.filter(item_class_id=item_class_id)
    accountable = Q(status__in=ACCOUNTABLE)

    def total(condition: Q | None = None) -> Sum:
        return Sum("items", filter=condition, default=0)

    grouped = cells.order_by().values("donor_id", "item_class_id", "marking_id").annotate(
        items_=total(),
        accountable=total(accountable),
        due_soon=total(accountable & Q(due__gte=day, due__lt=soon)),
        overdue=total(accountable & Q(due__lt=day)),
        never_inventoried=total(accountable & Q(inventoried=False)),
        unaccounted=total(accountable & Q(unaccounted=True)),
        in_transit=total(Q(status=SerialStatus.IN_TRANSIT)),
        lost=total(Q(status=SerialStatus.LOST)),
        destroyed=total(Q(status=SerialStatus.DESTROYED)),
        transferred=total(Q(status=SerialStatus.TRANSFERRED)),
    )
    first_month = _months_back(day, months)
    recent = tallies.filter(month__gte=first_month).order_by()
    inspected = {(r["inspection__donor_id"], r["item_class_id"]): r for r in recent.values(
        "inspection__donor_id", "item_class_id").annotate(n=Sum("findings"), ok=Sum("on_time"))}
    nations = dict(Nation.objects.values_list("pk", "code"))
    classes = dict(ItemClass.objects.values_list("pk", "name"))
    merged: dict[tuple[int, int], ComplianceRow] = {}
    used: set[int] = set()
    for g in grouped:
        key = (g["donor_id"], g["item_class_id"])
        row = merged.get(key)
        if row is None:
            row = merged[key] = ComplianceRow(donor=nations.get(key[0], "?"), item_class=classes.get(key[1], "?"),
                                              item_class_id=key[1])
            hit = inspected.get(key)
            if hit:
                row.inspected, row.on_time = hit["n"] or 0, hit["ok"] or 0
        for name in COUNTS:
            setattr(row, name, getattr(row, name) + g["items_" if name == "items" else name])  # type: ignore[literal-required]
        used.add(g["marking_id"])
    rows = list(merged.values())
    rows.sort(key=lambda r: (r.donor, r.item_class))
    overall = ComplianceRow(donor="", item_class="All", item_class_id=0)
    for row in rows:
        for name in (*COUNTS, "inspected", "on_time"):
            setattr(overall, name, getattr(overall, name) + getattr(row, name))
    by_month = {r["month"]: r for r in recent.values("month").annotate(
        n=Sum("findings"), ok=Sum("on_time"), nf=Sum("not_found"), d=Sum("destroyed"))}
    trend = []
    month = first_month
    while month <= day:
        r: Any = by_month.get(month, {})
        trend.append(TrendPoint(month, r.get("n") or 0, r.get("ok") or 0, r.get("nf") or 0, r.get("d") or 0))
        month = (month + timedelta(days=32)).replace(day=1)
    return Compliance(day=day, rows=rows, total=overall, trend=trend,
                      marking=combine(marking_of(markings[pk]) for pk in sorted(used)))


# --- inspections, disposition and loss reports --------------------------------------------------------------------


def inspection_list(*, actor: Actor, donor: str = "", recipient: str = "", kind: str = "") -> QuerySet[Inspection]:
    qs = (Inspection.objects.visible_to(actor).select_related("inspector_nation", "donor", "recipient", "originator")
          .prefetch_related("rel_to").annotate(finding_count=Count("findings")))
    if donor:
        qs = qs.filter(donor__code=donor.strip().upper())
    if recipient:
        qs = qs.filter(recipient__code=recipient.strip().upper())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-inspected_on", "-id")


def inspection_get(*, actor: Actor, id: int) -> Inspection:
    findings = InspectionFinding.objects.order_by("id").prefetch_related(
        Prefetch("item", queryset=visible_items(actor).select_related("item_type")))
    try:
        return inspection_list(actor=actor).prefetch_related(Prefetch("findings", queryset=findings)).get(pk=id)
    except (Inspection.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"inspection {id} not found") from exc


def disposition_list(*, actor: Actor, donor: str = "", recipient: str = "") -> QuerySet[DispositionReport]:
    qs = (DispositionReport.objects.visible_to(actor).select_related("donor", "originator")
          .prefetch_related("rel_to").annotate(line_count=Count("lines"),
                                               mismatch_count=Count("lines", filter=Q(lines__matches=False))))
    if donor:
        qs = qs.filter(donor__code=donor.strip().upper())
    if recipient:
        qs = qs.filter(originator__code=recipient.strip().upper())
    return qs.order_by("-year", "-quarter", "-id")


@dataclass(frozen=True)
class DispositionView:
    report: DispositionReport
    lines: list[DispositionLine]
    missing: list[SerialItem]  # the recipient's accountable items of the donor that the report leaves out


def disposition_get(*, actor: Actor, id: int) -> DispositionView:
    try:
        report = disposition_list(actor=actor).get(pk=id)
    except (DispositionReport.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"disposition report {id} not found") from exc
    lines = list(DispositionLine.objects.filter(report=report).order_by("id").prefetch_related(
        Prefetch("item", queryset=visible_items(actor).select_related("item_type"))))
    missing = list(visible_items(actor).filter(originator_id=report.donor_id, recipient_id=report.originator_id,
                                               status__in=ACCOUNTABLE)
                   .exclude(pk__in=DispositionLine.objects.filter(report=report).values("item_id"))
                   .select_related("item_type").order_by("item_type__name", "serial_number")[:500])
    return DispositionView(report=report, lines=lines, missing=missing)


def loss_report_list(*, actor: Actor, donor: str = "", kind: str = "") -> QuerySet[LossReport]:
    qs = (LossReport.objects.visible_to(actor).select_related("donor", "recipient", "holder", "originator")
          .prefetch_related("rel_to").annotate(item_count=Count("items")))
    if donor:
        qs = qs.filter(donor__code=donor.strip().upper())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-occurred_on", "-id")


def loss_report_get(*, actor: Actor, id: int) -> LossReport:
    items = visible_items(actor).select_related("item_type").order_by("serial_number")
    try:
        return loss_report_list(actor=actor).prefetch_related(
            Prefetch("items", queryset=items, to_attr="visible_items")).get(pk=id)
    except (LossReport.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"loss report {id} not found") from exc
