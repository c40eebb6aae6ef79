"""Pages of end-use monitoring: serial items (list, filters, exports, one item's history, the transfer and status
forms), the scanner-style serial capture of a shipment line, the compliance dashboard and its export, inspections,
disposition reports (CSV import with per-row errors, nothing imported on an error) and loss reports. Form errors
re-render the form with the message beside its field; pages carry the banner of their most sensitive record."""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent, User
from shieldwall.logistics.models import Shipment
from shieldwall.monitoring.models import DispositionReport, Inspection, LossReport, SerialItem

pytestmark = pytest.mark.django_db
BANNER = "RESTRICTED // REL TO FRA, UKR"


def field_errors(page: str, name: str) -> list[str]:
    """The messages shown beside form field `name` (see _field.html)."""
    return [html.unescape(m) for m in re.findall(rf'<p class="field-error" id="id_{name}_error_\d+">(.*?)</p>', page)]


def banners(page: str) -> list[str]:
    return re.findall(r'<div id="banner-(?:top|bottom)"[^>]*>(.*?)</div>', page)


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("upload.csv", text.encode(), content_type="text/csv")


def serials_of(user: User) -> list[str]:
    return sorted(SerialItem.objects.visible_to(Actor.for_user(user)).values_list("serial_number", flat=True))


# --- serial items ------------------------------------------------------------------------------------------------


def test_serial_list_filters_and_banner(client: Client, fra_officer_user: User, gbr_analyst_user: User,
                                        guns: list[SerialItem], django_assert_max_num_queries: Any) -> None:
    client.force_login(fra_officer_user)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("serial_item_list")).content.decode()
    assert "4 items released to you" in page
    assert [m for m in re.findall(r'href="/serials/\d+/">([^<]+)</a>', page)] == ["G-1", "G-2", "G-3", "G-4"]
    assert banners(page) == [BANNER, BANNER]
    assert "UKR · 44th Bde" in page and "2025-05-06" in page
    one = client.get(reverse("serial_item_list"), {"q": "G-4"}).content.decode()
    assert "1 item released to you" in one and ">G-4</a>" in one and ">G-1</a>" not in one
    assert "0 items released to you" in client.get(reverse("serial_item_list"), {"status": "lost"}).content.decode()
    client.force_login(gbr_analyst_user)
    hidden = client.get(reverse("serial_item_list")).content.decode()
    assert "0 items released to you" in hidden and "G-1" not in hidden
    assert banners(hidden) == ["UNCLASSIFIED", "UNCLASSIFIED"]


def test_serial_export_csv_xlsx_json(client: Client, fra_officer_user: User, guns: list[SerialItem]) -> None:
    client.force_login(fra_officer_user)
    url = reverse("serial_item_export")
    document = json.loads(client.get(url, {"format": "json", "q": "G-3"}).content)
    assert (document["marking"], document["count"]) == (BANNER, 1)
    row = document["rows"][0]
    assert (row["serial_number"], row["donor"], row["custodian_nation"], row["status"], row["marking"]) == (
        "G-3", "FRA", "UKR", "in_service", BANNER)
    csv = client.get(url, {"format": "csv"})
    assert csv["Content-Disposition"].startswith('attachment; filename="serial-items')
    assert csv["X-Shieldwall-Marking"] == BANNER
    assert [line.split(",")[3] for line in csv.content.decode().splitlines()[1:]] == ["G-1", "G-2", "G-3", "G-4"]
    sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("id", "item_type", "item_class", "serial_number")
    assert [(r[3], r[6]) for r in rows[1:]] == [("G-1", "in_service"), ("G-2", "in_service"), ("G-3", "in_service"),
                                                ("G-4", "in_service")]


def test_serial_detail_shows_the_history(client: Client, fra_officer_user: User, ukr_desk_user: User,
                                         gbr_analyst_user: User, guns: list[SerialItem]) -> None:
    url = reverse("serial_item_detail", args=[guns[0].pk])
    client.force_login(fra_officer_user)
    page = client.get(url).content.decode()
    assert "serial <strong>G-1</strong>" in page and "FRA → UKR" in page
    assert "Registered with the donor" in page and "Dispatched" in page and "Received by the recipient" in page
    assert "next due 2025-05-06" in page and banners(page)[0] == BANNER
    # The donor does not hold the item: no transfer form for it.
    assert "Only the nation holding an item in service records its custody" in page and 'name="to_unit"' not in page
    client.force_login(ukr_desk_user)
    assert 'name="to_unit"' in client.get(url).content.decode()
    client.force_login(gbr_analyst_user)
    assert client.get(url).status_code == 404


