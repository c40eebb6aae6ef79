"""Writes of the analytics app: importing a Kiel release, and keeping the `shieldwall` facts current.

An import reads and checks the whole release first (`kiel.read_release`), then writes it in one transaction:
the data set, its donors' figures and its facts (bulk inserts: a release is thousands of facts, and one audit
event records the import with its counts and checksum). The same release imported again changes nothing; a
release with another number is stored beside the others; different content under a release number already
imported is refused.

Kiel's facts are PUBLIC (UNCLASSIFIED // PUBLIC RELEASE). Their originator is the donor nation (created in the
registry from ISO 3166 when missing), and for what no nation originates — Kiel's "EU" institutions row, the
all-donor sourcing channels — the importing user's nation.

The `shieldwall` facts are derived data: rebuilt per pledge line from its lifecycle events whenever lines
change (`lines_changed` → a background task), each carrying its line's marking, so the access rule releases a
fact exactly as far as the line it summarises. Lines are read as their originating nation sees them (the
originator always sees its own records), which covers every line without bypassing the access rule.

Whatever writes facts rewrites, in the same transaction, the cells (`ContributionCell`, see `rollup`) that the
metrics read — the whole data set's on an import or a full rebuild, else the cells of the donors and months the
changed lines touch, re-derived from their facts — and bumps the data set's `data_version`, which keys the public
page's cache. Writers of one data set's facts are serialised by a row lock on it, so two refreshes cannot
interleave their re-derivations.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from pathlib import Path
from typing import Any, TypeVar

import pycountry
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from shieldwall.analytics import kiel, own, rollup
from shieldwall.analytics.models import (
    Category,
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
from shieldwall.core import audit, writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import Conflict, ValidationFailed
from shieldwall.core.markings import Classification, Releasability
from shieldwall.core.models import Marked

SHIELDWALL = "shieldwall"
SHIELDWALL_LABEL = "Shieldwall: pledges recorded in this system"
M = TypeVar("M", bound=Marked)


@dataclass(frozen=True)
class ImportResult:
    source: DataSource
    created: bool
    facts: int = 0
    weapons: int = 0
    channels: int = 0
    donors: int = 0
    nations_created: int = 0
    cells: int = 0


# --- Kiel release -------------------------------------------------------------------------------------------


def kiel_import(*, actor: Actor, directory: Path | str) -> ImportResult:
    """Import the Kiel UST release in `directory` (the five CSV files of its website data)."""
    writes.require(actor, "create", DataSource(code="kiel"))
    try:
        release = kiel.read_release(Path(directory))
    except kiel.KielFormatError as exc:
        raise ValidationFailed({"file": [str(exc)]}, detail=f"refused: {exc}") from exc
    existing = DataSource.objects.filter(code=release.code).first()
    if existing is not None:
        if existing.checksum == release.checksum:
            return ImportResult(source=existing, created=False)
        raise Conflict(f"release {release.release} is already imported ({existing.code}) with different content; "
                       "a corrected release needs a new release number")
    with transaction.atomic():
        nations, created_nations = _ensure_nations(release.names)
        fallback = actor.nation_id
        if fallback is None and any(code not in nations for code in release.names):
            raise ValidationFailed({"originator": [
                "the release has donors that are not nations (e.g. EU institutions); import it as a user with a "
                "nation, whose nation then originates those facts"]})
        source = DataSource(
            code=release.code, kind=SourceKind.EXTERNAL, family="kiel-ust", title=kiel.TITLE,
            publisher=kiel.PUBLISHER, release=release.release, period=release.period, published=release.published,
            label=release.attribution, measures=[Measure.ALLOCATION, Measure.COMMITMENT],
            gdp_year=kiel.GDP_BASE_YEAR, checksum=release.checksum, refreshed_at=timezone.now(),
        )
        counts = _kiel_rows(source=None, release=release, nations=nations, fallback=fallback, dry=True)
        source = writes.create(actor=actor, obj=source, action="analytics.kiel_import",
                               extra_audit={"counts": counts, "nations_created": created_nations})
        _kiel_rows(source=source, release=release, nations=nations, fallback=fallback, dry=False)
    return ImportResult(source=source, created=True, facts=counts["facts"], weapons=counts["weapons"],
                        channels=counts["channels"], donors=counts["donors"], nations_created=created_nations,
                        cells=counts["cells"])


def _ensure_nations(names: dict[str, str]) -> tuple[dict[str, int], int]:
    """Registry ids of the donors that are ISO 3166 nations, creating the missing ones (reference data)."""
    from shieldwall.coalition.services import nation_create

    codes = sorted(code for code in names if len(code) == 3 and pycountry.countries.get(alpha_3=code))
    found = dict(Nation.objects.filter(code__in=codes).values_list("code", "id"))
    system = Actor.system("kiel-import")
    created = 0
    for code in codes:
        if code not in found:
            found[code] = nation_create(actor=system, code=code).pk
            created += 1
    return found, created


def _public(originator_id: int) -> dict[str, Any]:
    return {"classification": Classification.UNCLASSIFIED, "releasability": Releasability.PUBLIC,
            "originator_id": originator_id}


def _kiel_rows(*, source: DataSource | None, release: kiel.Release, nations: dict[str, int], fallback: int | None,
               dry: bool) -> dict[str, int]:
    def origin(code: str) -> int:
        return nations.get(code) or fallback  # type: ignore[return-value]

    facts: list[Contribution] = []
    for row in release.months:
        base = {"source": source, "donor": row.iso, "donor_nation_id": nations.get(row.iso), "period": row.period,
                **_public(origin(row.iso))}
        # Every figure is kept, zeros included, so the release can be given back row for row.
        for category, value in ((Category.MILITARY, row.military), (Category.FINANCIAL, row.financial),
                                (Category.HUMANITARIAN, row.humanitarian)):
            facts.append(Contribution(**base, category=category, measure=Measure.ALLOCATION,
                                      amount_micro_eur=kiel.bn_to_micro(value)))
        facts.append(Contribution(**base, category=Category.UNSPECIFIED, measure=Measure.COMMITMENT,
                                  amount_micro_eur=kiel.bn_to_micro(row.commitments)))
    weapons = [
        WeaponDelivery(source=source, donor=w.iso, donor_nation_id=nations.get(w.iso), category=w.category,
                       count=w.count, value_micro_eur=kiel.eur_to_micro(w.value_eur),
                       systems=[{"system": s.system, "count": s.count} for s in w.systems], **_public(origin(w.iso)))
        for w in release.weapons
    ]
    channels = [
        ChannelAllocation(source=source, period=c.period, channel=c.channel,
                          amount_micro_eur=kiel.bn_to_micro(c.amount_bn), **_public(origin("")))
        for c in release.channels
    ]
    shares = {s.iso: s for s in release.eu_shares}
    figures = [
        DonorFigure(source=source, donor=iso, name=name, gdp_eur_bn=release.gdp.get(iso), gdp_year=kiel.GDP_BASE_YEAR,
                    bilateral_pct_gdp=getattr(shares.get(iso), "bilateral_pct_gdp", None),
                    eu_share_pct_gdp=getattr(shares.get(iso), "eu_share_pct_gdp", None),
                    total_pct_gdp=getattr(shares.get(iso), "total_pct_gdp", None),
                    eu_share_bn=getattr(shares.get(iso), "eu_share_bn", None))
        for iso, name in sorted(release.names.items())
    ]
    cells = rollup.roll_up((_cell_key(fact, ()), fact.amount_micro_eur) for fact in facts)
    if not dry:
        assert source is not None
        Contribution.objects.bulk_create(facts, batch_size=2000)
        WeaponDelivery.objects.bulk_create(weapons, batch_size=500)
        ChannelAllocation.objects.bulk_create(channels, batch_size=500)
        DonorFigure.objects.bulk_create(figures, batch_size=500)
        _cells_write(source, cells)
    return {"facts": len(facts), "weapons": len(weapons), "channels": len(channels), "donors": len(figures),
            "cells": len(cells)}


# --- the `shieldwall` source: facts derived from this system's pledge lines -----------------------------------


def shieldwall_source() -> DataSource:
    """The `shieldwall` data set, created on first use."""
    found = DataSource.objects.filter(code=SHIELDWALL).first()
    if found is not None:
        return found
    source = DataSource(code=SHIELDWALL, kind=SourceKind.SYSTEM, family=SHIELDWALL, title="Shieldwall pledges",
                        publisher="this deployment", label=SHIELDWALL_LABEL,
                        measures=[Measure.COMMITMENT, Measure.ALLOCATION, Measure.DELIVERY])
    return writes.create(actor=Actor.system("analytics"), obj=source)


def by_originator(model: type[M]) -> Iterator[models.QuerySet[M]]:
    """The records of `model` of each nation, as that nation sees them (one queryset per nation).

    Derived facts must cover every line whatever its marking; the originator always sees its own records, so
    reading each line as its originator does stays within the access rule instead of bypassing it."""
    for pk, code in Nation.objects.order_by("pk").values_list("pk", "code"):
        yield model.objects.visible_to(Actor(user_id=None, username="analytics-derivation", nation_id=pk,
                                             nation_code=code, clearance=Classification.SECRET, is_system=True)
                                       ).filter(originator_id=pk)


def as_originators(model: type[M]) -> models.QuerySet[M]:
    """Every record of `model`, each as its originating nation sees it (one query: an OR per nation)."""
    parts = list(by_originator(model))
    if not parts:
        return model.objects.none()  # type: ignore[no-any-return]
    return reduce(operator.or_, parts)


def _line_snapshots(line_ids: Sequence[int] | None) -> tuple[list[own.Line], dict[int, Any]]:
    """The lines' data the derivation needs, and each line's marking (classification, releasability, …)."""
    from shieldwall.catalogue.models import ItemType
    from shieldwall.pledges.models import Package, PackageFunder, PledgeEvent, PledgeLine

    lines = as_originators(PledgeLine).prefetch_related("rel_to")
    if line_ids is not None:
        lines = lines.filter(pk__in=list(line_ids))
    rows = list(lines)
    package_ids = {line.package_id for line in rows}
    packages = dict(as_originators(Package).filter(pk__in=package_ids).values_list("pk", "source"))
    originators = dict(Nation.objects.values_list("pk", "code"))
    funders: dict[int, list[own.Funder]] = {}
    for f in PackageFunder.objects.filter(package_id__in=package_ids).select_related("nation"):
        funders.setdefault(f.package_id, []).append(own.Funder(f.nation_id, f.nation.code, f.share))
    events: dict[int, list[own.Event]] = {}
    for e in PledgeEvent.objects.filter(line_id__in=[line.pk for line in rows]).order_by("effective_date", "id"):
        events.setdefault(e.line_id, []).append(own.Event(e.to_status, e.effective_date, e.quantity, e.value_eur))
    areas = dict(ItemType.objects.filter(pk__in={line.item_type_id for line in rows if line.item_type_id})
                 .values_list("pk", "item_class__area__code"))
    snapshots, markings = [], {}
    for line in rows:
        own_funders = funders.get(line.package_id) or [
            own.Funder(line.originator_id, originators[line.originator_id], Decimal(1))]
        snapshots.append(own.Line(
            id=line.pk, status=line.status, quantity=line.quantity, value_eur=line.value_eur,
            category=Category.MILITARY if line.item_type_id else Category.FINANCIAL,
            subcategory=areas.get(line.item_type_id, "") if line.item_type_id else "",
            funders=tuple(own_funders), events=tuple(events.get(line.pk, ())),
            channel=packages.get(line.package_id, ""), delivered_quantity=line.delivered_quantity,
        ))
        markings[line.pk] = (line.classification, line.releasability, line.originator_id,
                             [n.pk for n in line.rel_to.all()])
    return snapshots, markings


def shieldwall_refresh(*, line_ids: Iterable[int] | None = None) -> int:
    """Rebuild the `shieldwall` facts of these lines (of every line when None) and the cells they fall in;
    returns the facts written.

    Idempotent: a line's facts are replaced by what its current state and history give."""
    ids = None if line_ids is None else sorted(set(line_ids))
    with transaction.atomic():
        source = _locked(shieldwall_source())
        snapshots, markings = _line_snapshots(ids)
        stale = as_originators(Contribution).filter(source=source)
        touched: set[tuple[str, date]] = set()
        if ids is not None:
            stale = stale.filter(pledge_line_id__in=ids)
            touched.update(stale.values_list("donor", "period").distinct().order_by())
        stale.delete()
        facts: list[Contribution] = []
        rel_to: list[tuple[int, list[int]]] = []
        for snapshot in snapshots:
            classification, releasability, originator_id, codes = markings[snapshot.id]
            for fact in own.facts(snapshot):
                facts.append(Contribution(
                    source=source, donor=fact.donor, donor_nation_id=fact.donor_nation_id, period=fact.period,
                    category=fact.category, subcategory=fact.subcategory, measure=fact.measure,
                    amount_micro_eur=fact.amount_micro_eur, channel=snapshot.channel, pledge_line_id=snapshot.id,
                    classification=classification, releasability=releasability, originator_id=originator_id))
                rel_to.append((len(facts) - 1, codes))
        created = Contribution.objects.bulk_create(facts, batch_size=2000)
        through = Contribution.rel_to.through
        through.objects.bulk_create(
            [through(contribution_id=created[i].pk, nation_id=n) for i, nations in rel_to if nations for n in nations],
            batch_size=2000)
        if ids is None:
            # Every fact of the data set is in memory: its cells are summed here, not read back.
            _cells_delete(source)
            _cells_write(source, rollup.roll_up(
                (_cell_key(facts[i], nations), facts[i].amount_micro_eur) for i, nations in rel_to))
        else:
            touched.update((fact.donor, fact.period) for fact in facts)
            _cells_rederive(source, donors={d for d, _p in touched}, periods={p for _d, p in touched})
        _bump(source, refreshed=True)
    return len(facts)


