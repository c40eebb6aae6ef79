"""`shieldwall pledge …`: packages and lines, the lifecycle, access, import (with its dry run and size limit) and
export to CSV, JSON and XLSX."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from shieldwall.core.actor import Actor
from shieldwall.needs.models import Requirement
from shieldwall.pledges.models import PledgeLine
from tests.cli_support import run, run_json
from tests.pledges import factories
from tests.pledges.test_importing import big_file

pytestmark = pytest.mark.django_db


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("shieldwall: error: "), err
    return lines[0].removeprefix("shieldwall: error: ")


def test_package_and_line_through_their_lifecycle(capsys: pytest.CaptureFixture[str], fra_officer: Actor,
                                                  coord: Actor, ukr_desk: Actor, cat: dict[str, Any],
                                                  ammo_need: Requirement) -> None:
    package = run_json(capsys, "--as", "fra-donor", "pledge", "package", "create", "--title", "CLI package",
                       "--date", "2025-03-01", "--source", "stock", "--funders", "FRA=0.7,DEU=0.3",
                       "--classification", "RESTRICTED")
    assert (package["funders"], package["marking"]) == ("FRA 0.7; DEU 0.3", "RESTRICTED // REL TO COALITION")
    line = run_json(capsys, "--as", "fra-donor", "pledge", "line", "create", "--package", str(package["id"]),
                    "--item-type", "155 mm m107 he", "--quantity", "10", "--value", "1000000", "--currency", "USD",
                    "--value-date", "2024-03-15", "--flags", "eeum", "--date", "2025-03-01")
    assert (line["value_eur"], line["fx_rate"], line["marking"]) == ("918105.03", "1.089200",
                                                                     "RESTRICTED // REL TO COALITION")
    pid = str(line["id"])
    run_json(capsys, "--as", "fra-donor", "pledge", "line", "commit", pid, "--date", "2025-03-02")
    run_json(capsys, "--as", "coord", "pledge", "line", "allocate", pid, "--requirement", str(ammo_need.pk))
    code, _, err = run(capsys, "--as", "coord", "pledge", "line", "split", pid, "--quantity", "3")
    assert code == 0 and "split 3 unit(s) off into line" in err
    run_json(capsys, "--as", "fra-donor", "pledge", "line", "ship", pid, "--quantity", "7")
    shown = run_json(capsys, "--as", "ukr-recipient", "pledge", "line", "deliver", pid, "--quantity", "7")
    assert (shown["status"], shown["delivered_quantity"]) == ("delivered", 7)
    assert [h["to"] for h in shown["history"]] == ["announced", "committed", "allocated", "allocated", "shipped",
                                                   "delivered"]
    code, out, _ = run(capsys, "--as", "coord", "pledge", "package", "show", str(package["id"]))
    assert code == 0 and "CLI package" in out and "LINES" in out
    code, _, err = run(capsys, "--as", "fra-donor", "pledge", "line", "cancel", pid, "--reason", "late")
    assert code == 1
    assert one_line_error(err) == "status: a delivered line cannot become cancelled; allowed next: none (this is " \
                                  "a final stage)"


def test_a_french_donor_cannot_see_german_rel_to_deu_lines(capsys: pytest.CaptureFixture[str],
                                                           fra_officer: Actor, deu_officer: Actor,
                                                           cat: dict[str, Any]) -> None:
    package = factories.package(deu_officer, title="Deutsches Paket", classification=1, releasability="REL_TO",
                                rel_to=["DEU"])
    german = factories.line(deu_officer, package, cat["m107"], description="Nur für Deutschland")
    assert run_json(capsys, "--as", "fra-donor", "pledge", "line", "list") == []
    for argv in (["pledge", "line", "show", str(german.pk)], ["pledge", "line", "commit", str(german.pk)],
                 ["pledge", "package", "show", str(package.pk)]):
        code, out, err = run(capsys, "--as", "fra-donor", *argv)
        assert code == 1 and "not found" in one_line_error(err) and "Deutschland" not in out + err
    # Anonymous callers get the same answer, not a request to log in that would confirm the line exists.
    code, _, err = run(capsys, "pledge", "line", "commit", str(german.pk))
    assert code == 1 and one_line_error(err) == f"pledge line {german.pk} not found"
    code, _, err = run(capsys, "--as", "fra-donor", "pledge", "line", "commit", str(
        factories.line(deu_officer, factories.package(deu_officer), cat["m107"]).pk))
    assert code == 1 and one_line_error(err).endswith("may not commit this pledge line")


def test_import_with_dry_run_then_for_real(capsys: pytest.CaptureFixture[str], fra_officer: Actor,
                                           fra_package: Any, cat: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("item_type,quantity,value,currency,value_date\nCAESAR,two,1,EUR,2025-01-01\n")
    code, out, err = run(capsys, "--as", "fra-donor", "pledge", "import", str(bad), "--package",
                         str(fra_package.pk), "--dry-run")
    assert code == 1 and "2    quantity  'two' is not a number" in out
    assert one_line_error(err) == "1 problem(s) in 1 line(s); nothing was imported"
    good = tmp_path / "good.csv"
    good.write_text("item_type,quantity,value,currency,value_date\nCAESAR,2,9000000,EUR,2025-01-01\n")
    code, out, _ = run(capsys, "--as", "fra-donor", "pledge", "import", str(good), "--package", str(fra_package.pk),
                       "--dry-run")
    assert code == 0 and out.strip() == "dry run: all 1 line(s) can be imported; nothing was written"
    assert PledgeLine.objects.visible_to(fra_officer).count() == 0
    report = run_json(capsys, "--as", "fra-donor", "pledge", "import", str(good), "--package", str(fra_package.pk))
    assert report["ok"] and len(report["created"]) == 1
    huge = big_file(tmp_path)
    code, _, err = run(capsys, "--as", "fra-donor", "pledge", "import", str(huge), "--package", str(fra_package.pk))
    assert code == 1
    assert one_line_error(err) == "file: the file is 50.0 MB; the limit is 10.0 MB: split it into smaller files"


def test_export_to_xlsx_csv_and_json(capsys: pytest.CaptureFixture[str], coord: Actor, fra_officer: Actor,
                                     fra_package: Any, cat: dict[str, Any], tmp_path: Path) -> None:
    factories.line(fra_officer, fra_package, cat["m107"], quantity=3, value="300.00", effective_date=date(2025, 3, 1))
    target = tmp_path / "lines.xlsx"
    code, _, err = run(capsys, "--as", "coord", "pledge", "export", "--format", "xlsx", "--output", str(target))
    assert code == 0, err
    assert err.strip() == f"1 pledge lines written to {target}"
    sheet = load_workbook(target).active
    assert [c.value for c in sheet[1]][:3] == ["id", "package_id", "package"]
    assert sheet.cell(row=2, column=3).value == "French spring package"
    code, out, _ = run(capsys, "--as", "coord", "pledge", "export", "--packages", "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "id,date,title,source,donor,funders,announcement_id,line_count," \
                                                "value_eur,marking"
    code, out, _ = run(capsys, "--as", "coord", "pledge", "export", "--format", "json", "--status", "announced")
    assert json.loads(out)["count"] == 1
    code, _, err = run(capsys, "--as", "coord", "pledge", "export", "--format", "xlsx")
    assert code == 2 and one_line_error(err) == "an XLSX export needs --output FILE"
