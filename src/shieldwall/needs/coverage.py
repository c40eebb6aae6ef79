"""Coverage of the requirements list, as FTS shows requirements against funding: per requirement, per capability
area and per capability coalition, what is required and how much of it pledge lines have committed, allocated
and delivered.

Definitions (quantities in the requirement's unit, values in EUR):
  required     the requirement's quantity; its value is quantity × the item class's reference unit price
  committed    lines against the requirement whose status counts (committed … delivered; announced-only and
               cancelled lines never count): their quantity and `value_eur`
  allocated    the same over lines allocated or later (allocated, contracted, shipped, delivered)
  delivered    `delivered_quantity` of counted lines, and the matching share of their value
               (value_eur × delivered_quantity / quantity)
  % covered    per requirement by quantity (what arrived or is earmarked against what is needed, in one unit);
               per area and coalition by value (EUR, as FTS compares funding with requirements), since the
               quantities of different item classes do not add up

The database computes every sum with grouped aggregates, never Python loops, under two access filters: the pledge
lines summed are `PledgeLine.objects.visible_to(actor)`, and their requirement must be in the subquery of the
requirements visible to the actor (`requirement_id IN (…visible_to(actor)…)`). A line released elsewhere never
moves a figure, even on a requirement that is visible; a requirement the actor may not see is never summed.
Grouping on the lines' own columns (per requirement) or through the requirement's area (per area and coalition)
applies the visibility test once per line; a join from the requirements to the lines costs twice that.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification, Marking, Releasability
from shieldwall.needs.models import Requirement, RequirementStatus
from shieldwall.needs.selectors import RequirementFilters, filter_requirements

CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=20, decimal_places=2)


class Share(Func):
    """`dividend / divisor` keeping the fraction: SQLite's `/` truncates when both sides are integers (as a
    whole-euro value is stored), so there the dividend is made REAL; PostgreSQL divides numerics exactly."""

    arity = 2
    arg_joiner = " / "
    template = "(%(expressions)s)"
    output_field = MONEY

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        dividend, divisor = self.get_source_expressions()
        left, left_params = compiler.compile(dividend)
        right, right_params = compiler.compile(divisor)
        return f"(CAST({left} AS REAL) / {right})", [*left_params, *right_params]


@contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL compiles these grouped queries with its JIT (their estimated cost is high: a visibility test per
    line) and spends longer compiling (0.3–0.6 s) than running them; turn it off for this transaction only."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def money(value: Any) -> Decimal:
    """A database sum as EUR to the cent (SQLite returns sums with binary noise; PostgreSQL exact numerics)."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """`part` of `whole` in per cent to one decimal; None when there is nothing to compare with."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _line_sums(*, quantities: bool) -> dict[str, Any]:
    """The sums over counted lines (see the module docstring for what each one means)."""
    from shieldwall.pledges.models import ALLOCATED_OR_LATER

    allocated = Q(status__in=ALLOCATED_OR_LATER)
    delivered_value = Share(F("value_eur") * F("delivered_quantity"), F("quantity"))
    sums: dict[str, Any] = {
        "committed_value": Coalesce(Sum("value_eur"), Value(Decimal(0)), output_field=MONEY),
        "allocated_value": Coalesce(Sum("value_eur", filter=allocated), Value(Decimal(0)), output_field=MONEY),
        "delivered_value": Coalesce(Sum(delivered_value), Value(Decimal(0)), output_field=MONEY),
    }
    if quantities:
        sums |= {
            "committed_qty": Coalesce(Sum("quantity"), 0, output_field=IntegerField()),
            "allocated_qty": Coalesce(Sum("quantity", filter=allocated), 0, output_field=IntegerField()),
            "delivered_qty": Coalesce(Sum("delivered_quantity"), 0, output_field=IntegerField()),
        }
    return sums


_REQUIRED_VALUE = ExpressionWrapper(F("quantity") * F("item_class__reference_unit_price_eur"), output_field=MONEY)


# --- per requirement ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementCoverage:
    """One requirement with its coverage; plain values (no model instance), so a whole table stays cheap."""

    id: int
    title: str
    item_class_id: int
    item_class: str
    unit: str
    area: str
    priority: int
    need_by: date
    status: str
    destination: str
    originator: str
    marking: Marking
    required_qty: int
    required_value: Decimal | None
    committed_qty: int
    committed_value: Decimal
    allocated_qty: int
    allocated_value: Decimal
    delivered_qty: int
    delivered_value: Decimal

    @property
    def marking_text(self) -> str:
        return str(self.marking)

    @property
    def status_label(self) -> str:
        return str(RequirementStatus(self.status).label)

    @property
    def pct_committed(self) -> Decimal | None:
        return percent(self.committed_qty, self.required_qty)

    @property
    def pct_allocated(self) -> Decimal | None:
        return percent(self.allocated_qty, self.required_qty)

    @property
    def pct_delivered(self) -> Decimal | None:
        return percent(self.delivered_qty, self.required_qty)


