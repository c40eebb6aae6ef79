"""Burden-sharing metrics as pure functions over grouped sums (no ORM): monthly and cumulative series, totals
per donor with commitments against allocations and allocations against deliveries, share of GDP (with its base
year), per capita (with the population's year), share of the defence budget, the EU-level share, and regional
groups. The selectors fetch the sums with one GROUP BY each; everything here is exact integer or Decimal
arithmetic, rounded once at the end (EUR bn to 9 places, i.e. to the euro; percentages to 12 places).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

BILLION_MICRO = Decimal(10) ** 15
BN_PLACES = Decimal("1e-9")
PCT_PLACES = Decimal("1e-12")
CENT = Decimal("0.01")
CATEGORIES = ("military", "financial", "humanitarian", "unspecified")
EU_INSTITUTIONS = "EU"
POPULATION_YEAR = 2020  # the figures pypopulation ships

GROUPS: dict[str, tuple[str, frozenset[str] | None]] = {
    "all": ("All donors", None),
    "e5": ("E5 (France, Germany, Italy, Poland, United Kingdom)", frozenset({"FRA", "DEU", "ITA", "POL", "GBR"})),
    "nordic-baltic": ("Nordic-Baltic Eight", frozenset({"DNK", "EST", "FIN", "ISL", "LVA", "LTU", "NOR", "SWE"})),
    "eu": ("European Union (member states and EU institutions)", frozenset({
        "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA",
        "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", EU_INSTITUTIONS})),
    "g7": ("G7", frozenset({"CAN", "FRA", "DEU", "ITA", "JPN", "GBR", "USA"})),
}


def bn(micro: int | Decimal) -> Decimal:
    """Micro-euros as EUR billions, rounded to the euro."""
    return (Decimal(micro) / BILLION_MICRO).quantize(BN_PLACES, rounding=ROUND_HALF_UP)


def pct(part_micro: int | Decimal, whole_bn: Decimal | None) -> Decimal | None:
    if not whole_bn:
        return None
    return (Decimal(part_micro) / BILLION_MICRO / whole_bn * 100).quantize(PCT_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SeriesPoint:
    year: int
    month: int | None
    total: Decimal
    military: Decimal
    financial: Decimal
    humanitarian: Decimal
    unspecified: Decimal
    cumulative: Decimal


def series(sums: Iterable[tuple[date, str, int]], *, by: str = "month") -> list[SeriesPoint]:
    """(period, category, micro-euros) sums -> one point per month (or year) with its running total."""
    buckets: dict[tuple[int, int | None], dict[str, int]] = defaultdict(lambda: dict.fromkeys(CATEGORIES, 0))
    for period, category, amount in sums:
        key = (period.year, period.month if by == "month" else None)
        buckets[key][category if category in CATEGORIES else "unspecified"] += int(amount)
    points, running = [], 0
    for (year, month), values in sorted(buckets.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        total = sum(values.values())
        running += total
        points.append(SeriesPoint(year=year, month=month, total=bn(total), military=bn(values["military"]),
                                  financial=bn(values["financial"]), humanitarian=bn(values["humanitarian"]),
                                  unspecified=bn(values["unspecified"]), cumulative=bn(running)))
    return points


@dataclass(frozen=True)
class StagePoint:
    year: int
    month: int | None
    committed: Decimal
    allocated: Decimal
    delivered: Decimal
    cumulative_committed: Decimal
    cumulative_allocated: Decimal
    cumulative_delivered: Decimal


def stages(sums: Iterable[tuple[date, str, int]], *, by: str = "month") -> list[StagePoint]:
    """(period, measure, micro-euros) sums -> committed vs allocated vs delivered per month, and cumulated."""
    buckets: dict[tuple[int, int | None], dict[str, int]] = defaultdict(
        lambda: {"commitment": 0, "allocation": 0, "delivery": 0})
    for period, measure, amount in sums:
        buckets[(period.year, period.month if by == "month" else None)][measure] += int(amount)
    points: list[StagePoint] = []
    run = {"commitment": 0, "allocation": 0, "delivery": 0}
    for (year, month), values in sorted(buckets.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        for key in run:
            run[key] += values[key]
        points.append(StagePoint(year, month, bn(values["commitment"]), bn(values["allocation"]),
                                 bn(values["delivery"]), bn(run["commitment"]), bn(run["allocation"]),
                                 bn(run["delivery"])))
    return points


@dataclass(frozen=True)
class DonorInfo:
    """What is known about a donor besides its facts, each figure with its year."""

    name: str
    gdp_eur_bn: Decimal | None = None
    gdp_year: int | None = None
    population: int | None = None
    population_year: int | None = None
    defence_budget_eur_bn: Decimal | None = None
    defence_budget_year: int | None = None
    eu_share_bn: Decimal | None = None  # the donor's share of EU-level aid over the source's whole period


@dataclass(frozen=True)
class DonorRow:
    iso: str
    name: str
    total: Decimal
    military: Decimal
    financial: Decimal
    humanitarian: Decimal
    commitments: Decimal
    to_be_allocated: Decimal
    delivered: Decimal | None
    to_be_delivered: Decimal | None
    pct_gdp: Decimal | None
    gdp_eur_bn: Decimal | None
    gdp_year: int | None
    eu_share: Decimal | None
    total_with_eu: Decimal
    pct_gdp_with_eu: Decimal | None
    per_capita_eur: Decimal | None
    population_year: int | None
    pct_defence_budget: Decimal | None
    defence_budget_year: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Sums:
    by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    commitments: int = 0
    delivered: int = 0


def donor_rows(
    sums: Iterable[tuple[str, str, str, int]],
    *,
    measure: str,
    info: Mapping[str, DonorInfo],
    eu_factor: Decimal | None = None,
    has_deliveries: bool = False,
) -> list[DonorRow]:
    """(donor, measure, category, micro-euros) sums -> one row per donor, largest total first.

    `eu_factor` scales each member's EU-level share to the filtered period and categories (1 when unfiltered;
    None when the measure or source has no EU attribution)."""
    per: dict[str, _Sums] = defaultdict(_Sums)
    for donor, fact_measure, category, amount in sums:
        row = per[donor]
        if fact_measure == measure:
            row.by_category[category if category in CATEGORIES else "unspecified"] += int(amount)
        if fact_measure == "commitment":
            row.commitments += int(amount)
        if fact_measure == "delivery":
            row.delivered += int(amount)
    rows = []
    for donor, s in per.items():
        d = info.get(donor) or DonorInfo(name=donor)
        total = sum(s.by_category.values())
        eu_share_micro = None
        if eu_factor is not None and d.eu_share_bn is not None:
            eu_share_micro = d.eu_share_bn * BILLION_MICRO * eu_factor
        with_eu = total + (eu_share_micro or 0)
        rows.append(DonorRow(
            iso=donor, name=d.name, total=bn(total), military=bn(s.by_category["military"]),
            financial=bn(s.by_category["financial"]), humanitarian=bn(s.by_category["humanitarian"]),
            commitments=bn(s.commitments), to_be_allocated=bn(s.commitments - total),
            delivered=bn(s.delivered) if has_deliveries else None,
            to_be_delivered=bn(total - s.delivered) if has_deliveries else None,
            pct_gdp=pct(total, d.gdp_eur_bn), gdp_eur_bn=d.gdp_eur_bn, gdp_year=d.gdp_year,
            eu_share=bn(eu_share_micro) if eu_share_micro is not None else None, total_with_eu=bn(with_eu),
            pct_gdp_with_eu=pct(with_eu, d.gdp_eur_bn),
            per_capita_eur=((Decimal(total) / Decimal(1_000_000) / d.population).quantize(CENT, ROUND_HALF_UP)
                            if d.population else None),
            population_year=d.population_year if d.population else None,
            pct_defence_budget=pct(total, d.defence_budget_eur_bn),
            defence_budget_year=d.defence_budget_year if d.defence_budget_eur_bn else None,
        ))
    return sorted(rows, key=lambda r: (-r.total, r.iso))


def eu_factor(filtered_micro: int, whole_micro: int) -> Decimal | None:
    """The part of EU institutions' aid that falls in the filters; exactly 1 when nothing is filtered out."""
    if not whole_micro:
        return None
    if filtered_micro == whole_micro:
        return Decimal(1)
    return Decimal(filtered_micro) / Decimal(whole_micro)


