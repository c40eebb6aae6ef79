"""The words-to-action pages: the meeting report, the donor page with its SVG chart, and the security agreement
pages (list, detail with fulfilment, create and edit with the yearly schedule, links to packages)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shieldwall.coalition.models import SecurityAgreement
from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent, User
from shieldwall.pledges.models import Package

pytestmark = pytest.mark.django_db


def _banner(html: str) -> str:
    start = html.index('id="banner-top"')
    return html[html.index(">", start) + 1:html.index("</div>", start)]


def test_meeting_report_page(client: Client, words: dict[str, Any], fra_officer_user: User,
                             django_assert_max_num_queries: Any) -> None:
    client.force_login(fra_officer_user)
    url = reverse("meeting_report", args=[words["meeting"].pk])
    with django_assert_max_num_queries(20):
        response = client.get(url, {"as_of": "2025-09-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _banner(html) == "UNCLASSIFIED // REL TO COALITION"
    assert "France: CAESAR and shells" in html and "German coalition package" in html
    assert "German national package" not in html and "UK: maritime drones" not in html
    assert "2,051,000.00" in html and "87.8 %" in html  # the French announcement's value and its committed share
    assert "available since 2025-04-01 (153 days), not yet shipped" in html
    assert response.context["report"].totals.lines == 7
    # The meeting page links to it.
    detail = client.get(reverse("meeting_detail", args=[words["meeting"].pk])).content.decode()
    assert f'href="{url}"' in detail


def test_meeting_report_page_of_a_hidden_meeting_is_404(client: Client, words: dict[str, Any],
                                                        jpn_observer_user: User) -> None:
    client.force_login(jpn_observer_user)
    assert client.get(reverse("meeting_report", args=[words["meeting"].pk])).status_code == 404


def test_donor_page_with_chart(client: Client, words: dict[str, Any], fra_officer_user: User,
                               django_assert_max_num_queries: Any) -> None:
    client.force_login(fra_officer_user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("donor_detail", args=["DEU"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and html.count("<polyline") == 3
    assert "<title id=\"stage-chart-title\">Germany: stages over time (EUR)</title>" in html
    assert "PURL package" in html and "German national package" not in html
    assert "40.2 %" in html  # DEU's share of the coalition's commitments visible to France
    assert 'USA 75.0 %</span>, <span class="nowrap">DEU 25.0 %' in html
    assert "<script" not in html.split("<main", 1)[1]  # no chart library
    nation = client.get(reverse("nation_detail", args=["DEU"])).content.decode()
    assert f'href="{reverse("donor_detail", args=["DEU"])}"' in nation
    assert client.get(reverse("donor_detail", args=["XXX"])).status_code == 404


def test_agreement_list_and_detail(client: Client, words: dict[str, Any], fra_officer_user: User) -> None:
    client.force_login(fra_officer_user)
    listing = client.get(reverse("agreement_list"))
    assert [a.title for a in listing.context["page"].object_list] == ["Germany–Ukraine security agreement"]
    assert "11,000,000" in listing.content.decode()
    detail = client.get(reverse("agreement_detail", args=[words["agreement"].pk]))
    html = detail.content.decode()
    years = {y.year: y for y in detail.context["result"].years}
    assert years[2025].committed_pct == 82 and "82.0 %" in html
    assert "German national package" not in html and "PURL package" in html
    assert detail.context["can_edit"] is False and 'agreement_edit' not in html
    assert "until 15 February 2034" in html
    history = client.get(reverse("agreement_detail", args=[words["agreement"].pk]), {"tab": "history"})
    assert [e.action for e in history.context["history"]] == ["securityagreement.create"]


def _post(**overrides: Any) -> dict[str, Any]:
    data = {"title": "France–Ukraine agreement", "donor": "FRA", "partner": "UKR", "signed": "2024-02-16",
            "duration_years": "10", "description": "", "obligations": "2024 = 3,000,000,000.00\n2025 = 3000000000",
            "classification": "0", "releasability": "COALITION"}
    data.update(overrides)
    return data


def test_donor_officer_creates_and_edits_an_agreement(client: Client, fra_officer_user: User, nations: Any) -> None:
    client.force_login(fra_officer_user)
    actor = Actor.for_user(fra_officer_user)
    bad = client.post(reverse("agreement_create"), _post(obligations="2040 = 1\nnext year = lots"))
    assert bad.status_code == 422
    assert bad.context["form"].errors["obligations"] == [
        "line 2: write YEAR = AMOUNT in EUR, e.g. 2025 = 5,000,000.00"]
    outside = client.post(reverse("agreement_create"), _post(obligations="2040 = 1"))
    assert outside.context["form"].errors["obligations"] == ["2040 is outside the agreement's term (2024–2034)"]
    assert not SecurityAgreement.objects.visible_to(actor).exists()
    created = client.post(reverse("agreement_create"), _post())
    agreement = SecurityAgreement.objects.visible_to(actor).get()
    assert created.status_code == 302 and created["Location"] == reverse("agreement_detail", args=[agreement.pk])
    assert [(o.year, str(o.amount_eur)) for o in agreement.obligations.all()] == [
        (2024, "3000000000.00"), (2025, "3000000000.00")]
    form = client.get(reverse("agreement_edit", args=[agreement.pk])).context["form"]
    assert form.initial["obligations"] == "2024 = 3,000,000,000.00\n2025 = 3,000,000,000.00"
    edited = client.post(reverse("agreement_edit", args=[agreement.pk]),
                         _post(obligations="2026 = 1,500,000.50", version="1"))
    assert edited.status_code == 302
    assert [(o.year, str(o.amount_eur)) for o in agreement.obligations.all()] == [(2026, "1500000.50")]
    stale = client.post(reverse("agreement_edit", args=[agreement.pk]), _post(version="1"))
    assert stale.status_code == 422 and "changed by someone else" in stale.content.decode()
    # Another nation's agreement is not the French donor's to record.
    assert client.post(reverse("agreement_create"), _post(donor="DEU")).status_code == 422
    assert SecurityAgreement.objects.visible_to(actor).count() == 1


def test_delete_needs_the_version_shown(client: Client, fra_officer_user: User, fra_officer: Actor,
                                        nations: Any) -> None:
    from shieldwall.coalition import services

    agreement = services.agreement_create(actor=fra_officer, title="Short-lived", donor="FRA", partner="UKR",
                                          signed=date(2024, 3, 1))
    client.force_login(fra_officer_user)
    url = reverse("agreement_delete", args=[agreement.pk])
    assert client.post(url, {}).status_code == 302
    assert SecurityAgreement.objects.visible_to(fra_officer).exists()
    assert client.post(url, {"version": "1"})["Location"] == reverse("agreement_list")
    assert not SecurityAgreement.objects.visible_to(fra_officer).exists()
    assert AuditEvent.objects.filter(action="securityagreement.delete").count() == 1


def test_donor_links_and_unlinks_its_package(client: Client, words: dict[str, Any], deu_officer_user: User,
                                             deu_officer: Actor) -> None:
    agreement = words["agreement"]
    client.force_login(deu_officer_user)
    p3 = words["p3"]
    unlink = reverse("agreement_unlink_package", args=[agreement.pk, p3.pk])
    assert client.post(unlink, {"version": "1"}).status_code == 302
    assert Package.objects.visible_to(deu_officer).get(pk=p3.pk).agreement_id is None
    detail = client.get(reverse("agreement_detail", args=[agreement.pk]))
    choices = list(detail.context["link_form"].fields["package"].queryset)
    assert choices == [Package.objects.visible_to(deu_officer).get(pk=p3.pk)]  # its own, not yet linked
    linked = client.post(reverse("agreement_link_package", args=[agreement.pk]), {"link-package": p3.pk})
    assert linked.status_code == 302
    assert Package.objects.visible_to(deu_officer).get(pk=p3.pk).agreement_id == agreement.pk
    refused = client.post(reverse("agreement_link_package", args=[agreement.pk]), {"link-package": words["p4"].pk})
    assert refused.status_code == 422  # the PURL package is the USA's to change
