"""Cost of the access filter: the same meeting list query with and without `.visible_to(actor)`.

20,000 marked meetings across 40 nations (random classification, PUBLIC/COALITION/REL TO with 1-4 nations),
timed on SQLite and PostgreSQL. Prints the median of repeated runs and the filtered/unfiltered ratio.
Target: at most 1.5x.

    .venv/bin/python bench/access_overhead.py                 # both databases
    .venv/bin/python bench/access_overhead.py --db sqlite --meetings 5000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_URL = "postgres://postgres@127.0.0.1:5432/shieldwall_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--nations", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run(args)
    print(f"access overhead: {args.meetings:,} meetings, {args.nations} nations, median of {args.repeat} runs")
    print(f"{'database':<11} {'query':<26} {'unfiltered ms':>14} {'filtered ms':>12} {'ratio':>7} {'rows':>14}")
    status = 0
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        url = f"sqlite:///{ROOT / 'var' / 'bench-access.sqlite3'}" if db == "sqlite" else _pg_url()
        if url is None:
            print(f"{db:<11} skipped: PostgreSQL not reachable")
            continue
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shieldwall.config.settings.dev"}
        cmd = [sys.executable, __file__, "--child", "--meetings", str(args.meetings), "--nations",
               str(args.nations), "--repeat", str(args.repeat)]
        status |= subprocess.run(cmd, env=env, check=False).returncode
    return status


def _pg_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'shieldwall_bench'").fetchone()
            if not exists:
                conn.execute("CREATE DATABASE shieldwall_bench")
        return PG_BENCH_URL
    except Exception:
        return None


def run(args: argparse.Namespace) -> int:
    import django

    (ROOT / "var").mkdir(exist_ok=True)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    actor = populate(args.meetings, args.nations)
    from shieldwall.coalition.models import Meeting

    order = ("-date", "-id")
    fields = ("id", "title", "date", "classification", "releasability")
    queries = {
        "first page of 50": (
            lambda: list(Meeting.unscoped.order_by(*order).values_list(*fields)[:50]),
            lambda: list(Meeting.objects.visible_to(actor).order_by(*order).values_list(*fields)[:50]),
        ),
        "page 100 of 50 (offset)": (
            lambda: list(Meeting.unscoped.order_by(*order).values_list(*fields)[4950:5000]),
            lambda: list(Meeting.objects.visible_to(actor).order_by(*order).values_list(*fields)[4950:5000]),
        ),
        "whole list": (
            lambda: list(Meeting.unscoped.order_by(*order).values_list(*fields)),
            lambda: list(Meeting.objects.visible_to(actor).order_by(*order).values_list(*fields)),
        ),
        "count": (
            lambda: Meeting.unscoped.count(),
            lambda: Meeting.objects.visible_to(actor).count(),
        ),
    }
    for name, (plain, filtered) in queries.items():
        t_plain, rows_plain = timed(plain, args.repeat)
        t_filtered, rows_filtered = timed(filtered, args.repeat)
        rows = f"{_size(rows_filtered)}/{_size(rows_plain)}"
        print(f"{connection.vendor:<11} {name:<26} {t_plain * 1e3:>14.2f} {t_filtered * 1e3:>12.2f} "
              f"{t_filtered / t_plain:>6.2f}x {rows:>14}", flush=True)
    return 0


def _size(result: object) -> int:
    return result if isinstance(result, int) else len(result)  # type: ignore[arg-type]


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    result = fn()  # warm the caches and the connection
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def populate(n_meetings: int, n_nations: int):  # type: ignore[no-untyped-def]
    """Idempotent: the data set is rebuilt only when its size differs."""
    from datetime import date, timedelta

    import pycountry
    from django.db import transaction

    from shieldwall.coalition.models import Meeting, Membership, Nation
    from shieldwall.core.actor import Actor
    from shieldwall.core.markings import Classification

    rng = random.Random(29)
    if Meeting.unscoped.count() != n_meetings or Nation.objects.count() != n_nations:
        with transaction.atomic():
            Meeting.unscoped.all().delete()
            Membership.objects.all().delete()
            Nation.objects.all().delete()
            countries = sorted(pycountry.countries, key=lambda c: c.alpha_3)[:n_nations]
            nations = Nation.objects.bulk_create(
                [Nation(code=c.alpha_3, alpha2=c.alpha_2, name=c.name) for c in countries])
            Membership.objects.bulk_create([Membership(nation=n, tier="member", valid_from=date(2024, 1, 1))
                                            for n in nations[: int(n_nations * 0.75)]])
            meetings = Meeting.unscoped.bulk_create([
                Meeting(title=f"Meeting {i}", date=date(2022, 1, 1) + timedelta(days=rng.randrange(1500)),
                        classification=rng.choice([0, 0, 1, 1, 2]),
                        releasability=rng.choice(["PUBLIC", "COALITION", "COALITION", "REL_TO", "REL_TO"]),
                        originator=rng.choice(nations))
                for i in range(n_meetings)], batch_size=2000)
            through = Meeting.rel_to.through
            rows = []
            for m in meetings:
                if m.releasability == "REL_TO":
                    chosen = {m.originator_id, *(n.pk for n in rng.sample(nations, rng.randint(1, 3)))}
                    rows += [through(meeting_id=m.pk, nation_id=nid) for nid in chosen]
            through.objects.bulk_create(rows, batch_size=5000)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    nation = Nation.objects.order_by("code")[3]
    return Actor(user_id=1, username="bench", nation_id=nation.pk, nation_code=nation.code,
                 clearance=Classification.RESTRICTED, is_member=True)


if __name__ == "__main__":
    raise SystemExit(main())
