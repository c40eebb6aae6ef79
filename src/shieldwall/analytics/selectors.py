"""Reads of the analytics app: data sets, and every metric as one GROUP BY over the cells the actor may see.

A metric sums cells (`ContributionCell`: the facts of one measure, month, donor, category and channel that share
one marking, summed), not facts: a million facts are some 54,000 PUBLIC cells. Each starts from
`ContributionCell.objects.visible_to(actor)` (or the other fact tables'); a cell carries the marking of each of its
facts, so a figure is computed only over what its viewer may see — an anonymous caller sums PUBLIC facts only —
and equals the same sum over the facts. The fact list itself reads the facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Max, Q, QuerySet, Sum

from shieldwall.analytics import metrics, own
from shieldwall.analytics.models import (
    ChannelAllocation,
    Contribution,
    ContributionCell,
    DataSource,
    DonorFigure,
    Measure,
    SourceKind,
    WeaponDelivery,
)
from shieldwall.coalition.models import Nation
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, ValidationFailed
from shieldwall.core.models import AuditEvent

MEASURES = tuple(Measure.values)
Rows = TypeVar("Rows", QuerySet[Contribution], QuerySet[ContributionCell])


@dataclass(frozen=True)
class Filters:
    """What every metric can be narrowed to: measure, months, donors (a list or a regional group), categories."""

    measure: str = Measure.ALLOCATION
    date_from: date | None = None
    date_to: date | None = None
    donors: tuple[str, ...] = ()
    group: str = "all"
    categories: tuple[str, ...] = ()
    by: str = "month"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.measure not in MEASURES:
            errors["measure"] = [f"unknown measure {self.measure!r}; use {', '.join(MEASURES)}"]
        if self.group.lower() not in metrics.GROUPS:
            errors["group"] = [f"unknown group {self.group!r}; use {', '.join(metrics.GROUPS)}"]
        if self.by not in ("month", "year"):
            errors["by"] = ["use month or year"]
        bad = [c for c in self.categories if c not in metrics.CATEGORIES]
        if bad:
            errors["category"] = [f"unknown category {bad[0]!r}; use {', '.join(metrics.CATEGORIES[:3])}"]
        if self.date_from and self.date_to and self.date_from > self.date_to:
            errors["date_from"] = ["the first month is after the last"]
        if errors:
            raise ValidationFailed(errors)

    @property
    def donor_set(self) -> frozenset[str] | None:
        members = metrics.group_members(self.group)
        if self.donors:
            wanted = frozenset(d.upper() for d in self.donors)
            return wanted if members is None else wanted & members
        return members

    @property
    def narrowed(self) -> bool:
        """Whether months or categories are filtered (the EU share is then pro-rated)."""
        return bool(self.date_from or self.date_to or self.categories)


def parse_month(value: str | None, *, field_name: str, end: bool = False) -> date | None:
    """`2024-03` (or a full date) -> the first day of that month."""
    if not value:
        return None
    try:
        parts = [int(p) for p in value.strip().split("-")[:2]]
        return date(parts[0], parts[1], 1)
    except (ValueError, IndexError):
        raise ValidationFailed({field_name: [f"{value!r} is not a month; write YYYY-MM"]}) from None


# --- data sets ------------------------------------------------------------------------------------------------


def source_list(*, actor: Actor) -> QuerySet[DataSource]:
    """The data sets (reference data: the catalogue is not marked, the facts are)."""
    return DataSource.objects.order_by("kind", "family", "-published", "code")


def source_get(*, actor: Actor, code: str | None = None) -> DataSource:
    """A data set by code; without one, the newest external release (the default view)."""
    qs = source_list(actor=actor)
    found = qs.filter(code=code).first() if code else (
        qs.filter(kind=SourceKind.EXTERNAL).order_by("-published", "-id").first() or qs.first())
    if found is None:
        raise NotFound(f"data set {code} not found" if code else "no data set has been imported yet")
    return found


def data_key() -> str:
    """What every figure depends on, as text that changes whenever a figure may: each data set's data version
    (bumped by every write of its facts) and the last audit event (nations' names, GDP and population, and the
    data sets themselves, are written by audited services)."""
    last = AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0
    versions = DataSource.objects.order_by("pk").values_list("pk", "data_version", "updated_at")
    return f"{last}|" + ",".join(f"{pk}.{version}.{updated.timestamp()}" for pk, version, updated in versions)


# --- facts and cells ------------------------------------------------------------------------------------------


def facts(*, actor: Actor, source: DataSource, filters: Filters, measures: Iterable[str] | None = None,
          categories: bool = True) -> QuerySet[Contribution]:
    return _narrowed(Contribution.objects.visible_to(actor).filter(source=source), filters=filters,
                     measures=measures, categories=categories)


def cells(*, actor: Actor, source: DataSource, filters: Filters, measures: Iterable[str] | None = None,
          categories: bool = True) -> QuerySet[ContributionCell]:
    """The cells the metrics sum: the same filters as `facts`, over the facts' sums per marking."""
    return _narrowed(ContributionCell.objects.visible_to(actor).filter(source=source), filters=filters,
                     measures=measures, categories=categories)