@dataclass(frozen=True)
class GroupRow:
    group: str
    label: str
    donors: int
    total: Decimal
    military: Decimal
    financial: Decimal
    humanitarian: Decimal
    commitments: Decimal
    pct_gdp: Decimal | None
    total_with_eu: Decimal
    gdp_year: int | None


def group_rows(rows: Iterable[DonorRow]) -> list[GroupRow]:
    """Totals of each regional group over the donor rows given; % of GDP over the members with a GDP figure."""
    items = list(rows)
    out = []
    for key, (label, members) in GROUPS.items():
        chosen = [r for r in items if members is None or r.iso in members]
        with_gdp = [r for r in chosen if r.gdp_eur_bn]
        gdp_total = sum((r.gdp_eur_bn or Decimal(0) for r in with_gdp), Decimal(0))
        total_with_gdp = sum((r.total for r in with_gdp), Decimal(0))
        attributed = any(r.eu_share is not None for r in chosen)
        out.append(GroupRow(
            group=key, label=label, donors=len(chosen), total=sum((r.total for r in chosen), Decimal(0)),
            military=sum((r.military for r in chosen), Decimal(0)),
            financial=sum((r.financial for r in chosen), Decimal(0)),
            humanitarian=sum((r.humanitarian for r in chosen), Decimal(0)),
            commitments=sum((r.commitments for r in chosen), Decimal(0)),
            pct_gdp=(total_with_gdp / gdp_total * 100).quantize(PCT_PLACES, ROUND_HALF_UP) if gdp_total else None,
            # Where members carry their EU-level share, the EU institutions' own row is not added again.
            total_with_eu=sum((r.total_with_eu for r in chosen
                               if not (attributed and r.iso == EU_INSTITUTIONS)), Decimal(0)),
            gdp_year=next((r.gdp_year for r in with_gdp if r.gdp_year), None),
        ))
    return out


def group_members(name: str) -> frozenset[str] | None:
    """The donor codes of a regional group (None for all); raises KeyError for an unknown group."""
    return GROUPS[name.lower()][1]


def as_float(value: Any) -> Any:
    """Decimal -> float for JSON and tables: our decimals have at most 15 significant digits, so the float's
    shortest text is exactly the decimal's digits."""
    return float(value) if isinstance(value, Decimal) else value
