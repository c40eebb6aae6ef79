"""Matching pages: a coordinator creates a scenario, runs it (the progress bar polls until done), reads its
assignments, gaps with reasons and marginal values, compares two runs, asks what-if, and approves — then the
pledge lines and coverage pages show the allocations. Others see their part only, under the right banner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shieldwall.core.actor import Actor
from shieldwall.core.models import User
from shieldwall.matching import services
from shieldwall.matching.models import MatchingRun, RunStatus, Scenario
from shieldwall.pledges.models import PledgeLine
from tests.matching.conftest import committed_line, today

pytestmark = pytest.mark.django_db


def _banner(html: str) -> str:
    start = html.index('id="banner-top"')
    return html[html.index(">", start) + 1:html.index("</div>", start)].strip()


def test_the_coordinators_path_from_scenario_to_approval(client: Client, world: dict[str, Any],
                                                         coord_user: User) -> None:
    client.force_login(coord_user)
    assert "New scenario" in client.get(reverse("matching_scenario_list")).content.decode()
    monday = today() - timedelta(days=today().weekday())
    refused = client.post(reverse("matching_scenario_create"), {
        "name": "Spring", "half_life_days": "14", "max_lateness_days": "56", "priority_min": "1",
        "priority_max": "5", "classification": "0", "releasability": "COALITION",
        "hub_capacities": "Rzeszów-Jasionka; not a date; 40"})
    assert refused.status_code == 422 and "line 1: write hub; YYYY-MM-DD; units" in refused.content.decode()
    created = client.post(reverse("matching_scenario_create"), {
        "name": "Spring", "half_life_days": "14", "max_lateness_days": "56", "priority_min": "1",
        "priority_max": "5", "classification": "0", "releasability": "COALITION", "areas": ["artillery"],
        "hub_capacities": f"Rzeszów-Jasionka; {monday.isoformat()}; 400"})
    assert created.status_code == 302, created.content.decode()
    scenario = Scenario.unscoped.get(name="Spring")
    page = client.get(reverse("matching_scenario_detail", args=[scenario.pk])).content.decode()
    assert "Rzeszów-Jasionka" in page and "Not run yet." in page and "What would change?" in page
    ran = client.post(reverse("matching_scenario_run", args=[scenario.pk]))
    run = MatchingRun.unscoped.get(scenario=scenario)
    assert ran["Location"] == reverse("matching_run_detail", args=[run.pk])
    html = client.get(ran["Location"]).content.decode()
    assert run.status == RunStatus.DONE and 'value="100"' in html and "hx-trigger" not in html
    assert "Total objective (all inputs)" in html and "1880.000" in html
    assert "one more missiles of IRIS-T SLM interceptor would be worth 16.000" not in html  # out of scope
    assert "one more rounds of 155 mm artillery ammunition would be worth 4.000" in html
    assert "as much as 4 more of NATO 155 mm ammunition (any)" in html
    gaps = client.get(ran["Location"], {"tab": "gaps"}).content.decode()
    assert "taken by higher priority" in gaps and "Training rounds" in gaps
    assignments = client.get(ran["Location"], {"tab": "assignments"}).content.decode()
    assert assignments.count("<tr>") == 4 and "152 mm for D-20" not in assignments  # header + 3 rows
    approved = client.post(reverse("matching_run_approve", args=[run.pk]), follow=True).content.decode()
    assert f"Run {run.pk} approved: its pledge lines are allocated." in approved
    assert "by coord: 3 of the assignments released to you allocated" in approved
    lines = client.get(reverse("line_list"), {"status": "allocated"}).context["page"].object_list
    shells, training = world["reqs"]["shells"].pk, world["reqs"]["training"].pk
    assert sorted((line.requirement_id, line.quantity) for line in lines) == [
        (shells, 10), (shells, 10), (shells, 80), (training, 50)]
    rows = {c.id: c for c in client.get(reverse("coverage")).context["page"].object_list}
    assert (rows[shells].allocated_qty, rows[shells].pct_allocated, rows[training].allocated_qty) == (100, 100, 50)


def test_progress_is_polled_until_the_run_is_done(client: Client, scenario: Scenario, coord: Actor,
                                                  coord_user: User) -> None:
    client.force_login(coord_user)
    run = services.run_start(actor=coord, scenario_id=scenario.pk, enqueue=False)
    html = client.get(reverse("matching_run_detail", args=[run.pk])).content.decode()
    assert f'hx-get="{reverse("matching_run_progress", args=[run.pk])}"' in html and 'hx-trigger="every 1s"' in html
    assert "waiting for a worker" in html and "<noscript>" in html
    polled = client.get(reverse("matching_run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in polled and 'value="0"' in polled.content.decode()
    services.run_execute(actor=coord, run_id=run.pk)
    done = client.get(reverse("matching_run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_a_stale_run_shows_why_and_approval_is_refused(client: Client, world: dict[str, Any], run: MatchingRun,
                                                       coord_user: User, gbr_donor: Actor) -> None:
    committed_line(gbr_donor, world["cat"]["m795"], 5)
    client.force_login(coord_user)
    html = client.get(reverse("matching_run_detail", args=[run.pk])).content.decode()
    assert "inputs changed since this run (1 pledge line, 0 requirements differ): run it again" in html
    refused = client.post(reverse("matching_run_approve", args=[run.pk]), follow=True).content.decode()
    assert "inputs changed since this run" in refused
    assert not PledgeLine.unscoped.filter(status="allocated").exclude(pk=world["lines"]["allocated"]).exists()


def test_compare_and_what_if_pages(client: Client, world: dict[str, Any], scenario: Scenario, run: MatchingRun,
                                   coord: Actor, coord_user: User) -> None:
    narrow = services.scenario_create(actor=coord, name="Priorities 1-2", priority_max=2)
    other = services.run_start(actor=coord, scenario_id=narrow.pk)
    client.force_login(coord_user)
    run_page = client.get(reverse("matching_run_detail", args=[run.pk])).content.decode()
    assert reverse("matching_run_compare", args=[run.pk, other.pk]) in run_page
    html = client.get(reverse("matching_run_compare", args=[run.pk, other.pk])).content.decode()
    assert "Who loses" in html and "Training rounds: -50 (50 → 0)" in html
    assert "Any NATO 155" not in html.split("Who gains")[1].split("Who loses")[0]
    answer = client.post(reverse("matching_what_if", args=[scenario.pk]), {
        "item_type": world["cat"]["m795"].pk, "quantity": "15", "available_from": today().isoformat(),
        "origin": "POL"}, HTTP_HX_REQUEST="true")
    text = answer.content.decode()
    assert answer.status_code == 200 and "1880.000 → 1925.000" in text and 'hx-swap-oob="true"' in text
    assert f"Base: run {run.pk}" in text
    refused = client.post(reverse("matching_what_if", args=[scenario.pk]), {"quantity": "3"})
    assert refused.status_code == 422 and "needs its item type, quantity and origin" in refused.content.decode()


def test_a_donor_sees_its_part_under_the_right_banner(client: Client, world: dict[str, Any], run: MatchingRun,
                                                     fra_officer_user: User, gbr_analyst_user: User,
                                                     jpn_observer_user: User) -> None:
    url = reverse("matching_run_detail", args=[run.pk])
    client.force_login(fra_officer_user)
    html = client.get(url).content.decode()
    assert "Total objective (all inputs)" not in html and "coordinators see them" in html
    assert "Approve…" not in html and "Run again" not in html
    # Its figures rest on records most of which the page does not show: no further than the viewer's nation.
    assert _banner(html) == "UNCLASSIFIED // REL TO FRA"
    assignments = client.get(url, {"tab": "assignments"}).content.decode()
    assert "152 mm" not in assignments and "3 assignments" in assignments
    assert client.post(reverse("matching_run_approve", args=[run.pk])).status_code == 403
    client.force_login(gbr_analyst_user)
    html = client.get(url, {"tab": "gaps"}).content.decode()
    assert "152 mm for D-20" in html and _banner(html) == "RESTRICTED // REL TO GBR"
    client.force_login(jpn_observer_user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("matching_scenario_detail", args=[run.scenario_id])).status_code == 404


def test_page_queries_are_bounded(client: Client, world: dict[str, Any], run: MatchingRun, coord_user: User,
                                  django_assert_max_num_queries: Any) -> None:
    """Constant in the rows shown; today: 34 for the overview (with the staleness check, which reads the inputs),
    27 and 25 for the tabs, 12 for the list, 19 for a scenario, 27 to compare."""
    client.force_login(coord_user)
    pages = [(reverse("matching_run_detail", args=[run.pk]), {}, 38),
             (reverse("matching_run_detail", args=[run.pk]), {"tab": "assignments"}, 30),
             (reverse("matching_run_detail", args=[run.pk]), {"tab": "gaps"}, 28),
             (reverse("matching_scenario_list"), {}, 14),
             (reverse("matching_scenario_detail", args=[run.scenario_id]), {}, 22),
             (reverse("matching_run_compare", args=[run.pk, run.pk]), {}, 30)]
    for url, query, bound in pages:
        with django_assert_max_num_queries(bound):
            assert client.get(url, query).status_code == 200
