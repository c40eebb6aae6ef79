"""The "done when" of issues 3 to 6, walked through the pages on the demo data: a Django test client per demo user,
signed in with the demo password on the sign-in page, posting the pages' own forms (no browser). The demo is loaded
once for the module, at the tests' scale (`SHIELDWALL_DEMO_SCALE`, 0.05), in a transaction rolled back at the end;
each test runs in a savepoint inside it, so the walks cannot disturb each other."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shieldwall.catalogue.models import ItemType
from shieldwall.coalition.models import Announcement, Meeting
from shieldwall.core import demo as core_demo
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


def messages_of(html: str) -> str:
    return _text(" ".join(re.findall(r'<(?:div|li|p)[^>]*class="[^"]*(?:message|alert)[^"]*"[^>]*>(.*?)</', html,
                                     re.S)))


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
