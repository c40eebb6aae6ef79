"""The donor page: a nation's visible packages (its share of co-funded ones), its stages over time, its share
of the coalition's commitments and its top item classes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DateField, F, Q, QuerySet, Sum
from django.db.models.expressions import Expression
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shieldwall.coalition.models import Nation
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound
from shieldwall.core.markings import Marking
from shieldwall.core.models import Marked
from shieldwall.pledges.models import ALLOCATED_OR_LATER, COUNTED_STATUSES, LineStatus, Package, PledgeLine
from shieldwall.pledges.reports.common import (
    FINANCING,
    MONEY,
    ZERO,
    PackageProgress,
    Scaled,
    StageTotals,
    allocated_since,
    as_of_day,
    delivered_value,
    delivery_events,
    first_reached,
    funded_by,
    load_packages,
    page_marking,
    percent,
    share_of,
    stage_sums,
    totals_by_package,
    totals_of,
    visible_lines,
)


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
    today = as_of_day(as_of)
    package_qs = Package.objects.visible_to(actor).filter(funded_by(nation.pk))
    packages = load_packages(package_qs)
    lines = visible_lines(actor, package_qs)
    share = share_of(nation.pk)
    shares = {f.package_id: f.share for p in packages for f in p.funders.all() if f.nation_id == nation.pk}
    by_package = totals_by_package(lines)
    everything = visible_lines(actor, Package.objects.visible_to(actor))
    coalition = everything.filter(status__in=COUNTED_STATUSES).aggregate(
        total=Sum("value_eur", output_field=MONEY))["total"]
    return DonorProfile(
        nation=nation,
        packages=[PackageProgress(p, by_package.get(p.pk, StageTotals()), shares.get(p.pk, Decimal(1)))
                  for p in packages],
        totals=totals_of(lines.aggregate(**stage_sums(Scaled(F("value_eur"), share)))),
        # Never past the real today: a far-future day would only draw a flat line for centuries.
        series=_series(lines, nation.pk, min(today, timezone.localdate())),
        coalition_committed=coalition or ZERO,
        top_classes=_top_classes(lines, share, top),
        as_of=today,
        marking=page_marking(packages, lines),
        records=list(packages),
    )


def _monthly(rows: Iterable[Mapping[str, Any]]) -> dict[date, Decimal]:
    return {row["month"]: row["total"] or ZERO for row in rows if row["month"] is not None}


def _series(lines: QuerySet[PledgeLine], nation_id: int, today: date) -> list[SeriesPoint]:
    value = Scaled(F("value_eur"), share_of(nation_id))
    stages: dict[str, dict[date, Decimal]] = {}
    for name, statuses, since in (("committed", COUNTED_STATUSES, first_reached(COUNTED_STATUSES)),
                                  ("allocated", ALLOCATED_OR_LATER, allocated_since())):
        month = TruncMonth(since, output_field=DateField())
        stages[name] = _monthly(lines.filter(status__in=statuses).order_by().annotate(month=month)
                                .values("month").annotate(total=Sum(value, output_field=MONEY)))
    events = delivery_events(lines.filter(~Q(status=LineStatus.CANCELLED)))
    event_share = share_of(nation_id, "line__package_id")
    stages["delivered"] = _monthly(events.order_by().annotate(month=TruncMonth("effective_date"))
                                   .values("month").annotate(total=Sum(delivered_value(event_share),
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
        if month.year == date.max.year and month.month == 12:
            break
        month = (month + timedelta(days=32)).replace(day=1)
    return points


def _top_classes(lines: QuerySet[PledgeLine], share: Expression, top: int) -> list[ItemClassShare]:
    committed = lines.filter(status__in=COUNTED_STATUSES).order_by()
    rows = list(committed.values("item_type__item_class_id", "item_type__item_class__name")
                .annotate(total=Sum(Scaled(F("value_eur"), share), output_field=MONEY)).order_by("-total"))
    whole = sum((row["total"] or ZERO for row in rows), ZERO)
    return [ItemClassShare(row["item_type__item_class_id"], row["item_type__item_class__name"] or FINANCING,
                           row["total"] or ZERO, percent(row["total"] or ZERO, whole)) for row in rows[:top]]
