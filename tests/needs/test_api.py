"""The requirements and coverage API: filters, ETag/If-Match, lifecycle steps, 404 for what is not released to
the caller, coverage figures over visible lines only, cursor pages and bounded queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shieldwall.core.actor import Actor
from shieldwall.core.models import User
from shieldwall.core.services import token_create

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict[str, str]:
    _, clear = token_create(actor=Actor.for_user(user), name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def post(client: Client, url: str, headers: dict[str, str], body: dict[str, Any] | None = None, **extra: str) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers, **extra)


def test_recipient_creates_edits_and_submits(client: Client, case: dict[str, Any], ukr_desk_user: User,
                                             coord_user: User) -> None:
    ukr, fra = bearer(ukr_desk_user), bearer(coord_user)
    body = {"item_class_id": case["cat"]["c152"].pk, "quantity": 2000, "need_by": "2026-11-30",
            "destination": "Kharkiv region", "priority": 2, "title": "152 mm for 2S3", "classification": "RESTRICTED",
            "releasability": "REL_TO", "rel_to": ["FRA"]}
    created = post(client, "/api/v1/requirements", ukr, body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["originator"], data["marking"], data["allowed_actions"]) == (
        "draft", "UKR", "RESTRICTED // REL TO FRA, UKR", ["submit", "withdraw"])
    url = f"/api/v1/requirements/{data['id']}"
    assert client.patch(url, json.dumps({"quantity": 1}), content_type="application/json", **ukr).status_code == 428
    patched = client.patch(url, json.dumps({"quantity": 2500}), content_type="application/json",
                           HTTP_IF_MATCH=created["ETag"], **ukr)
    assert patched.status_code == 200 and patched.json()["quantity"] == 2500
    stale = post(client, f"{url}/submit", ukr, HTTP_IF_MATCH=created["ETag"])
    assert stale.status_code == 412
    assert post(client, f"{url}/submit", ukr).json()["status"] == "submitted"
    assert post(client, f"{url}/validate", ukr).status_code == 403
    refused = post(client, f"{url}/return", fra, {"reason": ""})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    back = post(client, f"{url}/return", fra, {"reason": "give the gun type"}).json()
    assert (back["status"], back["status_reason"]) == ("draft", "give the gun type")
    conflict = post(client, f"{url}/open", fra)
    assert conflict.status_code == 409
    assert "allowed now: submit, withdraw" in conflict.json()["detail"]


def test_hidden_requirements_are_404_and_filters_apply(client: Client, case: dict[str, Any], ukr_desk: Actor,
                                                       fra_officer_user: User) -> None:
    from tests.needs.factories import make_requirement

    hidden = make_requirement(ukr_desk, case["cat"]["c155"], title="UKR only", classification=1,
                              releasability="REL_TO", rel_to=["UKR"])
    headers = bearer(fra_officer_user)
    assert client.get(f"/api/v1/requirements/{hidden.pk}", **headers).status_code == 404
    assert post(client, f"/api/v1/requirements/{hidden.pk}/withdraw", headers, {"reason": "x"}).status_code == 404
    listed = client.get("/api/v1/requirements?priority=1", **headers).json()["results"]
    assert {r["title"] for r in listed} == {"155 mm for the east", "IRIS-T reloads"}
    by_area = client.get("/api/v1/requirements?area=air_defence&status=open,partially_met", **headers).json()
    assert [r["title"] for r in by_area["results"]] == ["IRIS-T reloads"]
    bad = client.get("/api/v1/requirements?status=closed", **headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_coverage_endpoints(client: Client, case: dict[str, Any], fra_officer_user: User) -> None:
    headers = bearer(fra_officer_user)
    page = client.get("/api/v1/coverage/requirements?page_size=2", **headers).json()
    rows = {r["title"]: r for r in page["results"]}
    assert list(rows) == ["155 mm for the east", "152 mm for D-20 guns"]  # by id
    shells = rows["155 mm for the east"]
    assert (shells["committed_qty"], shells["allocated_value"], shells["delivered_value"], shells["pct_allocated"]) \
        == (753, "1751000.00", "550333.33", "45.3")
    assert page["next"]
    rest = client.get(page["next"], **headers).json()
    assert [r["title"] for r in rest["results"]] == ["IRIS-T reloads"] and rest["results"][0]["required_value"] is None
    areas = {a["name"]: a for a in client.get("/api/v1/coverage/areas", **headers).json()}
    assert (areas["Artillery"]["required_value"], areas["Artillery"]["pct_committed"]) == ("5000000.00", "61.0")
    coalitions = client.get("/api/v1/coverage/coalitions?priority=2", **headers).json()
    assert [(c["name"], c["committed_value"]) for c in coalitions] == [("Artillery Capability Coalition",
                                                                        "250000.00")]


@pytest.mark.parametrize("path", ["/api/v1/requirements", "/api/v1/coverage/requirements", "/api/v1/coverage/areas",
                                  "/api/v1/catalogue/classes", "/api/v1/catalogue/types"])
def test_list_endpoints_run_a_bounded_number_of_queries(client: Client, case: dict[str, Any], ukr_desk: Actor,
                                                        coord_user: User, path: str,
                                                        django_assert_max_num_queries: Any) -> None:
    from tests.needs.factories import make_requirement

    for i in range(30):
        make_requirement(ukr_desk, case["cat"]["c155"], title=f"extra {i}", releasability="REL_TO", rel_to=["FRA"])
    headers = bearer(coord_user)
    with django_assert_max_num_queries(12):
        response = client.get(path, **headers)
    assert response.status_code == 200
