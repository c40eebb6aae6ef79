"""`shieldwall requirement …`, `shieldwall coverage` and `shieldwall catalogue …` in-process: access filtering of
`--as`, lifecycle steps, figures, and errors as one line with a non-zero exit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import run, run_json

pytestmark = pytest.mark.django_db


def test_requirement_commands(capsys: pytest.CaptureFixture[str], case: dict[str, Any], ukr_desk_user: Any,
                              coord_user: Any, fra_officer_user: Any) -> None:
    listed = run_json(capsys, "--as", "fra-donor", "requirement", "list", "--status", "open", "--priority", "1")
    assert [r["title"] for r in listed] == ["155 mm for the east", "IRIS-T reloads"]
    assert run_json(capsys, "requirement", "list") == []  # anonymous: PUBLIC only
    shown = run_json(capsys, "--as", "fra-donor", "requirement", "show", str(case["shells"].pk))
    assert (shown["allocated_qty"], shown["delivered_value"], len(shown["pledge_lines"])) == (453, "550333.33", 7)
    created = run_json(capsys, "--as", "ukr-recipient", "requirement", "create", "--item-class",
                       "152 mm artillery ammunition", "--quantity", "500", "--need-by", "2026-12-01",
                       "--destination", "Zaporizhzhia", "--rel-to", "FRA", "--classification", "RESTRICTED")
    assert (created["status"], created["marking"]) == ("draft", "RESTRICTED // REL TO FRA, UKR")
    pk = str(created["id"])
    assert run_json(capsys, "--as", "ukr-recipient", "requirement", "submit", pk)["status"] == "submitted"
    code, _, err = run(capsys, "--as", "coord", "requirement", "open", pk)
    assert code == 1 and err.strip() == ("shieldwall: error: a requirement that is submitted cannot be opened; "
                                         "allowed now: validate, return, withdraw, reprioritise")
    code, _, err = run(capsys, "--as", "coord", "requirement", "return", pk)
    assert code == 2 and "--reason" in err
    assert run_json(capsys, "--as", "coord", "requirement", "return", pk, "--reason", "which guns?")["status"] \
        == "draft"
    code, _, err = run(capsys, "--as", "gbr-analyst", "requirement", "withdraw", pk, "--reason", "x")
    assert code == 1 and "not found" in err  # REL TO FRA, UKR: not released to Britain


def test_coverage_command(capsys: pytest.CaptureFixture[str], case: dict[str, Any], fra_officer_user: Any) -> None:
    rows = run_json(capsys, "--as", "fra-donor", "coverage")
    assert [(r["title"], r["committed_qty"]) for r in rows] == [
        ("155 mm for the east", 753), ("IRIS-T reloads", 0), ("152 mm for D-20 guns", 100)]
    areas = run_json(capsys, "--as", "fra-donor", "coverage", "--by", "area")
    assert [(a["name"], a["committed_value"], a["pct_committed"]) for a in areas] == [
        ("Air defence", "0.00", None), ("Artillery", "3051000.00", "61.0")]
    code, out, _ = run(capsys, "--as", "fra-donor", "coverage", "--by", "coalition")
    assert code == 0 and "Artillery Capability Coalition" in out and "No capability coalition" in out
    code, _, err = run(capsys, "coverage", "--status", "closed")
    assert code == 2 and "invalid choice 'closed'" in err


def test_catalogue_commands(capsys: pytest.CaptureFixture[str], nations: Any, tmp_path: Path) -> None:
    csv = tmp_path / "weapons.csv"
    csv.write_text('"donor","category","number_of_weapons","monetary_value_eur","weapons_list"\n'
                   '"Portugal","Tanks",3,27997872,"Leopard-2A6 (3)"\n', encoding="utf-8")
    seeded = run_json(capsys, "catalogue", "seed", "--weapons", str(csv))
    assert (seeded["created_areas"], seeded["kiel_systems"], seeded["skipped"]) == (10, 1, [])
    assert run_json(capsys, "catalogue", "seed", "--weapons", str(csv))["created_types"] == 0
    tanks = run_json(capsys, "catalogue", "list", "--area", "armour", "--q", "tank")
    assert [(c["name"], c["types"]) for c in tanks] == [("120 mm tank ammunition", 2), ("main battle tank", 1)]
    shown = run_json(capsys, "catalogue", "show", "main battle tank")
    assert shown["satisfied_by"] == [{"item_type": "Leopard-2A6", "own_class": True,
                                      "reference_unit_price_eur": "9332624.00",
                                      "price_source": "Kiel UST R29 weapons.csv", "price_date": "2026-08-04"}]
    code, _, err = run(capsys, "catalogue", "show", "battleship")
    assert code == 1 and err.strip() == "shieldwall: error: item class 'battleship' not found"