def _narrowed(qs: Rows, *, filters: Filters, measures: Iterable[str] | None, categories: bool) -> Rows:
    wanted = tuple(measures) if measures is not None else (filters.measure,)
    qs = qs.filter(measure__in=wanted) if len(wanted) > 1 else qs.filter(measure=wanted[0])
    if filters.date_from:
        qs = qs.filter(period__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(period__lte=filters.date_to)
    donors = filters.donor_set
    if donors is not None:
        qs = qs.filter(donor__in=sorted(donors))
    if categories and filters.categories:
        qs = qs.filter(category__in=filters.categories)
    return qs


def fact_list(*, actor: Actor, source: DataSource, filters: Filters) -> QuerySet[Contribution]:
    """The facts themselves (for analysts and exports), with their markings."""
    return (facts(actor=actor, source=source, filters=filters).select_related("originator")
            .prefetch_related("rel_to").order_by("period", "donor", "category", "id"))


def _grouped(qs: QuerySet[ContributionCell], *columns: str) -> list[tuple[Any, ...]]:
    """(measure, *columns, micro-euros) sums of the cells, grouped first by measure and releasability: the order
    of the cells' indexes, so the database sums while reading an index instead of sorting the cells first. A
    group found in several releasabilities comes once per releasability; the metrics add up what they are given.
    """
    rows = qs.values_list("measure", "releasability", *columns).annotate(amount=Sum("amount_micro_eur")).order_by()
    return [(row[0], *row[2:]) for row in rows]


def series(*, actor: Actor, source: DataSource, filters: Filters) -> list[metrics.SeriesPoint]:
    sums = _grouped(cells(actor=actor, source=source, filters=filters), "period", "category")
    return metrics.series(((period, category, amount) for _m, period, category, amount in sums), by=filters.by)


def stages(*, actor: Actor, source: DataSource, filters: Filters) -> list[metrics.StagePoint]:
    """Committed vs allocated vs delivered per month (deliveries exist for this system's own data only)."""
    # Grouped by category too, which the per-month index follows, rather than sorted.
    sums = _grouped(cells(actor=actor, source=source, filters=filters, measures=MEASURES), "period", "category")
    return metrics.stages(((period, measure, amount) for measure, period, _c, amount in sums), by=filters.by)


def donor_info(*, source: DataSource, codes: Iterable[str]) -> dict[str, metrics.DonorInfo]:
    """Names, GDP (the source's own, with its base year, else the registry's), population (the registry's,
    else pypopulation's with its year), defence budget and EU-level share of these donors."""
    wanted = sorted(set(codes))
    figures = {f.donor: f for f in DonorFigure.objects.filter(source=source, donor__in=wanted)}
    nations = {n.code: n for n in Nation.objects.filter(code__in=wanted)}
    out = {}
    for code in wanted:
        fig, nation = figures.get(code), nations.get(code)
        gdp, gdp_year = (fig.gdp_eur_bn, fig.gdp_year) if fig and fig.gdp_eur_bn else (
            (nation.gdp_eur_bn, nation.gdp_year) if nation and nation.gdp_eur_bn else (None, None))
        population, population_year = (nation.population, nation.population_year) if nation and \
            nation.population else _packaged_population(code)
        out[code] = metrics.DonorInfo(
            name=(fig.name if fig else None) or (nation.name if nation else code), gdp_eur_bn=gdp,
            gdp_year=gdp_year, population=population, population_year=population_year,
            defence_budget_eur_bn=nation.defence_budget_eur_bn if nation else None,
            defence_budget_year=nation.defence_budget_year if nation else None,
            eu_share_bn=fig.eu_share_bn if fig else None)
    return out


def _packaged_population(code: str) -> tuple[int | None, int | None]:
    import pypopulation

    value = pypopulation.get_population_a3(code) if len(code) == 3 else None
    return (int(value), metrics.POPULATION_YEAR) if value else (None, None)


def _eu_factor(*, actor: Actor, source: DataSource, filters: Filters) -> Decimal | None:
    if filters.measure != Measure.ALLOCATION or not DonorFigure.objects.filter(
            source=source, eu_share_bn__isnull=False).exists():
        return None
    eu = Filters(measure=Measure.ALLOCATION, donors=(metrics.EU_INSTITUTIONS,))
    whole = cells(actor=actor, source=source, filters=eu).aggregate(s=Sum("amount_micro_eur"))["s"] or 0
    if not filters.narrowed:
        return metrics.eu_factor(whole, whole)
    narrowed = Filters(measure=Measure.ALLOCATION, date_from=filters.date_from, date_to=filters.date_to,
                       donors=(metrics.EU_INSTITUTIONS,), categories=filters.categories)
    part = cells(actor=actor, source=source, filters=narrowed).aggregate(s=Sum("amount_micro_eur"))["s"] or 0
    return metrics.eu_factor(part, whole)


def donors(*, actor: Actor, source: DataSource, filters: Filters) -> list[metrics.DonorRow]:
    """Totals per donor for the chosen measure, with commitments, deliveries and the relative figures."""
    wanted = {filters.measure, Measure.COMMITMENT}
    has_deliveries = Measure.DELIVERY in (source.measures or [])
    if has_deliveries:
        wanted.add(Measure.DELIVERY)
    qs = cells(actor=actor, source=source, filters=filters, measures=sorted(wanted), categories=False)
    if filters.categories:
        # Commitments not broken down by category (Kiel's) stay with every category filter.
        qs = qs.filter(Q(category__in=filters.categories) | Q(measure=Measure.COMMITMENT, category="unspecified"))
    sums = [(donor, measure, category, amount) for measure, donor, category, amount in _grouped(qs, "donor",
                                                                                               "category")]
    info = donor_info(source=source, codes={row[0] for row in sums})
    return metrics.donor_rows(sums, measure=filters.measure, info=info, has_deliveries=has_deliveries,
                              eu_factor=_eu_factor(actor=actor, source=source, filters=filters))


def groups(*, actor: Actor, source: DataSource, filters: Filters) -> list[metrics.GroupRow]:
    everyone = Filters(measure=filters.measure, date_from=filters.date_from, date_to=filters.date_to,
                       categories=filters.categories, by=filters.by)
    return metrics.group_rows(donors(actor=actor, source=source, filters=everyone))


@dataclass(frozen=True)
class WeaponRow:
    iso: str
    name: str
    category: str
    count: int
    value_eur: Decimal
    systems: list[dict[str, Any]]


def weapons(*, actor: Actor, source: DataSource, filters: Filters) -> list[WeaponRow]:
    """Heavy weapons per donor and category: counts, value, and the systems named."""
    qs = WeaponDelivery.objects.visible_to(actor).filter(source=source)
    donor_set = filters.donor_set
    if donor_set is not None:
        qs = qs.filter(donor__in=sorted(donor_set))
    rows = list(qs.order_by("donor", "category", "id"))
    info = donor_info(source=source, codes={r.donor for r in rows})
    return [WeaponRow(iso=r.donor, name=info[r.donor].name, category=r.category, count=r.count,
                      value_eur=r.value_eur, systems=list(r.systems)) for r in rows]


@dataclass(frozen=True)
class ChannelPoint:
    year: int
    month: int | None
    channel: str
    amount: Decimal


def channels(*, actor: Actor, source: DataSource, filters: Filters) -> list[ChannelPoint]:
    """Military allocations by sourcing channel over time: the source's own breakdown where it has one (Kiel's
    all-donor table), else the channel recorded on the facts (this system's packages: stock, procurement …)."""
    table = ChannelAllocation.objects.visible_to(actor).filter(source=source)
    if filters.date_from:
        table = table.filter(period__gte=filters.date_from)
    if filters.date_to:
        table = table.filter(period__lte=filters.date_to)
    sums = list(table.values_list("period", "channel").annotate(amount=Sum("amount_micro_eur")).order_by())
    if not sums and not ChannelAllocation.objects.visible_to(actor).filter(source=source).exists():
        military = Filters(measure=Measure.ALLOCATION, date_from=filters.date_from, date_to=filters.date_to,
                           donors=filters.donors, group=filters.group, categories=("military",))
        sums = list(cells(actor=actor, source=source, filters=military).exclude(channel="")
                    .values_list("period", "channel").annotate(amount=Sum("amount_micro_eur")).order_by())
    buckets: dict[tuple[int, int | None, str], int] = {}
    for period, channel, amount in sums:
        key = (period.year, period.month if filters.by == "month" else None, channel)
        buckets[key] = buckets.get(key, 0) + int(amount)
    return [ChannelPoint(year, month, channel, metrics.bn(amount))
            for (year, month, channel), amount in sorted(buckets.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0,
                                                                                           kv[0][2]))]


