"""The matching API: scenarios with ETag/If-Match, a run queued (and solved by the immediate task backend) and
polled, what it found cut to the caller's sight, comparison, approval, what-if, and bounded queries."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from shieldwall.core.actor import Actor
from shieldwall.core.models import User
from shieldwall.core.services import token_create
from shieldwall.matching.models import MatchingRun, Scenario
from tests.matching.conftest import today

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict[str, str]:
    _, clear = token_create(actor=Actor.for_user(user), name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def post(client: Client, url: str, headers: dict[str, str], body: dict[str, Any] | None = None, **extra: str) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers, **extra)


def test_a_coordinator_creates_runs_reads_and_approves(client: Client, world: dict[str, Any],
                                                      coord_user: User) -> None:
    fra = bearer(coord_user)
    monday = today() - timedelta(days=today().weekday())
    created = post(client, "/api/v1/matching/scenarios", fra, {
        "name": "Spring", "half_life_days": 10, "areas": ["artillery"], "donors": ["FRA", "GBR"],
        "hub_capacities": [{"hub": "Rzeszów-Jasionka", "week_start": monday.isoformat(), "capacity": 500}]})
    assert created.status_code == 201, created.content
    scenario = created.json()
    assert (scenario["areas"], scenario["donors"], scenario["marking"], scenario["hub_capacities"][0]["capacity"]) \
        == (["artillery"], ["FRA", "GBR"], "UNCLASSIFIED // REL TO COALITION", 500)
    url = f"/api/v1/matching/scenarios/{scenario['id']}"
    assert client.patch(url, json.dumps({"half_life_days": 7}), content_type="application/json",
                        **fra).status_code == 428
    patched = client.patch(url, json.dumps({"half_life_days": 7, "donors": []}), content_type="application/json",
                           HTTP_IF_MATCH=created["ETag"], **fra)
    assert patched.status_code == 200 and (patched.json()["half_life_days"], patched.json()["donors"]) == (7, [])
    started = post(client, f"{url}/runs", fra)
    assert started.status_code == 202, started.content
    run_url = f"/api/v1/matching/runs/{started.json()['id']}"
    run = client.get(run_url, **fra).json()
    # The artillery scope leaves out the IRIS-T requirement; the French coordinator sees 140 units assigned of 140
    # visible (the 152 mm requirement and the German line are not released to France).
    assert (run["status"], run["progress"], run["summary"]["units"], run["summary"]["total_objective"]) == (
        "done", 100, 140, "1880.000")
    assignments = client.get(f"{run_url}/assignments", **fra).json()["results"]
    assert sorted((a["donor"], a["quantity"]) for a in assignments) == [("FRA", 80), ("GBR", 10), ("GBR", 50)]
    gaps = client.get(f"{run_url}/gaps", **fra).json()["results"]
    assert {g["requirement"]: (g["unmet"], g["primary"]) for g in gaps} == {
        "Training rounds": (10, "taken_by_higher_priority"), "Any NATO 155": (5, "taken_by_higher_priority")}
    values = {v["item_class"]: v["value"] for v in client.get(f"{run_url}/marginal-values", **fra).json()}
    assert values["155 mm artillery ammunition"] == "4.000"
    tag = client.get(run_url, **fra)["ETag"]
    assert post(client, f"{run_url}/approve", fra, HTTP_IF_MATCH=tag.replace('-', '-9')).status_code == 412
    approved = post(client, f"{run_url}/approve", fra, HTTP_IF_MATCH=tag)
    # Queued for the worker; the test settings' immediate backend has applied it already.
    assert approved.status_code == 202, approved.content
    assert (approved.json()["approved_by"], approved.json()["approval_status"]) == ("coord", "")
    assert client.get(run_url, **fra).json()["summary"]["allocated"] == 3
    again = post(client, f"{run_url}/approve", fra)
    assert again.status_code == 409 and "already approved" in again.json()["detail"]


def test_a_stale_approval_says_why(client: Client, world: dict[str, Any], run: MatchingRun, coord_user: User,
                                   gbr_donor: Actor) -> None:
    from tests.matching.conftest import committed_line

    committed_line(gbr_donor, world["cat"]["m795"], 5)
    refused = post(client, f"/api/v1/matching/runs/{run.pk}/approve", bearer(coord_user))
    assert refused.status_code == 409
    assert refused.json()["detail"] == ("inputs changed since this run (1 pledge line, 0 requirements differ): "
                                        "run it again")


def test_others_see_their_part_and_no_whole_problem_figures(client: Client, world: dict[str, Any], run: MatchingRun,
                                                             fra_officer_user: User, gbr_analyst_user: User,
                                                             jpn_observer_user: User) -> None:
    fra, gbr = bearer(fra_officer_user), bearer(gbr_analyst_user)
    url = f"/api/v1/matching/runs/{run.pk}"
    mine = client.get(url, **fra).json()["summary"]
    assert (mine["units"], mine["value"], mine["total_objective"]) == (140, "1640.000", None)
    theirs = client.get(url, **gbr).json()["summary"]
    assert (theirs["units"], theirs["value"], theirs["gaps"]) == (170, "1880.000", 4)
    assert client.get(f"{url}/marginal-values", **fra).status_code == 403
    assert client.get(url, **bearer(jpn_observer_user)).status_code == 404
    assert post(client, f"{url}/approve", fra).status_code == 403
    assert post(client, f"/api/v1/matching/scenarios/{run.scenario_id}/runs", fra).status_code == 403


def test_compare_and_what_if(client: Client, world: dict[str, Any], scenario: Scenario, run: MatchingRun,
                             coord_user: User, coord: Actor) -> None:
    from shieldwall.matching import services

    fra = bearer(coord_user)
    narrow = services.scenario_create(actor=coord, name="Priorities 1-2", priority_max=2)
    other = services.run_start(actor=coord, scenario_id=narrow.pk)
    compared = client.get(f"/api/v1/matching/runs/compare?a={run.pk}&b={other.pk}", **fra)
    assert compared.status_code == 200, compared.content
    rows = {r["requirement"]: (r["covered_a"], r["covered_b"], r["change"]) for r in compared.json()["requirements"]}
    assert rows["Training rounds"] == (50, 0, -50) and rows["Shells"] == (90, 90, 0)
    # Which donor fills the shells in the narrower run is one of several optima; the 50 training rounds are not.
    donors = {d["donor"]: Decimal(d["change_eur"]) for d in compared.json()["donors"]}
    assert set(donors) == {"FRA", "GBR"} and sum(donors.values()) == Decimal("-50000.00")
    assert client.get("/api/v1/matching/runs/compare?a=1", **fra).status_code == 422
    answer = post(client, f"/api/v1/matching/scenarios/{scenario.pk}/what-if", fra, {
        "lines": [{"item_type_id": world["cat"]["m795"].pk, "quantity": 15, "available_from": today().isoformat(),
                   "origin": "pol"}],
        "priorities": [{"requirement_id": world["reqs"]["nato"].pk, "priority": 4}]})
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert (data["base_run_id"], data["objective_change"]) == (run.pk, "50.000")  # +10·4 training, +5·2 NATO
    assert {r["requirement"]: r["covered_after"] for r in data["requirements"]} == {"Training rounds": 60,
                                                                                   "Any NATO 155": 5}
    bad = post(client, f"/api/v1/matching/scenarios/{scenario.pk}/what-if", fra, {})
    assert bad.status_code == 422


def test_lists_are_bounded_in_queries(client: Client, world: dict[str, Any], run: MatchingRun, coord_user: User,
                                      django_assert_max_num_queries: Any) -> None:
    fra = bearer(coord_user)
    for url in ("/api/v1/matching/scenarios", "/api/v1/matching/runs", f"/api/v1/matching/runs/{run.pk}/assignments",
                f"/api/v1/matching/runs/{run.pk}/gaps"):
        with django_assert_max_num_queries(14):
            assert client.get(url, **fra).status_code == 200


def test_a_scenario_is_deleted_with_if_match(client: Client, world: dict[str, Any], coord_user: User,
                                            gbr_coord_user: User) -> None:
    fra = bearer(coord_user)
    created = post(client, "/api/v1/matching/scenarios", fra, {"name": "Scratch"})
    url = f"/api/v1/matching/scenarios/{created.json()['id']}"
    assert client.delete(url, **fra).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH=created["ETag"], **bearer(gbr_coord_user)).status_code == 403
    assert client.delete(url, HTTP_IF_MATCH=created["ETag"], **fra).status_code == 204
    assert client.get(url, **fra).status_code == 404