_ROW_VALUES: dict[str, Any] = {
    "item_class_name": F("item_class__name"), "unit": F("item_class__unit"), "area_name": F("item_class__area__name"),
    "originator_code": F("originator__code"), "required_value": _REQUIRED_VALUE,
}
_ROW_FIELDS = ("pk", "title", "item_class_id", "priority", "need_by", "status", "destination", "quantity",
               "classification", "releasability")


_NOTHING = {"committed_qty": 0, "committed_value": 0, "allocated_qty": 0, "allocated_value": 0, "delivered_qty": 0,
            "delivered_value": 0}


def _line_totals(actor: Actor, requirement_ids: Any) -> dict[int, dict[str, Any]]:
    """Per requirement, the sums over the counted lines the actor may see against `requirement_ids`: one query
    grouped by requirement on the lines' own columns."""
    grouped = _counted_lines(actor, requirement_ids).values("requirement_id").annotate(
        **_line_sums(quantities=True))
    return {row["requirement_id"]: row for row in grouped}


def _rows(actor: Actor, qs: QuerySet[Requirement], *, whole: bool = False) -> list[RequirementCoverage]:
    """Coverage rows of the requirements in `qs` (already visible and filtered), in its order: the requirements'
    values, the sums of their visible lines (grouped by requirement), and the REL TO nations of the REL TO ones."""
    through: Any = Requirement.rel_to.through
    codes: dict[int, list[str]] = {}
    rel_to = through.objects.filter(requirement_id__in=Subquery(qs.filter(releasability="REL_TO").order_by()
                                                                .values("pk")))
    for requirement_id, code in rel_to.values_list("requirement_id", "nation__code").order_by("nation__code"):
        codes.setdefault(requirement_id, []).append(code)
    found = list(qs.values(*_ROW_FIELDS, **_ROW_VALUES))
    with _without_jit() if whole else nullcontext():
        totals = _line_totals(actor, Subquery(qs.order_by().values("pk")) if whole else [r["pk"] for r in found])
    rows = []
    for r in found:
        sums = totals.get(r["pk"], _NOTHING)
        rows.append(RequirementCoverage(
            id=r["pk"], title=r["title"], item_class_id=r["item_class_id"], item_class=r["item_class_name"],
            unit=r["unit"], area=r["area_name"], priority=r["priority"], need_by=r["need_by"], status=r["status"],
            destination=r["destination"], originator=r["originator_code"],
            marking=Marking(Classification(r["classification"]), Releasability(r["releasability"]),
                            tuple(codes.get(r["pk"], ()))),
            required_qty=r["quantity"],
            required_value=None if r["required_value"] is None else money(r["required_value"]),
            committed_qty=sums["committed_qty"], committed_value=money(sums["committed_value"]),
            allocated_qty=sums["allocated_qty"], allocated_value=money(sums["allocated_value"]),
            delivered_qty=sums["delivered_qty"], delivered_value=money(sums["delivered_value"]),
        ))
    return rows


def _visible(actor: Actor, filters: RequirementFilters | None) -> QuerySet[Requirement]:
    return filter_requirements(Requirement.objects.visible_to(actor), filters or RequirementFilters())


def requirement_coverage(*, actor: Actor, filters: RequirementFilters | None = None) -> list[RequirementCoverage]:
    """The whole coverage table: every visible requirement matching `filters`, most urgent first."""
    return _rows(actor, _visible(actor, filters).order_by("priority", "need_by", "id"), whole=True)


def requirement_coverage_for(*, actor: Actor, ids: Sequence[int]) -> list[RequirementCoverage]:
    """Coverage of these requirements (those visible to the actor), in the order of `ids` (a page of a list)."""
    rows = {row.id: row for row in _rows(actor, Requirement.objects.visible_to(actor).filter(pk__in=list(ids)))}
    return [rows[pk] for pk in ids if pk in rows]


def requirement_coverage_one(*, actor: Actor, requirement_id: int) -> RequirementCoverage | None:
    """The coverage of one requirement (None when the actor cannot see it)."""
    found = requirement_coverage_for(actor=actor, ids=[requirement_id])
    return found[0] if found else None


def requirement_coverage_page(
    *, actor: Actor, filters: RequirementFilters | None = None, page: int | str | None = 1, per_page: int = 50
) -> Page:
    """One page of the prioritised list with its coverage: the page's requirements are chosen first (an ordered
    slice of ids), then only they are aggregated — a page costs the same however long the list is."""
    from shieldwall.needs.selectors import requirement_list

    ids = requirement_list(actor=actor, filters=filters).values_list("pk", flat=True)
    chosen = Paginator(ids, per_page).get_page(page)
    chosen.object_list = requirement_coverage_for(actor=actor, ids=list(chosen.object_list))  # type: ignore[assignment]
    return chosen


# --- per capability area and per capability coalition -------------------------------------------------------------