# --- the cells the metrics read -------------------------------------------------------------------------------

FACT_COLUMNS = ("id", "measure", "period", "donor", "category", "channel", "classification", "releasability",
                "originator_id", "amount_micro_eur")


def cells_rebuild(*, source: DataSource, donors: Iterable[str] | None = None,
                  periods: Iterable[date] | None = None) -> int:
    """Re-derive the cells of `source` from its facts (only those of these donors and months, when given);
    returns the cells written. For facts written outside the services above (benchmarks, test fixtures)."""
    with transaction.atomic():
        source = _locked(source)
        written = _cells_rederive(source, donors=None if donors is None else set(donors),
                                  periods=None if periods is None else set(periods))
        _bump(source)
    return written


def _locked(source: DataSource) -> DataSource:
    # Serialises the writers of one data set's facts and cells (a no-op on SQLite, whose writes are serial).
    return DataSource.objects.select_for_update().get(pk=source.pk)


def _bump(source: DataSource, *, refreshed: bool = False) -> None:
    changes: dict[str, Any] = {"data_version": F("data_version") + 1}
    if refreshed:
        changes["refreshed_at"] = timezone.now()
    DataSource.objects.filter(pk=source.pk).update(**changes)


def _cell_key(fact: Contribution, rel_to: Iterable[int]) -> rollup.CellKey:
    return rollup.key(measure=fact.measure, period=fact.period, donor=fact.donor, category=fact.category,
                      channel=fact.channel, classification=fact.classification, releasability=fact.releasability,
                      originator_id=fact.originator_id, rel_to=rel_to)