# --- the Kiel-compatible table ---------------------------------------------------------------------------------


KIEL_COLUMNS = ("country", "iso", "year", "month", "total", "financial", "humanitarian", "military", "commitments",
                "to_be_allocated", "gdp", "pct_gdp")


def kiel_rows(*, actor: Actor, source: DataSource, filters: Filters | None = None) -> list[dict[str, Any]]:
    """One row per donor and month, in the columns and units of Kiel's `data_explorer.csv` (EUR bn)."""
    f = filters or Filters()
    qs = cells(actor=actor, source=source, filters=f, measures=(Measure.ALLOCATION, Measure.COMMITMENT),
               categories=False)
    months: dict[tuple[str, date], dict[str, int]] = {}
    for measure, donor, category, period, amount in _grouped(qs, "donor", "category", "period"):
        row = months.setdefault((donor, period), {"military": 0, "financial": 0, "humanitarian": 0,
                                                  "commitments": 0})
        key = "commitments" if measure == Measure.COMMITMENT else category
        row[key] = row.get(key, 0) + int(amount)
    info = donor_info(source=source, codes={donor for donor, _p in months})
    names = dict(DonorFigure.objects.filter(source=source).values_list("donor", "name"))
    out = []
    for (donor, period), v in sorted(months.items(), key=lambda kv: (names.get(kv[0][0], kv[0][0]), kv[0][1])):
        total = v["military"] + v["financial"] + v["humanitarian"]
        gdp = info[donor].gdp_eur_bn or Decimal(0)
        out.append({
            "country": names.get(donor, info[donor].name), "iso": donor, "year": period.year, "month": period.month,
            "total": _kiel_bn(total), "financial": _kiel_bn(v["financial"]),
            "humanitarian": _kiel_bn(v["humanitarian"]), "military": _kiel_bn(v["military"]),
            "commitments": _kiel_bn(v["commitments"]), "to_be_allocated": _kiel_bn(v["commitments"] - total),
            "gdp": gdp.normalize() if gdp else Decimal(0),
            "pct_gdp": (Decimal(total) / metrics.BILLION_MICRO / gdp * 100).normalize() if gdp else Decimal(0),
        })
    return out


