"""Pages, API and CLI of logistics and monitoring over one received serial-tracked shipment: what each shows,
the refused dispatch's message, the recipient's receipt form, the capture form, exports and query bounds."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shieldwall.cli import main
from shieldwall.core.actor import Actor
from shieldwall.core.models import User
from shieldwall.core.services import token_create
from shieldwall.logistics.models import Hub, Shipment
from shieldwall.monitoring.models import SerialItem
from tests.logistics import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(fra_officer: Actor, cat: dict[str, Any], rzeszow: Hub) -> Shipment:
    guns = factories.committed_line(fra_officer, cat["m777"], 2)
    return factories.shipment(fra_officer, [(guns, 2)], hubs=[rzeszow], reference="FR-GUNS-1")


def test_dispatch_without_serials_is_refused_with_a_clear_message(client: Client, fra_officer_user: User,
                                                                   planned: Shipment) -> None:
    _, token = token_create(actor=Actor.for_user(fra_officer_user), name="t")
    response = client.post(f"/api/v1/shipments/{planned.pk}/dispatch", "{}", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    body = response.json()
    assert response.status_code == 422
    assert body["detail"].startswith("cannot dispatch FR-GUNS-1: 0 of 2 M777 serial numbers are recorded")
    assert body["errors"][0]["field"] == "serial_numbers"
    client.force_login(fra_officer_user)
    page = client.post(reverse("shipment_step", args=[planned.pk, "dispatch"]), {"on": "2025-02-01"})
    assert page.status_code == 422
    assert "record the other 2 before dispatch" in page.content.decode()


def test_capture_then_dispatch_then_receive_through_the_pages(client: Client, fra_officer_user: User,
                                                              ukr_desk_user: User, planned: Shipment) -> None:
    client.force_login(fra_officer_user)
    row = planned.lines.get()
    url = reverse("serial_capture", args=[planned.pk, row.pk])
    bad = client.post(url, {"serials": "G-1\nG-1\n", "on": "2025-01-20"})
    assert bad.status_code == 422 and "G-1 is given twice (also row 1)" in bad.content.decode()
    assert client.post(url, {"serials": "G-1\nG-2\n", "on": "2025-01-20"}).status_code == 302
    assert client.post(reverse("shipment_step", args=[planned.pk, "dispatch"]), {"on": "2025-02-01"}).status_code == 302
    detail = client.get(reverse("shipment_detail", args=[planned.pk])).content.decode()
    assert "Dispatched" in detail and "2 of 2 recorded" in detail
    client.force_login(ukr_desk_user)
    form = client.get(reverse("shipment_receive", args=[planned.pk]))
    assert form.status_code == 200
    done = client.post(reverse("shipment_receive", args=[planned.pk]), {
        "received_on": "2025-02-05", "unit": "55th Bde", f"qty_{row.pk}": "2", f"cond_{row.pk}": "good",
        f"serials_{row.pk}": ""})
    assert done.status_code == 302
    planned.refresh_from_db()
    assert planned.status == "received"
    item = SerialItem.objects.visible_to(Actor.for_user(ukr_desk_user)).get(serial_number="G-1")
    page = client.get(reverse("serial_item_detail", args=[item.pk])).content.decode()
    assert "Received by the recipient" in page and "55th Bde" in page and "2025-05-06" in page
    board = client.get(reverse("compliance_dashboard") + "?as_of=2025-06-01").content.decode()
    assert "155 mm towed howitzer" in board and "RESTRICTED // REL TO FRA, UKR" in board


def test_board_hub_load_map_and_exports(client: Client, fra_officer_user: User, planned: Shipment,
                                        rzeszow: Hub, django_assert_max_num_queries: Any) -> None:
    client.force_login(fra_officer_user)
    with django_assert_max_num_queries(30):
        board = client.get(reverse("shipment_board")).content.decode()
    assert "FR-GUNS-1" in board and "Planned" in board
    load = client.get(reverse("hub_detail", args=[rzeszow.pk]) + "?start=2025-02-01").content.decode()
    assert "Rzeszów" in load and "FR-GUNS-1" in load
    svg = client.get(reverse("hub_map")).content.decode()
    assert "<svg" in svg and "Rzeszów · POL" in svg
    exported = json.loads(client.get(reverse("shipment_export") + "?format=json").content)
    assert [row["reference"] for row in exported["rows"]] == ["FR-GUNS-1"]
    assert exported["rows"][0]["hubs"] == "Rzeszów"


def test_overdue_shows_on_the_coordinators_home_and_the_donor_page(client: Client, coord_user: User,
                                                                    fra_officer: Actor, cat: dict[str, Any]) -> None:
    factories.committed_line(fra_officer, cat["shell"], 5, available_from=date(2025, 1, 20))
    client.force_login(coord_user)
    home = client.get(reverse("home")).content.decode()
    assert "Overdue <span class=\"count\">1</span>" in home and "available, committed, nothing shipped" in home
    donor = client.get(reverse("donor_detail", args=["FRA"])).content.decode()
    assert "available, committed, nothing shipped" in donor


def test_cli_lists_and_shows(fra_officer_user: User, planned: Shipment) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["--as", fra_officer_user.username, "--format", "json", "shipment", "show", str(planned.pk)])
    assert status == 0, err.getvalue()
    record = json.loads(out.getvalue())
    assert (record["reference"], record["hubs"], record["lines"][0]["units"]) == ("FR-GUNS-1", "Rzeszów", 2)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["--as", fra_officer_user.username, "shipment", "dispatch", str(planned.pk)])
    assert status == 1 and "cannot dispatch FR-GUNS-1: 0 of 2 M777" in err.getvalue()
