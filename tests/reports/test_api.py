"""The words-to-action API: meeting report, donor page, agreements CRUD, fulfilment and package links."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shieldwall.coalition.models import Obligation, SecurityAgreement
from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent, User
from shieldwall.core.services import token_create

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict[str, str]:
    _, clear = token_create(actor=Actor.for_user(user), name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.content
    return response.json()


def test_meeting_report_api(client: Client, words: dict[str, Any], fra_officer_user: User) -> None:
    url = f"/api/v1/meetings/{words['meeting'].pk}/report?as_of=2025-09-01"
    body = ok(client.get(url, **bearer(fra_officer_user)))
    assert body["marking"] == "UNCLASSIFIED // REL TO COALITION"
    assert body["totals"] == {"announced_eur": "5051100.00", "committed_eur": "4801100.00",
                              "allocated_eur": "801100.00", "delivered_eur": "600033.33", "committed_pct": "95.1",
                              "allocated_pct": "15.9", "delivered_pct": "11.9", "lines": 7}
    fra, deu = body["announcements"]
    assert (fra["nation"], fra["totals"]["committed_pct"], fra["overdue"]) == ("FRA", "87.8", 2)
    assert [p["title"] for p in deu["packages"]] == ["German coalition package"]
    assert deu["packages"][0]["funders"] == [{"nation": "DEU", "share": "1.000000"}]
    assert [(o["description"], o["available_days"], o["announced_days"]) for o in body["overdue"]] == [
        ("Late CAESAR", 153, 173), ("Late spares", 123, None)]
    assert body["overdue_count"] == 2
    assert len(ok(client.get(url + "&overdue_limit=0", **bearer(fra_officer_user)))["overdue"]) == 0
    text = json.dumps(body)
    assert "German national package" not in text and "UK: maritime" not in text
    assert client.get(url + "&stale_days=-1", **bearer(fra_officer_user)).status_code == 422


def test_meeting_report_of_a_hidden_meeting_is_404(client: Client, words: dict[str, Any],
                                                   jpn_observer_user: User) -> None:
    response = client.get(f"/api/v1/meetings/{words['meeting'].pk}/report", **bearer(jpn_observer_user))
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_donor_api(client: Client, words: dict[str, Any], fra_officer_user: User) -> None:
    body = ok(client.get("/api/v1/donors/deu?as_of=2026-01-31&top=2", **bearer(fra_officer_user)))
    assert (body["code"], body["share_pct"], body["coalition_committed_eur"]) == ("DEU", "40.2", "10201100.00")
    assert body["totals"]["committed_eur"] == "4100100.00"
    assert [(p["title"], p["share"]) for p in body["packages"]] == [("PURL package", "0.250000"),
                                                                     ("German coalition package", "1.000000")]
    assert body["series"][-1] == {"month": "2026-01", "committed_eur": "4100100.00",
                                  "allocated_eur": "1000100.00", "delivered_eur": "500033.33"}
    assert [c["name"] for c in body["top_item_classes"]] == ["155 mm artillery ammunition", "Air defence missiles"]
    assert "German national package" not in json.dumps(body)
    assert client.get("/api/v1/donors/XXX", **bearer(fra_officer_user)).status_code == 404


def _agreement_payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "France–Ukraine security agreement", "donor": "FRA", "partner": "UKR", "signed": "2024-02-16",
        "duration_years": 10, "obligations": [{"year": 2024, "amount_eur": "3000000000.00"},
                                               {"year": 2025, "amount_eur": "3000000000.00"}],
        "classification": "RESTRICTED", "releasability": "REL_TO", "rel_to": ["UKR"],
    }
    data.update(overrides)
    return data


def test_agreement_crud(client: Client, fra_officer_user: User, gbr_analyst_user: User, nations: Any) -> None:
    headers = bearer(fra_officer_user)
    created = client.post("/api/v1/agreements", json.dumps(_agreement_payload()), content_type="application/json",
                          HTTP_IDEMPOTENCY_KEY="fra-ukr-1", **headers)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["marking"], body["ends"], body["originator"]) == (
        "RESTRICTED // REL TO FRA, UKR", "2034-02-15", "FRA")
    assert body["obligations"] == [{"year": 2024, "amount_eur": "3000000000.00"},
                                   {"year": 2025, "amount_eur": "3000000000.00"}]
    again = client.post("/api/v1/agreements", json.dumps(_agreement_payload()), content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="fra-ukr-1", **headers)
    assert again["Idempotent-Replayed"] == "true" and SecurityAgreement.objects.visible_to(
        Actor.for_user(fra_officer_user)).count() == 1
    pk = body["id"]
    listed = ok(client.get("/api/v1/agreements?donor=fra", **headers))
    assert [a["id"] for a in listed["results"]] == [pk]
    # The GBR analyst is outside REL TO FRA, UKR: neither listed nor found.
    assert ok(client.get("/api/v1/agreements", **bearer(gbr_analyst_user)))["results"] == []
    assert client.get(f"/api/v1/agreements/{pk}", **bearer(gbr_analyst_user)).status_code == 404

    patch = {"obligations": [{"year": 2026, "amount_eur": "3500000000.00"}], "title": "FRA–UKR agreement"}
    no_etag = client.patch(f"/api/v1/agreements/{pk}", json.dumps(patch), content_type="application/json", **headers)
    assert no_etag.status_code == 428
    updated = client.patch(f"/api/v1/agreements/{pk}", json.dumps(patch), content_type="application/json",
                           HTTP_IF_MATCH=body["etag"], **headers)
    assert updated.status_code == 200, updated.content
    assert updated.json()["obligations"] == [{"year": 2026, "amount_eur": "3500000000.00"}]
    assert updated.json()["title"] == "FRA–UKR agreement"
    actions = list(AuditEvent.objects.filter(object_type="coalition.securityagreement", object_id=str(pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["securityagreement.create", "securityagreement.update", "securityagreement.obligations"]

    stale = client.delete(f"/api/v1/agreements/{pk}", HTTP_IF_MATCH=body["etag"], **headers)
    assert stale.status_code == 412
    deleted = client.delete(f"/api/v1/agreements/{pk}", HTTP_IF_MATCH=updated["ETag"], **headers)
    assert deleted.status_code == 204 and not Obligation.objects.filter(agreement_id=pk).exists()


def test_agreement_validation_names_the_field(client: Client, fra_officer_user: User, nations: Any) -> None:
    headers = bearer(fra_officer_user)
    before = AuditEvent.objects.count()
    outside = _agreement_payload(obligations=[{"year": 2035, "amount_eur": "1.00"}])
    response = client.post("/api/v1/agreements", json.dumps(outside), content_type="application/json", **headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "obligations",
                                          "message": "2035 is outside the agreement's term (2024–2034)"}]
    twice = _agreement_payload(obligations=[{"year": 2025, "amount_eur": "1.00"},
                                            {"year": 2025, "amount_eur": "2.00"}])
    response = client.post("/api/v1/agreements", json.dumps(twice), content_type="application/json", **headers)
    assert response.json()["errors"] == [{"field": "obligations", "message": "2025 is given twice"}]
    same = _agreement_payload(partner="FRA")
    response = client.post("/api/v1/agreements", json.dumps(same), content_type="application/json", **headers)
    assert response.json()["errors"] == [{"field": "partner", "message": "the partner must differ from the donor"}]
    # A donor officer records its own nation's agreements only.
    other = _agreement_payload(donor="DEU")
    assert client.post("/api/v1/agreements", json.dumps(other), content_type="application/json",
                       **headers).status_code == 403
    assert AuditEvent.objects.count() == before


def test_fulfilment_and_package_links(client: Client, words: dict[str, Any], deu_officer_user: User,
                                      fra_officer_user: User) -> None:
    agreement = words["agreement"]
    url = f"/api/v1/agreements/{agreement.pk}/fulfilment"
    body = ok(client.get(url, **bearer(fra_officer_user)))
    y2025 = next(y for y in body["years"] if y["year"] == 2025)
    assert y2025 == {"year": 2025, "in_term": True, "obligation_eur": "5000000.00", "committed_eur": "4100100.00",
                     "delivered_eur": "33.33", "committed_pct": "82.0", "delivered_pct": "0.0"}
    assert body["total"]["obligation_eur"] == "11000000.00"
    headers = bearer(deu_officer_user)
    p3 = words["p3"].pk
    unlinked = client.delete(f"/api/v1/agreements/{agreement.pk}/packages/{p3}", **headers)
    assert unlinked.status_code == 204
    y2025 = next(y for y in ok(client.get(url, **headers))["years"] if y["year"] == 2025)
    assert y2025["committed_eur"] == "3100000.00"  # 6,800,100 without the coalition package (3,700,100 for DEU)
    assert client.delete(f"/api/v1/agreements/{agreement.pk}/packages/{p3}", **headers).status_code == 404
    linked = client.post(f"/api/v1/agreements/{agreement.pk}/packages", json.dumps({"package_id": p3}),
                         content_type="application/json", **headers)
    assert next(y for y in ok(linked)["years"] if y["year"] == 2025)["committed_eur"] == "6800100.00"
    # France may not change German packages; the REL TO DEU package does not even exist for it.
    p2 = words["p2"].pk
    refused = client.post(f"/api/v1/agreements/{agreement.pk}/packages", json.dumps({"package_id": p3}),
                          content_type="application/json", **bearer(fra_officer_user))
    hidden = client.delete(f"/api/v1/agreements/{agreement.pk}/packages/{p2}", **bearer(fra_officer_user))
    assert (refused.status_code, hidden.status_code) == (403, 404)


def test_a_donor_cannot_hand_its_agreement_to_another_nation(client: Client, fra_officer_user: User,
                                                             nations: Any) -> None:
    headers = bearer(fra_officer_user)
    body = client.post("/api/v1/agreements", json.dumps(_agreement_payload()), content_type="application/json",
                       **headers).json()
    response = client.patch(f"/api/v1/agreements/{body['id']}", json.dumps({"donor": "DEU"}),
                            content_type="application/json", HTTP_IF_MATCH=body["etag"], **headers)
    assert response.status_code == 403
    assert ok(client.get(f"/api/v1/agreements/{body['id']}", **headers))["donor"] == "FRA"


def test_extreme_dates_are_answered(client: Client, words: dict[str, Any], fra_officer_user: User) -> None:
    headers = bearer(fra_officer_user)
    early = client.get(f"/api/v1/meetings/{words['meeting'].pk}/report?as_of=0001-01-01&stale_days=3650", **headers)
    assert ok(early)["overdue"] == []
    late = ok(client.get("/api/v1/donors/DEU?as_of=9999-12-31", **headers))
    assert late["series"][-1]["committed_eur"] == "4100100.00" and len(late["series"]) < 1000


def test_agreement_list_has_bounded_queries(client: Client, coord: Actor, coord_user: User,
                                            django_assert_max_num_queries: Any) -> None:
    from datetime import date
    from decimal import Decimal

    from shieldwall.coalition import services

    for i in range(30):
        services.agreement_create(actor=coord, title=f"Agreement {i:02d}", donor="FRA", partner="UKR",
                                  signed=date(2024, 1, 1), obligations={2024 + i % 5: Decimal("1000.00")},
                                  classification=1, releasability="REL_TO", rel_to=["UKR", "POL"])
    headers = bearer(coord_user)
    with django_assert_max_num_queries(8):
        body = ok(client.get("/api/v1/agreements", **headers))
    assert len(body["results"]) == 30 and body["results"][0]["marking"] == "RESTRICTED // REL TO FRA, POL, UKR"
    client.force_login(coord_user)
    with django_assert_max_num_queries(12):
        page = client.get("/agreements/")
    assert page.context["page"].paginator.count == 30


def test_openapi_documents_these_schemas_under_their_own_names() -> None:
    """Ninja names components by class name, so a schema of the same name elsewhere would silently replace ours."""
    from shieldwall.coalition.agreement_schemas import AgreementOut
    from shieldwall.config.api import api
    from shieldwall.pledges import report_schemas

    components = api.get_openapi_schema()["components"]["schemas"]
    for schema in (report_schemas.MeetingReportOut, report_schemas.DonorPageOut, report_schemas.FulfilmentOut,
                   report_schemas.ReportPackageOut, report_schemas.ReportOverdueLineOut,
                   report_schemas.ReportStagesOut, report_schemas.DonorSeriesPointOut, AgreementOut):
        assert set(components[schema.__name__]["properties"]) == set(schema.model_fields), schema.__name__