def _kiel_bn(micro: int) -> Decimal:
    # Exactly the figure stored (micro-euros in EUR bn), without trailing zeros, as Kiel prints it.
    value = (Decimal(micro) / metrics.BILLION_MICRO).normalize()
    return value if value != 0 else Decimal(0)


def build_filters(*, measure: str = Measure.ALLOCATION, by: str = "month", date_from: str | None = "",
                  date_to: str | None = "", donors: str | None = "", group: str | None = "all",
                  category: str | None = "") -> Filters:
    """Filters from the text of a query string, CLI options or a form (one parser for every adapter)."""
    return Filters(
        measure=(measure or Measure.ALLOCATION).strip().lower(), by=(by or "month").strip().lower(),
        date_from=parse_month(date_from, field_name="date_from"), date_to=parse_month(date_to, field_name="date_to"),
        donors=tuple(c.strip().upper() for c in (donors or "").split(",") if c.strip()),
        group=(group or "all").strip().lower(),
        categories=tuple(c.strip().lower() for c in (category or "").split(",") if c.strip()),
    )


def marking_of_facts(*, actor: Actor, source: DataSource, filters: Filters) -> Any:
    """The combined marking of the facts a figure was computed from (for the banner and exports), read from their
    cells, which carry the same markings."""
    from shieldwall.core.banner import combine
    from shieldwall.core.markings import Classification, Marking, Releasability

    qs = cells(actor=actor, source=source, filters=filters, measures=MEASURES)
    # The highest classification per releasability is all the combined marking takes from them (grouped in the
    # order of the cells' index, like the metrics).
    top: dict[str, int] = {}
    for _measure, releasability, classification in (qs.values_list("measure", "releasability")
                                                     .annotate(top=Max("classification")).order_by()):
        top[releasability] = max(top.get(releasability, 0), classification)
    markings = [Marking(Classification(c), Releasability(r)) for r, c in top.items() if r != Releasability.REL_TO]
    if Releasability.REL_TO in top:
        rel_to = qs.filter(releasability=Releasability.REL_TO)
        through = ContributionCell.rel_to.through
        lists: dict[int, set[str]] = {}
        for cell_id, code in through.objects.filter(contributioncell__in=rel_to.values("pk")).values_list(
                "contributioncell_id", "nation__code"):
            lists.setdefault(cell_id, set()).add(code)
        common = set.intersection(*lists.values()) if lists else set()
        markings.append(Marking(Classification(top[Releasability.REL_TO]), Releasability.REL_TO,
                                tuple(sorted(common))))
    return combine(markings)


