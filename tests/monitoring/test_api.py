"""The end-use monitoring API: serial items (list, filters, one item's history, exports), registration of serial
numbers as JSON and CSV (per-row errors, nothing recorded on an error), custody transfers and status, the
compliance dashboard, inspections, disposition reports (CSV import) and loss reports — with the values each
returns and the markings the records carry."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent, User
from shieldwall.core.services import token_create
from shieldwall.logistics.models import Shipment
from shieldwall.monitoring.models import CustodyTransfer, DispositionReport, Inspection, LossReport, SerialItem

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict[str, str]:
    _, clear = token_create(actor=Actor.for_user(user), name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def post(client: Client, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def upload(client: Client, url: str, text: str, headers: dict[str, str], **fields: str) -> Any:
    data = io.BytesIO(text.encode())
    data.name = "upload.csv"
    return client.post(url, {"file": data, **fields}, **headers)


def line_url(shipment: Shipment) -> str:
    return f"/api/v1/shipments/{shipment.pk}/lines/{shipment.lines.get().pk}/serials"


# --- serial items ------------------------------------------------------------------------------------------------


def test_list_filters_and_hides_other_nations_items(client: Client, fra_officer_user: User, gbr_analyst_user: User,
                                                    ukr_desk_user: User, guns: list[SerialItem]) -> None:
    fra = bearer(fra_officer_user)
    listed = client.get("/api/v1/serial-items", **fra).json()["results"]
    assert sorted(i["serial_number"] for i in listed) == ["G-1", "G-2", "G-3", "G-4"]
    first = next(i for i in listed if i["serial_number"] == "G-1")
    assert (first["item_type"], first["item_class"], first["donor"], first["recipient"], first["status"],
            first["custodian_nation"], first["custodian_unit"], first["custodian_location"], first["received_on"],
            first["next_inspection_due"]) == ("M777", "155 mm towed howitzer", "FRA", "UKR", "in_service", "UKR",
                                              "44th Bde", "Zaporizhzhia", "2025-02-05", "2025-05-06")
    # Sensitive by default: RESTRICTED, released to the donor and the recipient only.
    assert (first["classification"], first["releasability"], first["rel_to"], first["originator"],
            first["marking"]) == ("RESTRICTED", "REL_TO", ["FRA", "UKR"], "FRA", "RESTRICTED // REL TO FRA, UKR")
    assert len(client.get("/api/v1/serial-items", **bearer(ukr_desk_user)).json()["results"]) == 4
    assert client.get("/api/v1/serial-items", **bearer(gbr_analyst_user)).json()["results"] == []
    one = client.get("/api/v1/serial-items?q=g-3", **fra).json()["results"]
    assert [i["serial_number"] for i in one] == ["G-3"]
    assert client.get("/api/v1/serial-items?donor=GBR", **fra).json()["results"] == []
    assert len(client.get("/api/v1/serial-items?custodian=ukr&status=in_service&due=overdue", **fra)
               .json()["results"]) == 4
    assert client.get("/api/v1/serial-items?status=lost", **fra).json()["results"] == []
    bad = client.get("/api/v1/serial-items?status=melted", **fra)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_one_items_history(client: Client, fra_officer_user: User, gbr_analyst_user: User,
                           guns: list[SerialItem]) -> None:
    response = client.get(f"/api/v1/serial-items/{guns[0].pk}", **bearer(fra_officer_user))
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == body["etag"]
    assert body["shipment_id"] == guns[0].shipment_id and body["pledge_line_id"] == guns[0].pledge_line_id
    custody = body["custody"]
    assert [(t["seq"], t["kind"], t["from_nation"], t["to_nation"], t["to_unit"], t["on"]) for t in custody] == [
        (1, "registered", None, "FRA", "1er RA depot", "2025-01-20"),
        (2, "dispatched", "FRA", "FRA", f"in transit: {guns[0].shipment}", "2025-02-01"),
        (3, "received", "FRA", "UKR", "44th Bde", "2025-02-05")]
    assert body["custody"][0]["recorded_by"] == "fra-donor"
    assert (body["findings"], body["loss_reports"]) == ([], [])
    hidden = client.get(f"/api/v1/serial-items/{guns[0].pk}", **bearer(gbr_analyst_user))
    assert hidden.status_code == 404 and hidden.json()["detail"] == f"serial item {guns[0].pk} not found"


def test_exports_in_every_format_carry_the_marking(client: Client, fra_officer_user: User,
                                                   guns: list[SerialItem]) -> None:
    fra = bearer(fra_officer_user)
    document = client.get("/api/v1/serial-items/export?format=json&q=G-2", **fra).json()
    assert document["marking"] == "RESTRICTED // REL TO FRA, UKR" and document["count"] == 1
    assert (document["rows"][0]["serial_number"], document["rows"][0]["custodian_unit"]) == ("G-2", "44th Bde")
    csv = client.get("/api/v1/serial-items/export?format=csv", **fra)
    assert csv["X-Shieldwall-Marking"] == "RESTRICTED // REL TO FRA, UKR"
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("id,item_type,item_class,serial_number,donor,recipient,status")
    assert [line.split(",")[3] for line in lines[1:]] == ["G-1", "G-2", "G-3", "G-4"]
    xlsx = client.get("/api/v1/serial-items/export?format=xlsx", **fra)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][3] == "serial_number" and [row[3] for row in values[1:]] == ["G-1", "G-2", "G-3", "G-4"]
    assert values[1][values[0].index("next_inspection_due")].date() == date(2025, 5, 6)
    assert client.get("/api/v1/serial-items/export?format=pdf", **fra).status_code == 422


# --- registration of serial numbers ------------------------------------------------------------------------------


def test_register_serials_as_json_all_or_nothing(client: Client, fra_officer_user: User, ukr_desk_user: User,
                                                 planned: Shipment) -> None:
    fra = bearer(fra_officer_user)
    url = line_url(planned)
    bad = post(client, url, {"serials": ["A-1", "A-1", "bad serial!", "A-2"], "on": "2025-01-20"}, fra)
    assert bad.status_code == 200
    body = bad.json()
    assert (body["ok"], body["rows"], body["created"]) == (False, 4, 0)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "serial_number"), (3, "serial_number")]
    assert body["errors"][0]["message"] == "A-1 is given twice (also row 1)"
    assert "is not a serial number" in body["errors"][1]["message"]
    too_many = post(client, url, {"serials": ["A-1", "A-2", "A-3", "A-4"]}, fra).json()
    assert too_many["errors"][0]["message"] == "4 serial numbers for 3 units (0 already recorded)"
    dry = post(client, url, {"serials": ["A-1", "A-2"], "dry_run": True}, fra).json()
    assert (dry["ok"], dry["dry_run"], dry["created"]) == (True, True, 0)
    assert SerialItem.objects.visible_to(Actor.for_user(fra_officer_user)).count() == 0
    # Only the donor records its items' serial numbers.
    assert post(client, url, {"serials": ["A-1"]}, bearer(ukr_desk_user)).status_code == 403
    done = post(client, url, {"serials": ["A-1", "A-2"], "unit": "Depot 5", "on": "2025-01-20"}, fra).json()
    assert (done["ok"], done["created"], done["errors"]) == (True, 2, [])
    item = SerialItem.objects.visible_to(Actor.for_user(fra_officer_user)).get(serial_number="A-1")
    assert (item.status, item.custodian_unit, item.custody_since) == ("registered", "Depot 5", date(2025, 1, 20))
    again = post(client, url, {"serials": ["A-2", "A-3"]}, fra).json()
    assert [e["message"] for e in again["errors"]] == ["A-2 is already recorded for M777"]


def test_import_serials_from_csv_gives_per_row_errors_and_imports_nothing(
        client: Client, fra_officer_user: User, gbr_analyst_user: User, jpn_observer_user: User,
        planned: Shipment) -> None:
    fra = bearer(fra_officer_user)
    url = line_url(planned) + "/import"
    events = AuditEvent.objects.count()
    bad = upload(client, url, "serial_number\nC-1\n\nC-1\n#x\n", fra, dry_run="false").json()
    assert bad["ok"] is False and bad["created"] == 0
    # Rows as a spreadsheet numbers them: the header is row 1, the blank row 3 is skipped.
    assert [(e["row"], e["column"], e["message"][:27]) for e in bad["errors"]] == [
        (4, "serial_number", "C-1 is given twice (also ro"), (5, "serial_number", "'#x' is not a serial number")]
    assert bad["errors"][0]["message"] == "C-1 is given twice (also row 2)"
    assert SerialItem.objects.visible_to(Actor.for_user(fra_officer_user)).count() == 0
    assert AuditEvent.objects.count() == events
    refused = upload(client, url, "serial,unit\nC-1,x\n", fra)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "file", "message": "unknown column(s): serial, unit; the columns "
                                                                      "are serial_number"}]
    no_file = client.post(url, {"dry_run": "false"}, **fra)
    assert no_file.status_code == 422 and no_file.json()["errors"][0]["field"] == "file"
    # The shipment is COALITION: a British analyst sees it but records no French serial numbers; Japan, not a
    # member, does not see it at all.
    assert upload(client, url, "serial_number\nC-1\n", bearer(gbr_analyst_user)).status_code == 403
    assert upload(client, url, "serial_number\nC-1\n", bearer(jpn_observer_user)).status_code == 404
    dry = upload(client, url, "serial_number\nC-1\nC-2\n", fra).json()  # a dry run unless told otherwise
    assert (dry["ok"], dry["dry_run"], dry["rows"]) == (True, True, 2)
    done = upload(client, url, "Serial Number\nC-1\nC-2\nC-3\n", fra, dry_run="false", unit="Bourges").json()
    assert (done["ok"], done["created"]) == (True, 3)
    assert sorted(SerialItem.objects.visible_to(Actor.for_user(fra_officer_user)).values_list(
        "serial_number", "custodian_unit")) == [("C-1", "Bourges"), ("C-2", "Bourges"), ("C-3", "Bourges")]


# --- custody transfers and status --------------------------------------------------------------------------------


def test_transfer_onward_to_an_ally_keeps_the_donor_seeing_it(client: Client, fra_officer_user: User,
                                                              ukr_desk_user: User, gbr_analyst_user: User,
                                                              guns: list[SerialItem]) -> None:
    item = guns[1]
    url = f"/api/v1/serial-items/{item.pk}/transfer"
    body = {"to_nation": "GBR", "to_unit": "REME workshop", "to_location": "Tidworth", "on": "2025-03-01",
            "note": "repair"}
    denied = post(client, url, body, bearer(fra_officer_user))  # the donor does not hold it
    assert denied.status_code == 403
    assert post(client, url, body, bearer(gbr_analyst_user)).status_code == 404
    early = post(client, url, {**body, "on": "2025-02-01"}, bearer(ukr_desk_user))
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "on"
    done = post(client, url, body, bearer(ukr_desk_user))
    assert done.status_code == 200
    moved = done.json()
    assert (moved["status"], moved["custodian_nation"], moved["custodian_unit"], moved["custody_since"],
            moved["rel_to"]) == ("transferred", "GBR", "REME workshop", "2025-03-01", ["FRA", "GBR", "UKR"])
    assert [(t["seq"], t["kind"], t["from_nation"], t["from_unit"], t["to_nation"], t["note"])
            for t in moved["custody"]][-1] == (4, "transfer", "UKR", "44th Bde", "GBR", "repair")
    for user in (fra_officer_user, gbr_analyst_user):
        seen = client.get(f"/api/v1/serial-items/{item.pk}", **bearer(user)).json()
        assert (seen["serial_number"], seen["custodian_nation"]) == ("G-2", "GBR")
    gbr_list = client.get("/api/v1/serial-items", **bearer(gbr_analyst_user)).json()["results"]
    assert [i["serial_number"] for i in gbr_list] == ["G-2"]
    assert client.get("/api/v1/serial-items?custodian=GBR", **bearer(fra_officer_user)).json()["results"][0][
        "serial_number"] == "G-2"
    schema = post(client, url, {"to_nation": "GB", "to_unit": ""}, bearer(ukr_desk_user))
    assert schema.status_code == 422
    assert {e["field"] for e in schema.json()["errors"]} == {"to_nation", "to_unit"}


def test_status_in_service_and_under_repair_only(client: Client, ukr_desk_user: User, fra_officer_user: User,
                                                 guns: list[SerialItem]) -> None:
    url = f"/api/v1/serial-items/{guns[0].pk}/status"
    done = post(client, url, {"status": "under_repair", "on": "2025-03-10"}, bearer(ukr_desk_user)).json()
    assert (done["status"], done["status_since"]) == ("under_repair", "2025-03-10")
    lost = post(client, url, {"status": "lost"}, bearer(ukr_desk_user))
    assert lost.status_code == 422 and lost.json()["errors"][0]["field"] == "status"
    assert post(client, url, {"status": "in_service"}, bearer(fra_officer_user)).status_code == 403
    assert SerialItem.objects.visible_to(Actor.for_user(fra_officer_user)).get(pk=guns[0].pk).status == "under_repair"


# --- compliance, inspections, disposition and loss reports -------------------------------------------------------


def test_compliance_counts_and_marking(client: Client, fra_officer_user: User, gbr_analyst_user: User,
                                       guns: list[SerialItem]) -> None:
    response = client.get("/api/v1/compliance?as_of=2025-06-01", **bearer(fra_officer_user))
    assert response["X-Shieldwall-Marking"] == "RESTRICTED // REL TO FRA, UKR"
    board = response.json()
    assert board["day"] == "2025-06-01"
    (row,) = board["rows"]
    assert (row["donor"], row["item_class"], row["items"], row["accountable"], row["overdue"], row["due_soon"],
            row["never_inventoried"], row["on_time_pct"]) == ("FRA", "155 mm towed howitzer", 4, 4, 4, 0, 4, None)
    assert board["total"]["items"] == 4 and len(board["trend"]) == 12
    soon = client.get("/api/v1/compliance?as_of=2025-04-20&donor=fra", **bearer(fra_officer_user)).json()
    assert (soon["total"]["due_soon"], soon["total"]["overdue"]) == (4, 0)
    assert client.get("/api/v1/compliance?donor=DEU", **bearer(fra_officer_user)).json()["rows"] == []
    assert client.get("/api/v1/compliance", **bearer(gbr_analyst_user)).json()["total"]["items"] == 0


def test_inspections_record_list_and_show(client: Client, fra_officer_user: User, ukr_desk_user: User,
                                          gbr_analyst_user: User, guns: list[SerialItem]) -> None:
    g1, g2, g3, _ = guns
    body = {"kind": "initial", "inspected_on": "2025-04-01", "location": "Zaporizhzhia",
            "findings": [{"item_id": g1.pk}, {"item_id": g2.pk, "result": "not_found"},
                         {"item_id": g3.pk, "result": "destroyed"}]}
    refused = post(client, "/api/v1/inspections", body, bearer(fra_officer_user))
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "findings",
                                         "message": "G-3: a destroyed item needs the reference of its evidence"}]
    assert Inspection.objects.visible_to(Actor.for_user(fra_officer_user)).count() == 0
    body["findings"][2]["evidence_ref"] = "photo 12"
    created = post(client, "/api/v1/inspections", body, bearer(fra_officer_user))
    assert created.status_code == 201
    shown = created.json()
    assert (shown["kind"], shown["inspector_nation"], shown["donor"], shown["recipient"], shown["findings_count"],
            shown["marking"]) == ("initial", "FRA", "FRA", "UKR", 3, "RESTRICTED // REL TO FRA, UKR")
    assert [(f["serial_number"], f["result"], f["due_on"], f["on_time"]) for f in shown["findings"]] == [
        ("G-1", "found", "2025-05-06", True), ("G-2", "not_found", "2025-05-06", True),
        ("G-3", "destroyed", "2025-05-06", True)]
    listed = client.get("/api/v1/inspections?donor=FRA&kind=initial", **bearer(ukr_desk_user)).json()["results"]
    assert [i["id"] for i in listed] == [shown["id"]]
    assert client.get("/api/v1/inspections?kind=spot", **bearer(ukr_desk_user)).json()["results"] == []
    assert client.get("/api/v1/inspections", **bearer(gbr_analyst_user)).json()["results"] == []
    assert client.get(f"/api/v1/inspections/{shown['id']}", **bearer(gbr_analyst_user)).status_code == 404
    item = client.get(f"/api/v1/serial-items/{g1.pk}", **bearer(ukr_desk_user)).json()
    assert (item["last_inventory_on"], item["next_inspection_due"]) == ("2025-04-01", "2026-04-01")
    assert [(f["inspection_id"], f["kind"], f["result"]) for f in item["findings"]] == [
        (shown["id"], "initial", "found")]


def test_disposition_import_per_row_errors_then_filed(client: Client, fra_officer_user: User, ukr_desk_user: User,
                                                      guns: list[SerialItem]) -> None:
    ukr = bearer(ukr_desk_user)
    url = "/api/v1/disposition-reports/import"
    text = "item_type,serial_number,status,unit\nM777,G-1,in service,44\nM777,G-9,in_service,\nM777,G-2,boom,\n"
    bad = upload(client, url, text, ukr, donor="FRA", year="2025", quarter="2", dry_run="false").json()
    assert (bad["ok"], bad["report_id"], bad["rows"]) == (False, None, 3)
    assert [(e["row"], e["column"]) for e in bad["errors"]] == [(4, "status"), (3, "serial_number")]
    assert bad["errors"][1]["message"] == "no item G-9 of this type from FRA is recorded as yours"
    assert DispositionReport.objects.visible_to(Actor.for_user(ukr_desk_user)).count() == 0
    missing = upload(client, url, "serial_number,status\nG-1,in_service\n", ukr, donor="FRA", year="2025",
                     quarter="2")
    assert missing.status_code == 422 and missing.json()["errors"][0]["message"] == "missing column(s): item_type"
    quarter = upload(client, url, "item_type,serial_number,status\nM777,G-1,in_service\n", ukr, donor="FRA",
                     year="2025", quarter="5")
    assert quarter.status_code == 422 and quarter.json()["errors"][0]["field"] == "quarter"
    # Item types and serial numbers as the recipient's own system spells them (case aside).
    good = "item_type,serial_number,status,unit\nM777,G-1,under repair,44\nM777,G-2,lost,44\nm777,g-3,In Service,\n"
    assert upload(client, url, good, bearer(fra_officer_user), donor="FRA", year="2025",
                  quarter="2").status_code == 403
    filed = upload(client, url, good, ukr, donor="FRA", year="2025", quarter="2", dry_run="false").json()
    assert (filed["ok"], filed["applied"], filed["mismatches"]) == (True, 1, 1)
    again = upload(client, url, good, ukr, donor="FRA", year="2025", quarter="2", dry_run="false")
    assert again.status_code == 422
    assert "already filed" in again.json()["detail"]
    detail = client.get(f"/api/v1/disposition-reports/{filed['report_id']}", **bearer(fra_officer_user)).json()
    assert (detail["report"]["donor"], detail["report"]["recipient"], detail["report"]["lines"],
            detail["report"]["mismatches"], detail["report"]["marking"]) == (
        "FRA", "UKR", 3, 1, "RESTRICTED // REL TO FRA, UKR")
    assert [(line["serial_number"], line["reported_status"], line["matches"]) for line in detail["lines"]] == [
        ("G-1", "under_repair", True), ("G-2", "lost", False), ("G-3", "in_service", True)]
    assert [i["serial_number"] for i in detail["missing"]] == ["G-4"]
    listed = client.get("/api/v1/disposition-reports?donor=FRA", **bearer(fra_officer_user)).json()["results"]
    assert [(r["year"], r["quarter"]) for r in listed] == [(2025, 2)]


def test_loss_reports_create_list_show(client: Client, fra_officer_user: User, ukr_desk_user: User,
                                       gbr_analyst_user: User, guns: list[SerialItem]) -> None:
    ukr = bearer(ukr_desk_user)
    body = {"kind": "destroyed", "item_ids": [guns[0].pk, guns[1].pk], "circumstances": "Artillery strike",
            "occurred_on": "2025-03-02"}
    refused = post(client, "/api/v1/loss-reports", body, ukr)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "evidence_ref"
    created = post(client, "/api/v1/loss-reports", {**body, "evidence_ref": "BDA-114"}, ukr)
    assert created.status_code == 201
    shown = created.json()
    assert (shown["kind"], shown["donor"], shown["recipient"], shown["items"], shown["marking"]) == (
        "destroyed", "FRA", "UKR", 2, "RESTRICTED // REL TO FRA, UKR")
    assert [(i["serial_number"], i["status"], i["next_inspection_due"]) for i in shown["serial_items"]] == [
        ("G-1", "destroyed", None), ("G-2", "destroyed", None)]
    again = post(client, "/api/v1/loss-reports", {**body, "evidence_ref": "x"}, ukr)
    assert again.status_code == 422 and "already closed" in again.json()["detail"]
    listed = client.get("/api/v1/loss-reports", **bearer(fra_officer_user)).json()["results"]
    assert [(r["id"], r["evidence_ref"]) for r in listed] == [(shown["id"], "BDA-114")]
    assert client.get("/api/v1/loss-reports", **bearer(gbr_analyst_user)).json()["results"] == []
    assert client.get(f"/api/v1/loss-reports/{shown['id']}", **bearer(gbr_analyst_user)).status_code == 404
    item = client.get(f"/api/v1/serial-items/{guns[0].pk}", **bearer(fra_officer_user)).json()
    assert item["loss_reports"] == [shown["id"]]
    assert LossReport.objects.visible_to(Actor.for_user(fra_officer_user)).count() == 1
    assert CustodyTransfer.objects.filter(item=guns[0]).count() == 3  # a loss is no custody change


def test_loss_report_by_the_ally_holding_the_item_and_who_may_when_refused(
        client: Client, guns: list[SerialItem], handed_on: tuple[Any, Any]) -> None:
    gbr_user, pol_user = handed_on
    body = {"kind": "lost", "circumstances": "Missing at muster", "occurred_on": "2025-03-03"}
    refused = post(client, "/api/v1/loss-reports", {**body, "item_ids": [guns[1].pk]}, bearer(gbr_user))
    assert refused.status_code == 403
    assert refused.json()["detail"] == ("GBR may not report G-2 lost or destroyed: that is for an officer of POL, "
                                        "which holds them, or a donor officer of FRA, which gave them")
    done = post(client, "/api/v1/loss-reports", {**body, "item_ids": [guns[0].pk]}, bearer(gbr_user))
    assert done.status_code == 201, done.json()
    report = done.json()
    assert (report["donor"], report["recipient"], report["holder"], report["filed_by"], report["rel_to"],
            [i["serial_number"] for i in report["serial_items"]]) == ("FRA", "UKR", "GBR", "GBR",
                                                                      ["FRA", "GBR", "UKR"], ["G-1"])
    assert post(client, "/api/v1/loss-reports", {**body, "item_ids": [guns[1].pk]}, bearer(pol_user)).status_code == 201
