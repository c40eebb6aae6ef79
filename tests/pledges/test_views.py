"""Pledges pages: what each actor sees, 404 for hidden records, only the steps the actor may take, errors on the
forms, create and edit, the import page's dry run and confirmation, exports, and query-count bounds."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shieldwall.core.actor import Actor
from shieldwall.core.models import User
from shieldwall.needs.models import Requirement
from shieldwall.pledges import services
from shieldwall.pledges.models import Package, PackageFunder, PledgeLine
from tests.pledges import factories

pytestmark = pytest.mark.django_db


def banner(html: str) -> str:
    start = html.index('id="banner-top"')
    return html[html.index(">", start) + 1:html.index("</div>", start)]


@pytest.fixture
def german(deu_officer: Actor, cat: dict[str, Any]) -> PledgeLine:
    package = factories.package(deu_officer, title="Deutsches Paket", classification=1, releasability="REL_TO",
                                rel_to=["DEU"])
    return factories.line(deu_officer, package, cat["m107"], description="Nur für Deutschland")


def test_french_donor_never_sees_german_rel_to_deu_pages(client: Client, fra_officer_user: User,
                                                         german: PledgeLine, fra_package: Package) -> None:
    client.force_login(fra_officer_user)
    for name in ("package_list", "line_list"):
        html = client.get(reverse(name)).content.decode()
        assert "Deutsches Paket" not in html and "Deutschland" not in html
    for name, pk in (("line_detail", german.pk), ("line_edit", german.pk), ("package_detail", german.package_id),
                     ("package_import", german.package_id), ("line_create", german.package_id)):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("line_step", args=[german.pk, "commit"]), {}).status_code == 404
    assert client.post(reverse("package_delete", args=[german.package_id])).status_code == 404
    exported = client.get(reverse("line_export"), {"format": "json"}).content.decode()
    assert "Deutschland" not in exported


def test_package_list_shows_values_banner_and_export_links(client: Client, coord_user: User, fra_officer: Actor,
                                                           cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer, title="Artillery package", classification=1)
    factories.line(fra_officer, package, cat["m107"], quantity=10, value="1000000.00", currency="USD",
                   value_date=date(2024, 3, 15))
    client.force_login(coord_user)
    response = client.get(reverse("package_list"))
    html = response.content.decode()
    assert [p.title for p in response.context["page"].object_list] == ["Artillery package"]
    assert "918,105.03" in html
    assert banner(html) == "RESTRICTED // REL TO COALITION"
    assert f'{reverse("package_export")}?format=xlsx' in html
    export = client.get(reverse("package_export"), {"format": "xlsx"})
    assert export["Content-Disposition"].endswith('.xlsx"') and export.content[:2] == b"PK"


def test_package_detail_shows_funders_lines_and_history(client: Client, fra_officer_user: User,
                                                        fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer, funders=[services.FunderShare("FRA", Decimal("0.75")),
                                                      services.FunderShare("DEU", Decimal("0.25"))])
    factories.line(fra_officer, package, cat["m107"], quantity=4, value="1000.00", currency="GBP",
                   value_date=date(2024, 3, 16))
    client.force_login(fra_officer_user)
    html = client.get(reverse("package_detail", args=[package.pk])).content.decode()
    assert "Germany (DEU)" in html and "25 %" in html and "75 %" in html
    assert "1,000.00 GBP" in html and "1,170.82" in html and "at 0.854100 (2024-03-16)" in html
    history = client.get(reverse("package_detail", args=[package.pk]), {"tab": "history"}).content.decode()
    assert "package.create" in history


def test_line_page_offers_only_the_actors_steps(client: Client, fra_officer_user: User, coord_user: User,
                                                gbr_analyst_user: User, fra_officer: Actor, fra_package: Package,
                                                cat: dict[str, Any]) -> None:
    line = factories.line(fra_officer, fra_package, cat["m107"], quantity=5)

    def steps(user: User) -> list[str]:
        client.force_login(user)
        return [s["verb"] for s in client.get(reverse("line_detail", args=[line.pk])).context["steps"]]

    assert steps(fra_officer_user) == ["commit", "cancel"]
    assert steps(coord_user) == ["cancel", "split"]
    assert steps(gbr_analyst_user) == []
    services.line_commit(actor=fra_officer, line_id=line.pk)
    assert steps(fra_officer_user) == ["ship", "cancel"]
    assert steps(coord_user) == ["allocate", "cancel", "split"]


def test_a_step_and_its_error_on_the_form(client: Client, fra_officer_user: User, fra_officer: Actor,
                                          fra_package: Package, cat: dict[str, Any]) -> None:
    line = factories.line(fra_officer, fra_package, cat["m107"], quantity=5)
    client.force_login(fra_officer_user)
    url = reverse("line_step", args=[line.pk, "commit"])
    response = client.post(url, {"commit-version": "1"})
    assert response.status_code == 302
    assert PledgeLine.objects.visible_to(fra_officer).get(pk=line.pk).status == "committed"
    response = client.post(reverse("line_step", args=[line.pk, "ship"]), {"ship-quantity": "9", "ship-version": "2"})
    assert response.status_code == 422
    form = next(s["form"] for s in response.context["steps"] if s["verb"] == "ship")
    assert form.errors["quantity"] == ["cannot ship 9: only 5 of 5 units are left"]
    stale = client.post(reverse("line_step", args=[line.pk, "ship"]), {"ship-quantity": "1", "ship-version": "1"})
    assert stale.status_code == 422 and "changed by someone else" in stale.content.decode()
    assert client.post(reverse("line_step", args=[line.pk, "explode"]), {}).status_code == 404


def test_create_a_co_funded_package_with_the_form(client: Client, fra_officer_user: User, cat: dict[str, Any]
                                                  ) -> None:
    client.force_login(fra_officer_user)
    data = {"title": "Joint package", "date": "2025-03-01", "source": "stock", "funders": "FRA 0.5, DEU 0.4",
            "classification": "0", "releasability": "COALITION"}
    response = client.post(reverse("package_create"), data)
    assert response.status_code == 422
    assert response.context["form"].errors["funders"] == ["the shares add up to 0.9, not exactly 1"]
    response = client.post(reverse("package_create"), {**data, "funders": "FRA=0.6; DEU 0.4"})
    package = Package.objects.visible_to(Actor.for_user(fra_officer_user)).get()
    assert response.status_code == 302 and response["Location"] == reverse("package_detail", args=[package.pk])
    assert dict(PackageFunder.objects.filter(package=package).values_list("nation__code", "share")) == {
        "FRA": Decimal("0.6"), "DEU": Decimal("0.4")}


def test_add_and_edit_a_line_with_the_form(client: Client, fra_officer_user: User, fra_officer: Actor,
                                           fra_package: Package, cat: dict[str, Any], ammo_need: Requirement
                                           ) -> None:
    client.force_login(fra_officer_user)
    data = {"item_type": cat["m107"].pk, "quantity": "100", "value_amount": "350000", "currency": "usd",
            "value_date": "2024-03-15", "valuation_method": "reported", "requirement": ammo_need.pk,
            "restriction_flags": ["eeum"], "classification": "", "releasability": ""}
    response = client.post(reverse("line_create", args=[fra_package.pk]), {**data, "currency": "XYZ"})
    assert response.status_code == 422
    assert response.context["form"].errors["currency"] == ["'XYZ' is not a currency with ECB reference rates"]
    assert client.post(reverse("line_create", args=[fra_package.pk]), data).status_code == 302
    line = PledgeLine.objects.visible_to(fra_officer).get()
    assert (line.value_eur, line.requirement_id, line.restriction_flags) == (Decimal("321336.76"), ammo_need.pk,
                                                                             ["eeum"])
    services.line_commit(actor=fra_officer, line_id=line.pk)
    page = client.get(reverse("line_edit", args=[line.pk]))
    form = page.context["form"]
    assert form.fields["quantity"].disabled and not form.fields["description"].disabled
    response = client.post(reverse("line_edit", args=[line.pk]), {**data, "description": "HE shells",
                                                                  "quantity": "1", "version": "2"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.description, line.quantity) == ("HE shells", 100)  # the committed quantity stays


def test_import_page_dry_run_then_confirm(client: Client, fra_officer_user: User, fra_officer: Actor,
                                          fra_package: Package, cat: dict[str, Any], settings: Any,
                                          tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    client.force_login(fra_officer_user)
    url = reverse("package_import", args=[fra_package.pk])
    assert "item_type,description,quantity" in client.get(url).content.decode()
    bad = io.BytesIO(b"item_type,quantity,value,currency,value_date\nCAESAR,2,abc,EUR,2025-02-01\n")
    bad.name = "lines.csv"
    response = client.post(url, {"file": bad})
    assert response.status_code == 422
    html = response.content.decode()
    assert "1 problem found; nothing was imported" in html and "&#x27;abc&#x27; is not a number" in html
    good = io.BytesIO(b"item_type,quantity,value,currency,value_date\nCAESAR,2,9000000,EUR,2025-02-01\n")
    good.name = "lines.csv"
    response = client.post(url, {"file": good})
    assert response.status_code == 200 and "Import 1 line" in response.content.decode()
    assert PledgeLine.objects.visible_to(fra_officer).count() == 0
    token = response.context["token"]
    assert client.post(url, {"confirm": "../../etc/passwd"}).status_code == 302  # unknown: upload again
    response = client.post(url, {"confirm": token})
    assert response.status_code == 302 and response["Location"] == reverse("package_detail", args=[fra_package.pk])
    assert PledgeLine.objects.visible_to(fra_officer).get().quantity == 2
    assert list((tmp_path / "imports").iterdir()) == []  # the staged file is gone


def test_line_list_totals_and_json_export(client: Client, coord_user: User, fra_officer: Actor,
                                          fra_package: Package, cat: dict[str, Any]) -> None:
    first = factories.line(fra_officer, fra_package, cat["m107"], quantity=3, value="300.00")
    factories.line(fra_officer, fra_package, cat["caesar"], quantity=1, value="4500000.00")
    services.line_commit(actor=fra_officer, line_id=first.pk)
    client.force_login(coord_user)
    totals = client.get(reverse("line_list")).context["totals"]
    assert [(s.status, s.lines, s.value_eur) for s in totals.stages] == [
        ("announced", 1, Decimal("4500000.00")), ("committed", 1, Decimal("300.00"))]
    assert totals.value_eur == Decimal("4500300.00")
    document = json.loads(client.get(reverse("line_export"), {"format": "json", "status": "committed"}).content)
    assert [row["id"] for row in document["rows"]] == [first.pk]
    assert document["marking"] == "UNCLASSIFIED // REL TO COALITION"


@pytest.mark.parametrize("count", [2, 15])
def test_list_pages_query_counts_do_not_grow(client: Client, coord_user: User, fra_officer: Actor,
                                             cat: dict[str, Any], django_assert_max_num_queries: Any,
                                             count: int) -> None:
    for i in range(count):
        package = factories.package(fra_officer, title=f"P{i}", classification=1, releasability="REL_TO",
                                    rel_to=["GBR"])
        factories.line(fra_officer, package, cat["m107"])
    client.force_login(coord_user)
    for name in ("package_list", "line_list"):
        with django_assert_max_num_queries(16):
            assert client.get(reverse(name)).status_code == 200


def test_edit_a_package_with_the_form(client: Client, fra_officer_user: User, fra_officer: Actor,
                                      deu_officer_user: User, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer, funders=[services.FunderShare("FRA", Decimal("0.5")),
                                                      services.FunderShare("DEU", Decimal("0.5"))])
    client.force_login(deu_officer_user)
    assert client.get(reverse("package_edit", args=[package.pk])).status_code == 403  # a co-funder does not edit
    client.force_login(fra_officer_user)
    form = client.get(reverse("package_edit", args=[package.pk])).context["form"]
    assert form.initial["funders"] == "DEU 0.5, FRA 0.5"  # by share, then code
    data = {"title": "Renamed", "date": "2025-03-01", "source": "stock", "funders": "", "classification": "0",
            "releasability": "COALITION", "version": "1"}
    assert client.post(reverse("package_edit", args=[package.pk]), data).status_code == 302
    assert list(PackageFunder.objects.filter(package=package).values_list("nation__code", "share")) == [
        ("FRA", Decimal("1"))]
    stale = client.post(reverse("package_edit", args=[package.pk]), {**data, "title": "Again"})
    assert stale.status_code == 422 and "changed by someone else" in stale.content.decode()
