"""The "done when" of issues 3 to 6, walked through the pages on the demo data: a Django test client per demo user,
signed in with the demo password on the sign-in page, posting the pages' own forms (no browser). The demo is loaded
once for the module, at the tests' scale (`SHIELDWALL_DEMO_SCALE`, 0.05), in a transaction rolled back at the end;
each test runs in a savepoint inside it, so the walks cannot disturb each other."""

from __future__ import annotations

import csv
import json
import re
import socket
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shieldwall.analytics.models import Contribution
from shieldwall.catalogue.models import ItemType
from shieldwall.cli import main
from shieldwall.coalition.demo import shared_data_dir
from shieldwall.coalition.models import Announcement, Meeting
from shieldwall.core import demo as core_demo
from shieldwall.matching.models import REASON_LABELS
from shieldwall.monitoring.models import ACCOUNTABLE, SerialItem
from shieldwall.needs.models import Requirement
from shieldwall.pledges.demo import data as pledges_data
from shieldwall.pledges.models import Package, PledgeLine


@pytest.fixture(scope="module")
def demo_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        core_demo.load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_db: None, db: Any) -> None:
    """The demo, in a savepoint of this test."""


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": core_demo.DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home"), username
    return client


def page(client: Client, url: str, **query: Any) -> str:
    response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def post(client: Client, url: str, data: dict[str, Any]) -> str:
    """Post a form that redirects on success; returns the page it redirects to, after checking it said so."""
    response = client.post(url, data)
    assert response.status_code == 302, (url, response.status_code, _errors(response.content.decode()))
    return page(client, response["Location"])


