"""Pages owned by core: sign-in, lock-out, TOTP enrolment and verification, home, audit log, API tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shieldwall.core.access import audit_visible_q
from shieldwall.core.models import ApiToken, AuditEvent, User
from shieldwall.core.services import token_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


# --- sign-in and lock-out ----------------------------------------------------------------------------------


def test_login_page_has_labelled_fields(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-GB">' in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'class="skip-link"' in html
    assert ">UNCLASSIFIED<" in html


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_then_home(client: Client, fra_officer_user: User) -> None:
    response = client.post(reverse("login"), {"username": "fra-donor", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_shows_the_form_again(client: Client, fra_officer_user: User) -> None:
    response = client.post(reverse("login"), {"username": "fra-donor", "password": "wrong"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_lockout_after_five_failed_logins(client: Client, fra_officer_user: User) -> None:
    statuses = [client.post(reverse("login"), {"username": "fra-donor", "password": f"wrong-{i}"}).status_code
                for i in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    # The fifth failure reaches the limit; from then on even the right password is refused.
    response = client.post(reverse("login"), {"username": "fra-donor", "password": PASSWORD})
    assert response.status_code == 429
    assert "core/locked_out.html" in [t.name for t in response.templates]
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client: Client, fra_officer_user: User) -> None:
    client.force_login(fra_officer_user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- second factor -----------------------------------------------------------------------------------------


def test_admin_without_device_is_sent_to_enrolment(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.get(reverse("meeting_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("otp_enrol")


def test_totp_enrolment_and_verification(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    page = client.get(reverse("otp_enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'aria-label="QR code' in html
    device = TOTPDevice.objects.get(user=admin_user)
    assert not device.confirmed
    # Reloading the page reuses the pending device instead of creating another.
    client.get(reverse("otp_enrol"))
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1

    wrong = client.post(reverse("otp_enrol"), {"token": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "this code is not valid" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1
    device.throttle_reset()  # a wrong code throttles the device for a second; the test need not wait

    done = client.post(reverse("otp_enrol"), {"token": _code(device)})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="otp.enrol", actor_username="admin").count() == 1
    assert client.get(reverse("meeting_list")).status_code == 200

    # A new session with only the password is held at the verification page.
    other = Client()
    other.force_login(admin_user)
    held = other.get(reverse("meeting_list"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("otp_verify"))
    # …and cannot enrol a device of its own to get round it.
    assert other.get(reverse("otp_enrol"))["Location"].startswith(reverse("otp_verify"))
    bad = other.post(reverse("otp_verify"), {"token": "12345x"})
    assert bad.status_code == 200 and other.get(reverse("meeting_list")).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()
    # The enrolment code was already used; the next time step's code is accepted once.
    ok = other.post(f"{reverse('otp_verify')}?next=/meetings/", {"token": _code(device, drift=1),
                                                                  "next": "/meetings/"})
    assert ok.status_code == 302 and ok["Location"] == "/meetings/"
    assert other.get(reverse("meeting_list")).status_code == 200


def test_verify_refuses_offsite_next(client: Client, admin_user: User) -> None:
    device = TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    client.force_login(admin_user)
    response = client.post(reverse("otp_verify"), {"token": _code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_user_without_device_verify_goes_to_enrolment(client: Client, fra_officer_user: User) -> None:
    client.force_login(fra_officer_user)
    assert client.get(reverse("otp_verify"))["Location"] == reverse("otp_enrol")


# --- home ----------------------------------------------------------------------------------------------------


def test_home_counts_only_visible_meetings(client: Client, fra_officer_user: User,
                                           marked_meetings: dict[str, Any]) -> None:
    client.force_login(fra_officer_user)
    response = client.get(reverse("home"))
    overview = response.context["overview"]
    # FRA donor: public, coalition, REL TO FRA, confidential coalition, restricted coalition — not GBR-UKR.
    assert overview.visible_meetings == 5
    assert overview.nation.code == "FRA" and overview.tier == "core"
    html = response.content.decode()
    assert "France (FRA)" in html and "donor" in html and "CONFIDENTIAL" in html


def test_home_of_restricted_user(client: Client, gbr_analyst_user: User, marked_meetings: dict[str, Any]) -> None:
    client.force_login(gbr_analyst_user)
    overview = client.get(reverse("home")).context["overview"]
    # GBR analyst (RESTRICTED): everything but the CONFIDENTIAL deep dive.
    assert overview.visible_meetings == 5


# --- audit log -----------------------------------------------------------------------------------------------


def test_audit_log_is_for_auditors(client: Client, fra_officer_user: User) -> None:
    client.force_login(fra_officer_user)
    assert client.get(reverse("audit_log")).status_code == 403


def test_audit_log_filters_and_paginates(client: Client, auditor_user: User, auditor: Any,
                                         marked_meetings: dict[str, Any]) -> None:
    for i in range(30):
        token_create(actor=auditor, name=f"t{i}")
    client.force_login(auditor_user)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    # The log is read under the access rule: events about records REL TO other nations stay hidden.
    visible = list(AuditEvent.objects.filter(audit_visible_q(auditor)).order_by("-seq").values_list("seq", flat=True))
    total = len(visible)
    assert AuditEvent.objects.count() > total > 50 and response.context["page"].paginator.count == total
    assert [e.seq for e in response.context["page"].object_list] == visible[:50]
    second = client.get(reverse("audit_log"), {"page": 2})
    assert len(second.context["page"].object_list) == total - 50

    by_gbr = client.get(reverse("audit_log"), {"actor": "gbr-coord"})
    events = list(by_gbr.context["page"].object_list)
    assert [e.object_repr for e in events] == ["Restricted logistics sync (2025-03-17)"]
    assert "GBR-UKR maritime planning" not in by_gbr.content.decode()

    by_type = client.get(reverse("audit_log"), {"object_type": "coalition.meeting", "nation": "fra"})
    assert {e.actor_username for e in by_type.context["page"].object_list} == {"coord"}

    future = client.get(reverse("audit_log"), {"since": "2999-01-01"})
    assert future.context["page"].paginator.count == 0
    assert "No events match" in future.content.decode()


def test_audit_log_htmx_returns_only_the_table_and_banners(client: Client, auditor_user: User) -> None:
    client.force_login(auditor_user)
    response = client.get(reverse("audit_log"), {"actor": "auditor"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert "<html" not in html and 'id="results"' in html
    assert html.count('hx-swap-oob="true"') == 2


# --- tokens ----------------------------------------------------------------------------------------------------


def test_token_create_shows_it_once_and_revoke(client: Client, fra_officer_user: User) -> None:
    client.force_login(fra_officer_user)
    response = client.post(reverse("tokens"), {"name": "nightly export", "expires_in_days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=fra_officer_user)
    clear = response.context["created"][1]
    assert clear.startswith(f"sw_{token.prefix}_") and clear in response.content.decode()
    # Listed afterwards, but never again in clear.
    listing = client.get(reverse("tokens")).content.decode()
    assert "nightly export" in listing and clear not in listing

    revoked = client.post(reverse("token_revoke", args=[token.pk]))
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in client.get(reverse("tokens")).content.decode()


def test_token_form_errors_beside_fields(client: Client, fra_officer_user: User) -> None:
    client.force_login(fra_officer_user)
    response = client.post(reverse("tokens"), {"name": "", "expires_in_days": "900"})
    assert response.context["form"].errors["name"] == ["give the token a name, e.g. the script that uses it"]
    assert not ApiToken.objects.exists()


def test_cannot_revoke_someone_elses_token(client: Client, fra_officer_user: User, gbr_analyst_user: User) -> None:
    other = ApiToken.objects.create(user=gbr_analyst_user, name="theirs", prefix="abc123", digest="x" * 64)
    client.force_login(fra_officer_user)
    assert client.post(reverse("token_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_pagination_links_keep_every_filter() -> None:
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/x/", {"status": "open", "donor": "FRA", "page": "2"})
    page = Paginator(list(range(10)), 3).page(2)
    html = render_to_string("_pagination.html", {"page": page}, request=request)
    assert 'href="?status=open&amp;donor=FRA&amp;page=3"' in html
    assert 'href="?status=open&amp;donor=FRA&amp;page=1"' in html
    assert "??" not in html
