"""Coverage of the requirements list at scale: 10,000 requirements and 200,000 pledge lines, on SQLite and on
PostgreSQL, computed by the database (grouped aggregates over the visible lines of the visible requirements),
never in Python loops.

Each engine gets a fresh bench database (SQLite: var/bench-coverage.sqlite3; PostgreSQL: the database
`shieldwall_bench_coverage`, created here), filled with bulk_create (markings drawn at random: PUBLIC, COALITION
and REL TO lists, UNCLASSIFIED to CONFIDENTIAL; statuses from announced to delivered and cancelled); `--keep`
times the databases of the last run instead. Prints, for the whole requirement coverage table, one page of it
(50 rows, first and a later one) and the area and coalition tables: the median wall-clock time, the CPU time of
this process (on SQLite the database engine runs inside it, so that column is the work itself whatever else the
machine is doing) and the number of queries. Targets: whole table under 1 s, one page under 100 ms.

    .venv/bin/python bench/coverage.py                    # both databases
    .venv/bin/python bench/coverage.py --keep             # re-time the last run's data
    .venv/bin/python bench/coverage.py --db sqlite --requirements 2000 --lines 40000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "shieldwall_bench_coverage"
SQLITE_FILE = ROOT / "var" / "bench-coverage.sqlite3"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requirements", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true",
                        help="time the databases the last run loaded instead of loading fresh ones")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run(args)
    print(f"coverage: {args.requirements:,} requirements, {args.lines:,} pledge lines, median of {args.repeat} runs "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'database':<11} {'table':<34} {'ms':>9} {'cpu ms':>8} {'queries':>8} {'rows':>7}  target")
    status = 0
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        url = _sqlite_url(fresh=not args.keep) if db == "sqlite" else _pg_url(fresh=not args.keep)
        if url is None:
            print(f"{db:<11} skipped: PostgreSQL not reachable")
            continue
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shieldwall.config.settings.dev"}
        cmd = [sys.executable, __file__, "--child", "--requirements", str(args.requirements), "--lines",
               str(args.lines), "--repeat", str(args.repeat), *(["--keep"] if args.keep else [])]
        status |= subprocess.run(cmd, env=env, check=False).returncode
    return status


def _sqlite_url(*, fresh: bool) -> str:
    SQLITE_FILE.parent.mkdir(exist_ok=True)
    if fresh:
        SQLITE_FILE.unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_FILE}"


def _pg_url(*, fresh: bool) -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone()
            if fresh or not exists:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {PG_DB}")
        return f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    except Exception:
        return None


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shieldwall.needs import coverage

    call_command("migrate", verbosity=0)
    from shieldwall.pledges.models import PledgeLine

    started = time.perf_counter()
    if args.keep and PledgeLine.unscoped.count() == args.lines:
        actor = viewer()
        print(f"{connection.vendor:<11} (the data of the last run)", flush=True)
    else:
        populate(args.requirements, args.lines)
        actor = viewer()
        print(f"{connection.vendor:<11} (data loaded in {time.perf_counter() - started:.1f} s)", flush=True)
    cases: dict[str, tuple[Callable[[], Any], float]] = {
        "requirements: whole table": (lambda: coverage.requirement_coverage(actor=actor), 1.0),
        "requirements: page 1 (50 rows)": (
            lambda: coverage.requirement_coverage_page(actor=actor, page=1).object_list, 0.1),
        "requirements: page 60 (50 rows)": (
            lambda: coverage.requirement_coverage_page(actor=actor, page=60).object_list, 0.1),
        "areas: whole table": (lambda: coverage.area_coverage(actor=actor), 1.0),
        "coalitions: whole table": (lambda: coverage.coalition_coverage(actor=actor), 1.0),
    }
    failed = 0
    for name, (fn, target) in cases.items():
        with CaptureQueriesContext(connection) as queries:
            rows = fn()
        seconds, cpu = timed(fn, args.repeat)
        ok = seconds < target
        failed |= not ok
        print(f"{connection.vendor:<11} {name:<34} {seconds * 1e3:>9.1f} {cpu * 1e3:>8.1f} {len(queries):>8} "
              f"{len(rows):>7}  < {target * 1e3:.0f} ms {'ok' if ok else 'MISSED'}", flush=True)
    return int(failed)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall-clock and process CPU seconds of `fn`."""
    fn()  # warm the caches and the connection
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def viewer() -> Any:
    """A RESTRICTED-cleared member nation's actor: sees PUBLIC and COALITION records up to RESTRICTED and the REL
    TO ones naming it."""
    from shieldwall.coalition.models import Nation
    from shieldwall.core.actor import Actor
    from shieldwall.core.markings import Classification

    nation = Nation.objects.order_by("id")[3]
    return Actor(user_id=1, username="bench", nation_id=nation.pk, nation_code=nation.code,
                 clearance=Classification.RESTRICTED, is_member=True)


