"""Analytics at scale: the donor ranking, the monthly series and the public page over generated contribution
facts, on SQLite and PostgreSQL, next to the same computation in pandas over the same rows held in memory.

Facts: 50 donors × 120 months × 3 categories × 3 measures × 2 sources (a release-like source and a
`shieldwall`-like one), with several facts per cell (one per pledge line) up to --rows. Markings: 70 % PUBLIC,
15 % COALITION, 10 % REL TO two nations, 5 % RESTRICTED COALITION. After loading, the cells the metrics read are
derived by the service (`cells_rebuild`, timed) and the database is ANALYZEd. Each metric is timed for the
anonymous public (PUBLIC only) and for a coalition member's analyst (the full access rule), over the larger source;
the sums are checked equal to pandas' over the facts first.

Columns: `facts`/`cells` are the rows the viewer may see (of the facts, and of the cells a metric reads); `db ms`
is our code — selector, or for the page the whole HTTP response — against the database; `pd facts ms` is pandas
doing the same sums over the facts in memory (the access rule's mask included, since the database applies it on
every query), `pd cells ms` the same over the cells; `ratio` is db ms ÷ pd facts ms; `(min)` is the fastest run.
The public page "cold" is computed with an empty cache (its tables and the marking; its three charts are images
the browser fetches from the chart URLs), "cached" is the same page served from the cache; "charts cold" is the
three chart images with an empty cache (vl-convert renders each once per data version), one after the other;
"page sums" is the database part of a cold page (donors, groups, marking); pandas' page is the donor sums and the
distinct markings. Medians
of --repeat runs: the machine is shared, so single runs vary (the load average is printed).

    .venv/bin/python bench/analytics.py                      # 1,000,000 facts, both databases
    .venv/bin/python bench/analytics.py --rows 100000 --db sqlite
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_URL = "postgres://postgres@127.0.0.1:5432/{name}"
DONORS, MONTHS = 50, 120
CATEGORIES = ("military", "financial", "humanitarian")
MEASURES = ("commitment", "allocation", "delivery")
SOURCES = ("bench-release", "bench-own")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run(args)
    print(f"analytics: {args.rows:,} facts, {DONORS} donors x {MONTHS} months x {len(CATEGORIES)} categories x "
          f"{len(MEASURES)} measures x {len(SOURCES)} sources; median of {args.repeat} runs (shared machine)")
    status = 0
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        # One database per size, so both sizes stay loaded.
        url = (f"sqlite:///{ROOT / 'var' / f'bench-analytics-{args.rows}.sqlite3'}" if db == "sqlite"
               else _pg_url(f"shieldwall_bench_analytics_{args.rows}"))
        if url is None:
            print(f"{db:<11} skipped: PostgreSQL not reachable")
            continue
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shieldwall.config.settings.dev"}
        cmd = [sys.executable, __file__, "--child", "--rows", str(args.rows), "--repeat", str(args.repeat)]
        status |= subprocess.run(cmd, env=env, check=False).returncode
    return status


def _pg_url(name: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        return PG_BENCH_URL.format(name=name)
    except Exception:
        return None


def timed(fn: Any, repeat: int) -> tuple[float, float, Any]:
    """(median, fastest, result) of `repeat` runs after one to warm the caches and the connection."""
    result = fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples), result


def run(args: argparse.Namespace) -> int:
    import django

    (ROOT / "var").mkdir(exist_ok=True)
    os.environ.setdefault("SHIELDWALL_SECRET_KEY", "bench-" + "x" * 40)
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    call_command("migrate", verbosity=0)
    member = populate(args.rows)
    from shieldwall.analytics import selectors
    from shieldwall.analytics.models import DataSource
    from shieldwall.core.actor import Actor

    source = DataSource.objects.get(code=SOURCES[1])
    facts, cells = load_frame(source.pk, "contribution"), load_frame(source.pk, "contributioncell")
    viewers = {"public": Actor.anonymous(), "member": member}
    client = Client()
    everything = selectors.Filters()
    url = f"/public/?source={source.code}"

    def cold_page() -> Any:
        cache.clear()
        return client.get(url)

    def cold_charts() -> Any:
        # What a first visitor's browser fetches next: the page's three chart images, rendered by vl-convert.
        cache.clear()
        responses = [client.get(f"/public/charts/{chart}.svg?source={source.code}")
                     for chart in ("donors", "donors-gdp", "groups")]
        return next((r for r in responses if r.status_code != 200), responses[0])

    def page_sums() -> Any:
        anonymous = Actor.anonymous()
        return (selectors.donors(actor=anonymous, source=source, filters=everything),
                selectors.groups(actor=anonymous, source=source, filters=everything),
                selectors.marking_of_facts(actor=anonymous, source=source, filters=everything))

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    print(f"{'database':<11} {'metric':<19} {'viewer':<7} {'facts':>8} {'cells':>7} {'db ms':>7} {'(min)':>7} "
          f"{'pd facts ms':>11} {'(min)':>7} {'pd cells ms':>11} {'ratio':>6}", flush=True)
    for name, viewer in viewers.items():
        check_equal(source, viewer, facts)
        metrics = {
            "donor ranking": (lambda v=viewer: selectors.donors(actor=v, source=source, filters=everything),
                              lambda f, v=viewer: pandas_donors(f[visible_mask(f, v)]), None),
            "monthly series": (lambda v=viewer: selectors.series(actor=v, source=source, filters=everything),
                               lambda f, v=viewer: pandas_series(f[visible_mask(f, v)]), "allocation"),
        }
        if name == "public":
            def page(f: Any, v: Any = viewer) -> Any:
                return pandas_page(f[visible_mask(f, v)])

            metrics["public page cold"] = (cold_page, page, None)
            metrics["public page cached"] = (lambda: client.get(url), page, None)
            metrics["public charts cold"] = (cold_charts, page, None)
            metrics["public page sums"] = (page_sums, page, None)
        for metric, (ours, theirs, measure) in metrics.items():
            t_db, min_db, result = timed(ours, args.repeat)
            t_facts, min_facts, _ = timed(lambda t=theirs: t(facts), args.repeat)
            t_cells, _min, _ = timed(lambda t=theirs: t(cells), args.repeat)
            if metric.startswith("public") and metric != "public page sums":
                assert result.status_code == 200, result.status_code
            print(f"{connection.vendor:<11} {metric:<19} {name:<7} {seen(facts, viewer, measure):>8,} "
                  f"{seen(cells, viewer, measure):>7,} {t_db * 1e3:>7.1f} {min_db * 1e3:>7.1f} "
                  f"{t_facts * 1e3:>11.1f} {min_facts * 1e3:>7.1f} {t_cells * 1e3:>11.1f} {t_db / t_facts:>5.2f}x",
                  flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    return 0


def populate(rows: int) -> Any:
    """Idempotent: rebuilt only when the number of facts differs (the cells only when missing)."""
    import pycountry
    from django.db import connection, transaction

    from shieldwall.analytics import services
    from shieldwall.analytics.models import Contribution, ContributionCell, DataSource
    from shieldwall.coalition.models import Membership, Nation
    from shieldwall.core.actor import Actor
    from shieldwall.core.markings import Classification

    rng = random.Random(29)
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_3)[:DONORS]
    loaded = False
    if Contribution.unscoped.count() != rows:
        loaded = True
        start = time.perf_counter()
        with transaction.atomic():
            ContributionCell.unscoped.all().delete()
            Contribution.unscoped.all().delete()
            DataSource.objects.all().delete()
            Membership.objects.all().delete()
            Nation.objects.all().delete()
            nations = Nation.objects.bulk_create([Nation(code=c.alpha_3, alpha2=c.alpha_2, name=c.name,
                                                         gdp_eur_bn=rng.randint(10, 4000), gdp_year=2021)
                                                  for c in countries])
            Membership.objects.bulk_create([Membership(nation=n, tier="member", valid_from=date(2020, 1, 1))
                                            for n in nations[:40]])
            sources = [DataSource.objects.create(code=code, family=code, title=code, label=code,
                                                 measures=list(MEASURES)) for code in SOURCES]
            cells = [(s, n, y, m, c, me) for s in sources for n in nations for y in range(2017, 2027)
                     for m in range(1, 13) for c in CATEGORIES for me in MEASURES]
            through = Contribution.rel_to.through
            batch: list[Contribution] = []
            relto: list[tuple[int, list[int]]] = []
            for i in range(rows):
                # The second source (this system's own) holds several facts per cell, one per pledge line.
                s, n, y, m, c, me = cells[i % len(cells)] if i < len(cells) // 2 else cells[
                    len(cells) // 2 + i % (len(cells) // 2)]
                r = rng.random()
                marking = ((0, "PUBLIC") if r < 0.70 else (0, "COALITION") if r < 0.85 else
                           (0, "REL_TO") if r < 0.95 else (1, "COALITION"))
                batch.append(Contribution(source=s, donor=n.code, donor_nation_id=n.pk, period=date(y, m, 1),
                                          category=c, measure=me, amount_micro_eur=rng.randint(1, 50_000) * 10**9,
                                          classification=marking[0], releasability=marking[1], originator_id=n.pk))
                if marking[1] == "REL_TO":
                    relto.append((len(batch) - 1, sorted({n.pk, rng.choice(nations).pk})))
                if len(batch) == 20_000 or i == rows - 1:
                    created = Contribution.unscoped.bulk_create(batch)
                    through.objects.bulk_create([through(contribution_id=created[j].pk, nation_id=nid)
                                                 for j, nids in relto for nid in nids])
                    batch, relto = [], []
        print(f"loaded {rows:,} facts in {time.perf_counter() - start:.1f} s", flush=True)
    if loaded or not ContributionCell.unscoped.exists():
        start = time.perf_counter()
        written = sum(services.cells_rebuild(source=s) for s in DataSource.objects.order_by("pk"))
        print(f"derived {written:,} cells from the facts in {time.perf_counter() - start:.1f} s "
              "(services.cells_rebuild)", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    nation = Nation.objects.order_by("code")[3]
    return Actor(user_id=1, username="bench", nation_id=nation.pk, nation_code=nation.code,
                 clearance=Classification.RESTRICTED, is_member=True)


# --- the pandas baseline: the same rows in memory, the same sums ------------------------------------------------


def load_frame(source_id: int, table: str) -> Any:
    """The facts (or cells) of a source in memory, with their REL TO rows."""
    import pandas as pd
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, donor, period, category, measure, amount_micro_eur, classification, "
                       f"releasability, originator_id FROM analytics_{table} WHERE source_id = %s", [source_id])
        frame = pd.DataFrame(cursor.fetchall(), columns=["id", "donor", "period", "category", "measure", "amount",
                                                          "classification", "releasability", "originator"])
        cursor.execute(f"SELECT {table}_id, nation_id FROM analytics_{table}_rel_to")
        frame.attrs["relto"] = pd.DataFrame(cursor.fetchall(), columns=["id", "nation"])
    for column in ("donor", "category", "measure", "releasability"):
        frame[column] = frame[column].astype("category")
    return frame


def visible_mask(frame: Any, actor: Any) -> Any:
    readable = frame.releasability == "PUBLIC"
    if actor.nation_id is not None:
        relto = frame.attrs["relto"]
        listed = frame.id.isin(relto.id[relto.nation == actor.nation_id])
        readable |= (frame.originator == actor.nation_id) | ((frame.releasability == "REL_TO") & listed)
        if actor.is_member:
            readable |= frame.releasability == "COALITION"
    return (frame.classification <= int(actor.clearance)) & readable


def seen(frame: Any, actor: Any, measure: str | None) -> int:
    mask = visible_mask(frame, actor)
    return int((mask & (frame.measure == measure)).sum() if measure else mask.sum())


def pandas_donors(frame: Any) -> Any:
    return frame.groupby(["donor", "measure", "category"], observed=True)["amount"].sum()


def pandas_series(frame: Any) -> Any:
    return frame[frame.measure == "allocation"].groupby(["period", "category"], observed=True)["amount"].sum()


def pandas_page(frame: Any) -> Any:
    return pandas_donors(frame), frame[["classification", "releasability"]].drop_duplicates()


def check_equal(source: Any, actor: Any, facts: Any) -> None:
    """The cells' sums as the selectors read them equal pandas' sums over the facts, to the micro-euro."""
    from django.db.models import Sum

    from shieldwall.analytics import selectors

    ours = {(d, m, c): int(a) for d, m, c, a in selectors.cells(
        actor=actor, source=source, filters=selectors.Filters(), measures=MEASURES)
        .values_list("donor", "measure", "category").annotate(a=Sum("amount_micro_eur")).order_by()}
    theirs = {key: int(a) for key, a in pandas_donors(facts[visible_mask(facts, actor)]).items()}
    assert ours == theirs, "the cells do not add up to the facts"


if __name__ == "__main__":
    raise SystemExit(main())
