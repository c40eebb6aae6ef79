"""`shieldwall match …` in-process: scenarios, a run queued (solved by the immediate task backend) or solved here
with a progress bar, what a run found per viewer, compare, approve, what-if, routes, and one-line errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shieldwall.matching.models import Scenario
from shieldwall.pledges.models import PledgeLine
from tests.cli_support import run, run_json
from tests.matching.conftest import today

pytestmark = pytest.mark.django_db


def test_scenario_run_show_approve(capsys: pytest.CaptureFixture[str], world: dict[str, Any], coord_user: Any,
                                   fra_officer_user: Any) -> None:
    code, _, err = run(capsys, "--as", "coord", "match", "scenario", "create", "--name", "Spring",
                       "--hub-capacity", "Rzeszów-Jasionka:2026-05-05:50")  # a Tuesday
    assert (code, err.strip()) == (1, "shieldwall: error: hub_capacities: row 1: a hub week starts on a Monday")
    code, _, err = run(capsys, "--as", "coord", "match", "scenario", "create", "--name", "X", "--hub-capacity", "bad")
    assert code == 2 and "HUB:YYYY-MM-DD:UNITS" in err
    made = run_json(capsys, "--as", "coord", "match", "scenario", "create", "--name", "Spring", "--half-life", "10",
                    "--area", "artillery,air_defence", "--hub-capacity", "Rzeszów-Jasionka:2026-05-04:50")
    assert (made["name"], made["half_life_days"], made["originator"], made["areas"]) == (
        "Spring", 10, "FRA", ["air_defence", "artillery"])
    shown = run_json(capsys, "--as", "coord", "match", "run", "Spring", "--wait")
    assert (shown["status"], shown["units_assigned"], shown["total_objective_all_inputs"]) == ("done", 140, "1880.000")
    assert {m["item_class"]: m["value_of_one_more"] for m in shown["marginal_values"]}["IRIS-T SLM interceptor"] \
        == "16.000"
    assert {g["title"]: g["reason"] for g in shown["gaps_list"]}["IRIS-T reloads"] == "nothing_compatible"
    run_id = str(shown["id"])
    donor = run_json(capsys, "--as", "fra-donor", "match", "show", run_id)
    assert "marginal_values" not in donor and "total_objective_all_inputs" not in donor
    assert donor["units_assigned"] == 140
    code, _, err = run(capsys, "--as", "fra-donor", "match", "approve", run_id)
    assert code == 1 and "may not approve" in err
    approved = run_json(capsys, "--as", "coord", "match", "approve", run_id)
    assert (approved["applied"], approved["lines_split"], approved["units"]) == (3, 1, 140)
    assert PledgeLine.unscoped.filter(status="allocated").count() == 4  # the fixture's, FRA, GBR, its split part
    code, _, err = run(capsys, "--as", "coord", "match", "approve", run_id)
    assert code == 1 and "already approved" in err
    listed = run_json(capsys, "--as", "coord", "match", "list", "--scenario", "Spring")
    assert [r["id"] for r in listed] == [int(run_id)]


def test_run_here_shows_progress_and_compare(capsys: pytest.CaptureFixture[str], scenario: Scenario,
                                             coord_user: Any, coord: Any) -> None:
    from shieldwall.matching import services

    first = services.run_start(actor=coord, scenario_id=scenario.pk)
    code, out, err = run(capsys, "--as", "coord", "--format", "json", "match", "run", str(scenario.pk), "--here")
    assert code == 0, err
    other = json.loads(out)["id"]
    assert err.splitlines()[0].startswith("[##") and err.splitlines()[-1].endswith(f" 90/100 run {other}")
    compared = run_json(capsys, "--as", "coord", "match", "compare", str(first.pk), str(other))
    assert all(r["change"] == 0 for r in compared["requirements"]) and compared["value_a"] == compared["value_b"]
    code, _, err = run(capsys, "--as", "coord", "match", "compare", str(first.pk), "999999")
    assert code == 1 and "not found" in err


def test_what_if_and_routes(capsys: pytest.CaptureFixture[str], world: dict[str, Any], scenario: Scenario,
                            coord_user: Any) -> None:
    answer = run_json(capsys, "--as", "coord", "match", "what-if", "Spring matching", "--add",
                      f"155 mm M795:15:{today().isoformat()}:POL", "--priority", f"{world['reqs']['nato'].pk}=4")
    assert answer["objective_change"] == "50.000"
    code, _, err = run(capsys, "--as", "coord", "match", "what-if", "Spring matching", "--add", "nonsense")
    assert code == 2 and "TYPE:QUANTITY" in err
    row = run_json(capsys, "--as", "coord", "match", "transit", "set", "USA", "--days", "18", "--hub", "Ramstein")
    assert (row["origin"], row["destination"], row["days"], row["hub"]) == ("USA", "(any)", 18, "Ramstein")
    code, out, err = run(capsys, "--as", "coord", "match", "transit", "list")
    assert code == 0 and "USA" in out and "overseas 21 d" in err
    code, _, err = run(capsys, "--as", "fra-donor", "match", "transit", "set", "USA", "--days", "1")
    assert code == 1 and "may not" in err
