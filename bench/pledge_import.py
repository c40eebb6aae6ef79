"""Throughput of the pledge-line import: parsing alone (pure), the dry run, and the real import (audited lines).

Builds a fresh SQLite database under var/, a French donor and a small catalogue, then times a CSV of N rows
(and the same rows as XLSX for parsing). Prints, for each stage, wall and CPU seconds and rows per CPU second
(the machine may be shared: CPU time is what the import itself costs).

    .venv/bin/python bench/pledge_import.py               # 2,000 rows
    .venv/bin/python bench/pledge_import.py --rows 10000
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    db = ROOT / "var" / "bench-pledge-import.sqlite3"
    db.parent.mkdir(exist_ok=True)
    db.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "shieldwall.config.settings.dev"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return run(args.rows)


def run(rows: int) -> int:
    from openpyxl import Workbook

    from shieldwall.catalogue.models import CapabilityArea, ItemClass, ItemType
    from shieldwall.coalition import services as coalition
    from shieldwall.core.actor import Actor
    from shieldwall.core.services import user_create
    from shieldwall.pledges import importing, services

    system = Actor.system("bench")
    for code in ("FRA", "DEU"):
        coalition.nation_create(actor=system, code=code)
        coalition.membership_set_tier(actor=system, nation=code, tier="core", valid_from=date(2024, 1, 1))
    donor = Actor.for_user(user_create(actor=system, username="bench-donor", password="x" * 20, nation="FRA",
                                       roles=["donor"], clearance=2, validate=False))
    area = CapabilityArea.objects.create(code="artillery", name="Artillery")
    klass = ItemClass.objects.create(area=area, name="155 mm artillery ammunition", unit="rounds")
    names = [ItemType.objects.create(item_class=klass, name=f"155 mm type {i}").name for i in range(20)]
    package = services.package_create(actor=donor, title="Bench", date=date(2025, 1, 10), source="stock")

    header = "item_type,description,quantity,value,currency,value_date,restriction_flags"
    lines = [f"{names[i % 20]},row {i},{1 + i % 500},{Decimal(1000 + i)}.50,{('EUR', 'USD', 'GBP')[i % 3]},"
             f"2024-0{1 + i % 9}-1{i % 10},eeum" for i in range(rows)]
    data = ("\n".join([header, *lines]) + "\n").encode()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in [header.split(","), *[line.split(",") for line in lines]]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx = buffer.getvalue()

    vocabulary = services.imports._vocabulary()
    print(f"pledge import: {rows:,} rows, CSV {len(data) / 1024:.0f} KiB, XLSX {len(xlsx) / 1024:.0f} KiB (SQLite)")
    for label, payload in (("parse CSV", data), ("parse XLSX", xlsx)):
        started, cpu = time.perf_counter(), time.process_time()
        result = importing.parse(io.BytesIO(payload), size=len(payload), vocabulary=vocabulary, today=date.today())
        _report(label, rows, time.perf_counter() - started, time.process_time() - cpu, ok=result.ok)
    for label, dry_run in (("dry run", True), ("import", False)):
        started, cpu = time.perf_counter(), time.process_time()
        report = services.line_import(actor=donor, package_id=package.pk, stream=io.BytesIO(data), size=len(data),
                                      dry_run=dry_run)
        _report(label, rows, time.perf_counter() - started, time.process_time() - cpu, ok=report.ok)
    from shieldwall.core import audit

    chain = audit.verify()  # the import appends its audit events at once: the chain must still hold
    print(f"  audit chain {'intact' if chain.intact else f'BROKEN at #{chain.broken_seq}'} ({chain.count:,} events)")
    return 0 if chain.intact else 1


def _report(label: str, rows: int, seconds: float, cpu: float, *, ok: bool) -> None:
    print(f"  {label:<11} {seconds:8.2f} s wall {cpu:8.2f} s CPU  {rows / max(cpu, 1e-9):10,.0f} rows/CPU s  "
          f"{'ok' if ok else 'ERRORS'}")


if __name__ == "__main__":
    raise SystemExit(main())