def _rectangle(model: type[M], source: DataSource, donors: set[str] | None,
               periods: set[date] | None) -> Iterator[models.QuerySet[M]]:
    """The records of `model` of `source` in the donors × months rectangle (all when None), as their originators
    see them: a whole data set per originating nation (each query reads that nation's index range), a rectangle
    in one query (an OR per nation over the few rows of its donors and months)."""
    if donors is None or periods is None:
        for qs in by_originator(model):
            yield qs.filter(source=source)
    else:
        yield as_originators(model).filter(source=source, donor__in=sorted(donors), period__in=sorted(periods))


def _cells_delete(source: DataSource, *, donors: set[str] | None = None, periods: set[date] | None = None) -> None:
    for cells in _rectangle(ContributionCell, source, donors, periods):
        cells.delete()


def _cells_rederive(source: DataSource, *, donors: set[str] | None, periods: set[date] | None) -> int:
    """Replace the cells of these donors and months (all when None) by the sums of their facts.

    The donors × months rectangle may hold more cells than the changed facts fall in: it is rewritten whole, so
    it stays consistent (deleting and summing the same rectangle)."""
    if donors is not None and periods is not None and not (donors and periods):
        return 0
    _cells_delete(source, donors=donors, periods=periods)
    return _cells_write(source, rollup.roll_up(_fact_keys(source, donors=donors, periods=periods)))


