"""`shieldwall serial …`, `compliance`, `inspection …`, `disposition …` and `loss …` in-process: the values of
`--format json`, one-line errors with a non-zero exit on bad input, and nothing recorded when a file has a bad
row."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from shieldwall.core.actor import Actor
from shieldwall.core.models import User
from shieldwall.logistics.models import Shipment
from shieldwall.monitoring.models import DispositionReport, Inspection, SerialItem
from tests.cli_support import run

pytestmark = pytest.mark.django_db
FRA, UKR, GBR = "fra-donor", "ukr-recipient", "gbr-analyst"


@pytest.fixture
def users(fra_officer_user: User, ukr_desk_user: User, gbr_analyst_user: User) -> None:
    """The three users the commands run as (--as fra-donor, ukr-recipient, gbr-analyst)."""


def as_json(capsys: pytest.CaptureFixture[str], user: str, *argv: str) -> Any:
    code, out, err = run(capsys, "--as", user, "--format", "json", *argv)
    assert code == 0, err
    return json.loads(out)


def one_line_error(code: int, err: str, expected_code: int, text: str) -> None:
    assert code == expected_code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[-1].startswith("shieldwall: error: ") and text in lines[-1], lines


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- serial items ------------------------------------------------------------------------------------------------


def test_serial_list_and_show(capsys: pytest.CaptureFixture[str], users: None, guns: list[SerialItem]) -> None:
    listed = as_json(capsys, FRA, "serial", "list")
    assert [(r["serial_number"], r["donor"], r["status"], r["custodian_nation"], r["custodian_unit"],
             r["next_inspection_due"], r["marking"]) for r in listed] == [
        (f"G-{n}", "FRA", "in_service", "UKR", "44th Bde", "2025-05-06", "RESTRICTED // REL TO FRA, UKR")
        for n in range(1, 5)]
    assert [r["serial_number"] for r in as_json(capsys, FRA, "serial", "list", "--q", "g-2")] == ["G-2"]
    assert as_json(capsys, FRA, "serial", "list", "--status", "lost") == []
    assert len(as_json(capsys, UKR, "serial", "list", "--due", "overdue")) == 4
    assert as_json(capsys, GBR, "serial", "list") == []
    code, _, err = run(capsys, "--as", FRA, "serial", "list", "--status", "melted")
    one_line_error(code, err, 2, "--status")
    shown = as_json(capsys, FRA, "serial", "show", str(guns[0].pk))
    assert (shown["serial_number"], shown["shipment"], shown["pledge_line"], shown["loss_reports"]) == (
        "G-1", guns[0].shipment_id, guns[0].pledge_line_id, "")
    assert [(c["seq"], c["kind"], c["from"], c["to"], c["on"]) for c in shown["custody"]] == [
        (1, "registered", "", "FRA 1er RA depot", "2025-01-20"),
        (2, "dispatched", "FRA 1er RA depot", f"FRA in transit: {guns[0].shipment}", "2025-02-01"),
        (3, "received", f"FRA in transit: {guns[0].shipment}", "UKR 44th Bde", "2025-02-05")]
    code, out, err = run(capsys, "--as", GBR, "serial", "show", str(guns[0].pk))
    one_line_error(code, err, 1, f"serial item {guns[0].pk} not found")
    assert out == ""


def test_serial_register_from_a_file(capsys: pytest.CaptureFixture[str], users: None, planned: Shipment,
                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = str(planned.lines.get().pk)
    where = ["--shipment", str(planned.pk), "--line", line]
    fra = Actor.for_user(User.objects.get(username=FRA))
    bad = write(tmp_path, "bad.txt", "K-1\nK-1\nK 2!\n")
    code, out, err = run(capsys, "--as", FRA, "--format", "json", "serial", "register", bad, *where)
    one_line_error(code, err, 1, "2 problem(s) in 3 row(s); nothing was recorded")
    report = json.loads(out)
    assert (report["ok"], report["created"], [(e["row"], e["column"]) for e in report["errors"]]) == (
        False, 0, [(2, "serial_number"), (3, "serial_number")])
    assert report["errors"][0]["message"] == "K-1 is given twice (also row 1)"
    assert SerialItem.objects.visible_to(fra).count() == 0
    code, _, err = run(capsys, "--as", FRA, "serial", "register", str(tmp_path / "none.csv"), *where)
    one_line_error(code, err, 1, "cannot read")
    columns = write(tmp_path, "columns.csv", "serial_number,unit\nK-1,x\n")
    code, _, err = run(capsys, "--as", FRA, "serial", "register", columns, *where)
    one_line_error(code, err, 1, "unknown column(s): unit; the columns are serial_number")
    code, _, err = run(capsys, "--as", UKR, "serial", "register", bad, *where)
    one_line_error(code, err, 1, "may not")
    code, _, err = run(capsys, "serial", "register", bad, *where)  # no one: the shipment is not released to them
    one_line_error(code, err, 1, f"shipment {planned.pk} not found")
    good = write(tmp_path, "good.csv", "serial_number\nK-1\nK-2\n")
    dry = as_json(capsys, FRA, "serial", "register", good, *where, "--dry-run")
    assert (dry["dry_run"], dry["ok"], dry["rows"], dry["created"]) == (True, True, 2, 0)
    code, out, err = run(capsys, "--as", FRA, "serial", "register", good, *where, "--unit", "Bourges",
                         "--on", "2025-01-20")
    assert (code, out) == (0, "2 serial number(s) recorded\n"), err
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"K-3\n")))
    done = as_json(capsys, FRA, "serial", "register", "-", *where)
    assert (done["ok"], done["created"]) == (True, 1)
    assert sorted(SerialItem.objects.visible_to(fra).values_list("serial_number", "custodian_unit")) == [
        ("K-1", "Bourges"), ("K-2", "Bourges"), ("K-3", "")]


def test_serial_transfer(capsys: pytest.CaptureFixture[str], users: None, guns: list[SerialItem]) -> None:
    item = str(guns[2].pk)
    code, _, err = run(capsys, "--as", FRA, "serial", "transfer", item, "--to-nation", "GBR", "--to-unit", "x")
    one_line_error(code, err, 1, "may not")
    code, _, err = run(capsys, "--as", UKR, "serial", "transfer", item, "--to-nation", "GBR")
    assert code == 2 and "--to-unit" in err
    code, _, err = run(capsys, "--as", UKR, "serial", "transfer", item, "--to-nation", "GBR", "--to-unit", "x",
                       "--on", "2025-13-01")
    assert code == 2 and "2025-13-01" in err
    code, _, err = run(capsys, "--as", UKR, "serial", "transfer", item, "--to-nation", "ZZZ", "--to-unit", "x")
    one_line_error(code, err, 1, "ZZZ")
    moved = as_json(capsys, UKR, "serial", "transfer", item, "--to-nation", "gbr", "--to-unit", "REME",
                    "--to-location", "Tidworth", "--on", "2025-03-01", "--note", "repair")
    assert (moved["status"], moved["custodian_nation"], moved["custodian_unit"], moved["custody_since"],
            moved["marking"]) == ("transferred", "GBR", "REME", "2025-03-01", "RESTRICTED // REL TO FRA, GBR, UKR")
    assert moved["custody"][-1] == {"seq": 4, "on": "2025-03-01", "kind": "transfer", "from": "UKR 44th Bde",
                                    "to": "GBR REME", "by": UKR}
    # The donor keeps seeing what it gave; the ally now sees it too.
    assert as_json(capsys, FRA, "serial", "show", item)["custodian_nation"] == "GBR"
    assert [r["serial_number"] for r in as_json(capsys, GBR, "serial", "list")] == ["G-3"]


def test_serial_export(capsys: pytest.CaptureFixture[str], users: None, guns: list[SerialItem],
                       tmp_path: Path) -> None:
    # The export's own --format follows the command (an output --format would go before it).
    document = as_json(capsys, FRA, "serial", "export", "--format", "json", "--q", "G-4")
    assert (document["marking"], document["count"], document["rows"][0]["serial_number"]) == (
        "RESTRICTED // REL TO FRA, UKR", 1, "G-4")
    code, out, err = run(capsys, "--as", FRA, "serial", "export", "--format", "csv")
    assert code == 0, err
    assert [line.split(",")[3] for line in out.splitlines()] == ["serial_number", "G-1", "G-2", "G-3", "G-4"]
    code, _, err = run(capsys, "--as", FRA, "serial", "export", "--format", "xlsx")
    one_line_error(code, err, 2, "an XLSX export needs --output FILE")
    target = tmp_path / "items.xlsx"
    code, _, err = run(capsys, "--as", FRA, "serial", "export", "--format", "xlsx", "--output", str(target))
    assert code == 0 and err == f"4 serial items written to {target}\n"
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert [r[3] for r in rows] == ["serial_number", "G-1", "G-2", "G-3", "G-4"]
    assert as_json(capsys, GBR, "serial", "export", "--format", "json")["rows"] == []


# --- compliance, inspections, disposition and loss reports -------------------------------------------------------


def test_compliance(capsys: pytest.CaptureFixture[str], users: None, guns: list[SerialItem]) -> None:
    board = as_json(capsys, FRA, "compliance", "--as-of", "2025-06-01")
    assert (board["as_of"], board["marking"], len(board["trend"])) == ("2025-06-01", "RESTRICTED // REL TO FRA, UKR",
                                                                        12)
    row, total = board["rows"]
    assert (row["donor"], row["item_class"], row["items"], row["accountable"], row["overdue"], row["due_soon"],
            row["never_inventoried"], row["on_time_pct"]) == ("FRA", "155 mm towed howitzer", 4, 4, 4, 0, 4, None)
    assert (total["item_class"], total["items"]) == ("All", 4)
    assert as_json(capsys, FRA, "compliance", "--as-of", "2025-04-20")["rows"][0]["due_soon"] == 4
    assert as_json(capsys, FRA, "compliance", "--donor", "DEU")["rows"][0]["items"] == 0  # only the total
    assert as_json(capsys, GBR, "compliance")["rows"][-1]["items"] == 0
    code, _, err = run(capsys, "--as", FRA, "compliance", "--as-of", "June")
    assert code == 2 and "June" in err


def test_inspections(capsys: pytest.CaptureFixture[str], users: None, guns: list[SerialItem]) -> None:
    base = ["inspection", "record", "--kind", "initial", "--item-type", "M777", "--on", "2025-04-01"]
    code, _, err = run(capsys, "--as", FRA, *base, "--finding", "G-1", "--finding", "G-99")
    one_line_error(code, err, 1, "serial item(s) not found: G-99")
    code, _, err = run(capsys, "--as", FRA, *base, "--finding", "G-3,destroyed")
    one_line_error(code, err, 1, "G-3: a destroyed item needs the reference of its evidence")
    code, _, err = run(capsys, "--as", FRA, *base, "--finding", "G-1", "--item-type", "Spitfire")
    one_line_error(code, err, 1, "Spitfire")
    assert Inspection.objects.visible_to(Actor.for_user(User.objects.get(username=FRA))).count() == 0
    shown = as_json(capsys, FRA, *base, "--location", "Kharkiv", "--finding", "g-1", "--finding", "G-2,not_found",
                    "--finding", "G-3,destroyed,photo 3")
    assert (shown["kind"], shown["inspected_on"], shown["inspector"], shown["donor"], shown["recipient"],
            shown["location"], shown["marking"]) == ("initial", "2025-04-01", "FRA", "FRA", "UKR", "Kharkiv",
                                                     "RESTRICTED // REL TO FRA, UKR")
    assert [(f["serial"], f["result"], f["evidence"], f["on_time"]) for f in shown["findings"]] == [
        ("G-1", "found", "", True), ("G-2", "not_found", "", True), ("G-3", "destroyed", "photo 3", True)]
    listed = as_json(capsys, UKR, "inspection", "list")
    assert [(i["id"], i["items"]) for i in listed] == [(shown["id"], 3)]
    assert as_json(capsys, GBR, "inspection", "list") == []
    code, _, err = run(capsys, "--as", GBR, "inspection", "show", str(shown["id"]))
    one_line_error(code, err, 1, f"inspection {shown['id']} not found")
    item = as_json(capsys, UKR, "serial", "show", str(guns[0].pk))
    assert (item["last_inventory_on"], item["next_inspection_due"], item["inspections"][0]["result"]) == (
        "2025-04-01", "2026-04-01", "found")


def test_disposition_reports(capsys: pytest.CaptureFixture[str], users: None, guns: list[SerialItem],
                             tmp_path: Path) -> None:
    where = ["--donor", "FRA", "--year", "2025", "--quarter", "3"]
    bad = write(tmp_path, "bad.csv", "item_type,serial_number,status\nM777,G-1,in_service\nM777,G-7,lost\n"
                                     "M777,G-2,broken\n")
    code, out, err = run(capsys, "--as", UKR, "--format", "json", "disposition", "import", bad, *where)
    one_line_error(code, err, 1, "2 problem(s) in 3 row(s); nothing was recorded")
    result = json.loads(out)
    assert (result["ok"], result["report_id"], [(e["row"], e["column"]) for e in result["errors"]]) == (
        False, None, [(4, "status"), (3, "serial_number")])
    assert DispositionReport.objects.visible_to(Actor.for_user(User.objects.get(username=UKR))).count() == 0
    code, _, err = run(capsys, "--as", UKR, "disposition", "import", bad, *where[:4], "--quarter", "5")
    assert code == 2 and "--quarter" in err
    good = write(tmp_path, "good.csv", "item_type,serial_number,status,unit\nM777,G-1,under_repair,44\n"
                                       "M777,G-2,lost,44\n")
    code, _, err = run(capsys, "--as", FRA, "disposition", "import", good, *where)
    one_line_error(code, err, 1, "may not")
    filed = as_json(capsys, UKR, "disposition", "import", good, *where)
    assert (filed["ok"], filed["rows"], filed["applied"], filed["mismatches"]) == (True, 2, 1, 1)
    assert isinstance(filed["report_id"], int)
    shown = as_json(capsys, FRA, "disposition", "show", str(filed["report_id"]))
    assert (shown["quarter"], shown["recipient"], shown["donor"], shown["items"], shown["differing"]) == (
        "2025-Q3", "UKR", "FRA", 2, 1)
    assert [(line["serial"], line["reported"], line["matches"]) for line in shown["lines"]] == [
        ("G-1", "under_repair", True), ("G-2", "lost", False)]
    assert [i["serial"] for i in shown["left_out"]] == ["G-3", "G-4"]
    assert [r["id"] for r in as_json(capsys, FRA, "disposition", "list")] == [filed["report_id"]]
    assert as_json(capsys, GBR, "disposition", "list") == []


def test_loss_reports(capsys: pytest.CaptureFixture[str], users: None, guns: list[SerialItem]) -> None:
    base = ["loss", "report", "--kind", "destroyed", "--item-type", "M777", "--serial", "G-1", "--serial", "G-2",
            "--circumstances", "Artillery strike", "--on", "2025-03-02"]
    code, _, err = run(capsys, "--as", UKR, *base)
    one_line_error(code, err, 1, "a destruction is reported with the reference of its evidence")
    code, _, err = run(capsys, "--as", UKR, *base[:-6], "--serial", "G-9", "--circumstances", "x")
    one_line_error(code, err, 1, "serial item(s) not found: G-9")
    shown = as_json(capsys, UKR, *base, "--evidence", "BDA-2")
    assert (shown["kind"], shown["occurred_on"], shown["donor"], shown["recipient"], shown["items"],
            shown["evidence"], shown["marking"]) == ("destroyed", "2025-03-02", "FRA", "UKR", 2, "BDA-2",
                                                     "RESTRICTED // REL TO FRA, UKR")
    assert [i["serial"] for i in shown["serial_items"]] == ["G-1", "G-2"]
    code, _, err = run(capsys, "--as", UKR, *base, "--evidence", "BDA-3")
    one_line_error(code, err, 1, "already closed or not yet shipped: G-1, G-2")
    assert [r["id"] for r in as_json(capsys, FRA, "loss", "list")] == [shown["id"]]
    assert as_json(capsys, FRA, "loss", "show", str(shown["id"]))["circumstances"] == "Artillery strike"
    assert as_json(capsys, GBR, "loss", "list") == []
    assert [r["status"] for r in as_json(capsys, FRA, "serial", "list")] == [
        "destroyed", "destroyed", "in_service", "in_service"]


def test_loss_report_by_the_ally_holding_the_item(capsys: pytest.CaptureFixture[str], users: None, make_user: Any,
                                                  ukr_desk: Actor, guns: list[SerialItem]) -> None:
    from shieldwall.core.markings import Classification
    from shieldwall.monitoring import services

    gbr = Actor.for_user(make_user("gbr-officer", "GBR", ["donor"], Classification.CONFIDENTIAL))
    make_user("pol-officer", "POL", ["donor"], Classification.CONFIDENTIAL)
    services.serial_item_transfer(actor=ukr_desk, item_ids=[guns[0].pk, guns[1].pk], to_nation="GBR",
                                  to_unit="GBR depot", on=date(2025, 3, 1))
    services.serial_item_transfer(actor=gbr, item_ids=[guns[1].pk], to_nation="POL", to_unit="POL depot",
                                  on=date(2025, 3, 2))
    base = ["loss", "report", "--kind", "lost", "--item-type", "M777", "--circumstances", "Missing", "--on",
            "2025-03-03"]
    code, out, err = run(capsys, "--as", "gbr-officer", *base, "--serial", "g-2")
    assert out == ""
    one_line_error(code, err, 1, "GBR may not report G-2 lost or destroyed: that is for an officer of POL, which "
                                 "holds them, or a donor officer of FRA, which gave them")
    shown = as_json(capsys, "gbr-officer", *base, "--serial", "g-1")
    assert (shown["donor"], shown["recipient"], shown["holder"], shown["filed_by"],
            [i["serial"] for i in shown["serial_items"]]) == ("FRA", "UKR", "GBR", "GBR", ["G-1"])
    assert as_json(capsys, "pol-officer", *base, "--serial", "G-2")["holder"] == "POL"