def test_transfer_form_errors_beside_the_fields_then_transfer(client: Client, ukr_desk_user: User,
                                                              fra_officer_user: User, guns: list[SerialItem]) -> None:
    client.force_login(ukr_desk_user)
    url = reverse("serial_item_action", args=[guns[0].pk, "transfer"])
    events = AuditEvent.objects.count()
    empty = client.post(url, {"to_nation": "GBR", "to_unit": ""})
    assert empty.status_code == 422
    assert field_errors(empty.content.decode(), "to_unit") == ["This field is required."]
    early = client.post(url, {"to_nation": "GBR", "to_unit": "REME", "on": "2025-01-01"})
    assert early.status_code == 422
    page = early.content.decode()
    assert field_errors(page, "on") == ["cannot be before its current custody (2025-02-05)"]
    assert 'value="REME"' in page  # the form comes back as typed
    unknown = client.post(url, {"to_nation": "XXX", "to_unit": "REME", "on": "2025-03-01"})
    assert field_errors(unknown.content.decode(), "to_nation") != []
    assert AuditEvent.objects.count() == events
    done = client.post(url, {"to_nation": "GBR", "to_unit": "REME", "to_location": "Tidworth", "on": "2025-03-01"})
    assert done.status_code == 302 and done["Location"] == reverse("serial_item_detail", args=[guns[0].pk])
    client.force_login(fra_officer_user)
    page = client.get(reverse("serial_item_detail", args=[guns[0].pk])).content.decode()
    assert "GBR · REME, Tidworth" in page and banners(page)[0] == "RESTRICTED // REL TO FRA, GBR, UKR"
    assert client.post(reverse("serial_item_action", args=[guns[0].pk, "melt"]), {}).status_code == 404


def test_status_form(client: Client, ukr_desk_user: User, guns: list[SerialItem]) -> None:
    client.force_login(ukr_desk_user)
    url = reverse("serial_item_action", args=[guns[1].pk, "status"])
    bad = client.post(url, {"status": "lost"})
    assert bad.status_code == 422 and field_errors(bad.content.decode(), "status")[0].startswith("Select a valid")
    assert client.post(url, {"status": "under_repair", "on": "2025-03-03"}).status_code == 302
    item = SerialItem.objects.visible_to(Actor.for_user(ukr_desk_user)).get(pk=guns[1].pk)
    assert (item.status, str(item.status_since)) == ("under_repair", "2025-03-03")


# --- capture of serial numbers -------------------------------------------------------------------------------------


def test_scanner_capture_one_serial_per_line(client: Client, fra_officer_user: User, planned: Shipment) -> None:
    client.force_login(fra_officer_user)
    url = reverse("serial_capture", args=[planned.pk, planned.lines.get().pk])
    form = client.get(url).content.decode()
    assert "0 of 3 serial numbers recorded for this line" in form and 'name="serials"' in form
    nothing = client.post(url, {"serials": "  \n"})
    assert nothing.status_code == 422
    assert "type or scan the serial numbers, or choose a CSV file" in nothing.content.decode()
    dry = client.post(url, {"serials": "S-1\nS-2\n", "dry_run": "on"})
    assert dry.status_code == 200 and "All 2 can be recorded; nothing was written" in dry.content.decode()
    assert serials_of(fra_officer_user) == []
    # As a scanner types them: one per line, blank lines and stray spaces (and Windows line ends) ignored.
    done = client.post(url, {"serials": "S-1\r\n\r\n  S-2  \r\nS-3\r\n", "unit": "Bourges", "on": "2025-01-20"})
    assert done.status_code == 302 and done["Location"] == reverse("shipment_detail", args=[planned.pk])
    assert serials_of(fra_officer_user) == ["S-1", "S-2", "S-3"]
    assert "3 of 3 serial numbers recorded" in client.get(url).content.decode()