def _fact_keys(source: DataSource, *, donors: set[str] | None,
               periods: set[date] | None) -> Iterator[tuple[rollup.CellKey, int]]:
    """(cell key, micro-euros) of every fact of `source` (of these donors and months), streamed."""
    through = Contribution.rel_to.through
    for facts in _rectangle(Contribution, source, donors, periods):
        rel_to: dict[int, list[int]] = defaultdict(list)
        listed = facts.filter(releasability=rollup.REL_TO).values("pk")
        for fact_id, nation_id in through.objects.filter(contribution__in=listed).values_list(
                "contribution_id", "nation_id"):
            rel_to[fact_id].append(nation_id)
        yield from rollup.fact_rows(facts.values_list(*FACT_COLUMNS).order_by().iterator(chunk_size=20_000), rel_to)


def _cells_write(source: DataSource, cells: Mapping[rollup.CellKey, rollup.Cell]) -> int:
    keys = sorted(cells)
    created = ContributionCell.objects.bulk_create([
        ContributionCell(source=source, measure=k.measure, period=k.period, donor=k.donor, category=k.category,
                         channel=k.channel, rel_key=k.rel_key, amount_micro_eur=cells[k].amount_micro_eur,
                         facts=cells[k].facts, classification=k.classification, releasability=k.releasability,
                         originator_id=k.originator_id)
        for k in keys], batch_size=2000)
    through = ContributionCell.rel_to.through
    through.objects.bulk_create([through(contributioncell_id=cell.pk, nation_id=nation)
                                 for cell, k in zip(created, keys, strict=True) for nation in k.rel_to],
                                batch_size=5000)
    return len(created)


def shieldwall_rebuild(*, actor: Actor) -> int:
    """Rebuild every `shieldwall` fact (`shieldwall analytics refresh`); audited, unlike the automatic refresh
    of a few lines, which only re-derives what the pledges' own audited events already say."""
    writes.require(actor, "change", DataSource)
    with transaction.atomic():
        written = shieldwall_refresh()
        source = shieldwall_source()
        audit.record(actor=actor, action="analytics.shieldwall_rebuild", obj=source, changes={"facts": written})
    return written
