"""Requirement and coverage pages: what each actor sees and may press, banners, forms with errors, the lifecycle
buttons, exports, and bounded queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shieldwall.core.actor import Actor
from shieldwall.core.models import User
from shieldwall.needs.models import Requirement
from tests.needs.factories import make_requirement

pytestmark = pytest.mark.django_db


def _banner(html: str) -> str:
    start = html.index('id="banner-top"')
    return html[html.index(">", start) + 1:html.index("</div>", start)].strip()


def test_list_shows_released_requirements_most_urgent_first(client: Client, case: dict[str, Any],
                                                            ukr_desk: Actor, fra_officer_user: User) -> None:
    make_requirement(ukr_desk, case["cat"]["c155"], title="UKR eyes only", classification=1,
                     releasability="REL_TO", rel_to=["UKR"])
    client.force_login(fra_officer_user)
    response = client.get(reverse("requirement_list"))
    html = response.content.decode()
    assert [r.title for r in response.context["page"].object_list] == [
        "155 mm for the east", "IRIS-T reloads", "152 mm for D-20 guns"]
    assert "UKR eyes only" not in html
    assert _banner(html) == "UNCLASSIFIED // REL TO COALITION"
    assert "New requirement" not in html  # donors do not post requirements
    filtered = client.get(reverse("requirement_list"), {"status": "active", "area": "air_defence"})
    assert [r.title for r in filtered.context["page"].object_list] == ["IRIS-T reloads"]
    export = client.get(reverse("requirement_export"), {"format": "json", "priority": "2"})
    document = json.loads(export.content)
    assert [row["title"] for row in document["rows"]] == ["152 mm for D-20 guns"]
    assert export["X-Shieldwall-Marking"] == "UNCLASSIFIED // REL TO COALITION"


def test_detail_shows_coverage_visible_lines_history_and_the_actors_buttons(
        client: Client, case: dict[str, Any], fra_officer_user: User, coord_user: User) -> None:
    url = reverse("requirement_detail", args=[case["shells"].pk])
    client.force_login(fra_officer_user)
    response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["lines"]) == 7  # of 8: the REL TO DEU line is not released to France
    assert response.context["coverage"].allocated_qty == 453
    assert response.context["steps"] == []
    client.force_login(coord_user)
    steps = [s.action for s in client.get(url).context["steps"]]
    assert steps == ["withdraw", "reprioritise"]
    history = client.get(url, {"tab": "history"})
    assert "requirement.create" in history.content.decode()


def test_recipient_posts_a_requirement_and_coordinator_validates(client: Client, case: dict[str, Any],
                                                                 ukr_desk_user: User, coord_user: User) -> None:
    client.force_login(ukr_desk_user)
    form = {"title": "Counter-drone jammers", "item_class": case["cat"]["sam"].pk, "quantity": "0",
            "priority": "1", "need_by": "2026-12-01", "destination": "Kyiv", "use_category": "territorial_air_defence",
            "classification": "0", "releasability": "COALITION"}
    refused = client.post(reverse("requirement_create"), form)
    assert refused.status_code == 422 and "quantity" in refused.context["form"].errors
    created = client.post(reverse("requirement_create"), {**form, "quantity": "12"})
    req = Requirement.objects.visible_to(Actor.for_user(ukr_desk_user)).get(title="Counter-drone jammers")
    assert created.status_code == 302 and created["Location"] == reverse("requirement_detail", args=[req.pk])
    step = reverse("requirement_transition", args=[req.pk, "submit"])
    assert client.post(step, {"version": req.version}).status_code == 302
    client.force_login(coord_user)
    assert client.post(reverse("requirement_transition", args=[req.pk, "return"]), {"reason": ""}).status_code == 302
    req.refresh_from_db()
    assert req.status == "submitted"  # refused: the reason is missing
    client.post(reverse("requirement_transition", args=[req.pk, "validate"]))
    client.post(reverse("requirement_transition", args=[req.pk, "open"]))
    client.post(reverse("requirement_transition", args=[req.pk, "reprioritise"]), {"priority": "2"})
    req.refresh_from_db()
    assert (req.status, req.priority) == ("open", 2)
    assert client.post(reverse("requirement_transition", args=[req.pk, "submit"])).status_code == 403
    edit = client.get(reverse("requirement_edit", args=[req.pk]))
    assert edit.status_code == 302  # only drafts are edited


def test_coverage_page_and_export(client: Client, case: dict[str, Any], fra_officer_user: User,
                                  django_assert_max_num_queries: Any) -> None:
    client.force_login(fra_officer_user)
    # 19 on SQLite (session, user, device, actor ×2, the filter form's classes, per area and per coalition: labels +
    # 2 grouped, the page: count, ids, REL TO, rows, sums; the marking: 2); PostgreSQL adds 3 to each grouped
    # pledge query to switch its JIT off for it (savepoint, SET LOCAL, release). None of it grows with the data.
    with django_assert_max_num_queries(25):
        response = client.get(reverse("coverage"))
    html = response.content.decode()
    assert [a.label for a in response.context["areas"]] == ["Air defence", "Artillery"]
    assert response.context["area_total"].committed_value == 3051000
    assert "61.0 / 35.0 / 11.0 %" in html
    assert 'style="width: 75.3%"' in html
    assert _banner(html) == "UNCLASSIFIED // REL TO FRA"  # aggregates go no further than the viewer's nation
    export = client.get(reverse("coverage_export"), {"format": "csv"})
    lines = export.content.decode().splitlines()
    assert lines[1].startswith(f"{case['shells'].pk},1,2026-09-01,155 mm for the east,")
    assert ",753,2801000.00,453,1751000.00,151,550333.33,75.3,45.3,15.1" in lines[1]


def test_list_paginates_with_bounded_queries(client: Client, case: dict[str, Any], ukr_desk: Actor,
                                             coord_user: User, django_assert_max_num_queries: Any) -> None:
    for i in range(60):
        make_requirement(ukr_desk, case["cat"]["c155"], title=f"extra {i}", releasability="REL_TO", rel_to=["FRA"])
    client.force_login(coord_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("requirement_list"))
    assert len(response.context["page"].object_list) == 50


def test_catalogue_pages(client: Client, case: dict[str, Any], jpn_observer_user: User) -> None:
    client.force_login(jpn_observer_user)
    html = client.get(reverse("catalogue"), {"q": "152"}).content.decode()
    assert "152 mm artillery ammunition" in html and "155 mm artillery ammunition" not in html
    detail = client.get(reverse("item_class_detail", args=[case["cat"]["c155"].pk]))
    assert [c.item_type.name for c in detail.context["satisfying"]] == ["155 mm M795"]
