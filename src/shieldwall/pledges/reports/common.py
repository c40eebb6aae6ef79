"""What the words-to-action reports share: exact money sums in SQL, stage totals, who funds a package and by
what share, the dated history of a line, and the combined marking of the records a figure comes from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce
from django.utils import timezone

from shieldwall.core.actor import Actor
from shieldwall.core.banner import combine, marking_of
from shieldwall.core.markings import Classification, Marking, Releasability
from shieldwall.core.models import Marked
from shieldwall.pledges.models import (
    ALLOCATED_OR_LATER,
    COUNTED_STATUSES,
    LineStatus,
    Package,
    PackageFunder,
    PledgeEvent,
    PledgeLine,
)

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal(0)
MONEY = DecimalField(max_digits=30, decimal_places=8)
# Announced-only lines older than this (days since their package's date) are reported as stale.
DEFAULT_STALE_DAYS = 90
# Overdue lines listed in a report (all are counted); the longest overdue first.
DEFAULT_OVERDUE_LIMIT = 100
NOT_YET_SHIPPED = (LineStatus.ANNOUNCED, LineStatus.COMMITTED, LineStatus.ALLOCATED, LineStatus.CONTRACTED)
FINANCING = "Financing (money)"


def cents(value: Decimal | int | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal; None when there is no whole to measure against."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


class Scaled(Expression):
    """`value × factor … ÷ divisor` in SQL. The `* 1.0` makes SQLite divide as real numbers (it truncates the
    division of integers, and stores whole decimals as integers); on PostgreSQL it stays exact NUMERIC."""

    def __init__(self, value: Any, *factors: Any, divisor: Any = None) -> None:
        super().__init__(output_field=MONEY)
        self.operands = [value, *factors]
        self.divisor = divisor

    def get_source_expressions(self) -> list[Any]:
        return [*self.operands, self.divisor] if self.divisor is not None else list(self.operands)

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        if self.divisor is not None:
            *self.operands, self.divisor = exprs
        else:
            self.operands = list(exprs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        sqls: list[str] = []
        params: list[Any] = []
        for expression in self.get_source_expressions():
            sql, more = compiler.compile(expression)
            sqls.append(f"({sql})")
            params.extend(more)
        product = " * ".join([*sqls[: len(self.operands)], "1.0"])
        if self.divisor is not None:
            product = f"{product} / {sqls[-1]}"
        return f"({product})", tuple(params)


# --- stage totals ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageTotals:
    """Values in EUR (exact sums; round with `cents` to show) of what was announced and how far it got."""

    announced: Decimal = ZERO
    committed: Decimal = ZERO
    allocated: Decimal = ZERO
    delivered: Decimal = ZERO
    lines: int = 0

    def __add__(self, other: StageTotals) -> StageTotals:
        return StageTotals(self.announced + other.announced, self.committed + other.committed,
                           self.allocated + other.allocated, self.delivered + other.delivered,
                           self.lines + other.lines)

    @property
    def committed_pct(self) -> Decimal | None:
        return percent(self.committed, self.announced)

    @property
    def allocated_pct(self) -> Decimal | None:
        return percent(self.allocated, self.announced)

    @property
    def delivered_pct(self) -> Decimal | None:
        return percent(self.delivered, self.announced)

    def rounded(self) -> dict[str, Any]:
        return {"announced_eur": cents(self.announced), "committed_eur": cents(self.committed),
                "allocated_eur": cents(self.allocated), "delivered_eur": cents(self.delivered),
                "committed_pct": self.committed_pct, "allocated_pct": self.allocated_pct,
                "delivered_pct": self.delivered_pct, "lines": self.lines}


def stage_sums(value: Any) -> dict[str, Any]:
    live = ~Q(status=LineStatus.CANCELLED)
    return {
        "lines": Count("pk", filter=live),
        "announced": Sum(value, filter=live, output_field=MONEY),
        "committed": Sum(value, filter=Q(status__in=COUNTED_STATUSES), output_field=MONEY),
        "allocated": Sum(value, filter=Q(status__in=ALLOCATED_OR_LATER), output_field=MONEY),
        "delivered": Sum(Scaled(value, F("delivered_quantity"), divisor=F("quantity")), filter=live,
                         output_field=MONEY),
    }


def totals_of(row: Mapping[str, Any]) -> StageTotals:
    return StageTotals(announced=row["announced"] or ZERO, committed=row["committed"] or ZERO,
                       allocated=row["allocated"] or ZERO, delivered=row["delivered"] or ZERO,
                       lines=row["lines"] or 0)


def totals_by_package(lines: QuerySet[PledgeLine], value: Any = None) -> dict[int, StageTotals]:
    rows = lines.order_by().values("package_id").annotate(**stage_sums(value or F("value_eur")))
    return {row["package_id"]: totals_of(row) for row in rows}


# --- funders and visibility ----------------------------------------------------------------------------------


def funded_by(nation_id: int) -> Q:
    """Packages the nation funds: as a listed funder, or as originator of a package without funder rows."""
    listed = PackageFunder.objects.filter(package_id=OuterRef("pk"), nation_id=nation_id)
    any_funder = PackageFunder.objects.filter(package_id=OuterRef("pk"))
    return Q(Exists(listed)) | (~Q(Exists(any_funder)) & Q(originator_id=nation_id))


def share_of(nation_id: int, package: str = "package_id") -> Expression:
    """On a line (or, with `package="line__package_id"`, an event) of a package the nation funds: its share
    (1 when the package has no funder rows)."""
    share = PackageFunder.objects.filter(package_id=OuterRef(package), nation_id=nation_id).values("share")[:1]
    return Coalesce(Subquery(share, output_field=MONEY), Value(Decimal(1)), output_field=MONEY)


def visible_lines(actor: Actor, packages: QuerySet[Package]) -> QuerySet[PledgeLine]:
    """Lines the actor may see, of packages it may see (`packages` is already filtered to visible ones)."""
    return PledgeLine.objects.visible_to(actor).filter(package__in=packages)


def first_reached(statuses: Iterable[str]) -> Expression:
    """The day a line first reached one of `statuses`, from its dated history (its value date if it has none)."""
    first = (PledgeEvent.objects.filter(line_id=OuterRef("pk"), to_status__in=list(statuses))
             .order_by("effective_date", "id").values("effective_date")[:1])
    return Coalesce(Subquery(first, output_field=DateField()), F("value_date"), output_field=DateField())


def allocated_since() -> Expression:
    """The day a line's current allocation began: its last allocation (a coordinator may deallocate and
    allocate again), else the first later step when it skipped allocation (shipped straight from stock)."""
    events = PledgeEvent.objects.filter(line_id=OuterRef("pk"))
    last = events.filter(to_status=LineStatus.ALLOCATED).order_by("-effective_date", "-id").values("effective_date")
    later = (events.filter(to_status__in=[s for s in ALLOCATED_OR_LATER if s != LineStatus.ALLOCATED])
             .order_by("effective_date", "id").values("effective_date"))
    return Coalesce(Subquery(last[:1], output_field=DateField()), Subquery(later[:1], output_field=DateField()),
                    F("value_date"), output_field=DateField())


def delivery_events(lines: QuerySet[PledgeLine]) -> QuerySet[PledgeEvent]:
    # `line__…` below reads lines already restricted to visible ones by `lines`.
    return PledgeEvent.objects.filter(line__in=lines, to_status=LineStatus.DELIVERED, quantity__gt=0)


def delivered_value(share: Expression | None = None) -> Scaled:
    """The value of a delivery event: its units' part of the line's EUR value (× the funder's share)."""
    factors: list[Any] = [F("quantity")]
    if share is not None:
        factors.append(share)
    return Scaled(F("line__value_eur"), *factors, divisor=F("line__quantity"))


def line_marking(lines: QuerySet[PledgeLine]) -> list[Marking]:
    """The markings the aggregated lines contribute to a page: their highest classification and narrowest
    releasability, found with two small queries instead of loading every line."""
    summary = lines.aggregate(top=Max("classification"), n=Count("pk"),
                              coalition=Count("pk", filter=Q(releasability=Releasability.COALITION)))
    if not summary["n"]:
        return []
    broadest = Releasability.COALITION if summary["coalition"] else Releasability.PUBLIC
    markings = [Marking(Classification(summary["top"]), broadest)]
    codes: dict[int, set[str]] = defaultdict(set)
    for pk, code in lines.filter(releasability=Releasability.REL_TO).values_list("pk", "rel_to__code"):
        codes[pk].add(code)
    for group in {frozenset(c) for c in codes.values()}:
        markings.append(Marking(Classification.UNCLASSIFIED, Releasability.REL_TO, tuple(sorted(group))))
    return markings


def page_marking(records: Iterable[Marked], lines: QuerySet[PledgeLine] | None = None) -> Marking | None:
    markings = [marking_of(record) for record in records]
    if lines is not None:
        markings.extend(line_marking(lines))
    return combine(markings)


def load_packages(qs: QuerySet[Package]) -> list[Package]:
    funders = PackageFunder.objects.select_related("nation").order_by("-share", "nation__code")
    return list(qs.select_related("originator")
                .prefetch_related("rel_to", Prefetch("funders", queryset=funders))
                .order_by("-date", "-id"))


def as_of_day(as_of: date | None) -> date:
    return as_of or timezone.localdate()


@dataclass(frozen=True)
class PackageProgress:
    """A package with its stage totals (its whole value) and the share counted for a donor or agreement."""

    package: Package
    totals: StageTotals
    share: Decimal = Decimal(1)  # the donor's share, on a donor's page

    @property
    def share_pct(self) -> Decimal:
        return (self.share * 100).quantize(TENTH, rounding=ROUND_HALF_UP)

    @property
    def funders(self) -> list[tuple[str, Decimal]]:
        """(nation code, % share) of each funder; a package without funder rows is its originator's."""
        rows = [(f.nation.code, (f.share * 100).quantize(TENTH, rounding=ROUND_HALF_UP))
                for f in self.package.funders.all()]
        return rows or [(self.package.originator.code, Decimal(100))]