@dataclass(frozen=True)
class GroupCoverage:
    key: int | None
    label: str
    requirements: int
    unpriced: int  # requirements whose item class has no reference price (not in required_value)
    required_value: Decimal
    committed_value: Decimal
    allocated_value: Decimal
    delivered_value: Decimal

    @property
    def pct_committed(self) -> Decimal | None:
        return percent(self.committed_value, self.required_value)

    @property
    def pct_allocated(self) -> Decimal | None:
        return percent(self.allocated_value, self.required_value)

    @property
    def pct_delivered(self) -> Decimal | None:
        return percent(self.delivered_value, self.required_value)


def _counted_lines(actor: Actor, requirement_ids: Any) -> QuerySet[Any]:
    """The counted lines the actor may see whose requirement is one of `requirement_ids` (a list, or a subquery
    of the visible requirements)."""
    from shieldwall.pledges.models import COUNTED_STATUSES, PledgeLine

    return PledgeLine.objects.visible_to(actor).filter(status__in=COUNTED_STATUSES,
                                                      requirement_id__in=requirement_ids).order_by()


def _grouped(actor: Actor, filters: RequirementFilters | None, key: str, labels: dict[Any, str]) -> list[GroupCoverage]:
    base = _visible(actor, filters)
    # Two grouped queries, one per side: required sums over the visible requirements, pledged sums over the
    # visible counted lines of those requirements. The lines reach their requirement's area only for the group
    # key, and only for requirements already in the visible subquery — nothing about any other one is read.
    required = {row["group"]: row for row in base.values(group=F(key)).annotate(
        requirements=Count("pk"), unpriced=Count("pk", filter=Q(item_class__reference_unit_price_eur__isnull=True)),
        required_value=Coalesce(Sum(_REQUIRED_VALUE), Value(Decimal(0)), output_field=MONEY)).order_by()}
    lines = _counted_lines(actor, Subquery(base.order_by().values("pk")))
    with _without_jit():
        pledged = {row["group"]: row for row in lines.values(group=F(f"requirement__{key}")).annotate(
            **_line_sums(quantities=False))}
    rows = []
    for group, req in required.items():
        sums: dict[str, Any] = dict(pledged.get(group, {}))
        rows.append(GroupCoverage(
            key=group, label=labels.get(group, "—"), requirements=req["requirements"], unpriced=req["unpriced"],
            required_value=money(req["required_value"]), committed_value=money(sums.get("committed_value")),
            allocated_value=money(sums.get("allocated_value")), delivered_value=money(sums.get("delivered_value")),
        ))
    return sorted(rows, key=lambda r: (r.key is None, r.label))


def area_coverage(*, actor: Actor, filters: RequirementFilters | None = None) -> list[GroupCoverage]:
    """One row per capability area that has requirements the actor may see."""
    from shieldwall.catalogue.models import CapabilityArea

    labels = dict(CapabilityArea.objects.values_list("pk", "name"))
    return _grouped(actor, filters, "item_class__area", labels)


def coalition_coverage(*, actor: Actor, filters: RequirementFilters | None = None) -> list[GroupCoverage]:
    """One row per capability coalition covering the requirements' areas; areas without one share a last row."""
    from shieldwall.coalition.models import CapabilityCoalition

    labels: dict[Any, str] = dict(CapabilityCoalition.objects.values_list("pk", "name"))
    labels[None] = "No capability coalition"
    return _grouped(actor, filters, "item_class__area__capability_coalition", labels)


def totals(rows: Sequence[GroupCoverage]) -> GroupCoverage:
    """The sum of area (or coalition) rows: every requirement sits in exactly one of them."""
    return GroupCoverage(
        key=None, label="Total", requirements=sum(r.requirements for r in rows),
        unpriced=sum(r.unpriced for r in rows), required_value=sum((r.required_value for r in rows), Decimal(0)),
        committed_value=sum((r.committed_value for r in rows), Decimal(0)),
        allocated_value=sum((r.allocated_value for r in rows), Decimal(0)),
        delivered_value=sum((r.delivered_value for r in rows), Decimal(0)),
    )


def coverage_marking(*, actor: Actor, filters: RequirementFilters | None = None) -> Marking | None:
    """The marking of coverage figures: they rest on every visible requirement and counted line, most of which the
    page does not show, so they carry the highest classification among them and go no further than the viewer's
    own nation (PUBLIC when everything behind them is public). None when there is nothing."""
    from shieldwall.pledges.models import COUNTED_STATUSES, PledgeLine

    requirements = _visible(actor, filters)
    lines = PledgeLine.objects.visible_to(actor).filter(
        status__in=COUNTED_STATUSES, requirement_id__in=Subquery(requirements.order_by().values("pk")))
    summary = {"count": Count("pk"), "top": Max("classification"),
               "shared": Count("pk", filter=~Q(releasability=Releasability.PUBLIC))}
    found = [requirements.aggregate(**summary), lines.aggregate(**summary)]
    if not any(f["count"] for f in found):
        return None
    top = Classification(max(f["top"] or 0 for f in found))
    if not any(f["shared"] for f in found) or not actor.nation_code:
        return Marking(top, Releasability.PUBLIC)
    return Marking(top, Releasability.REL_TO, (actor.nation_code,))