def test_capture_with_a_bad_csv_gives_per_row_errors_and_records_nothing(client: Client, fra_officer_user: User,
                                                                          planned: Shipment) -> None:
    client.force_login(fra_officer_user)
    url = reverse("serial_capture", args=[planned.pk, planned.lines.get().pk])
    bad = client.post(url, {"file": csv_file("serial_number\nS-1\nS 2!\nS-1\n")})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "Nothing was recorded: 2 problems" in page
    cells = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td><td>(.*?)</td></tr>", page)
    assert [(row, column) for row, column, _ in cells] == [("3", "serial_number"), ("4", "serial_number")]
    assert html.unescape(cells[1][2]) == "S-1 is given twice (also row 2)"
    assert serials_of(fra_officer_user) == []
    refused = client.post(url, {"file": csv_file("serial\nS-1\n")})
    assert refused.status_code == 422
    assert field_errors(refused.content.decode(), "file") == [
        "unknown column(s): serial; the columns are serial_number"]
    assert client.post(url, {"file": csv_file("serial_number\nS-1\nS-2\n")}).status_code == 302
    assert serials_of(fra_officer_user) == ["S-1", "S-2"]


# --- compliance ----------------------------------------------------------------------------------------------------


def test_compliance_dashboard_and_export(client: Client, fra_officer_user: User, ukr_desk_user: User,
                                         gbr_analyst_user: User, guns: list[SerialItem], cat: dict[str, Any]) -> None:
    client.force_login(ukr_desk_user)
    moved = client.post(reverse("serial_item_action", args=[guns[3].pk, "transfer"]),
                        {"to_nation": "POL", "to_unit": "Depot", "on": "2025-03-01"})
    assert moved.status_code == 302
    client.force_login(fra_officer_user)
    page = client.get(reverse("compliance_dashboard"), {"as_of": "2025-06-01"}).content.decode()
    # Items REL TO FRA, UKR and one REL TO FRA, POL, UKR on one page: releasable to the nations common to all.
    assert "as of 2025-06-01" in page and banners(page)[0] == BANNER
    row = re.search(r"<tr><td>FRA</td>.*?</tr>", page, re.S)
    assert row is not None
    numbers = re.findall(r'<td class="num">(?:<a [^>]*><strong>)?([\d—]+)', row.group(0))
    # items, accountable, due soon, overdue, never inventoried, on time, unaccounted, in transit, lost, destroyed,
    # transferred
    assert numbers == ["4", "4", "0", "4", "4", "—", "0", "0", "0", "0", "1"]
    export = json.loads(client.get(reverse("compliance_export"), {"as_of": "2025-04-20", "format": "json"}).content)
    assert export["marking"] == BANNER
    assert [(r["donor"], r["item_class"], r["items"], r["due_soon"], r["overdue"], r["transferred"])
            for r in export["rows"]] == [("FRA", "155 mm towed howitzer", 4, 4, 0, 1), ("", "All", 4, 4, 0, 1)]
    csv = client.get(reverse("compliance_export"), {"as_of": "2025-06-01"})  # CSV by default
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("donor,item_class,items,accountable,due_soon,overdue")
    assert lines[1].startswith("FRA,155 mm towed howitzer,4,4,0,4,4,0,0,0,0,1,0,0,")
    xlsx = client.get(reverse("compliance_export"), {"format": "xlsx", "item_class": str(cat["guns"].pk)})
    sheet = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert sheet[1][:3] == ("FRA", "155 mm towed howitzer", 4)
    client.force_login(gbr_analyst_user)
    assert "No serial-numbered items released to you" in client.get(reverse("compliance_dashboard")).content.decode()


# --- inspections, disposition and loss reports -------------------------------------------------------------------


