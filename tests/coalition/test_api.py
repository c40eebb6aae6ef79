"""The coalition API through the test client: access, problem details, ETag/If-Match, idempotency, paging."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shieldwall.coalition.models import Meeting
from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent, User
from shieldwall.core.services import token_create


def bearer(user: User) -> dict[str, str]:
    _, clear = token_create(actor=Actor.for_user(user), name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def titles(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {m["title"] for m in response.json()["results"]}


def test_french_donor_sees_public_coalition_and_rel_to_fra_only(
    client: Client, marked_meetings: dict[str, Meeting], fra_officer_user: User
) -> None:
    got = titles(client.get("/api/v1/meetings", **bearer(fra_officer_user)))
    assert got == {"Public press conference", "Coalition working group", "Bilateral FRA-GBR staff talks",
                   "Air defence deep dive", "Restricted logistics sync"}
    hidden = marked_meetings["rel_gbr_ukr"].pk
    response = client.get(f"/api/v1/meetings/{hidden}", **bearer(fra_officer_user))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == f"meeting {hidden} not found"


def test_restricted_user_never_sees_confidential(client: Client, marked_meetings: dict[str, Meeting],
                                                 gbr_analyst_user: User) -> None:
    got = titles(client.get("/api/v1/meetings", **bearer(gbr_analyst_user)))
    assert "Air defence deep dive" not in got
    assert "GBR-UKR maritime planning" in got


def test_unauthenticated_gets_401_problem(client: Client, marked_meetings: dict[str, Meeting]) -> None:
    response = client.get("/api/v1/meetings")
    assert response.status_code == 401
    assert response.json()["title"] == "Unauthorized"
    assert client.get("/api/v1/meetings", HTTP_AUTHORIZATION="Bearer sw_nope_nope").status_code == 401


def test_revoked_token_stops_working(client: Client, coord_user: User) -> None:
    token, clear = token_create(actor=Actor.for_user(coord_user), name="short-lived")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    assert client.get("/api/v1/me", **headers).json()["username"] == "coord"
    assert client.delete(f"/api/v1/tokens/{token.pk}", **headers).status_code == 200
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_create_validation_error_names_fields_and_writes_nothing(client: Client, coord_user: User) -> None:
    headers = bearer(coord_user)
    before = AuditEvent.objects.count()
    payload = {"title": "", "date": "2025-13-40", "releasability": "REL_TO", "rel_to": []}
    response = client.post("/api/v1/meetings", json.dumps(payload), content_type="application/json", **headers)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"title", "date"} <= fields
    response = client.post("/api/v1/meetings", json.dumps({"title": "T", "date": "2025-01-01",
                                                           "releasability": "REL_TO", "rel_to": ["ZZZ"]}),
                           content_type="application/json", **headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "rel_to", "message": "unknown nation code(s): ZZZ"}]
    assert AuditEvent.objects.count() == before


def test_role_without_write_right_gets_403(client: Client, fra_officer_user: User) -> None:
    response = client.post("/api/v1/meetings", json.dumps({"title": "T", "date": "2025-01-01"}),
                           content_type="application/json", **bearer(fra_officer_user))
    assert response.status_code == 403


def test_update_needs_if_match_and_refuses_stale_etag(client: Client, coord_user: User,
                                                      marked_meetings: dict[str, Meeting]) -> None:
    headers = bearer(coord_user)
    meeting = marked_meetings["coalition"]
    url = f"/api/v1/meetings/{meeting.pk}"
    etag = client.get(url, **headers)["ETag"]
    assert client.patch(url, json.dumps({"title": "No tag"}), content_type="application/json",
                        **headers).status_code == 428
    ok = client.patch(url, json.dumps({"title": "Renamed"}), content_type="application/json",
                      HTTP_IF_MATCH=etag, **headers)
    assert ok.status_code == 200 and ok.json()["title"] == "Renamed"
    assert ok["ETag"] != etag
    stale = client.patch(url, json.dumps({"title": "Lost update"}), content_type="application/json",
                         HTTP_IF_MATCH=etag, **headers)
    assert stale.status_code == 412
    assert client.get(url, **headers).json()["title"] == "Renamed"


def test_idempotency_key_replays_instead_of_duplicating(client: Client, coord_user: User) -> None:
    headers = {**bearer(coord_user), "HTTP_IDEMPOTENCY_KEY": "abc-123"}
    body = json.dumps({"title": "Once", "date": "2025-02-02", "releasability": "REL_TO", "rel_to": ["GBR"]})
    first = client.post("/api/v1/meetings", body, content_type="application/json", **headers)
    second = client.post("/api/v1/meetings", body, content_type="application/json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["marking"] == "UNCLASSIFIED // REL TO FRA, GBR"
    assert Meeting.objects.visible_to(Actor.for_user(coord_user)).filter(title="Once").count() == 1
    other = client.post("/api/v1/meetings", json.dumps({"title": "Other", "date": "2025-02-02"}),
                        content_type="application/json", **headers)
    assert other.status_code == 422


def test_cursor_pagination_walks_every_visible_record_once(client: Client, coord_user: User,
                                                           marked_meetings: dict[str, Meeting]) -> None:
    headers = bearer(coord_user)
    seen: list[int] = []
    url: str | None = "/api/v1/meetings?page_size=2"
    while url:
        page = client.get(url, **headers).json()
        seen += [m["id"] for m in page["results"]]
        url = page["next"]
        if url:
            url = url.replace("http://testserver", "")
    expected = set(Meeting.objects.visible_to(Actor.for_user(coord_user)).values_list("id", flat=True))
    assert len(seen) == len(set(seen)) and set(seen) == expected


@pytest.mark.parametrize("path", ["/api/v1/meetings", "/api/v1/nations", "/api/v1/announcements",
                                  "/api/v1/coalitions", "/api/v1/memberships", "/api/v1/organisations"])
def test_list_endpoints_run_a_bounded_number_of_queries(client: Client, coord_user: User, path: str,
                                                        marked_meetings: dict[str, Meeting],
                                                        django_assert_max_num_queries: Any) -> None:
    headers = bearer(coord_user)
    with django_assert_max_num_queries(12):
        assert client.get(f"{path}?page_size=50", **headers).status_code == 200


def test_meeting_detail_hides_announcements_the_reader_may_not_see(
    client: Client, coord_user: User, gbr_coord_user: User, fra_officer_user: User,
    marked_meetings: dict[str, Meeting],
) -> None:
    meeting = marked_meetings["coalition"]
    for text, rel in (("Open announcement", "COALITION"), ("UK only", "REL_TO")):
        body = {"nation": "GBR", "text": text, "releasability": rel, "rel_to": ["GBR"] if rel == "REL_TO" else []}
        response = client.post(f"/api/v1/meetings/{meeting.pk}/announcements", json.dumps(body),
                               content_type="application/json", **bearer(gbr_coord_user))
        assert response.status_code == 201, response.content
    detail = client.get(f"/api/v1/meetings/{meeting.pk}", **bearer(fra_officer_user)).json()
    assert [a["text"] for a in detail["announcements"]] == ["Open announcement"]
