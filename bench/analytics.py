"""Analytics at scale: the donor ranking, the monthly series and the public page over generated contribution
facts, on SQLite and PostgreSQL, next to the same computation in pandas over the same rows held in memory.

Facts: 50 donors × 120 months × 3 categories × 3 measures × 2 sources (a release-like source and a
`shieldwall`-like one), with several facts per cell (one per pledge line) up to --rows. Markings: 70 % PUBLIC,
15 % COALITION, 10 % REL TO two nations, 5 % RESTRICTED COALITION. Each metric is timed for the anonymous public
(PUBLIC facts only) and for a coalition member's analyst (the full access rule), over the larger source.
Prints the median of repeated runs and the ratio to pandas (database ms / pandas ms).

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
PG_BENCH_URL = "postgres://postgres@127.0.0.1:5432/shieldwall_bench_analytics"
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
          f"{len(MEASURES)} measures x {len(SOURCES)} sources; median of {args.repeat} runs")
    print(f"{'database':<11} {'metric':<16} {'viewer':<10} {'facts read':>10} {'db ms':>9} {'pandas ms':>10} "
          f"{'ratio':>7}")
    status = 0
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        url = f"sqlite:///{ROOT / 'var' / 'bench-analytics.sqlite3'}" if db == "sqlite" else _pg_url()
        if url is None:
            print(f"{db:<11} skipped: PostgreSQL not reachable")
            continue
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shieldwall.config.settings.dev"}
        cmd = [sys.executable, __file__, "--child", "--rows", str(args.rows), "--repeat", str(args.repeat)]
        status |= subprocess.run(cmd, env=env, check=False).returncode
    return status


def _pg_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'shieldwall_bench_analytics'").fetchone()
            if not found:
                conn.execute("CREATE DATABASE shieldwall_bench_analytics")
        return PG_BENCH_URL
    except Exception:
        return None


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    result = fn()  # warm the caches and the connection
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def run(args: argparse.Namespace) -> int:
    import django

    (ROOT / "var").mkdir(exist_ok=True)
    os.environ.setdefault("SHIELDWALL_SECRET_KEY", "bench-" + "x" * 40)
    django.setup()
    from django.conf import settings
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
    frame = load_frame(source.pk)
    viewers = {"public": Actor.anonymous(), "member": member}
    client = Client()
    everything = selectors.Filters()
    for name, viewer in viewers.items():
        mask = visible_mask(frame, viewer)
        metrics = {
            "donor ranking": (lambda v=viewer: selectors.donors(actor=v, source=source, filters=everything),
                              lambda m=mask: pandas_donors(frame[m])),
            "monthly series": (lambda v=viewer: selectors.series(actor=v, source=source, filters=everything),
                               lambda m=mask: pandas_series(frame[m])),
        }
        if name == "public":
            metrics["public page"] = (lambda: client.get(f"/public/?source={source.code}"),
                                      lambda m=mask: (pandas_donors(frame[m]), pandas_series(frame[m])))
        for metric, (ours, theirs) in metrics.items():
            t_db, result = timed(ours, args.repeat)
            t_pd, _ = timed(theirs, args.repeat)
            if metric == "public page":
                assert result.status_code == 200, result.status_code
            read = int(mask.sum()) if metric != "monthly series" else int((mask & (frame.measure == "allocation"))
                                                                          .sum())
            print(f"{connection.vendor:<11} {metric:<16} {name:<10} {read:>10,} {t_db * 1e3:>9.1f} "
                  f"{t_pd * 1e3:>10.1f} {t_db / t_pd:>6.2f}x", flush=True)
    return 0


def populate(rows: int) -> Any:
    """Idempotent: rebuilt only when the number of facts differs."""
    import pycountry
    from django.db import connection, transaction

    from shieldwall.analytics.models import Contribution, DataSource
    from shieldwall.coalition.models import Membership, Nation
    from shieldwall.core.actor import Actor
    from shieldwall.core.markings import Classification

    rng = random.Random(29)
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_3)[:DONORS]
    if Contribution.unscoped.count() != rows:
        with transaction.atomic():
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
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    nation = Nation.objects.order_by("code")[3]
    return Actor(user_id=1, username="bench", nation_id=nation.pk, nation_code=nation.code,
                 clearance=Classification.RESTRICTED, is_member=True)


# --- the pandas baseline: the same rows in memory, the same sums ------------------------------------------------


def load_frame(source_id: int) -> Any:
    import pandas as pd
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, donor, period, category, measure, amount_micro_eur, classification, "
                       "releasability, originator_id FROM analytics_contribution WHERE source_id = %s", [source_id])
        frame = pd.DataFrame(cursor.fetchall(), columns=["id", "donor", "period", "category", "measure", "amount",
                                                          "classification", "releasability", "originator"])
        cursor.execute("SELECT contribution_id, nation_id FROM analytics_contribution_rel_to")
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


def pandas_donors(frame: Any) -> Any:
    return frame.groupby(["donor", "measure", "category"], observed=True)["amount"].sum()


def pandas_series(frame: Any) -> Any:
    return frame[frame.measure == "allocation"].groupby(["period", "category"], observed=True)["amount"].sum()


if __name__ == "__main__":
    raise SystemExit(main())