def test_inspection_create_list_detail(client: Client, fra_officer_user: User, gbr_analyst_user: User,
                                       guns: list[SerialItem], cat: dict[str, Any]) -> None:
    client.force_login(fra_officer_user)
    url = reverse("inspection_create")
    assert client.get(url).status_code == 200
    form = {"kind": "initial", "inspected_on": "2025-04-01", "item_type": str(cat["m777"].pk),
            "location": "Zaporizhzhia"}
    unknown = client.post(url, {**form, "findings": "G-1\nG-99"})
    assert unknown.status_code == 422
    assert field_errors(unknown.content.decode(), "findings") == ["no such item released to you: G-99"]
    missing = client.post(url, {**form, "findings": "G-1\nG-3,destroyed"})
    assert field_errors(missing.content.decode(), "findings") == [
        "G-3: a destroyed item needs the reference of its evidence"]
    assert Inspection.objects.visible_to(Actor.for_user(fra_officer_user)).count() == 0
    done = client.post(url, {**form, "findings": "g-1\nG-2, not_found\nG-3,destroyed,photo 9\n"})
    assert done.status_code == 302, field_errors(done.content.decode(), "findings")
    inspection = Inspection.objects.visible_to(Actor.for_user(fra_officer_user)).get()
    assert done["Location"] == reverse("inspection_detail", args=[inspection.pk])
    detail = client.get(done["Location"]).content.decode()
    assert "photo 9" in detail and "Zaporizhzhia" in detail and banners(detail)[0] == BANNER
    listed = client.get(reverse("inspection_list")).content.decode()
    assert reverse("inspection_detail", args=[inspection.pk]) in listed and "2025-04-01" in listed
    item = client.get(reverse("serial_item_detail", args=[guns[1].pk])).content.decode()
    assert "not found at its last inspection" in item and "Initial inventory" in item
    client.force_login(gbr_analyst_user)
    assert client.get(reverse("inspection_detail", args=[inspection.pk])).status_code == 404
    assert "2025-04-01" not in client.get(reverse("inspection_list")).content.decode()


def test_disposition_import_bad_csv_imports_nothing_then_good_one(client: Client, ukr_desk_user: User,
                                                                  fra_officer_user: User,
                                                                  guns: list[SerialItem]) -> None:
    client.force_login(ukr_desk_user)
    url = reverse("disposition_import")
    assert client.get(url).status_code == 200
    meta = {"donor": "FRA", "year": "2025", "quarter": "2"}
    bad = client.post(url, {**meta, "file": csv_file(
        "item_type,serial_number,status\nM777,G-1,in_service\nHowitzer,G-2,in_service\nM777,G-3,gone\n"
        "M777,G-1,in_service\n")})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "Nothing was imported: 3 problems" in page
    cells = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td><td>(.*?)</td></tr>", page)
    assert [(r, c) for r, c, _ in cells] == [("3", "item_type"), ("4", "status"), ("5", "serial_number")]
    assert html.unescape(cells[0][2]) == "unknown item type 'Howitzer'"
    assert DispositionReport.objects.visible_to(Actor.for_user(ukr_desk_user)).count() == 0
    columns = client.post(url, {**meta, "file": csv_file("serial_number,state\nG-1,x\n")})
    assert columns.status_code == 422
    assert field_errors(columns.content.decode(), "file")[0].startswith("unknown column(s): state")
    quarter = client.post(url, {**meta, "quarter": "5", "file": csv_file("item_type,serial_number,status\n")})
    assert field_errors(quarter.content.decode(), "quarter") == [
        "Ensure this value is less than or equal to 4."]
    good = "item_type,serial_number,status,unit\nM777,G-1,in_service,44\nM777,G-2,under repair,44\n"
    dry = client.post(url, {**meta, "dry_run": "on", "file": csv_file(good)})
    assert dry.status_code == 200 and "All 2 rows can be imported; nothing was written" in dry.content.decode()
    assert DispositionReport.objects.visible_to(Actor.for_user(ukr_desk_user)).count() == 0
    done = client.post(url, {**meta, "file": csv_file(good)})
    assert done.status_code == 302
    report = DispositionReport.objects.visible_to(Actor.for_user(ukr_desk_user)).get()
    assert done["Location"] == reverse("disposition_detail", args=[report.pk])
    client.force_login(fra_officer_user)
    detail = client.get(done["Location"]).content.decode()
    assert "G-3" in detail and "G-4" in detail and banners(detail)[0] == BANNER  # the items it leaves out
    assert "2025-Q2" in client.get(reverse("disposition_list")).content.decode()
    assert SerialItem.objects.visible_to(Actor.for_user(fra_officer_user)).get(pk=guns[1].pk).status == "under_repair"


