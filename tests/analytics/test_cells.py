"""The cells the metrics read: for every viewer they add up to exactly the facts it may see, REL TO lists grouped
whatever their order; the services keep them current (a refresh of a few lines equals a rebuild from scratch, and
so does the migration that built the first ones); the public page is computed once per data version."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Sum
from django.test import Client

from shieldwall.analytics import rollup, selectors, services, views_support
from shieldwall.analytics.models import Contribution, ContributionCell, DataSource
from shieldwall.coalition.models import Nation
from shieldwall.core.actor import Actor
from shieldwall.pledges import services as pledges
from tests.analytics.conftest import kiel_dir
from tests.pledges import factories

pytestmark = pytest.mark.django_db
ANON = Actor.anonymous()
CODES = ("FRA", "GBR", "DEU", "UKR", "JPN", "USA")


def _seed_facts(n: int = 400, *, seed: int = 7) -> DataSource:
    """A data set with facts of every marking; REL TO lists in any order, so equal lists must share a cell."""
    rng = random.Random(seed)
    source = DataSource.objects.create(code="cells-check", family="cells-check", title="t", label="t",
                                       measures=["commitment", "allocation", "delivery"])
    nations = dict(Nation.objects.filter(code__in=CODES).values_list("code", "pk"))
    for _ in range(n):
        donor = rng.choice(CODES)
        releasability = rng.choice(["PUBLIC", "PUBLIC", "COALITION", "REL_TO"])
        fact = Contribution.objects.create(
            source=source, donor=donor, donor_nation_id=nations[donor], period=date(2025, rng.randint(1, 4), 1),
            category=rng.choice(["military", "financial"]), measure=rng.choice(["commitment", "allocation",
                                                                                 "delivery"]),
            amount_micro_eur=rng.randint(1, 10**9), channel=rng.choice(["", "stock"]),
            classification=rng.choice([0, 0, 1, 2]), releasability=releasability,
            originator_id=nations[rng.choice([donor, "GBR"])])
        if releasability == "REL_TO":
            listed = rng.sample(CODES, rng.randint(1, 3))
            fact.rel_to.set([nations[c] for c in listed])
    return source


def _sums(qs: Any) -> dict[tuple[Any, ...], int]:
    return {key[:-1]: int(key[-1]) for key in qs.values_list("donor", "period", "measure", "category", "channel")
            .annotate(a=Sum("amount_micro_eur")).order_by()}


def _cells(source: DataSource) -> set[tuple[Any, ...]]:
    """Every cell as (key, sum, facts, REL TO codes), read as their originators see them."""
    out = set()
    for qs in services.by_originator(ContributionCell):
        for cell in qs.filter(source=source).prefetch_related("rel_to"):
            out.add((cell.measure, cell.period, cell.donor, cell.category, cell.channel, cell.classification,
                     cell.releasability, cell.originator_id, cell.rel_key, cell.amount_micro_eur, cell.facts,
                     tuple(sorted(n.code for n in cell.rel_to.all()))))
    return out


def test_cells_add_up_to_the_facts_each_viewer_may_see(fra_officer: Actor, gbr_analyst: Actor, jpn_observer: Actor,
                                                       ukr_desk: Actor) -> None:
    source = _seed_facts()
    assert services.cells_rebuild(source=source) == len(_cells(source)) > 0
    for actor in (ANON, fra_officer, gbr_analyst, jpn_observer, ukr_desk):
        facts = Contribution.objects.visible_to(actor).filter(source=source)
        cells = ContributionCell.objects.visible_to(actor).filter(source=source)
        assert _sums(cells) == _sums(facts), actor.username
        assert sum(c.facts for c in cells) == facts.count()
    # Each REL TO cell carries its list once, whatever order its facts listed the nations in.
    for *_key, rel_key, _amount, _facts, codes in _cells(source):
        assert bool(codes) == bool(rel_key)
    assert len({c[:9] for c in _cells(source)}) == len(_cells(source))  # one cell per key and marking


def test_marking_of_a_figure_comes_from_its_cells(gbr_analyst: Actor, nations: dict[str, Nation]) -> None:
    source = DataSource.objects.create(code="m", family="m", title="m", label="m")
    base = {"source": source, "donor": "GBR", "period": date(2025, 1, 1), "category": "military",
            "measure": "allocation", "amount_micro_eur": 10**6, "originator": nations["FRA"]}
    Contribution.objects.create(classification=0, releasability="PUBLIC", **base)
    for order in (["UKR", "GBR", "FRA"], ["GBR", "UKR"], ["FRA", "GBR", "UKR"]):
        fact = Contribution.objects.create(classification=1, releasability="REL_TO", **base)
        fact.rel_to.set([nations[c] for c in order])
    services.cells_rebuild(source=source)
    cells = ContributionCell.objects.visible_to(gbr_analyst).filter(source=source)
    assert sorted((c.releasability, c.facts) for c in cells) == [("PUBLIC", 1), ("REL_TO", 1), ("REL_TO", 2)]
    marking = selectors.marking_of_facts(actor=gbr_analyst, source=source, filters=selectors.Filters())
    assert str(marking) == "RESTRICTED // REL TO GBR, UKR"
    assert str(selectors.marking_of_facts(actor=ANON, source=source, filters=selectors.Filters())) == \
        "UNCLASSIFIED // PUBLIC RELEASE"


def test_refresh_of_a_few_lines_equals_a_rebuild(fra_officer: Actor,
                                                 django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    cat = factories.catalogue()
    with django_capture_on_commit_callbacks(execute=True):
        package = factories.package(fra_officer, title="Cells", releasability="REL_TO", rel_to=["FRA", "GBR"])
        lines = [factories.line(fra_officer, package, cat["m107"], quantity=4, value=f"{1000 + i}.00",
                                effective_date=date(2025, 3, 1)) for i in range(3)]
        open_package = factories.package(fra_officer, title="Open", releasability="PUBLIC")
        public = factories.line(fra_officer, open_package, cat["m107"], quantity=2, value="500.00",
                                effective_date=date(2025, 3, 1))
        for line in [*lines, public]:
            pledges.line_commit(actor=fra_officer, line_id=line.pk, effective_date=date(2025, 3, 5))
    source = DataSource.objects.get(code="shieldwall")
    version = source.data_version
    with django_capture_on_commit_callbacks(execute=True):
        pledges.line_ship(actor=fra_officer, line_id=lines[0].pk, quantity=4, effective_date=date(2025, 4, 2))
        pledges.line_deliver(actor=fra_officer, line_id=lines[0].pk, quantity=1, effective_date=date(2025, 4, 9))
        pledges.line_cancel(actor=fra_officer, line_id=lines[1].pk, reason="budget", effective_date=date(2025, 4, 3))
    source.refresh_from_db()
    assert source.data_version > version
    refreshed = _cells(source)
    services.cells_rebuild(source=source)
    assert _cells(source) == refreshed
    assert _sums(ContributionCell.objects.visible_to(ANON).filter(source=source)) == {
        ("FRA", date(2025, 3, 1), "commitment", "military", "stock"): 500_000_000}
    assert _sums(ContributionCell.objects.visible_to(fra_officer).filter(source=source, measure="delivery")) == {
        ("FRA", date(2025, 4, 1), "delivery", "military", "stock"): 250_000_000}


def test_the_migration_builds_the_same_cells(nations: dict[str, Nation]) -> None:
    import importlib

    migration = importlib.import_module("shieldwall.analytics.migrations.0002_contribution_cells")
    source = _seed_facts(120, seed=3)
    services.cells_rebuild(source=source)
    expected = _cells(source)
    services._cells_delete(source)
    assert _cells(source) == set()
    migration.build_cells(apps, None)
    assert _cells(source) == expected


def test_rollup_groups_rel_to_lists_and_sums_exactly() -> None:
    day = date(2025, 1, 1)

    def key(releasability: str, rel_to: tuple[int, ...]) -> rollup.CellKey:
        return rollup.key(measure="allocation", period=day, donor="FRA", category="military", channel="",
                          classification=0, releasability=releasability, originator_id=1, rel_to=rel_to)

    cells = rollup.roll_up([(key("REL_TO", (3, 2)), 10**18), (key("REL_TO", (2, 3, 3)), 10**18 + 1),
                            (key("PUBLIC", (5,)), 7), (key("PUBLIC", ()), 8)])
    assert {(k.releasability, k.rel_to, c.amount_micro_eur, c.facts) for k, c in cells.items()} == {
        ("REL_TO", (2, 3), 2 * 10**18 + 1, 2), ("PUBLIC", (), 15, 2)}
    assert rollup.rel_key((3, 2)) == rollup.rel_key([2, 3, 2]) != rollup.rel_key([2]) and rollup.rel_key([]) == ""


def test_public_page_is_computed_once_per_data_version(client: Client, monkeypatch: pytest.MonkeyPatch,
                                                       nations: dict[str, Nation]) -> None:
    source = _seed_facts(60, seed=5)
    services.cells_rebuild(source=source)
    calls: dict[str, int] = defaultdict(int)
    real = views_support.dashboard

    def counted(**kwargs: Any) -> Any:
        calls[kwargs["actor"].username] += 1
        return real(**kwargs)

    monkeypatch.setattr(views_support, "dashboard", counted)
    first = client.get("/public/?source=cells-check")
    assert first.status_code == 200 and calls["anonymous"] == 1
    again = client.get("/public/?source=cells-check")
    assert again.content == first.content and calls["anonymous"] == 1
    client.get("/public/?source=cells-check&measure=commitment")
    assert calls["anonymous"] == 2  # other filters, another entry
    services.cells_rebuild(source=source)  # the data version moves on: computed again, with a new ETag
    changed = client.get("/public/?source=cells-check")
    assert calls["anonymous"] == 3 and changed["ETag"] != first["ETag"]


def test_a_kiel_import_writes_its_cells(importer: Actor) -> None:
    result = services.kiel_import(actor=importer, directory=kiel_dir())
    facts = Contribution.objects.visible_to(ANON).filter(source=result.source)
    cells = ContributionCell.objects.visible_to(ANON).filter(source=result.source)
    # One fact per donor, month, category and measure, all PUBLIC: one cell each, with the same sums.
    assert result.cells == cells.count() == facts.count() == 4316
    assert _sums(cells) == _sums(facts)
    assert result.source.data_version == 1
