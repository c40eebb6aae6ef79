"""From words to action: what became of a meeting's announcements, a donor's effort over time, and how far a
security agreement's yearly obligations are met. Selectors, computed with database aggregates over the records
the actor may see — a line counts only when the line, its package and (for the meeting report) the
announcement are all visible — so nobody learns a figure from records released past them.

Definitions (the stages mean what the field means by them, DESIGN.md §4):
- *announced* is the value of every line that is not cancelled; *committed* the lines in `COUNTED_STATUSES`;
  *allocated* those in `ALLOCATED_OR_LATER`; *delivered* each line's value pro rata of its delivered units.
- A co-funded package counts for each funder with its share; a package without funder rows is wholly its
  originator's.
- Over time, a line counts from the first day it reached a stage (its dated history, `PledgeEvent`), so the
  cumulative series ends at today's totals; deliveries count on the day of each delivery, pro rata.
- Money is summed exactly (Decimal; SQLite's REAL arithmetic is rounded back to 15 significant digits) and
  rounded half-up to the cent only when shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
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
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.utils import timezone

from shieldwall.coalition.models import Announcement, Meeting, Nation, SecurityAgreement
from shieldwall.coalition.terms import term_years
from shieldwall.core.actor import Actor
from shieldwall.core.banner import combine, marking_of
from shieldwall.core.errors import NotFound
from shieldwall.core.markings import Classification, Marking, Releasability
from shieldwall.core.models import Marked
from shieldwall.core.roles import Role
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


def _stage_sums(value: Any) -> dict[str, Any]:
    live = ~Q(status=LineStatus.CANCELLED)
    return {
        "lines": Count("pk", filter=live),
        "announced": Sum(value, filter=live, output_field=MONEY),
        "committed": Sum(value, filter=Q(status__in=COUNTED_STATUSES), output_field=MONEY),
        "allocated": Sum(value, filter=Q(status__in=ALLOCATED_OR_LATER), output_field=MONEY),
        "delivered": Sum(Scaled(value, F("delivered_quantity"), divisor=F("quantity")), filter=live,
                         output_field=MONEY),
    }


def _totals(row: Mapping[str, Any]) -> StageTotals:
    return StageTotals(announced=row["announced"] or ZERO, committed=row["committed"] or ZERO,
                       allocated=row["allocated"] or ZERO, delivered=row["delivered"] or ZERO,
                       lines=row["lines"] or 0)


def _totals_by_package(lines: QuerySet[PledgeLine], value: Any = None) -> dict[int, StageTotals]:
    rows = lines.order_by().values("package_id").annotate(**_stage_sums(value or F("value_eur")))
    return {row["package_id"]: _totals(row) for row in rows}


# --- funders and visibility ----------------------------------------------------------------------------------


def _funded_by(nation_id: int) -> Q:
    """Packages the nation funds: as a listed funder, or as originator of a package without funder rows."""
    listed = PackageFunder.objects.filter(package_id=OuterRef("pk"), nation_id=nation_id)
    any_funder = PackageFunder.objects.filter(package_id=OuterRef("pk"))
    return Q(Exists(listed)) | (~Q(Exists(any_funder)) & Q(originator_id=nation_id))


def _share_of(nation_id: int, package: str = "package_id") -> Expression:
    """On a line (or, with `package="line__package_id"`, an event) of a package the nation funds: its share
    (1 when the package has no funder rows)."""
    share = PackageFunder.objects.filter(package_id=OuterRef(package), nation_id=nation_id).values("share")[:1]
    return Coalesce(Subquery(share, output_field=MONEY), Value(Decimal(1)), output_field=MONEY)


def _visible_lines(actor: Actor, packages: QuerySet[Package]) -> QuerySet[PledgeLine]:
    """Lines the actor may see, of packages it may see (`packages` is already filtered to visible ones)."""
    return PledgeLine.objects.visible_to(actor).filter(package__in=packages)


def _first_reached(statuses: Iterable[str]) -> Expression:
    """The day a line first reached one of `statuses`, from its dated history (its value date if it has none)."""
    first = (PledgeEvent.objects.filter(line_id=OuterRef("pk"), to_status__in=list(statuses))
             .order_by("effective_date", "id").values("effective_date")[:1])
    return Coalesce(Subquery(first, output_field=DateField()), F("value_date"), output_field=DateField())


def _delivery_events(lines: QuerySet[PledgeLine]) -> QuerySet[PledgeEvent]:
    # `line__…` below reads lines already restricted to visible ones by `lines`.
    return PledgeEvent.objects.filter(line__in=lines, to_status=LineStatus.DELIVERED, quantity__gt=0)


def _delivered_value(share: Expression | None = None) -> Scaled:
    """The value of a delivery event: its units' part of the line's EUR value (× the funder's share)."""
    factors: list[Any] = [F("quantity")]
    if share is not None:
        factors.append(share)
    return Scaled(F("line__value_eur"), *factors, divisor=F("line__quantity"))


def _line_marking(lines: QuerySet[PledgeLine]) -> list[Marking]:
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


def _page_marking(records: Iterable[Marked], lines: QuerySet[PledgeLine] | None = None) -> Marking | None:
    markings = [marking_of(record) for record in records]
    if lines is not None:
        markings.extend(_line_marking(lines))
    return combine(markings)


def _packages(qs: QuerySet[Package]) -> list[Package]:
    funders = PackageFunder.objects.select_related("nation").order_by("-share", "nation__code")
    return list(qs.select_related("originator")
                .prefetch_related("rel_to", Prefetch("funders", queryset=funders))
                .order_by("-date", "-id"))


def _today(as_of: date | None) -> date:
    return as_of or timezone.localdate()


# --- the meeting report ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageProgress:
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


@dataclass(frozen=True)
class OverdueLine:
    line: PledgeLine
    package: Package
    available_days: int | None  # days since `available_from`, when the line should have left by now
    announced_days: int | None  # days since its package was announced, when it is still only announced

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.available_days is not None:
            out.append(f"available since {self.line.available_from} ({self.available_days} days), not yet shipped")
        if self.announced_days is not None:
            out.append(f"announced {self.announced_days} days ago, still only announced")
        return out


@dataclass(frozen=True)
class AnnouncementProgress:
    announcement: Announcement
    packages: list[PackageProgress]
    totals: StageTotals
    overdue: int


@dataclass(frozen=True)
class MeetingReport:
    meeting: Meeting
    announcements: list[AnnouncementProgress]
    totals: StageTotals
    overdue: list[OverdueLine]
    as_of: date
    stale_days: int
    marking: Marking | None = None
    records: list[Marked] = field(default_factory=list)


def meeting_report(
    *, actor: Actor, meeting_id: int, as_of: date | None = None, stale_days: int = DEFAULT_STALE_DAYS
) -> MeetingReport:
    """Each visible announcement of a visible meeting, with what its packages have since become."""
    today = _today(as_of)
    try:
        meeting = (Meeting.objects.visible_to(actor).select_related("originator", "chair")
                   .prefetch_related("rel_to").get(pk=meeting_id))
    except (Meeting.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"meeting {meeting_id} not found") from exc
    announcements = list(Announcement.objects.visible_to(actor).filter(meeting=meeting)
                         .select_related("nation").prefetch_related("rel_to").order_by("id"))
    package_qs = Package.objects.visible_to(actor).filter(announcement_id__in=[a.pk for a in announcements])
    packages = _packages(package_qs)
    lines = _visible_lines(actor, package_qs)
    by_package = _totals_by_package(lines)
    overdue = _overdue(lines, {p.pk: p for p in packages}, today=today, stale_days=stale_days)
    overdue_by_announcement: dict[int, int] = defaultdict(int)
    for row in overdue:
        overdue_by_announcement[row.package.announcement_id or 0] += 1
    rows = []
    for announcement in announcements:
        progress = [PackageProgress(p, by_package.get(p.pk, StageTotals())) for p in packages
                    if p.announcement_id == announcement.pk]
        rows.append(AnnouncementProgress(announcement, progress, sum((p.totals for p in progress), StageTotals()),
                                         overdue_by_announcement[announcement.pk]))
    records: list[Marked] = [meeting, *announcements, *packages]
    return MeetingReport(meeting=meeting, announcements=rows, totals=sum(by_package.values(), StageTotals()),
                         overdue=overdue, as_of=today, stale_days=stale_days,
                         marking=_page_marking(records, lines), records=records)


def _overdue(lines: QuerySet[PledgeLine], packages: Mapping[int, Package], *, today: date,
             stale_days: int) -> list[OverdueLine]:
    cutoff = today - timedelta(days=stale_days)
    stale_packages = [pk for pk, package in packages.items() if package.date < cutoff]
    late = Q(available_from__lt=today, status__in=NOT_YET_SHIPPED)
    stale = Q(status=LineStatus.ANNOUNCED, package_id__in=stale_packages)
    rows = []
    for line in (lines.filter(late | stale).select_related("item_type").prefetch_related("rel_to")
                 .order_by("available_from", "id")):
        package = packages[line.package_id]
        available_days = ((today - line.available_from).days
                          if line.available_from and line.available_from < today and line.status in NOT_YET_SHIPPED
                          else None)
        announced_days = ((today - package.date).days
                          if line.status == LineStatus.ANNOUNCED and package.date < cutoff else None)
        rows.append(OverdueLine(line, package, available_days, announced_days))
    return rows


# --- the donor page -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPoint:
    """Cumulative EUR (the donor's share) at the end of `month`."""

    month: date
    committed: Decimal
    allocated: Decimal
    delivered: Decimal


@dataclass(frozen=True)
class ItemClassShare:
    item_class_id: int | None
    name: str
    committed: Decimal
    pct: Decimal | None  # of the donor's committed total


@dataclass(frozen=True)
class DonorProfile:
    nation: Nation
    packages: list[PackageProgress]
    totals: StageTotals  # the donor's share
    series: list[SeriesPoint]
    coalition_committed: Decimal  # every visible committed line, all donors
    top_classes: list[ItemClassShare]
    as_of: date
    marking: Marking | None = None
    records: list[Marked] = field(default_factory=list)

    @property
    def share_pct(self) -> Decimal | None:
        """The donor's committed EUR as a percentage of all visible committed EUR."""
        return percent(self.totals.committed, self.coalition_committed)


def donor_profile(*, actor: Actor, code: str, as_of: date | None = None, top: int = 5) -> DonorProfile:
    """A nation's visible packages, its stages over time, its share of the effort and its top item classes."""
    nation = Nation.objects.filter(code=code.strip().upper()).first()
    if nation is None:
        raise NotFound(f"nation {code} not found")
    today = _today(as_of)
    package_qs = Package.objects.visible_to(actor).filter(_funded_by(nation.pk))
    packages = _packages(package_qs)
    lines = _visible_lines(actor, package_qs)
    share = _share_of(nation.pk)
    shares = {f.package_id: f.share for p in packages for f in p.funders.all() if f.nation_id == nation.pk}
    by_package = _totals_by_package(lines)
    everything = _visible_lines(actor, Package.objects.visible_to(actor))
    coalition = everything.filter(status__in=COUNTED_STATUSES).aggregate(
        total=Sum("value_eur", output_field=MONEY))["total"]
    return DonorProfile(
        nation=nation,
        packages=[PackageProgress(p, by_package.get(p.pk, StageTotals()), shares.get(p.pk, Decimal(1)))
                  for p in packages],
        totals=_totals(lines.aggregate(**_stage_sums(Scaled(F("value_eur"), share)))),
        series=_series(lines, nation.pk, today),
        coalition_committed=coalition or ZERO,
        top_classes=_top_classes(lines, share, top),
        as_of=today,
        marking=_page_marking(packages, lines),
        records=list(packages),
    )


def _monthly(rows: Iterable[Mapping[str, Any]]) -> dict[date, Decimal]:
    return {row["month"]: row["total"] or ZERO for row in rows if row["month"] is not None}


def _series(lines: QuerySet[PledgeLine], nation_id: int, today: date) -> list[SeriesPoint]:
    value = Scaled(F("value_eur"), _share_of(nation_id))
    stages: dict[str, dict[date, Decimal]] = {}
    for name, statuses in (("committed", COUNTED_STATUSES), ("allocated", ALLOCATED_OR_LATER)):
        month = TruncMonth(_first_reached(statuses), output_field=DateField())
        stages[name] = _monthly(lines.filter(status__in=statuses).order_by().annotate(month=month)
                                .values("month").annotate(total=Sum(value, output_field=MONEY)))
    events = _delivery_events(lines.filter(~Q(status=LineStatus.CANCELLED)))
    event_share = _share_of(nation_id, "line__package_id")
    stages["delivered"] = _monthly(events.order_by().annotate(month=TruncMonth("effective_date"))
                                   .values("month").annotate(total=Sum(_delivered_value(event_share),
                                                                       output_field=MONEY)))
    return cumulative(stages["committed"], stages["allocated"], stages["delivered"], until=today)


def cumulative(committed: Mapping[date, Decimal], allocated: Mapping[date, Decimal],
               delivered: Mapping[date, Decimal], *, until: date | None = None) -> list[SeriesPoint]:
    """Monthly amounts → cumulative points for every month from the first with a value to `until`'s month."""
    months = sorted({*committed, *allocated, *delivered})
    if not months:
        return []
    last = max(months[-1], until.replace(day=1)) if until else months[-1]
    points: list[SeriesPoint] = []
    totals = [ZERO, ZERO, ZERO]
    month = months[0].replace(day=1)
    while month <= last:
        for i, source in enumerate((committed, allocated, delivered)):
            totals[i] += source.get(month, ZERO)
        points.append(SeriesPoint(month, *totals))
        month = (month + timedelta(days=32)).replace(day=1)
    return points


def _top_classes(lines: QuerySet[PledgeLine], share: Expression, top: int) -> list[ItemClassShare]:
    committed = lines.filter(status__in=COUNTED_STATUSES).order_by()
    rows = list(committed.values("item_type__item_class_id", "item_type__item_class__name")
                .annotate(total=Sum(Scaled(F("value_eur"), share), output_field=MONEY)).order_by("-total"))
    whole = sum((row["total"] or ZERO for row in rows), ZERO)
    return [ItemClassShare(row["item_type__item_class_id"], row["item_type__item_class__name"] or FINANCING,
                           row["total"] or ZERO, percent(row["total"] or ZERO, whole)) for row in rows[:top]]


# --- security agreement fulfilment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FulfilmentYear:
    year: int
    obligation: Decimal | None
    committed: Decimal
    delivered: Decimal
    in_term: bool

    @property
    def committed_pct(self) -> Decimal | None:
        return percent(self.committed, self.obligation)

    @property
    def delivered_pct(self) -> Decimal | None:
        return percent(self.delivered, self.obligation)


@dataclass(frozen=True)
class AgreementFulfilment:
    agreement: SecurityAgreement
    years: list[FulfilmentYear]
    packages: list[PackageProgress]
    marking: Marking | None = None
    records: list[Marked] = field(default_factory=list)

    @property
    def total(self) -> FulfilmentYear:
        obligations = [y.obligation for y in self.years if y.obligation is not None]
        return FulfilmentYear(0, sum(obligations, ZERO) if obligations else None,
                              sum((y.committed for y in self.years), ZERO),
                              sum((y.delivered for y in self.years), ZERO), True)


def agreement_fulfilment(*, actor: Actor, agreement_id: int) -> AgreementFulfilment:
    """Per year of the agreement: its obligation, the donor's committed value (by the year of each line's
    commitment) and delivered value (by the year of each delivery), from the visible packages it covers."""
    from shieldwall.coalition.selectors import agreement_get

    agreement = agreement_get(actor=actor, id=agreement_id)
    donor_id = agreement.donor_id
    package_qs = Package.objects.visible_to(actor).filter(_funded_by(donor_id), agreement=agreement)
    packages = _packages(package_qs)
    lines = _visible_lines(actor, package_qs)
    share = _share_of(donor_id)
    year = ExtractYear(_first_reached(COUNTED_STATUSES))
    committed = dict(lines.filter(status__in=COUNTED_STATUSES).order_by().annotate(year=year).values("year")
                     .annotate(total=Sum(Scaled(F("value_eur"), share), output_field=MONEY))
                     .values_list("year", "total"))
    events = _delivery_events(lines.filter(~Q(status=LineStatus.CANCELLED)))
    delivered = dict(events.order_by().annotate(year=ExtractYear("effective_date")).values("year")
                     .annotate(total=Sum(_delivered_value(_share_of(donor_id, "line__package_id")), output_field=MONEY))
                     .values_list("year", "total"))
    obligations = {o.year: o.amount_eur for o in agreement.obligations.all()}
    term = term_years(agreement.signed, agreement.duration_years)
    years = sorted({*term, *committed, *delivered})
    rows = [FulfilmentYear(y, obligations.get(y), committed.get(y) or ZERO, delivered.get(y) or ZERO, y in term)
            for y in years]
    by_package = _totals_by_package(lines)
    shares = {f.package_id: f.share for p in packages for f in p.funders.all() if f.nation_id == donor_id}
    return AgreementFulfilment(
        agreement=agreement, years=rows,
        packages=[PackageProgress(p, by_package.get(p.pk, StageTotals()), shares.get(p.pk, Decimal(1)))
                  for p in packages],
        marking=_page_marking([agreement, *packages], lines), records=[agreement, *packages],
    )


def packages_linkable_to_agreement(*, actor: Actor, agreement: SecurityAgreement) -> QuerySet[Package]:
    """The choices for linking: visible packages its donor funds and not yet linked to it, of the actor's own
    nation (as the package policy has it, a donor officer changes only its nation's packages; the link service
    checks the rule itself)."""
    visible = Package.objects.visible_to(actor)
    if not actor.has_role(Role.DONOR) or actor.nation_id is None:
        return visible.none()
    return (visible.filter(_funded_by(agreement.donor_id), originator_id=actor.nation_id)
            .exclude(agreement_id=agreement.pk).order_by("-date", "-id"))