def test_loss_report_create_list_detail(client: Client, ukr_desk_user: User, fra_officer_user: User,
                                        gbr_analyst_user: User, guns: list[SerialItem], cat: dict[str, Any]) -> None:
    client.force_login(ukr_desk_user)
    url = reverse("loss_report_create")
    form = {"kind": "destroyed", "occurred_on": "2025-03-02", "item_type": str(cat["m777"].pk),
            "serials": "G-1\nG-2", "circumstances": "Artillery strike"}
    no_evidence = client.post(url, form)
    assert no_evidence.status_code == 422
    assert field_errors(no_evidence.content.decode(), "evidence_ref") == [
        "a destruction is reported with the reference of its evidence"]
    blank = client.post(url, {**form, "circumstances": ""})
    assert field_errors(blank.content.decode(), "circumstances") == ["This field is required."]
    assert LossReport.objects.visible_to(Actor.for_user(ukr_desk_user)).count() == 0
    done = client.post(url, {**form, "evidence_ref": "BDA-7"})
    assert done.status_code == 302
    report = LossReport.objects.visible_to(Actor.for_user(ukr_desk_user)).get()
    client.force_login(fra_officer_user)
    detail = client.get(reverse("loss_report_detail", args=[report.pk])).content.decode()
    assert "BDA-7" in detail and "G-1" in detail and "G-2" in detail and banners(detail)[0] == BANNER
    assert reverse("loss_report_detail", args=[report.pk]) in client.get(reverse("loss_report_list")).content.decode()
    statuses = dict(SerialItem.objects.visible_to(Actor.for_user(fra_officer_user)).values_list("serial_number",
                                                                                                  "status"))
    assert statuses == {"G-1": "destroyed", "G-2": "destroyed", "G-3": "in_service", "G-4": "in_service"}
    client.force_login(gbr_analyst_user)
    assert client.get(reverse("loss_report_detail", args=[report.pk])).status_code == 404


def test_loss_form_by_a_former_holder_says_who_may_report(client: Client, fra_officer: Actor, guns: list[SerialItem],
                                                         cat: dict[str, Any], handed_on: tuple[Any, Any]) -> None:
    """An ally holding an item reports it from the page; one that held it before is told who may."""
    gbr_user, pol_user = handed_on
    form = {"kind": "lost", "occurred_on": "2025-03-03", "item_type": str(cat["m777"].pk),
            "circumstances": "Missing at muster"}
    client.force_login(gbr_user)
    refused = client.post(reverse("loss_report_create"), {**form, "serials": "g-2"})
    assert refused.status_code == 403
    assert field_errors(refused.content.decode(), "serials") == [
        "GBR may not report G-2 lost or destroyed: that is for an officer of POL, which holds them, or a donor "
        "officer of FRA, which gave them"]
    done = client.post(reverse("loss_report_create"), {**form, "serials": "g-1"})
    assert done.status_code == 302
    detail = client.get(done["Location"]).content.decode()
    assert "<dt>Held by</dt><dd>GBR</dd><dt>Filed by</dt><dd>GBR</dd>" in detail
    client.force_login(pol_user)
    assert client.post(reverse("loss_report_create"), {**form, "serials": "G-2"}).status_code == 302
    assert dict(SerialItem.objects.visible_to(fra_officer).values_list("serial_number", "status")) == {
        "G-1": "lost", "G-2": "lost", "G-3": "in_service", "G-4": "in_service"}


def test_serials_typed_in_another_case_are_found(client: Client, fra_officer: Actor, ukr_desk: Actor,
                                                 ukr_desk_user: User, cat: dict[str, Any]) -> None:
    """Serial numbers are recorded upper-cased whatever case the donor typed; the loss form finds them however they
    are typed (one normalisation for entry and lookup)."""
    from tests.logistics import factories

    factories.received_items(fra_officer, ukr_desk, cat["m777"], ["ab-1", "Ab-2"])
    client.force_login(ukr_desk_user)
    done = client.post(reverse("loss_report_create"), {
        "kind": "lost", "occurred_on": "2025-03-02", "item_type": str(cat["m777"].pk), "serials": "ab-1\nAb-2",
        "circumstances": "Convoy ambushed"})
    assert done.status_code == 302, field_errors(done.content.decode(), "serials")
    assert dict(SerialItem.objects.visible_to(ukr_desk).values_list("serial_number", "status")) == {
        "AB-1": "lost", "AB-2": "lost"}
