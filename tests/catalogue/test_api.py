"""The catalogue API: everyone signed in reads it, only admins write (with If-Match), 401 without a login."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shieldwall.core.models import User
from tests.needs.factories import make_catalogue
from tests.needs.test_api import bearer

pytestmark = pytest.mark.django_db


def test_reads_for_everyone_signed_in(client: Client, nations: Any, jpn_observer_user: User) -> None:
    cat = make_catalogue()
    headers = bearer(jpn_observer_user)
    classes = client.get("/api/v1/catalogue/classes?area=artillery", **headers).json()["results"]
    assert [c["name"] for c in classes] == ["155 mm artillery ammunition", "152 mm artillery ammunition"]  # by id
    detail = client.get(f"/api/v1/catalogue/classes/{cat['c155'].pk}", **headers).json()
    assert detail["satisfied_by"] == [{"compatibility_id": detail["satisfied_by"][0]["compatibility_id"],
                                       "item_type_id": cat["m795"].pk, "item_type": "155 mm M795", "own_class": True,
                                       "note": "own class"}]
    types = client.get(f"/api/v1/catalogue/types?satisfies={cat['c152'].pk}", **headers).json()["results"]
    assert [t["name"] for t in types] == ["152 mm OF-540"]
    assert client.get("/api/v1/catalogue/areas").status_code == 401


def test_admins_write_with_if_match_others_get_403(client: Client, nations: Any, admin_user: User,
                                                   coord_user: User) -> None:
    cat = make_catalogue()
    admin, coord = bearer(admin_user), bearer(coord_user)
    body = {"item_type_id": cat["m795"].pk, "item_class_id": cat["c152"].pk, "note": "x"}
    assert client.post("/api/v1/catalogue/compatibility", json.dumps(body), content_type="application/json",
                       **coord).status_code == 403
    created = client.post("/api/v1/catalogue/types", json.dumps(
        {"item_class_id": cat["c155"].pk, "name": "155 mm Excalibur", "reference_unit_price_eur": "150000.00",
         "price_source": "estimate", "price_date": "2026-08-04"}), content_type="application/json", **admin)
    assert created.status_code == 201, created.content
    assert created.json()["satisfies"] == [cat["c155"].pk]
    url = f"/api/v1/catalogue/types/{created.json()['id']}"
    stale = client.patch(url, json.dumps({"name": "x"}), content_type="application/json", HTTP_IF_MATCH='"1-9"',
                         **admin)
    assert stale.status_code == 422  # not an ETag of this record
    renamed = client.patch(url, json.dumps({"name": "155 mm M982 Excalibur"}), content_type="application/json",
                           HTTP_IF_MATCH=created["ETag"], **admin)
    assert renamed.status_code == 200 and renamed.json()["name"] == "155 mm M982 Excalibur"
    price = client.patch(f"/api/v1/catalogue/classes/{cat['sam'].pk}", json.dumps(
        {"reference_unit_price_eur": "450000"}), content_type="application/json",
        HTTP_IF_MATCH=cat["sam"].etag, **admin)
    assert price.json()["reference_unit_price_eur"] == "450000.00"
