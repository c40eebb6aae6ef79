"""Analytics pages: charts rendered inline with no network, Kiel figures to 6 decimal places, exports and chart
downloads, and the public page (no login, PUBLIC data only, cacheable)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from shieldwall.analytics.models import DataSource
from shieldwall.core.models import User
from tests.analytics.conftest import read_csv

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client: Client) -> None:
    assert client.get("/analytics/").status_code == 302


@pytest.mark.parametrize("url", ["/analytics/", "/analytics/series/", "/analytics/weapons/"])
def test_pages_show_charts_and_figures(client: Client, gbr_analyst_user: User, kiel: DataSource, url: str) -> None:
    client.force_login(gbr_analyst_user)
    response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count("<svg") >= 2
    assert "Kiel Institute for the World Economy, Ukraine Support Tracker, Release 29" in text
    assert "UNCLASSIFIED // PUBLIC RELEASE" in text


def test_donors_page_gives_kiel_totals_to_six_places(client: Client, gbr_analyst_user: User,
                                                     kiel: DataSource) -> None:
    client.force_login(gbr_analyst_user)
    text = client.get("/analytics/?source=kiel-ust-r29&measure=allocation").content.decode()
    germany = sum(Decimal(r["total"]) for r in read_csv("data_explorer.csv") if r["iso"] == "DEU")
    assert f"{germany.quantize(Decimal('0.000001')):,}" in text


def test_downloads(client: Client, gbr_analyst_user: User, kiel: DataSource) -> None:
    client.force_login(gbr_analyst_user)
    png = client.get("/analytics/charts/donors.png?source=kiel-ust-r29")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    data = client.get("/analytics/charts/series.csv")
    assert data.status_code == 200 and data.content.decode().startswith("year,month,total")
    xlsx = client.get("/analytics/export/donors.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    as_json = json.loads(client.get("/analytics/export/groups.json").content)
    assert as_json["marking"] == "UNCLASSIFIED // PUBLIC RELEASE" and as_json["count"] == 5
    assert client.get("/analytics/charts/nope.svg").status_code == 404


def test_public_page_without_login_is_cacheable(client: Client, kiel: DataSource) -> None:
    response = client.get("/public/")
    text = response.content.decode()
    assert response.status_code == 200 and "Release 29" in text
    # The charts are images from the public chart URLs (rendered once per data version), not inlined.
    assert "<svg" not in text and '<img src="/public/charts/donors.svg?' in text
    assert response["Cache-Control"] == "public, max-age=300" and response["ETag"]
    again = client.get("/public/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get("/public/charts/donors.svg").content.decode().startswith("<svg")
    assert client.get("/public/export/kiel.csv").content.decode().startswith('"country","iso"')
