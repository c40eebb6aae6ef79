"""End-use monitoring at scale: the compliance dashboard and one item's full history over 1,000,000 serial items
with 5 custody transfers and 3 inspections each (5 M custody links, 3 M findings), on SQLite and PostgreSQL.

Items belong to five donors (40/20/15/15/10 %) and six item classes, REL TO their donor and UKR, with statuses,
due dates and unaccounted flags spread as in a long-running programme; inspections group 500 items each. Rows are
written in bulk (COPY on PostgreSQL) with the dashboard's markings and cells as the services keep them, then the
selectors are timed as the pages call them: the median of repeated runs. Targets: dashboard under 500 ms, one
item's history under 20 ms. A direct scan of the visible items (what the cells replace) is timed for comparison.

    .venv/bin/python bench/monitoring.py                      # both databases, 1,000,000 items
    .venv/bin/python bench/monitoring.py --db sqlite --items 100000
    .venv/bin/python bench/monitoring.py --keep               # re-time the last run's databases
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_URL = "postgres://postgres@127.0.0.1:5432/shieldwall_bench_monitoring"
DONORS = (("USA", 40), ("DEU", 20), ("GBR", 15), ("FRA", 15), ("POL", 10))
CLASSES = ("155 mm towed howitzer", "short-range air-defence missile", "GMLRS rocket", "main battle tank",
           "infantry fighting vehicle", "armoured personnel carrier")
TODAY = date(2026, 6, 30)
PER_INSPECTION = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="time the databases of the last run again")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run(args)
    print(f"monitoring: {args.items:,} serial items, 5 custody links and 3 inspections each; median of "
          f"{args.repeat} runs")
    status = 0
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        url = f"sqlite:///{ROOT / 'var' / 'bench-monitoring.sqlite3'}" if db == "sqlite" else _pg_url(args.keep)
        if url is None:
            print(f"{db:<11} skipped: PostgreSQL not reachable")
            continue
        if db == "sqlite" and not args.keep:
            (ROOT / "var").mkdir(exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{ROOT / 'var' / 'bench-monitoring.sqlite3'}{suffix}").unlink(missing_ok=True)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shieldwall.config.settings.dev"}
        cmd = [sys.executable, __file__, "--child", "--items", str(args.items), "--repeat", str(args.repeat),
               *(["--keep"] if args.keep else [])]
        status |= subprocess.run(cmd, env=env, check=False).returncode
    return status


def _pg_url(keep: bool = False) -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            if keep:
                return PG_BENCH_URL
            conn.execute("DROP DATABASE IF EXISTS shieldwall_bench_monitoring")
            conn.execute("CREATE DATABASE shieldwall_bench_monitoring")
        return PG_BENCH_URL
    except Exception:
        return None


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if args.keep:
        world = existing()
        print(f"{connection.vendor:<11} the data of the last run: {world['items']:,} items", flush=True)
        measure(world, args.repeat)
        return 0
    started = time.perf_counter()
    world = populate(args.items)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{connection.vendor:<11} populated in {time.perf_counter() - started:.0f} s", flush=True)
    measure(world, args.repeat)
    return 0


# --- population ------------------------------------------------------------------------------------------------


def existing() -> dict[str, object]:
    """The world `populate` returned, read back from a database it filled."""
    from shieldwall.catalogue.models import ItemClass
    from shieldwall.coalition.models import Nation
    from shieldwall.monitoring.models import SerialItem

    classes = dict(ItemClass.objects.filter(name__in=CLASSES).values_list("name", "pk"))
    return {"ids": dict(Nation.objects.values_list("code", "pk")), "items": SerialItem.unscoped.count(),
            "classes": [classes[name] for name in CLASSES]}


def populate(n_items: int) -> dict[str, object]:
    from django.db import connection, transaction

    from shieldwall.catalogue.models import CapabilityArea, ItemClass, ItemType
    from shieldwall.coalition.models import Membership, Nation
    from shieldwall.pledges.models import Package, PledgeLine

    with transaction.atomic():
        nations = {}
        for code, name in (("USA", "United States"), ("DEU", "Germany"), ("GBR", "United Kingdom"),
                           ("FRA", "France"), ("POL", "Poland"), ("UKR", "Ukraine")):
            nations[code] = Nation.objects.create(code=code, name=name)
            Membership.objects.create(nation=nations[code], tier="core" if code != "UKR" else "partner",
                                      valid_from=date(2024, 1, 1))
        area = CapabilityArea.objects.create(code="artillery", name="Artillery")
        classes = [ItemClass.objects.create(area=area, name=name, serial_tracked=True) for name in CLASSES]
        types = [ItemType.objects.create(item_class=c, name=f"{c.name} type") for c in classes]
        lines: dict[tuple[str, int], int] = {}
        for code, _ in DONORS:
            package = Package.unscoped.create(title=f"{code} package", date=date(2024, 2, 1), source="stock",
                                              originator=nations[code], releasability="COALITION")
            for index, item_type in enumerate(types):
                line = PledgeLine.unscoped.create(
                    package=package, item_type=item_type, quantity=10**9, value_amount=Decimal(1),
                    value_date=date(2024, 2, 1), fx_rate=Decimal(1), value_eur=Decimal(1), status="shipped",
                    shipped_quantity=10**9, delivered_quantity=10**9, originator=nations[code],
                    releasability="COALITION")
                lines[(code, index)] = line.pk
    ids = {code: n.pk for code, n in nations.items()}
    rng = random.Random(7)
    weights = [w for _, w in DONORS]
    codes = [c for c, _ in DONORS]
    items = []
    for pk in range(1, n_items + 1):
        donor = rng.choices(codes, weights)[0]
        k = rng.randrange(len(types))
        roll = rng.random()
        status = ("in_service" if roll < .85 else "under_repair" if roll < .90 else "in_transit" if roll < .95
                  else "destroyed" if roll < .98 else "lost" if roll < .99 else "transferred")
        received = TODAY - timedelta(days=rng.randint(30, 900))
        due = received + timedelta(days=rng.randint(60, 500)) if status in ("in_service", "under_repair",
                                                                           "transferred") else None
        items.append((pk, donor, k, status, received, due, rng.random() < .005))
    _write_items(items, ids, types, classes, lines)
    _write_custody(items, ids)
    _write_inspections(items, ids, classes)
    _write_cells(ids)
    with connection.cursor() as cursor:
        for table in ("monitoring_serialitem", "monitoring_custodytransfer", "monitoring_inspection",
                      "monitoring_itemmarking", "monitoring_compliancecell", "monitoring_itemmarking_rel_to",
                      "monitoring_inspectionfinding", "monitoring_inspectiontally",
                      "monitoring_serialitem_rel_to", "monitoring_inspection_rel_to"):
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT MAX(id) FROM {table}))")
    return {"ids": ids, "items": n_items, "classes": [c.pk for c in classes]}


def _bulk(table: str, columns: tuple[str, ...], rows: Iterator[tuple[object, ...]]) -> None:
    """Write rows in bulk: COPY on PostgreSQL, executemany in batches on SQLite."""
    from django.db import connection, transaction

    names = ", ".join(f'"{c}"' for c in columns)  # quoted: `on` is a reserved word in PostgreSQL
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
        batch: list[tuple[object, ...]] = []
        raw = cursor.cursor
        for row in rows:
            batch.append(tuple(_sqlite(v) for v in row))
            if len(batch) == 50_000:
                raw.executemany(sql, batch)
                batch = []
        if batch:
            raw.executemany(sql, batch)


def _sqlite(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _write_items(items: list[tuple], ids: dict[str, int], types: list, classes: list,  # type: ignore[type-arg]
                 lines: dict[tuple[str, int], int]) -> None:
    from django.utils import timezone

    now = timezone.now()
    ukr = ids["UKR"]

    def rows() -> Iterator[tuple[object, ...]]:
        for pk, donor, k, status, received, due, unaccounted in items:
            holder = ids["POL"] if status == "transferred" else ukr
            yield (pk, now, now, 1, 1, "REL_TO", ids[donor], types[k].pk, classes[k].pk, f"{donor}-{k}-{pk:07d}",
                   lines[(donor, k)], None, ukr, status, received, holder, f"unit {pk % 97}", "Ukraine", received,
                   received, received + timedelta(days=60) if due else None, due, unaccounted)

    _bulk("monitoring_serialitem", (
        "id", "created_at", "updated_at", "version", "classification", "releasability", "originator_id",
        "item_type_id", "item_class_id", "serial_number", "pledge_line_id", "shipment_id", "recipient_id", "status",
        "status_since", "custodian_nation_id", "custodian_unit", "custodian_location", "custody_since",
        "received_on", "last_inventory_on", "next_inspection_due", "unaccounted"), rows())
    _bulk("monitoring_serialitem_rel_to", ("serialitem_id", "nation_id"),
          ((pk, n) for pk, donor, *_ in items for n in sorted({ids[donor], ukr})))


def _write_custody(items: list[tuple], ids: dict[str, int]) -> None:  # type: ignore[type-arg]
    kinds = ("registered", "dispatched", "received", "transfer", "transfer")
    ukr = ids["UKR"]

    def rows() -> Iterator[tuple[object, ...]]:
        pk = 0
        for item, donor, _k, _status, received, _due, _u in items:
            holders = [(None, ""), (ids[donor], "depot"), (ids[donor], "in transit"), (ukr, "depot"),
                       (ukr, "brigade"), (ukr, f"unit {item % 97}")]
            for seq in range(1, 6):
                pk += 1
                day = received + timedelta(days=(seq - 3) * 10)
                (fn, fu), (tn, tu) = holders[seq - 1], holders[seq]
                yield (pk, item, seq, kinds[seq - 1], fn, fu, "", tn, tu, "", day, None, "bench", "")

    _bulk("monitoring_custodytransfer", ("id", "item_id", "seq", "kind", "from_nation_id", "from_unit",
                                         "from_location", "to_nation_id", "to_unit", "to_location", "on",
                                         "recorded_by_id", "recorded_by_name", "note"), rows())


def _write_inspections(items: list[tuple], ids: dict[str, int], classes: list) -> None:  # type: ignore[type-arg]
    from django.utils import timezone

    now = timezone.now()
    by_group: dict[tuple[str, int], list[tuple]] = {}  # type: ignore[type-arg]
    for item in items:
        by_group.setdefault((item[1], item[2]), []).append(item)
    inspections, findings, tallies = [], [], []
    inspection_id = finding_id = 0
    for (donor, k), members in by_group.items():
        for round_ in range(3):
            for start in range(0, len(members), PER_INSPECTION):
                chunk = members[start:start + PER_INSPECTION]
                inspection_id += 1
                day = TODAY - timedelta(days=30 + 120 * round_ + (inspection_id % 90))
                inspections.append((inspection_id, now, now, 1, 1, "REL_TO", ids[donor],
                                    ("initial", "annual", "spot")[round_], day, ids[donor], ids[donor], ids["UKR"],
                                    "", ""))
                on_time = 0
                for item in chunk:
                    finding_id += 1
                    ok = (item[0] + round_) % 7 != 0
                    on_time += ok
                    findings.append((finding_id, inspection_id, item[0], "found", "", day, ok))
                tallies.append((inspection_id, inspection_id, classes[k].pk, day.replace(day=1), len(chunk), on_time,
                                0, 0))
    _bulk("monitoring_inspection", ("id", "created_at", "updated_at", "version", "classification", "releasability",
                                    "originator_id", "kind", "inspected_on", "inspector_nation_id", "donor_id",
                                    "recipient_id", "location", "notes"), iter(inspections))
    _bulk("monitoring_inspection_rel_to", ("inspection_id", "nation_id"),
          ((row[0], n) for row in inspections for n in sorted({row[6], ids["UKR"]})))
    _bulk("monitoring_inspectionfinding", ("id", "inspection_id", "item_id", "result", "evidence_ref", "due_on",
                                           "on_time"), iter(findings))
    _bulk("monitoring_inspectiontally", ("id", "inspection_id", "item_class_id", "month", "findings", "on_time",
                                         "not_found", "destroyed"), iter(tallies))


def _write_cells(ids: dict[str, int]) -> None:
    """The dashboard's markings and cells, as the services keep them: one marking per donor here (every item is
    RESTRICTED // REL TO its donor and UKR), the cells by one GROUP BY over the items."""
    from django.db import connection, transaction

    from shieldwall.monitoring.models import ItemMarking
    from shieldwall.monitoring.services.cells import marking_key

    with transaction.atomic():
        for code, _ in DONORS:
            marking = ItemMarking.unscoped.create(key=marking_key(1, "REL_TO", code, sorted({code, "UKR"})),
                                                  classification=1, releasability="REL_TO",
                                                  originator_id=ids[code])
            marking.rel_to.set([ids[code], ids["UKR"]])
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO monitoring_compliancecell (marking_id, donor_id, item_class_id, status, unaccounted, "
                "inventoried, due, items) SELECT m.id, i.originator_id, i.item_class_id, i.status, i.unaccounted, "
                "i.last_inventory_on IS NOT NULL, i.next_inspection_due, COUNT(*) FROM monitoring_serialitem i "
                "JOIN monitoring_itemmarking m ON m.originator_id = i.originator_id GROUP BY m.id, i.originator_id, "
                "i.item_class_id, i.status, i.unaccounted, i.last_inventory_on IS NOT NULL, i.next_inspection_due")