def iati_activities(*, actor: Actor) -> list[Any]:
    """This system's own pledge lines that are PUBLIC (as the anonymous public sees them), as IATI activities."""
    from shieldwall.analytics.exports import (
        COMMITMENT,
        DISBURSEMENT,
        EXPENDITURE,
        PLEDGE,
        IatiActivity,
        IatiTransaction,
    )
    from shieldwall.catalogue.models import ItemType
    from shieldwall.pledges.models import PledgeEvent, PledgeLine

    public = Actor.anonymous()  # whoever asks, the export holds open data only
    lines = list(PledgeLine.objects.visible_to(public).order_by("id"))
    events: dict[int, list[Any]] = {}
    for e in PledgeEvent.objects.filter(line_id__in=[line.pk for line in lines]).order_by("effective_date", "id"):
        events.setdefault(e.line_id, []).append(e)
    items = dict(ItemType.objects.filter(pk__in={ln.item_type_id for ln in lines if ln.item_type_id})
                 .values_list("pk", "name"))
    nations = dict(Nation.objects.values_list("pk", "code"))
    names = dict(Nation.objects.values_list("pk", "name"))
    out = []
    for line in lines:
        history = events.get(line.pk, [])
        start = history[0].effective_date if history else line.value_date
        what = items.get(line.item_type_id) if line.item_type_id else "financial support"
        txs = [IatiTransaction(PLEDGE, start, line.value_eur)]
        committed = next((e for e in history if e.to_status == "committed"), None)
        if committed is not None and line.status != "cancelled":
            txs.append(IatiTransaction(COMMITMENT, committed.effective_date, line.value_eur))
        if line.status != "cancelled":
            kind = EXPENDITURE if line.item_type_id else DISBURSEMENT
            snapshot = own.Line(id=line.pk, status=line.status, quantity=line.quantity, value_eur=line.value_eur,
                                category="", subcategory="", funders=(), delivered_quantity=line.delivered_quantity,
                                events=tuple(own.Event(e.to_status, e.effective_date, e.quantity, e.value_eur)
                                             for e in history))
            for measure, day, amount in own.steps(snapshot):
                if measure == "delivery":
                    txs.append(IatiTransaction(kind, day, Decimal(amount) / 1_000_000))
        out.append(IatiActivity(
            line_id=line.pk, donor_code=nations[line.originator_id], donor_name=names[line.originator_id],
            title=line.description or f"{line.quantity} × {what}",
            description=f"{line.quantity} × {what} pledged by {names[line.originator_id]} to Ukraine "
                        f"(Shieldwall pledge line {line.pk})",
            status=line.status, start=start, transactions=tuple(txs)))
    return out