def populate(n_requirements: int, n_lines: int) -> None:
    """Bulk-load nations, the catalogue's classes, requirements, packages and lines."""
    from datetime import date, timedelta
    from decimal import Decimal

    import pycountry
    from django.db import connection, transaction

    from shieldwall.catalogue.models import CapabilityArea, ItemClass, ItemType
    from shieldwall.catalogue.reference import CLASSES
    from shieldwall.coalition.models import CapabilityAreaCode, CapabilityCoalition, Membership, Nation
    from shieldwall.needs.models import Requirement
    from shieldwall.pledges.models import LineStatus, Package, PledgeLine

    rng = random.Random(29)
    markings = [(0, "PUBLIC"), (0, "COALITION"), (0, "COALITION"), (1, "COALITION"), (1, "REL_TO"),
                (2, "COALITION"), (2, "REL_TO")]
    statuses = [LineStatus.ANNOUNCED, LineStatus.COMMITTED, LineStatus.COMMITTED, LineStatus.ALLOCATED,
                LineStatus.CONTRACTED, LineStatus.SHIPPED, LineStatus.DELIVERED, LineStatus.DELIVERED,
                LineStatus.CANCELLED]
    with transaction.atomic():
        countries = sorted(pycountry.countries, key=lambda c: c.alpha_3)[:40]
        nations = Nation.objects.bulk_create([Nation(code=c.alpha_3, alpha2=c.alpha_2, name=c.name)
                                              for c in countries])
        Membership.objects.bulk_create([Membership(nation=n, tier="member", valid_from=date(2024, 1, 1))
                                        for n in nations[:30]])
        coalitions = CapabilityCoalition.objects.bulk_create([
            CapabilityCoalition(name=f"{label} coalition", capability_area=code)
            for code, label in CapabilityAreaCode.choices if code not in ("training", "other")])
        by_area = {c.capability_area: c for c in coalitions}
        areas = {a.code: a for a in CapabilityArea.objects.bulk_create([
            CapabilityArea(code=code, name=str(label), capability_coalition=by_area.get(code))
            for code, label in CapabilityAreaCode.choices])}
        classes = ItemClass.objects.bulk_create([
            ItemClass(area=areas[spec.area], name=spec.name, unit=spec.unit, reference_unit_price_eur=spec.price)
            for spec in CLASSES])
        types = ItemType.objects.bulk_create([ItemType(item_class=c, name=f"{c.name} type") for c in classes])
        requirements = Requirement.unscoped.bulk_create([
            Requirement(item_class=rng.choice(classes), quantity=rng.randint(1, 5000), priority=rng.randint(1, 5),
                        need_by=date(2026, 1, 1) + timedelta(days=rng.randrange(700)), destination="hub",
                        status=rng.choice(["open", "open", "partially_met", "met", "validated"]),
                        originator=nations[rng.randrange(5)], classification=(m := rng.choice(markings))[0],
                        releasability=m[1], title=f"Requirement {i}")
            for i in range(n_requirements)], batch_size=2000)
        _rel_to(Requirement, requirements, nations, rng)
        packages = Package.unscoped.bulk_create([
            Package(title=f"Package {i}", date=date(2025, 1, 1), source="stock", originator=rng.choice(nations),
                    classification=0, releasability="COALITION") for i in range(n_lines // 100)], batch_size=2000)
        lines = []
        for _ in range(n_lines):
            requirement = rng.choice(requirements)
            quantity = rng.randint(1, 500)
            status = rng.choice(statuses)
            delivered = quantity if status == LineStatus.DELIVERED else (
                rng.randint(0, quantity) if status == LineStatus.SHIPPED else 0)
            value = Decimal(rng.randint(1_000, 50_000_000)) / 100
            package = rng.choice(packages)
            cls, rel = rng.choice(markings)
            lines.append(PledgeLine(
                package=package, requirement=requirement, item_type=types[classes.index(requirement.item_class)],
                quantity=quantity, value_amount=value, currency="EUR", value_date=date(2025, 1, 1),
                fx_rate=Decimal(1), value_eur=value, status=status, shipped_quantity=delivered,
                delivered_quantity=delivered, originator=package.originator, classification=cls,
                releasability=rel))
        lines = PledgeLine.unscoped.bulk_create(lines, batch_size=5000)
        _rel_to(PledgeLine, lines, nations, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _rel_to(model: Any, objects: list[Any], nations: list[Any], rng: random.Random) -> None:
    through = model.rel_to.through
    source = model._meta.get_field("rel_to").m2m_field_name() + "_id"
    rows = []
    for obj in objects:
        if obj.releasability == "REL_TO":
            chosen = {obj.originator_id, *(n.pk for n in rng.sample(nations, rng.randint(1, 3)))}
            rows += [through(**{source: obj.pk, "nation_id": nid}) for nid in chosen]
    through.objects.bulk_create(rows, batch_size=5000)


if __name__ == "__main__":
    raise SystemExit(main())
