"""The pledges API: access (404 for hidden, 403 for another nation's), creation with funders and lines,
If-Match and Idempotency-Key, the lifecycle steps, filters, exports, import, and query-count bounds."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent, User
from shieldwall.core.services import token_create
from shieldwall.needs.models import Requirement
from shieldwall.pledges import importing
from shieldwall.pledges.models import Package, PledgeLine
from tests.pledges import factories

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict[str, str]:
    _, clear = token_create(actor=Actor.for_user(user), name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def post(client: Client, url: str, body: dict[str, Any], headers: dict[str, str], **extra: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers, **extra)


@pytest.fixture
def german(deu_officer: Actor, cat: dict[str, Any]) -> PledgeLine:
    """A German line released to Germany only (REL TO DEU)."""
    package = factories.package(deu_officer, title="Deutsches Paket", classification=1, releasability="REL_TO",
                                rel_to=["DEU"])
    return factories.line(deu_officer, package, cat["m107"], description="Nur für Deutschland")


def test_french_donor_cannot_see_german_rel_to_deu_lines(client: Client, fra_officer_user: User,
                                                         fra_officer: Actor, german: PledgeLine,
                                                         cat: dict[str, Any]) -> None:
    mine = factories.line(fra_officer, factories.package(fra_officer), cat["m107"], description="French shells")
    headers = bearer(fra_officer_user)
    listed = client.get("/api/v1/pledge-lines", **headers).json()["results"]
    assert [line["description"] for line in listed] == ["French shells"]
    assert client.get("/api/v1/packages", **headers).json()["results"][0]["title"] == "Spring package"
    for url in (f"/api/v1/pledge-lines/{german.pk}", f"/api/v1/packages/{german.package_id}"):
        response = client.get(url, **headers)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    response = post(client, f"/api/v1/pledge-lines/{german.pk}/commit", {}, headers)
    assert response.status_code == 404
    assert response.json()["detail"] == f"pledge line {german.pk} not found"
    export = client.get("/api/v1/pledge-lines/export?format=json", **headers).json()
    assert [row["id"] for row in export["rows"]] == [mine.pk]
    assert "Deutschland" not in json.dumps(export)


def test_committing_another_nations_visible_line_is_forbidden(client: Client, deu_officer_user: User,
                                                              fra_officer: Actor, cat: dict[str, Any]) -> None:
    line = factories.line(fra_officer, factories.package(fra_officer), cat["m107"])
    response = post(client, f"/api/v1/pledge-lines/{line.pk}/commit", {}, bearer(deu_officer_user))
    assert response.status_code == 403
    assert response.json()["detail"] == "deu-donor may not commit this pledge line"


def test_create_a_co_funded_package_with_lines(client: Client, fra_officer_user: User, cat: dict[str, Any],
                                               ammo_need: Requirement) -> None:
    headers = {**bearer(fra_officer_user), "HTTP_IDEMPOTENCY_KEY": "pkg-1"}
    body = {"title": "PURL tranche 3", "date": "2025-03-01", "source": "procurement",
            "funders": [{"nation": "FRA", "share": "0.6"}, {"nation": "DEU", "share": "0.4"}],
            "classification": "RESTRICTED",
            "lines": [{"item_type_id": cat["m107"].pk, "quantity": 500, "value_amount": "2000000.00",
                       "currency": "USD", "value_date": "2024-03-15", "requirement_id": ammo_need.pk,
                       "restriction_flags": ["eeum"], "excluded_uses": ["cross_border"]}]}
    response = post(client, "/api/v1/packages", body, headers)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["donor"], data["marking"], data["line_count"], data["value_eur"]) == (
        "FRA", "RESTRICTED // REL TO COALITION", 1, "1836210.06")
    assert data["funders"] == [{"nation": "FRA", "share": "0.600000"}, {"nation": "DEU", "share": "0.400000"}]
    line = data["lines"][0]
    assert (line["fx_rate"], line["value_eur"], line["requirement_id"], line["status"]) == (
        "1.089200", "1836210.06", ammo_need.pk, "announced")
    assert response["ETag"] == f'"{data["id"]}-1"'
    replay = post(client, "/api/v1/packages", body, headers)
    assert replay["Idempotent-Replayed"] == "true" and replay.json()["id"] == data["id"]
    assert Package.objects.visible_to(Actor.for_user(fra_officer_user)).count() == 1


def test_validation_errors_name_the_fields(client: Client, fra_officer_user: User, cat: dict[str, Any]) -> None:
    headers = bearer(fra_officer_user)
    response = post(client, "/api/v1/packages", {"title": "T", "date": "2025-03-01", "source": "stock",
                                                 "funders": [{"nation": "FRA", "share": "0.5"}]}, headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "funders", "message": "the shares add up to 0.5, not exactly 1"}]
    response = post(client, "/api/v1/packages", {"title": "", "date": "2025-03-01", "source": "gift"}, headers)
    assert {e["field"] for e in response.json()["errors"]} == {"title", "source"}


def test_update_needs_if_match(client: Client, fra_officer_user: User, fra_officer: Actor,
                               cat: dict[str, Any]) -> None:
    line = factories.line(fra_officer, factories.package(fra_officer), cat["m107"], quantity=5)
    headers = bearer(fra_officer_user)
    url = f"/api/v1/pledge-lines/{line.pk}"
    body = json.dumps({"quantity": 6, "description": "six now"})
    assert client.patch(url, body, content_type="application/json", **headers).status_code == 428
    etag = client.get(url, **headers)["ETag"]
    response = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag, **headers)
    assert response.status_code == 200 and response.json()["quantity"] == 6 and response["ETag"] != etag
    stale = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag, **headers)
    assert stale.status_code == 412


def test_the_lifecycle_through_the_api(client: Client, fra_officer_user: User, coord_user: User,
                                       ukr_desk_user: User, fra_officer: Actor, cat: dict[str, Any],
                                       ammo_need: Requirement) -> None:
    line = factories.line(fra_officer, factories.package(fra_officer), cat["m107"], quantity=10, value="1000.00")
    donor, coord, recipient = bearer(fra_officer_user), bearer(coord_user), bearer(ukr_desk_user)
    url = f"/api/v1/pledge-lines/{line.pk}"
    illegal = post(client, f"{url}/ship", {"quantity": 1}, donor)
    assert illegal.status_code == 422
    assert illegal.json()["errors"] == [{"field": "status", "message": "a announced line cannot become shipped; "
                                         "allowed next: committed, cancelled"}]
    assert post(client, f"{url}/commit", {}, donor).json()["status"] == "committed"
    assert post(client, f"{url}/allocate", {"requirement_id": ammo_need.pk}, coord).json()["requirement_id"] == \
        ammo_need.pk
    split = post(client, f"{url}/split", {"quantity": 4}, coord).json()
    assert (split["line"]["quantity"], split["new_line"]["quantity"]) == (6, 4)
    assert (split["line"]["value_eur"], split["new_line"]["value_eur"]) == ("600.00", "400.00")
    stale = post(client, f"{url}/contract", {}, donor, HTTP_IF_MATCH=f'"{line.pk}-1"')
    assert stale.status_code == 412
    assert post(client, f"{url}/contract", {}, donor).json()["status"] == "contracted"
    assert post(client, f"{url}/ship", {"quantity": 6, "date": "2025-05-01"}, donor).status_code == 422  # before
    shipped = post(client, f"{url}/ship", {"quantity": 6}, donor).json()
    assert (shipped["status"], shipped["shipped_quantity"]) == ("shipped", 6)
    delivered = post(client, f"{url}/deliver", {"quantity": 6}, recipient).json()
    assert (delivered["status"], delivered["delivered_quantity"]) == ("delivered", 6)
    history = client.get(url, **donor).json()["history"]
    assert [(h["from_status"], h["to_status"], h["quantity"]) for h in history] == [
        ("", "announced", 10), ("announced", "committed", 10), ("committed", "allocated", 10),
        ("allocated", "allocated", 4), ("allocated", "contracted", 6), ("contracted", "shipped", 6),
        ("shipped", "delivered", 6)]
    assert {h["recorded_by"] for h in history} == {"fra-donor", "coord", "ukr-recipient"}
    cancel = post(client, f"/api/v1/pledge-lines/{split['new_line']['id']}/cancel", {"reason": "re-tasked"}, donor)
    assert (cancel.json()["status"], cancel.json()["cancel_reason"]) == ("cancelled", "re-tasked")


def test_list_filters(client: Client, coord_user: User, fra_officer: Actor, deu_officer: Actor,
                      cat: dict[str, Any], ammo_need: Requirement) -> None:
    french = factories.package(fra_officer, title="French", day=date(2025, 1, 10))
    german = factories.package(deu_officer, title="German", day=date(2025, 2, 10), source="procurement")
    shells = factories.line(fra_officer, french, cat["m107"], requirement_id=ammo_need.pk,
                            available_from=date(2025, 6, 1))
    guns = factories.line(deu_officer, german, cat["caesar"], quantity=2, available_from=date(2025, 9, 1))
    factories.line(fra_officer, french, cat["mistral"])
    headers = bearer(coord_user)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/pledge-lines?{query}", **headers)
        assert response.status_code == 200, response.content
        return sorted(line["id"] for line in response.json()["results"])

    assert ids("donor=DEU") == [guns.pk]
    assert ids(f"item_class={cat['ammo'].pk}") == [shells.pk]
    assert ids(f"requirement={ammo_need.pk}") == [shells.pk]
    assert ids("available_before=2025-07-01") == sorted([shells.pk, *[
        line.pk for line in PledgeLine.objects.visible_to(Actor.for_user(coord_user)).filter(
            available_from__isnull=True)]])
    assert ids("status=committed") == []

    def titles(query: str) -> list[str]:
        return [p["title"] for p in client.get(f"/api/v1/packages?{query}", **headers).json()["results"]]

    assert titles("source=procurement") == ["German"]
    assert titles("date_from=2025-02-01&date_to=2025-02-28") == ["German"]
    assert titles("donor=fra") == ["French"]
    assert client.get("/api/v1/pledge-lines?status=lost", **headers).status_code == 422


def test_exports_in_three_formats(client: Client, coord_user: User, fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer, classification=1)
    factories.line(fra_officer, package, cat["m107"], quantity=3, value="300.00", description="=cmd|' /C calc'!A0")
    headers = bearer(coord_user)
    csv_response = client.get("/api/v1/pledge-lines/export?format=csv", **headers)
    assert csv_response["X-Shieldwall-Marking"] == "RESTRICTED // REL TO COALITION"
    text = csv_response.content.decode()
    assert text.splitlines()[0].startswith("id,package_id,package,donor,item_type,item_class,description,quantity")
    assert ",'=cmd|' /C calc'!A0," in text
    workbook = load_workbook(io.BytesIO(client.get("/api/v1/packages/export?format=xlsx", **headers).content))
    sheet = workbook.active
    assert [c.value for c in sheet[1]][:4] == ["id", "date", "title", "source"]
    assert sheet.cell(row=2, column=3).value == "Spring package"
    assert sheet.oddHeader.center.text == "RESTRICTED // REL TO COALITION"
    document = client.get("/api/v1/pledge-lines/export?format=json&status=announced", **headers).json()
    assert document["count"] == 1 and document["rows"][0]["value_eur"] == "300.00"
    assert client.get("/api/v1/pledge-lines/export?format=pdf", **headers).status_code == 422


def test_import_endpoint(client: Client, fra_officer_user: User, fra_officer: Actor, cat: dict[str, Any],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    package = factories.package(fra_officer)
    headers = bearer(fra_officer_user)
    url = f"/api/v1/packages/{package.pk}/import"
    good = b"item_type,quantity,value,currency,value_date\nCAESAR,2,9000000,EUR,2025-02-01\n"
    bad = good + b"Leopard,1,x,EUR,2025-02-01\n"

    def upload(data: bytes, dry_run: str) -> Any:
        file = io.BytesIO(data)
        file.name = "lines.csv"
        return client.post(url, {"file": file, "dry_run": dry_run}, **headers)

    report = upload(bad, "false").json()
    assert (report["ok"], report["rows"], report["valid"], report["created"]) == (False, 2, 1, [])
    assert report["errors"] == [
        {"row": 3, "column": "item_type", "message": "unknown item type 'Leopard'"},
        {"row": 3, "column": "value", "message": "'x' is not a number; write e.g. 1250000.00 (no thousands "
                                                 "separators)"}]
    assert upload(good, "true").json()["created"] == []
    assert PledgeLine.objects.visible_to(fra_officer).count() == 0
    created = upload(good, "false").json()["created"]
    assert len(created) == 1 and PledgeLine.objects.visible_to(fra_officer).get().quantity == 2
    monkeypatch.setattr(importing, "MAX_BYTES", 64)
    too_big = upload(good * 2, "true")
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "file"
    assert "the limit is 0.0 MB" in too_big.json()["errors"][0]["message"]
    missing = client.post(url, {}, **headers)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "file"


def test_delete_package_while_announced(client: Client, fra_officer_user: User, fra_officer: Actor,
                                        cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer)
    factories.line(fra_officer, package, cat["m107"])
    headers = bearer(fra_officer_user)
    response = client.delete(f"/api/v1/packages/{package.pk}", HTTP_IF_MATCH=f'"{package.pk}-1"', **headers)
    assert response.status_code == 204
    assert AuditEvent.objects.filter(action="package.delete", object_id=str(package.pk)).exists()


@pytest.mark.parametrize("count", [3, 12])
def test_list_query_counts_do_not_grow_with_rows(client: Client, coord_user: User, fra_officer: Actor,
                                                 cat: dict[str, Any], django_assert_max_num_queries: Any,
                                                 count: int) -> None:
    for i in range(count):
        package = factories.package(fra_officer, title=f"P{i}", funders=[
            factories.services.FunderShare("FRA", Decimal("0.5")), factories.services.FunderShare("DEU",
                                                                                                Decimal("0.5"))],
            classification=1, releasability="REL_TO", rel_to=["GBR"])
        factories.line(fra_officer, package, cat["m107"])
    headers = bearer(coord_user)
    for url in ("/api/v1/packages", "/api/v1/pledge-lines", "/api/v1/pledge-lines/export?format=json",
                "/api/v1/packages/export?format=csv"):
        with django_assert_max_num_queries(8):
            response = client.get(url, **headers)
        assert response.status_code == 200
