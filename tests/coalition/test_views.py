"""Coalition pages: what each actor sees, banners, 404 for forbidden records, forms with errors, query bounds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shieldwall.coalition import services
from shieldwall.coalition.models import Announcement, Attendance, Meeting
from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent, User

pytestmark = pytest.mark.django_db

ALL_TITLES = {
    "public": "Public press conference",
    "coalition": "Coalition working group",
    "rel_fra": "Bilateral FRA-GBR staff talks",
    "rel_gbr_ukr": "GBR-UKR maritime planning",
    "confidential": "Air defence deep dive",
    "restricted_coalition": "Restricted logistics sync",
}


def _banner(html: str) -> str:
    start = html.index('id="banner-top"')
    return html[html.index(">", start) + 1:html.index("</div>", start)]


def _titles(response: Any) -> set[str]:
    return {m.title for m in response.context["page"].object_list}


# --- meetings list -------------------------------------------------------------------------------------------


def test_french_donor_sees_releasable_meetings_only(client: Client, fra_officer_user: User,
                                                   marked_meetings: dict[str, Meeting]) -> None:
    client.force_login(fra_officer_user)
    response = client.get(reverse("meeting_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _titles(response) == {ALL_TITLES[k] for k in
                                 ("public", "coalition", "rel_fra", "confidential", "restricted_coalition")}
    assert "GBR-UKR maritime planning" not in html
    # Highest classification shown is CONFIDENTIAL; the REL TO FRA, GBR row narrows the whole page.
    assert _banner(html) == "CONFIDENTIAL // REL TO FRA, GBR"
    assert html.count("CONFIDENTIAL // REL TO FRA, GBR") == 2  # top and bottom
    assert 'banner--confidential' in html


def test_restricted_user_never_sees_the_confidential_meeting(client: Client, gbr_analyst_user: User,
                                                             marked_meetings: dict[str, Meeting]) -> None:
    client.force_login(gbr_analyst_user)
    response = client.get(reverse("meeting_list"))
    html = response.content.decode()
    assert "Air defence deep dive" not in html
    assert ALL_TITLES["rel_gbr_ukr"] in html and ALL_TITLES["rel_fra"] in html
    assert _banner(html) == "RESTRICTED // REL TO GBR"
    # Not by filter, detail, or edit either.
    assert client.get(reverse("meeting_list"), {"classification": "2"}).context["page"].paginator.count == 0
    meeting_id = marked_meetings["confidential"].pk
    assert client.get(reverse("meeting_detail", args=[meeting_id])).status_code == 404
    assert client.get(reverse("meeting_edit", args=[meeting_id])).status_code == 404


def test_meeting_list_filter_sort_and_partial(client: Client, coord_user: User,
                                              marked_meetings: dict[str, Meeting]) -> None:
    client.force_login(coord_user)
    by_title = client.get(reverse("meeting_list"), {"sort": "title"})
    titles = [m.title for m in by_title.context["page"].object_list]
    assert titles == sorted(titles)
    descending = client.get(reverse("meeting_list"), {"sort": "-title"})
    assert [m.title for m in descending.context["page"].object_list] == sorted(titles, reverse=True)
    # Unknown sort keys fall back to the default (newest first) instead of reaching the ORM.
    bogus = client.get(reverse("meeting_list"), {"sort": "originator__users__password"})
    assert bogus.context["sort"] == "-date"

    public = client.get(reverse("meeting_list"), {"q": "press"})
    assert _titles(public) == {"Public press conference"}
    assert _banner(public.content.decode()) == "UNCLASSIFIED // PUBLIC RELEASE"

    partial = client.get(reverse("meeting_list"), {"q": "press"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = partial.content.decode()
    assert "<html" not in html and 'id="results"' in html
    # The banners follow the rows shown, swapped out of band.
    assert html.count('hx-swap-oob="true"') == 2 and "UNCLASSIFIED // PUBLIC RELEASE" in html


def test_meeting_list_paginates_with_bounded_queries(client: Client, coord_user: User, coord: Actor,
                                                     django_assert_max_num_queries: Any) -> None:
    for i in range(60):
        services.meeting_create(actor=coord, title=f"Sync {i:02d}", date=date(2025, 1, 1) + timedelta(days=i),
                                classification=1, releasability="REL_TO", rel_to=["FRA", "GBR", "POL"])
    client.force_login(coord_user)
    with django_assert_max_num_queries(10):  # 8 today: session, user, device, actor (2), count, page, REL TO
        response = client.get(reverse("meeting_list"))
    page = response.context["page"]
    assert len(page.object_list) == 50 and page.paginator.num_pages == 2
    assert _banner(response.content.decode()) == "RESTRICTED // REL TO FRA, GBR, POL"
    second = client.get(reverse("meeting_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 10


# --- meeting detail ------------------------------------------------------------------------------------------


def test_detail_banner_and_forbidden_meeting_is_404(client: Client, fra_officer_user: User,
                                                    marked_meetings: dict[str, Meeting]) -> None:
    client.force_login(fra_officer_user)
    shown = client.get(reverse("meeting_detail", args=[marked_meetings["rel_fra"].pk]))
    assert shown.status_code == 200
    assert _banner(shown.content.decode()) == "RESTRICTED // REL TO FRA, GBR"
    forbidden = client.get(reverse("meeting_detail", args=[marked_meetings["rel_gbr_ukr"].pk]))
    missing = client.get(reverse("meeting_detail", args=[999999]))
    assert forbidden.status_code == missing.status_code == 404
    assert "GBR-UKR" not in forbidden.content.decode()


def test_detail_shows_attendance_visible_announcements_and_history(
    client: Client, fra_officer_user: User, gbr_coord: Actor, marked_meetings: dict[str, Meeting]
) -> None:
    meeting = marked_meetings["restricted_coalition"]
    services.attendance_add(actor=gbr_coord, meeting_id=meeting.pk, nation="GBR", representative="Col. Smith")
    services.announcement_create(actor=gbr_coord, meeting_id=meeting.pk, nation="GBR", text="12 bridging units",
                                 classification=1, releasability="COALITION")
    services.announcement_create(actor=gbr_coord, meeting_id=meeting.pk, nation="GBR", text="secret channel",
                                 classification=1, releasability="REL_TO", rel_to=["GBR", "UKR"])
    services.meeting_update(actor=gbr_coord, id=meeting.pk, place="Northwood")
    client.force_login(fra_officer_user)
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Col. Smith" in html and "12 bridging units" in html
    assert "secret channel" not in html
    assert _banner(html) == "RESTRICTED // REL TO COALITION"
    history = client.get(reverse("meeting_detail", args=[meeting.pk]), {"tab": "history"})
    actions = [e.action for e in history.context["history"]]
    assert actions == ["meeting.update", "meeting.create"]
    assert "Northwood" in history.content.decode()


def test_donor_does_not_get_edit_or_attendance_forms(client: Client, fra_officer_user: User,
                                                     marked_meetings: dict[str, Meeting]) -> None:
    client.force_login(fra_officer_user)
    response = client.get(reverse("meeting_detail", args=[marked_meetings["coalition"].pk]))
    assert response.context["can_edit"] is False and response.context["can_attend"] is False
    assert response.context["can_announce"] is True
    assert client.get(reverse("meeting_edit", args=[marked_meetings["coalition"].pk])).status_code == 403
    assert client.get(reverse("meeting_create")).status_code == 403
    posted = client.post(reverse("meeting_attendance_add", args=[marked_meetings["coalition"].pk]),
                         {"att-nation": "FRA", "att-representative": "Me", "att-mode": "in_person"})
    assert posted.status_code == 403
    assert not Attendance.objects.exists()


# --- create and edit -----------------------------------------------------------------------------------------


def _meeting_post(**overrides: Any) -> dict[str, Any]:
    data = {"title": "Ammunition coalition", "date": "2025-06-02", "place": "Ramstein", "format": "hybrid",
            "chair": "DEU", "notes": "", "classification": "1", "releasability": "REL_TO", "rel_to": ["FRA", "DEU"]}
    data.update(overrides)
    return data


def test_coordinator_creates_a_meeting(client: Client, coord_user: User, nations: Any) -> None:
    client.force_login(coord_user)
    form = client.get(reverse("meeting_create"))
    choices = [value for value, _label in form.context["form"].fields["classification"].choices]
    assert choices == [0, 1, 2, 3]  # test ceiling is SECRET
    response = client.post(reverse("meeting_create"), _meeting_post())
    meeting = Meeting.objects.visible_to(Actor.for_user(coord_user)).get()
    assert response.status_code == 302 and response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert (meeting.title, meeting.chair.code, meeting.classification) == ("Ammunition coalition", "DEU", 1)
    assert sorted(meeting.rel_to.values_list("code", flat=True)) == ["DEU", "FRA"]
    assert AuditEvent.objects.filter(action="meeting.create", object_id=str(meeting.pk)).exists()


def test_classification_choices_stop_at_the_ceiling(client: Client, coord_user: User, nations: Any,
                                                    settings: Any) -> None:
    settings.MAX_CLASSIFICATION = "RESTRICTED"
    client.force_login(coord_user)
    form = client.get(reverse("meeting_create")).context["form"]
    assert [v for v, _ in form.fields["classification"].choices] == [0, 1]
    response = client.post(reverse("meeting_create"), _meeting_post(classification="3"))
    assert response.status_code == 422
    assert not Meeting.objects.visible_to(Actor.for_user(coord_user)).exists()


def test_form_error_is_shown_beside_the_field_and_nothing_is_written(client: Client, coord_user: User,
                                                                     nations: Any) -> None:
    client.force_login(coord_user)
    events = AuditEvent.objects.count()
    response = client.post(reverse("meeting_create"), _meeting_post(title=""))
    assert response.status_code == 422
    html = response.content.decode()
    field_html = html[html.index('<label for="id_title"'):html.index('<label for="id_date"')]
    assert 'class="field-error"' in field_html and "This field is required." in field_html
    assert AuditEvent.objects.count() == events
    assert not Meeting.objects.visible_to(Actor.for_user(coord_user)).exists()


def test_service_error_lands_on_its_field(client: Client, coord_user: User, nations: Any) -> None:
    client.force_login(coord_user)
    response = client.post(reverse("meeting_create"), _meeting_post(releasability="COALITION"))
    assert response.status_code == 422
    assert response.context["form"].errors["rel_to"] == [
        "a REL TO list only applies when releasability is REL TO"]
    html = response.content.decode()
    field_html = html[html.index('<label for="id_rel_to"'):]
    assert "a REL TO list only applies" in field_html[:field_html.index("</div>\n</div>")]
    assert not Meeting.objects.visible_to(Actor.for_user(coord_user)).exists()


def test_rel_to_list_always_names_the_originator(client: Client, coord_user: User,
                                                              nations: Any) -> None:
    client.force_login(coord_user)  # FRA
    created = client.post(reverse("meeting_create"), _meeting_post(rel_to=["DEU"]))
    assert created.status_code == 302
    detail = client.get(created["Location"])
    # The originating nation is added to the REL TO list, so the banner says who may really hold it.
    assert _banner(detail.content.decode()) == "RESTRICTED // REL TO DEU, FRA"


def test_edit_with_stale_version_is_refused(client: Client, coord_user: User, coord: Actor,
                                            marked_meetings: dict[str, Meeting]) -> None:
    meeting = marked_meetings["coalition"]
    client.force_login(coord_user)
    form = client.get(reverse("meeting_edit", args=[meeting.pk])).context["form"]
    assert form.initial["version"] == 1 and form.initial["title"] == "Coalition working group"
    services.meeting_update(actor=coord, id=meeting.pk, expected_version=1, place="Brussels")
    stale = client.post(reverse("meeting_edit", args=[meeting.pk]),
                        _meeting_post(title="Renamed", classification="0", releasability="COALITION", rel_to=[],
                                      version="1"))
    assert stale.status_code == 422
    assert "changed by someone else" in stale.content.decode()
    fresh = client.post(reverse("meeting_edit", args=[meeting.pk]),
                        _meeting_post(title="Renamed", classification="0", releasability="COALITION", rel_to=[],
                                      version="2"))
    assert fresh.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.version) == ("Renamed", 3)


def test_only_the_originating_nation_edits(client: Client, coord_user: User,
                                           marked_meetings: dict[str, Meeting]) -> None:
    client.force_login(coord_user)  # FRA coordinator; the meeting was originated by GBR
    meeting = marked_meetings["restricted_coalition"]
    assert client.get(reverse("meeting_edit", args=[meeting.pk])).status_code == 403
    assert client.post(reverse("meeting_edit", args=[meeting.pk]),
                       _meeting_post(releasability="COALITION", rel_to=[], version="1")).status_code == 403


# --- attendance and announcements on the detail page ---------------------------------------------------------


def test_add_attendance_and_announcement(client: Client, coord_user: User,
                                         marked_meetings: dict[str, Meeting]) -> None:
    meeting = marked_meetings["coalition"]
    client.force_login(coord_user)
    added = client.post(reverse("meeting_attendance_add", args=[meeting.pk]),
                        {"att-nation": "POL", "att-representative": "Gen. Nowak", "att-mode": "remote"})
    assert added.status_code == 302
    assert Attendance.objects.get().representative == "Gen. Nowak"
    announced = client.post(reverse("meeting_announcement_add", args=[meeting.pk]),
                            {"ann-nation": "FRA", "ann-text": "Two CAESAR batteries", "ann-classification": "1",
                             "ann-releasability": "REL_TO", "ann-rel_to": ["FRA", "UKR"]})
    assert announced.status_code == 302
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Gen. Nowak" in html and "Two CAESAR batteries" in html
    assert _banner(html) == "RESTRICTED // REL TO FRA, UKR"


def test_attendance_error_reshows_the_detail_page(client: Client, coord_user: User,
                                                  marked_meetings: dict[str, Meeting]) -> None:
    meeting = marked_meetings["coalition"]
    client.force_login(coord_user)
    response = client.post(reverse("meeting_attendance_add", args=[meeting.pk]),
                           {"att-nation": "POL", "att-representative": "", "att-mode": "remote"})
    assert response.status_code == 422
    assert response.context["attendance_form"].errors["representative"] == ["This field is required."]
    assert "Coalition working group" in response.content.decode()
    assert not Attendance.objects.exists()


def test_announcement_on_invisible_meeting_is_404(client: Client, fra_officer_user: User,
                                                  marked_meetings: dict[str, Meeting]) -> None:
    client.force_login(fra_officer_user)
    response = client.post(reverse("meeting_announcement_add", args=[marked_meetings["rel_gbr_ukr"].pk]),
                           {"ann-nation": "FRA", "ann-text": "x", "ann-classification": "0",
                            "ann-releasability": "COALITION"})
    assert response.status_code == 404
    assert not Announcement.objects.visible_to(Actor.system()).exists()


# --- nations, coalitions, organisations ----------------------------------------------------------------------


def test_nation_list_filters_by_name_and_tier(client: Client, fra_officer_user: User, nations: Any) -> None:
    client.force_login(fra_officer_user)
    everyone = client.get(reverse("nation_list"))
    assert everyone.context["page"].paginator.count == 8
    assert _banner(everyone.content.decode()) == "UNCLASSIFIED"
    partners = client.get(reverse("nation_list"), {"tier": "partner"})
    assert [n.code for n, _tier in partners.context["rows"]] == ["UKR"]
    by_name = client.get(reverse("nation_list"), {"q": "king"})
    assert [(n.code, tier) for n, tier in by_name.context["rows"]] == [("GBR", "core")]


def test_nation_detail_shows_membership_history_and_figures(client: Client, fra_officer_user: User,
                                                            nations: Any) -> None:
    system = Actor.system("test")
    services.nation_update(actor=system, code="POL", gdp_eur_bn="750.5", gdp_year=2023,
                           defence_budget_eur_bn="31.25", defence_budget_year=2024)
    services.membership_set_tier(actor=system, nation="POL", tier="member", valid_from=date(2025, 2, 1))
    client.force_login(fra_officer_user)
    response = client.get(reverse("nation_detail", args=["pol"]))
    html = response.content.decode()
    assert "EUR 750.5 bn" in html and "2023 base year" in html and "EUR 31.25 bn" in html
    tiers = [(m.tier, m.valid_from, m.valid_to) for m in response.context["profile"].memberships]
    assert tiers == [("member", date(2025, 2, 1), None), ("core", date(2024, 1, 1), date(2025, 1, 31))]
    assert client.get(reverse("nation_detail", args=["XXX"])).status_code == 404


def test_capability_coalitions_and_organisations(client: Client, fra_officer_user: User, coord: Actor,
                                                 nations: Any) -> None:
    system = Actor.system("test")
    cc = services.capability_coalition_create(actor=coord, name="Artillery coalition", capability_area="artillery",
                                              leads=["FRA", "USA"], members=["DEU"])
    services.organisation_create(actor=system, name="Direction générale de l'armement", short_name="DGA",
                                 kind="agency", nation="FRA")
    client.force_login(fra_officer_user)
    listing = client.get(reverse("capability_coalition_list"), {"area": "artillery"})
    assert [c.name for c in listing.context["page"].object_list] == ["Artillery coalition"]
    detail = client.get(reverse("capability_coalition_detail", args=[cc.pk])).content.decode()
    assert "France" in detail and "Germany" in detail and "Lead" in detail
    orgs = client.get(reverse("organisation_list"), {"nation": "FRA"})
    assert [o.short_name for o in orgs.context["page"].object_list] == ["DGA"]
    assert client.get(reverse("organisation_list"), {"kind": "ministry"}).context["page"].paginator.count == 0


@pytest.mark.parametrize("name", ["home", "nation_list", "capability_coalition_list", "organisation_list",
                                  "meeting_list", "tokens"])
def test_every_page_has_both_banners_and_a_skip_link(client: Client, fra_officer_user: User, name: str,
                                                     nations: Any) -> None:
    client.force_login(fra_officer_user)
    html = client.get(reverse(name)).content.decode()
    assert 'id="banner-top"' in html and 'id="banner-bottom"' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "django_htmx/htmx-2.min.js" in html and "//unpkg" not in html and "cdn" not in html.lower()


# --- no page leaks a record the actor may not read -----------------------------------------------------------

PAGE_WALK = {
    # name: (method, args) — "forbidden" stands for the id of the meeting the actor must not see.
    "home": ("get", []), "login": ("get", []), "logout": None, "otp_enrol": ("get", []),
    "otp_verify": ("get", []), "audit_log": ("get", []), "tokens": ("get", []), "token_revoke": None,
    "nation_list": ("get", []), "nation_detail": ("get", ["GBR"]), "capability_coalition_list": ("get", []),
    "capability_coalition_detail": None, "organisation_list": ("get", []), "meeting_list": ("get", []),
    "meeting_create": ("get", []), "meeting_detail": ("get", ["forbidden"]), "meeting_edit": ("get", ["forbidden"]),
    "meeting_attendance_add": ("post", ["forbidden"]), "meeting_announcement_add": ("post", ["forbidden"]),
    # Security agreements show no meetings; their own records are walked by tests/no_leak.
    "agreement_list": ("get", []), "agreement_create": ("get", []), "agreement_detail": None,
    "agreement_edit": None, "agreement_delete": None, "agreement_link_package": None,
    "agreement_unlink_package": None,
}


def test_no_page_shows_a_meeting_released_elsewhere(client: Client, coord_user: User,
                                                    marked_meetings: dict[str, Meeting]) -> None:
    from shieldwall.coalition.urls import urlpatterns as coalition_pages
    from shieldwall.core.urls import urlpatterns as core_pages

    page_names = {p.name for p in [*core_pages, *coalition_pages]}
    # A new page must be added to the walk (or consciously exempted with None).
    assert page_names <= set(PAGE_WALK), f"pages missing from PAGE_WALK: {sorted(page_names - set(PAGE_WALK))}"
    forbidden = marked_meetings["rel_gbr_ukr"]
    client.force_login(coord_user)  # FRA coordinator, cleared SECRET: sees everything but REL TO GBR, UKR
    for name, spec in PAGE_WALK.items():
        if spec is None:
            continue
        method, args = spec
        url = reverse(name, args=[forbidden.pk if a == "forbidden" else a for a in args])
        for query in ({}, {"q": "GBR-UKR"}, {"tab": "history"}):
            response = getattr(client, method)(url, query, follow=True)
            assert forbidden.title not in response.content.decode(), (name, query)
            if "forbidden" in args:
                assert response.status_code == 404, name