# --- measurements ------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    result = fn()  # warm the caches and the connection
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def measure(world: dict[str, object], repeat: int) -> None:
    from django.db import connection

    from shieldwall.core.actor import Actor
    from shieldwall.core.markings import Classification
    from shieldwall.monitoring import selectors

    ids: dict[str, int] = world["ids"]  # type: ignore[assignment]

    def actor(code: str, role: str) -> Actor:
        return Actor(user_id=None, username=f"bench-{code}", nation_id=ids[code], nation_code=code,
                     roles=frozenset({role}), clearance=Classification.SECRET, is_member=True)

    usa, ukr, fra = actor("USA", "donor"), actor("UKR", "recipient"), actor("FRA", "coordinator")
    item_id = 424_242 if world["items"] >= 424_242 else 1  # type: ignore[operator]
    owner = next(a for a in (usa, ukr) if selectors.visible_items(a).filter(pk=item_id).exists())
    cases = {
        "dashboard: donor USA (its ~40 %)": lambda: selectors.compliance(actor=usa, donor="USA", today=TODAY),
        "dashboard: donor USA, all it sees": lambda: selectors.compliance(actor=usa, today=TODAY),
        "dashboard: coordinator FRA": lambda: selectors.compliance(actor=fra, today=TODAY),
        "dashboard: recipient UKR, all donors": lambda: selectors.compliance(actor=ukr, today=TODAY),
        "dashboard: UKR, one donor and class": lambda: selectors.compliance(
            actor=ukr, donor="DEU", item_class_id=world["classes"][0], today=TODAY),  # type: ignore[index]
        "item history (5 links, 3 inspections)": lambda: _history(selectors, owner, item_id),
        "for comparison: scan of USA's visible items": lambda: _scan(usa),
    }
    print(f"{'database':<11} {'query':<40} {'median ms':>10} {'target ms':>10} {'result':>22}")
    for name, fn in cases.items():
        seconds, result = timed(fn, repeat)
        target = 20 if name.startswith("item") else 500
        if name.startswith("for comparison"):
            print(f"{connection.vendor:<11} {name:<40} {timed(fn, 1)[0] * 1e3:>10.1f} {'—':>10} {'':>22}", flush=True)
            continue
        shown = (f"{result.total.items:,} items" if hasattr(result, "total") else str(result))  # type: ignore[attr-defined]
        verdict = "ok" if seconds * 1e3 <= target else "OVER"
        print(f"{connection.vendor:<11} {name:<40} {seconds * 1e3:>10.1f} {target:>10} {shown:>22} {verdict}",
              flush=True)


def _scan(actor: object) -> str:
    from django.db.models import Count

    from shieldwall.monitoring.models import SerialItem

    rows = SerialItem.objects.visible_to(actor).filter(originator__code="USA").order_by().values(  # type: ignore[arg-type]
        "item_class_id", "status").annotate(n=Count("id"))
    return f"{sum(r['n'] for r in rows):,} items"


def _history(selectors: object, actor: object, item_id: int) -> str:
    item = selectors.serial_item_get(actor=actor, id=item_id)  # type: ignore[attr-defined]
    links, findings = list(item.transfers.all()), list(item.visible_findings)
    return f"{len(links)} links, {len(findings)} findings"


if __name__ == "__main__":
    sys.exit(main())