def _errors(html: str) -> list[str]:
    return [_text(m) for m in re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', html, re.S)]


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_rows(html: str) -> list[list[str]]:
    """Every table row of the page as the text of its cells."""
    return [[_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)]


def row_of(html: str, first: str) -> list[str]:
    found = [row for row in table_rows(html) if row and row[0] == first]
    assert len(found) == 1, (first, found)
    return found[0]


def money(text: str) -> Decimal:
    """The first figure of a cell such as '1,234.56 12.5 %' or 'EUR 1,234'."""
    match = re.search(r"-?[\d,]+(?:\.\d+)?", text)
    assert match, text
    return Decimal(match[0].replace(",", ""))


def figure(html: str, label: str) -> Decimal:
    """The value of a `<dt>label</dt><dd>value</dd>` figure."""
    match = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert match, label
    return money(_text(match[1]).removeprefix("EUR "))


def banner(html: str) -> str:
    start = html.index('id="banner-top"')
    return _text(html[html.index(">", start) + 1:html.index("</div>", start)])


# --- issue 3: a requirement from the recipient's form to delivery, seen on coverage, donor and meeting pages ---


def test_issue_3_the_newcomers_walk_through_the_pages(demo: None) -> None:
    recipient, coord, german, french = (sign_in(u) for u in ("ukr-recipient", "coord", "deu-donor", "fra-donor"))
    today = timezone.localdate()
    shells = ItemType.objects.select_related("item_class").get(name="152 mm OF-540 HE projectile")

    # The Ukrainian officer writes the requirement and submits it; the coordinator validates and opens it.
    form = page(recipient, reverse("requirement_create"))
    assert f'value="{shells.item_class_id}"' in form
    response = recipient.post(reverse("requirement_create"), {
        "title": "Walk-through 152 mm for Bakhmut", "item_class": shells.item_class_id, "quantity": "1200",
        "priority": "1", "need_by": (today + timedelta(days=60)).isoformat(), "destination": "Kramatorsk",
        "use_category": "front_line", "justification": "D-20 batteries", "classification": "0",
        "releasability": "COALITION"})
    assert response.status_code == 302, _errors(response.content.decode())
    requirement = Requirement.unscoped.get(title="Walk-through 152 mm for Bakhmut")
    assert response["Location"] == reverse("requirement_detail", args=[requirement.pk])
    detail = post(recipient, reverse("requirement_transition", args=[requirement.pk, "submit"]),
                  {"version": requirement.version})
    assert "Submitted" in detail and "Validate" not in detail  # the recipient may not validate her own need
    detail = page(coord, reverse("requirement_detail", args=[requirement.pk]))
    assert "Validate" in detail
    for action in ("validate", "open"):
        requirement.refresh_from_db()
        post(coord, reverse("requirement_transition", args=[requirement.pk, action]), {"version": requirement.version})
    requirement.refresh_from_db()
    assert requirement.status == "open"
    coverage_row = row_of(page(recipient, reverse("coverage"), q="Walk-through"), "P1")
    assert coverage_row[4:8] == ["1,200", "0", "0", "0"]

    # Before the German package: the donor page and the Paris report, as the coordinator and the German see them.
    paris = Meeting.unscoped.get(date=pledges_data.PARIS_DATE)
    said = Announcement.unscoped.get(meeting=paris, nation__code="DEU")
    report_url, donor_url = reverse("meeting_report", args=[paris.pk]), reverse("donor_detail", args=["DEU"])
    report_before = {who: row_of(page(c, report_url), "Total") for who, c in (("coord", coord), ("deu", german))}
    donor_before = page(german, donor_url)

    # The German officer records a package announced in Paris, a line against the requirement and a German-only
    # line, then takes the line through its stages with the coordinator (allocation) and Ukraine (delivery).
    assert f'value="{said.pk}"' in page(german, reverse("package_create"))
    response = german.post(reverse("package_create"), {
        "title": "Walk-through 152 mm from Bundeswehr stock", "date": today.isoformat(), "source": "stock",
        "funders": "", "announcement": said.pk, "description": "", "classification": "0",
        "releasability": "COALITION"})
    assert response.status_code == 302, _errors(response.content.decode())
    package = Package.unscoped.get(title="Walk-through 152 mm from Bundeswehr stock")
    line_form = page(german, reverse("line_create", args=[package.pk]))
    assert f'value="{requirement.pk}"' in line_form  # the open requirement is offered
    common = {"item_type": shells.pk, "description": "", "currency": "EUR", "value_date": today.isoformat(),
              "valuation_method": "replacement", "available_from": today.isoformat(), "restrictions": "",
              "classification": "", "releasability": ""}
    post(german, reverse("line_create", args=[package.pk]), {
        **common, "quantity": "1200", "value_amount": "100000000", "requirement": requirement.pk})
    post(german, reverse("line_create", args=[package.pk]), {
        **common, "quantity": "500", "value_amount": "1250000", "requirement": "", "releasability": "REL_TO",
        "rel_to": ["DEU"]})
    line = PledgeLine.unscoped.get(package=package, requirement=requirement)
    hidden = PledgeLine.unscoped.get(package=package, requirement=None)
    line_url = reverse("line_detail", args=[line.pk])

    def step(client: Client, verb: str, **fields: Any) -> str:
        line.refresh_from_db()
        html = post(client, reverse("line_step", args=[line.pk, verb]),
                    {f"{verb}-version": line.version, **{f"{verb}-{k}": v for k, v in fields.items()}})
        assert "done." in html, verb
        return html

    assert "Commit" in page(german, line_url) and "Allocate" not in page(german, line_url)
    step(german, "commit")
    assert "Allocate" in page(coord, line_url)
    step(coord, "allocate", requirement=requirement.pk)
    step(german, "ship", quantity=1200)
    html = step(recipient, "deliver", quantity=1200)
    assert "1200 · 1200 shipped · 1200 delivered" in html and "Delivered" in html
    line.refresh_from_db()
    assert line.status == "delivered" and line.version == 5

    # Coverage, the donor page and the Paris report follow.
    requirement.refresh_from_db()
    assert requirement.status == "met"
    coverage_row = row_of(page(recipient, reverse("coverage"), q="Walk-through"), "P1")
    assert coverage_row[4:8] == ["1,200", "1,200", "1,200", "1,200"] and "Met" in coverage_row[2]
    donor_after = page(german, donor_url)
    for label in ("Committed", "Allocated", "Delivered"):
        assert figure(donor_after, label) - figure(donor_before, label) == 100_000_000, label
    worth = {"coord": Decimal(100_000_000), "deu": Decimal(101_250_000)}  # the French coordinator sees no REL TO DEU
    for who, client in (("coord", coord), ("deu", german)):
        after, before = row_of(page(client, report_url), "Total"), report_before[who]
        assert money(after[1]) - money(before[1]) == worth[who], who  # announced
        for column in (2, 3, 4):  # committed, allocated, delivered
            assert money(after[column]) - money(before[column]) == 100_000_000, (who, column)

    # The French officer sees the line released to the coalition, not the German-only one.
    assert french.get(reverse("line_detail", args=[hidden.pk])).status_code == 404
    assert german.get(reverse("line_detail", args=[hidden.pk])).status_code == 200
    listed = page(french, reverse("line_list"), donor="DEU")
    assert reverse("line_detail", args=[line.pk]) in listed
    assert reverse("line_detail", args=[hidden.pk]) not in listed
    assert reverse("line_detail", args=[hidden.pk]) in page(german, reverse("line_list"), donor="DEU")


# --- issue 4: the Kiel Release 29 figures on the pages, the API and the CLI, to six places; charts offline ---

SIX = Decimal("0.000001")
DONOR_FIGURES = ("total", "military", "financial", "humanitarian", "commitments", "to_be_allocated", "pct_gdp")
SERIES_FIGURES = ("total", "military", "financial", "humanitarian", "unspecified", "cumulative")


def kiel_expected() -> tuple[dict[str, dict[str, str]], dict[tuple[int, int], dict[str, str]]]:
    """Per donor and per month, straight from Kiel's data_explorer.csv (EUR bn), as six-place text."""
    found = shared_data_dir()
    if found is None:
        pytest.skip("the shared Kiel data is not present")
    with (found / "kiel-ust-r29" / "data_explorer.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    donors: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    months: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    latest_gdp: dict[str, tuple[tuple[int, int], Decimal]] = {}
    for row in rows:
        when = (int(row["year"]), int(row["month"]))
        for column in ("total", "military", "financial", "humanitarian", "commitments"):
            donors[row["iso"]][column] += Decimal(row[column])
        for column in ("total", "military", "financial", "humanitarian"):
            months[when][column] += Decimal(row[column])
        if row["iso"] not in latest_gdp or latest_gdp[row["iso"]][0] < when:
            latest_gdp[row["iso"]] = (when, Decimal(row["gdp"]))
    for iso, sums in donors.items():
        sums["to_be_allocated"] = sums["commitments"] - sums["total"]
        gdp = latest_gdp[iso][1]
        if gdp:  # the EU's institutions have no GDP in the file: no share of it
            sums["pct_gdp"] = sums["total"] / gdp * 100
    running = Decimal(0)
    for when in sorted(months):
        running += months[when]["total"]
        months[when]["cumulative"] = running
        months[when]["unspecified"] = Decimal(0)

    def six(sums: dict[str, Decimal], columns: tuple[str, ...]) -> dict[str, str]:
        return {c: f"{sums[c].quantize(SIX, ROUND_HALF_UP):,}" if c in sums else "—" for c in columns}

    return ({iso: six(s, DONOR_FIGURES) for iso, s in donors.items()},
            {when: six(s, SERIES_FIGURES) for when, s in months.items()})


def analytics_table(html: str, name: str) -> list[dict[str, str]]:
    """One table of an analytics page (`<h2>Donors</h2>` …) as rows of heading → cell text."""
    start = html.index(f"<h2>{name}</h2>")
    section = html[start:html.index("</section>", start)]
    headings = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", section, re.S)]
    return [dict(zip(headings, row, strict=True)) for row in table_rows(section)[1:]]


def without_commas(figures: dict[str, str]) -> dict[str, str]:
    return {k: v.replace(",", "") for k, v in figures.items()}


def six_places(value: float | None) -> str:
    return "—" if value is None else f"{Decimal(repr(value)).quantize(SIX, ROUND_HALF_UP)}"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any attempt to open a connection is recorded and fails (the charts must be drawn offline)."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError(f"no network in this test: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_issue_4_kiel_figures_on_the_pages_api_and_cli(demo: None, no_network: list[Any],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    by_donor, by_month = kiel_expected()
    assert len(by_donor) == 42 and by_donor["DEU"]["total"] == "29.927507"
    analyst = sign_in("gbr-analyst")

    # The donors page: every donor's figures to six places, and its charts inline as SVG.
    html = page(analyst, reverse("analytics_donors"))
    assert "Ukraine Support Tracker, Release 29" in html
    shown = {row["Donor"]: row for row in analytics_table(html, "Donors")}
    assert set(shown) == set(by_donor)
    headings = {"total": "Total", "military": "Military", "financial": "Financial", "humanitarian": "Humanitarian",
                "commitments": "Commitments", "to_be_allocated": "To be allocated", "pct_gdp": "% GDP"}
    for iso, figures in by_donor.items():
        assert {c: shown[iso][headings[c]] for c in DONOR_FIGURES} == figures, iso
    assert html.count("<svg") >= 3

    # The series page: every month of all donors, and the running total.
    html = page(analyst, reverse("analytics_series"))
    series = {(int(r["Year"]), int(r["Month"])): r for r in analytics_table(html, "Series")}
    assert set(series) == set(by_month) and len(series) == 52
    for when, figures in by_month.items():
        assert {c: series[when][c.capitalize()] for c in SERIES_FIGURES} == figures, when
    assert html.count("<svg") >= 3

    # The same figures from the API (anonymous and signed in) and from the CLI.
    for client in (Client(), analyst):
        donors = client.get("/api/v1/analytics/donors")
        assert donors.status_code == 200
        api = {r["iso"]: {c: six_places(r[c]) for c in DONOR_FIGURES} for r in donors.json()}
        assert api == {iso: without_commas(f) for iso, f in by_donor.items()}
        months = client.get("/api/v1/analytics/series")
        assert months.status_code == 200
        api_series = {(r["year"], r["month"]): {c: six_places(r[c]) for c in SERIES_FIGURES} for r in months.json()}
        assert api_series == {when: without_commas(f) for when, f in by_month.items()}
    capsys.readouterr()
    assert main(["--as", "gbr-analyst", "--format", "json", "analytics", "donors"]) == 0
    cli = {r["iso"]: {c: six_places(r[c]) for c in DONOR_FIGURES} for r in json.loads(capsys.readouterr().out)}
    assert cli == {iso: without_commas(f) for iso, f in by_donor.items()}
    assert main(["--format", "json", "analytics", "series"]) == 0
    cli_series = {(r["year"], r["month"]): {c: six_places(r[c]) for c in SERIES_FIGURES}
                  for r in json.loads(capsys.readouterr().out)}
    assert cli_series == {when: without_commas(f) for when, f in by_month.items()}

    # Charts come back as SVG documents, drawn here: no connection was attempted.
    for name in ("donors", "donors-gdp", "series", "cumulative", "stages", "groups"):
        chart = analyst.get(reverse("analytics_chart", args=[name, "svg"]))
        assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml", name
        assert chart.content.lstrip().startswith((b"<svg", b"<?xml")) and b"</svg>" in chart.content, name
    public_chart = Client().get(reverse("public_chart", args=["donors", "svg"]))
    assert public_chart.status_code == 200 and b"</svg>" in public_chart.content
    assert no_network == []

    # The public page, to anyone: Kiel's figures, and of this system's own pledges only the PUBLIC facts.
    anonymous = Client()
    html = page(anonymous, reverse("public_transparency"))
    assert banner(html) == "UNCLASSIFIED // PUBLIC RELEASE"
    shown = {row["Donor"]: row for row in analytics_table(html, "Donors")}
    assert {iso: {c: shown[iso][headings[c]] for c in DONOR_FIGURES} for iso in shown} == by_donor
    own = Contribution.unscoped.filter(source__code="shieldwall")
    public: dict[tuple[str, str], int] = defaultdict(int)
    everything: dict[tuple[str, str], int] = defaultdict(int)
    for donor, measure, releasability, classification, amount in own.values_list(
            "donor", "measure", "releasability", "classification", "amount_micro_eur"):
        everything[donor, measure] += amount
        if releasability == "PUBLIC" and classification == 0:
            public[donor, measure] += amount

    def bn(micro: int) -> str:
        return f"{(Decimal(micro) / 10**15).quantize(SIX, ROUND_HALF_UP):,}"

    html = page(anonymous, reverse("public_transparency"), source="shieldwall")
    assert banner(html) == "UNCLASSIFIED // PUBLIC RELEASE"
    shown = {row["Donor"]: row for row in analytics_table(html, "Donors")}
    assert shown and {iso: (row["Total"], row["Commitments"]) for iso, row in shown.items()} == {
        donor: (bn(public.get((donor, "allocation"), 0)), bn(public.get((donor, "commitment"), 0)))
        for donor in {d for d, _m in public}}
    hidden = [d for d, m in everything if m == "allocation" and everything[d, m] != public.get((d, m), 0)]
    assert hidden  # there are non-PUBLIC facts, and the page left them out
    signed_in = {row["Donor"]: row for row in analytics_table(
        page(sign_in("coord"), reverse("analytics_donors"), source="shieldwall"), "Donors")}
    assert any(signed_in[d]["Total"] != shown.get(d, {}).get("Total") for d in hidden)


# --- issue 5: the coordinator runs the matching, reads it, compares two runs and approves one --------------------


def every_page(client: Client, url: str, **query: Any) -> list[str]:
    """Each page of a paginated list (its `page` in the context says how many there are)."""
    first = client.get(url, query)
    assert first.status_code == 200, url
    pages = [first.content.decode()]
    for number in range(2, first.context["page"].paginator.num_pages + 1):
        pages.append(page(client, url, **query, page=number))
    return pages


def linked_rows(html: str) -> list[tuple[str, list[str]]]:
    """Table body rows as (their raw HTML, for the links in them, and the text of their cells)."""
    return [(row, [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)])
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S) if "<td" in row]


def ids(pattern: str, html: str) -> list[int]:
    return [int(found) for found in re.findall(pattern, html)]


def coverage_by_requirement(client: Client) -> dict[int, list[int]]:
    """Requirement id → required, committed, allocated, delivered units, from every page of the coverage table."""
    out = {}
    for html in every_page(client, reverse("coverage")):
        for raw, cells in linked_rows(html.split('id="by-req-h"')[1]):
            (found,) = ids(r'href="/requirements/(\d+)/"', raw)
            out[found] = [int(c.replace(",", "")) for c in cells[4:8]]
    return out


def test_issue_5_the_coordinator_matches_compares_and_approves(demo: None) -> None:
    coord = sign_in("coord")
    scenarios = page(coord, reverse("matching_scenario_list"))
    demo_id, closed_id = (int(re.search(rf'href="/matching/scenarios/(\d+)/"[^>]*>{re.escape(name)}<', scenarios)[1])
                          for name in ("Demo scenario", "Demo scenario — Rzeszów-Jasionka closed"))
    demo_run, closed_run = (int(re.search(r'href="/matching/runs/(\d+)/"', page(
        coord, reverse("matching_scenario_detail", args=[s])))[1]) for s in (demo_id, closed_id))  # solved in the load

    # Run it: the run is a background task (run at once by the tests' task backend); its page shows the result.
    response = coord.post(reverse("matching_scenario_run", args=[demo_id]))
    assert response.status_code == 302
    run_id = int(re.fullmatch(r"/matching/runs/(\d+)/", response["Location"])[1])
    overview = page(coord, response["Location"])
    assert "hx-trigger" not in overview and "Approve run" in overview  # done, not polling
    assigned, units, unmet = (int(figure(overview, label)) for label in ("Assignments", "Units assigned",
                                                                            "Units unmet"))
    assert assigned > 0 and units > 0 and unmet > 0
    worth = re.findall(r"one more [\w ]+ of ([^<]+?) would be worth ([\d.]+)", overview)
    assert worth and any(Decimal(value) > 0 for _name, value in worth)  # marginal values

    # Its assignments, line by line, add up to the summary; its gaps say why.
    rows = [(raw, cells) for html in every_page(coord, response["Location"], tab="assignments")
            for raw, cells in linked_rows(html)]
    assert len(rows) == assigned and sum(int(cells[3]) for _raw, cells in rows) == units
    assert all(cells[8] == "—" for _raw, cells in rows)  # nothing allocated before the approval
    plan = [(ids(r'href="/requirements/(\d+)/"', raw)[0], ids(r'href="/pledge-lines/(\d+)/"', raw)[0], int(c[3]))
            for raw, c in rows]
    gaps = [cells for html in every_page(coord, response["Location"], tab="gaps") for _raw, cells in linked_rows(html)]
    assert gaps and sum(int(cells[3]) for cells in gaps) == unmet and all(cells[4] for cells in gaps)
    assert {cells[4] for cells in gaps} <= set(REASON_LABELS.values())

    # Compared with the run of the variant with the hub closed, and with the demo's own run of the same scenario:
    # each side's figures are its run page's, each requirement's change is B less A, and gains and losses count
    # those changes; the same scenario on the same inputs gains and loses nothing.
    assert demo_run != run_id
    closed_figures = [int(figure(page(coord, reverse("matching_run_detail", args=[closed_run])), label))
                      for label in ("Units assigned", "Units unmet")]
    for other, expected in ((closed_run, closed_figures), (demo_run, [units, unmet])):
        compare_url = reverse("matching_run_compare", args=[run_id, other])
        assert compare_url in overview
        compared = page(coord, compare_url)
        summary = {cells[0]: [int(c) for c in cells[1:]] for cells in table_rows(compared)
                   if cells and cells[0] in ("Units assigned", "Units unmet")}
        assert [summary["Units assigned"], summary["Units unmet"]] == [[units, expected[0]], [unmet, expected[1]]]
        side_by_side = [cells for _raw, cells in linked_rows(compared.split('id="req-h"')[1].split("</table>")[0])]
        assert side_by_side and all(int(c[4]) == int(c[3]) - int(c[2]) for c in side_by_side)
        counts = [int(re.search(rf'id="{h}">[^<]*<span class="count">(\d+)</span>', compared)[1])
                  for h in ("gain-h", "lose-h")]
        assert counts == [sum(int(c[4]) > 0 for c in side_by_side), sum(int(c[4]) < 0 for c in side_by_side)]
        if other == demo_run:
            assert counts == [0, 0]

    # Approve: the lines are allocated (split where an assignment takes a part), and the pages show it.
    before = coverage_by_requirement(coord)
    approved = post(coord, reverse("matching_run_approve", args=[run_id]), {})
    assert f"Run {run_id} approved: its pledge lines are allocated." in approved
    assert f"{assigned} of the assignments released to you allocated" in approved
    rows = [(raw, cells) for html in every_page(coord, response["Location"], tab="assignments")
            for raw, cells in linked_rows(html)]
    allocated_as = [ids(r"line #(\d+)", cells[8]) for _raw, cells in rows]
    assert all(len(found) == 1 for found in allocated_as)
    listed = "".join(every_page(coord, reverse("line_list"), status="allocated"))
    for (requirement, _line, quantity), (allocated,) in zip(plan, allocated_as, strict=True):
        line_page = page(coord, reverse("line_detail", args=[allocated]))
        assert '<span class="tag">Allocated</span>' in line_page and f"<dd>#{requirement} " in line_page
        assert f'href="/pledge-lines/{allocated}/"' in listed
        assert re.search(rf"<dt>Quantity</dt><dd>{quantity} ·", line_page), allocated
    after = coverage_by_requirement(coord)
    gained: dict[int, int] = defaultdict(int)
    for requirement, _line, quantity in plan:
        gained[requirement] += quantity
    for requirement, quantity in gained.items():
        assert after[requirement][2] - before[requirement][2] == quantity, requirement
    assert all(after[r] == before[r] for r in before if r not in gained)


# --- issue 6: a pledge line from commitment to receipt, its serial items through custody and inspections ------


def overdue_items(donor: str, day: date) -> int:
    """Items of the donor that should have been inventoried before `day`: counted from the items themselves."""
    return SerialItem.unscoped.filter(originator__code=donor, status__in=ACCOUNTABLE,
                                      next_inspection_due__lt=day).count()


def test_issue_6_a_line_from_commitment_to_receipt_and_its_items_through_custody(demo: None) -> None:
    german, recipient = sign_in("deu-donor"), sign_in("ukr-recipient")
    today = timezone.localdate()
    gepard = ItemType.objects.get(name="Flakpanzer Gepard")

    # The compliance dashboard shows what is overdue today, as the items themselves say (the coordinator sees
    # every donor's; at the tests' scale the German items are all on time today).
    overdue_today = SerialItem.objects.visible_to(core_demo.actor("coord")).filter(
        status__in=ACCOUNTABLE, next_inspection_due__lt=today).count()
    html = page(sign_in("coord"), reverse("compliance_dashboard"))
    assert figure(html, "Overdue") == overdue_today > 0
    assert figure(page(german, reverse("compliance_dashboard"), donor="DEU"), "Overdue") == overdue_items("DEU", today)
    later = today + timedelta(days=91)  # past the initial inventory of what arrives today
    overdue_later = overdue_items("DEU", later)
    assert figure(page(german, reverse("compliance_dashboard"), donor="DEU", as_of=later.isoformat()),
                  "Overdue") == overdue_later

    # A committed line of three Gepards.
    response = german.post(reverse("package_create"), {
        "title": "Walk-through Gepards", "date": today.isoformat(), "source": "stock", "funders": "",
        "announcement": "", "description": "", "classification": "0", "releasability": "COALITION"})
    assert response.status_code == 302, _errors(response.content.decode())
    package_id = int(re.fullmatch(r"/pledges/(\d+)/", response["Location"])[1])
    post(german, reverse("line_create", args=[package_id]), {
        "item_type": gepard.pk, "description": "", "quantity": "3", "value_amount": "3000000", "currency": "EUR",
        "value_date": today.isoformat(), "valuation_method": "book", "available_from": today.isoformat(),
        "requirement": "", "restrictions": "", "classification": "", "releasability": ""})
    line = PledgeLine.unscoped.get(package_id=package_id)
    line_url = reverse("line_detail", args=[line.pk])
    post(german, reverse("line_step", args=[line.pk, "commit"]), {"commit-version": line.version})

    # A shipment of it through Ramstein; dispatch is refused, on the page, while its serial numbers are missing.
    form = page(german, reverse("shipment_create"))
    assert f'name="line_{line.pk}"' in form
    ramstein = re.search(r'<option value="(\d+)">Ramstein \(DEU\)</option>', form)[1]
    response = german.post(reverse("shipment_create"), {
        "recipient": "UKR", "origin": "Unterlüß depot", "destination": "Lviv", "transport_mode": "rail",
        "planned_dispatch": today.isoformat(), "planned_arrival": (today + timedelta(days=6)).isoformat(),
        "reference": "WT-GEP", "notes": "", "hub_1": ramstein, "hub_1_on": (today + timedelta(days=1)).isoformat(),
        f"line_{line.pk}": "3"})
    assert response.status_code == 302, _errors(response.content.decode())
    shipment_url = response["Location"]
    shipment_id = int(re.fullmatch(r"/shipments/(\d+)/", shipment_url)[1])
    html = page(german, shipment_url)
    assert "0 of 3 recorded" in html
    capture_url = re.search(rf'href="(/shipments/{shipment_id}/lines/\d+/serials/)"', html)[1]
    row_id = int(capture_url.split("/")[4])

    def move(verb: str, client: Client = german) -> str:
        version = int(re.search(r'name="version" value="(\d+)"', page(client, shipment_url))[1])
        return post(client, reverse("shipment_step", args=[shipment_id, verb]), {"version": version})

    version = int(re.search(r'name="version" value="(\d+)"', html)[1])
    refused = german.post(reverse("shipment_step", args=[shipment_id, "dispatch"]), {"version": version})
    assert refused.status_code == 422
    assert (f"0 of 3 Flakpanzer Gepard serial numbers are recorded for pledge line {line.pk}; record the other 3 "
            "before dispatch") in _text(refused.content.decode())
    assert '<span class="tag">Planned</span>' in page(german, shipment_url)

    # The serial numbers, scanned; then the journey: dispatch, Ramstein, hand-over, and Ukraine's receipt.
    serials = ["DE-GEP-WT-001", "DE-GEP-WT-002", "DE-GEP-WT-003"]
    html = post(german, capture_url, {"serials": "\n".join(serials), "unit": "Panzerflugabwehr depot", "on": ""})
    assert "3 serial number(s) recorded." in html and "3 of 3 recorded" in html
    for verb, status in (("dispatch", "Dispatched"), ("arrive", "At hub"), ("depart", "Dispatched"),
                         ("hand_over", "Handed over")):
        assert f'<span class="tag">{status}</span>' in move(verb), verb
    receipt_form = page(recipient, reverse("shipment_receive", args=[shipment_id]))
    assert f'name="qty_{row_id}"' in receipt_form
    html = post(recipient, reverse("shipment_receive", args=[shipment_id]), {
        "received_on": today.isoformat(), "unit": "1st Air Defence Brigade", "location": "Lviv",
        "discrepancies": "", f"qty_{row_id}": "3", f"cond_{row_id}": "good", f"serials_{row_id}": ""})
    assert "Receipt recorded" in html and '<span class="tag">Received</span>' in html

    # The donor officer follows the line: committed, shipped, delivered, each step on the timeline.
    html = page(german, line_url)
    assert '<span class="tag">Delivered</span>' in html and "3 · 3 shipped · 3 delivered" in html
    timeline = [cells[1] for cells in table_rows(html.split('id="timeline-h"')[1]) if len(cells) == 6][1:]
    assert timeline == ["announced", "announced → committed", "committed → shipped", "shipped → delivered"]

    # Each item: in service with the brigade, its custody chain from the donor's depot; Ukraine hands one on.
    listed = page(german, reverse("serial_item_list"), shipment=shipment_id)
    item_ids = ids(r'href="/serials/(\d+)/"', listed)
    assert len(set(item_ids)) == 3 and all(s in listed for s in serials)
    for item_id in set(item_ids):
        html = page(german, reverse("serial_item_detail", args=[item_id]))
        assert "In service" in html and "UKR · 1st Air Defence Brigade" in html
        assert f"next due {(today + timedelta(days=90)).isoformat()}" in html
        chain = [cells for cells in table_rows(html.split('id="ch-h"')[1].split("</table>")[0]) if cells[0] != "#"]
        assert chain[0][4].startswith("DEU · Panzerflugabwehr depot") and chain[-1][4].startswith(
            "UKR · 1st Air Defence Brigade"), chain
    first = min(item_ids)
    assert "Transfer custody" in page(recipient, reverse("serial_item_detail", args=[first]))
    assert "Transfer custody" not in page(german, reverse("serial_item_detail", args=[first]))  # not its holder
    html = post(recipient, reverse("serial_item_action", args=[first, "transfer"]), {
        "to_nation": "UKR", "to_unit": "96th Air Defence Brigade", "to_location": "Kyiv", "on": "",
        "note": "redeployed"})
    assert "UKR · 96th Air Defence Brigade, Kyiv" in html and "redeployed" in html

    # The donor's initial inventory finds two, not the third; the item pages and the dashboard follow.
    assert figure(page(german, reverse("compliance_dashboard"), donor="DEU", as_of=later.isoformat()),
                  "Overdue") == overdue_later + 3 == overdue_items("DEU", later)
    response = german.post(reverse("inspection_create"), {
        "kind": "initial", "inspected_on": today.isoformat(), "item_type": gepard.pk, "location": "Lviv",
        "findings": f"{serials[0]}\n{serials[1]}\n{serials[2]},not_found", "notes": ""})
    assert response.status_code == 302, _errors(response.content.decode())
    assert "Initial inventory" in page(german, response["Location"])
    found = {s: page(german, reverse("serial_item_detail", args=[i]))
             for s, i in zip(serials, sorted(set(item_ids)), strict=True)}
    assert "not found at its last inspection" in found[serials[2]]
    for serial in serials[:2]:
        assert "not found at its last inspection" not in found[serial]
        assert f"next due {(today + timedelta(days=365)).isoformat()}" in found[serial]
    html = page(german, reverse("compliance_dashboard"), donor="DEU", as_of=later.isoformat())
    assert figure(html, "Overdue") == overdue_items("DEU", later) < overdue_later + 3
    assert figure(html, "Unaccounted for") >= 1
