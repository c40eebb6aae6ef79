"""Catalogue admin pages: admins create and edit item classes and types (prices appear on the class page), add and
remove what a type also satisfies; bad input is shown beside its field and writes nothing; others get 403."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from shieldwall.catalogue.models import Compatibility, ItemClass, ItemType
from shieldwall.core.models import AuditEvent, User
from tests.needs.factories import make_catalogue

pytestmark = pytest.mark.django_db


def _login_admin(client: Client, user: User) -> None:
    """Sign an admin in with a verified second factor (the middleware holds admins at enrolment otherwise)."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _type_post(item_class: ItemClass, **overrides: str) -> dict[str, str]:
    data = {"item_class": str(item_class.pk), "name": "155 mm M982 Excalibur", "reference_unit_price_eur": "150000",
            "price_source": "US DoD budget 2025", "price_date": "2025-03-01", "version": ""}
    data.update(overrides)
    return data


def _field_html(html: str, name: str) -> str:
    """The markup of one form field: its label to the end of its control."""
    start = html.index(f'<label for="id_{name}"')
    return html[start:html.index("</div>\n</div>", start)]


def test_admin_creates_and_edits_a_type_and_its_price_shows_on_the_class_page(client: Client, nations: Any,
                                                                                admin_user: User) -> None:
    cat = make_catalogue()
    _login_admin(client, admin_user)
    page = client.get(reverse("item_class_detail", args=[cat["c155"].pk])).content.decode()
    assert reverse("item_class_edit", args=[cat["c155"].pk]) in page
    assert reverse("item_type_create") in page
    created = client.post(reverse("item_type_create"), _type_post(cat["c155"]))
    assert created.status_code == 302 and created["Location"] == reverse("item_class_detail", args=[cat["c155"].pk])
    obj = ItemType.objects.get(name="155 mm M982 Excalibur")
    assert (obj.reference_unit_price_eur, obj.price_source, str(obj.price_date)) == (
        Decimal("150000.00"), "US DoD budget 2025", "2025-03-01")
    page = client.get(created["Location"]).content.decode()
    assert "Item type “155 mm M982 Excalibur” created." in page
    assert "150,000.00" in page and "US DoD budget 2025, 2025-03-01" in page

    edit_url = reverse("item_type_edit", args=[obj.pk])
    form = client.get(edit_url).context["form"]
    assert form.initial["version"] == 1 and form.initial["reference_unit_price_eur"] == Decimal("150000.00")
    saved = client.post(edit_url, _type_post(cat["c155"], reference_unit_price_eur="162500.50", version="1"))
    assert saved.status_code == 302
    page = client.get(saved["Location"]).content.decode()
    assert "162,500.50" in page and "150,000.00" not in page
    obj.refresh_from_db()
    assert (obj.reference_unit_price_eur, obj.version) == (Decimal("162500.50"), 2)
    stale = client.post(edit_url, _type_post(cat["c155"], name="Renamed", version="1"))
    assert stale.status_code == 422 and "changed by someone else" in stale.content.decode()
    assert ItemType.objects.get(pk=obj.pk).name == "155 mm M982 Excalibur"


def test_admin_creates_and_edits_a_class(client: Client, nations: Any, admin_user: User) -> None:
    cat = make_catalogue()
    _login_admin(client, admin_user)
    assert reverse("item_class_create") in client.get(reverse("catalogue")).content.decode()
    created = client.post(reverse("item_class_create"), {
        "area": str(cat["artillery"].pk), "name": "122 mm artillery ammunition", "unit": "rounds",
        "serial_tracked": "", "family": "Soviet calibres", "reference_unit_price_eur": "1800", "description": ""})
    assert created.status_code == 302
    obj = ItemClass.objects.get(name="122 mm artillery ammunition")
    assert (obj.area_id, obj.unit, obj.serial_tracked, obj.reference_unit_price_eur) == (
        cat["artillery"].pk, "rounds", False, Decimal("1800.00"))
    edited = client.post(reverse("item_class_edit", args=[obj.pk]), {
        "area": str(cat["artillery"].pk), "name": obj.name, "unit": "rounds", "serial_tracked": "on",
        "family": "Soviet calibres", "reference_unit_price_eur": "", "description": "D-30", "version": "1"})
    assert edited.status_code == 302
    obj.refresh_from_db()
    assert (obj.serial_tracked, obj.reference_unit_price_eur, obj.description, obj.version) == (True, None, "D-30", 2)
    duplicate = client.post(reverse("item_class_create"), {
        "area": str(cat["artillery"].pk), "name": "155 mm artillery ammunition", "unit": "rounds"})
    assert duplicate.status_code == 422  # the service's unique-name error lands beside the name
    assert "already exists" in _field_html(duplicate.content.decode(), "name")


@pytest.mark.parametrize(("price", "message"), [("-1", "Ensure this value is greater than or equal to 0."),
                                                ("a lot", "Enter a number.")])
def test_bad_price_is_shown_beside_the_field_and_writes_nothing(client: Client, nations: Any, admin_user: User,
                                                                price: str, message: str) -> None:
    cat = make_catalogue()
    _login_admin(client, admin_user)
    events, types = AuditEvent.objects.count(), ItemType.objects.count()
    response = client.post(reverse("item_type_create"), _type_post(cat["c155"], reference_unit_price_eur=price))
    assert response.status_code == 422
    assert message in _field_html(response.content.decode(), "reference_unit_price_eur")
    assert message not in _field_html(response.content.decode(), "name")
    edit = client.post(reverse("item_type_edit", args=[cat["m795"].pk]),
                       _type_post(cat["c155"], name="155 mm M795", reference_unit_price_eur=price, version="1"))
    assert edit.status_code == 422 and message in _field_html(edit.content.decode(), "reference_unit_price_eur")
    assert (AuditEvent.objects.count(), ItemType.objects.count()) == (events, types)
    assert ItemType.objects.get(pk=cat["m795"].pk).reference_unit_price_eur == Decimal("3500.00")


def test_admin_adds_and_removes_what_a_type_also_satisfies(client: Client, nations: Any, admin_user: User) -> None:
    cat = make_catalogue()
    _login_admin(client, admin_user)
    url = reverse("item_type_edit", args=[cat["m795"].pk])
    added = client.post(reverse("compatibility_add", args=[cat["m795"].pk]),
                        {"compat-item_class": str(cat["c152"].pk), "compat-note": "trial"})
    assert added.status_code == 302 and added["Location"] == url
    compat = Compatibility.objects.get(item_type=cat["m795"], item_class=cat["c152"])
    assert compat.note == "trial"
    again = client.post(reverse("compatibility_add", args=[cat["m795"].pk]),
                        {"compat-item_class": str(cat["c152"].pk)})
    assert again.status_code == 422 and "already satisfies this class" in again.content.decode()
    own = Compatibility.objects.get(item_type=cat["m795"], item_class=cat["c155"])
    refused = client.post(reverse("compatibility_remove", args=[cat["m795"].pk]),
                          {"compatibility": str(own.pk), "version": str(own.version)}, follow=True)
    assert "always satisfies its own class" in refused.content.decode()
    removed = client.post(reverse("compatibility_remove", args=[cat["m795"].pk]),
                          {"compatibility": str(compat.pk), "version": str(compat.version)})
    assert removed.status_code == 302
    assert list(Compatibility.objects.filter(item_type=cat["m795"]).values_list("item_class_id", flat=True)) == [
        cat["c155"].pk]


def test_donor_officer_gets_403_and_no_edit_links(client: Client, nations: Any, fra_officer_user: User) -> None:
    cat = make_catalogue()
    client.force_login(fra_officer_user)
    page = client.get(reverse("item_class_detail", args=[cat["c155"].pk])).content.decode()
    assert reverse("item_class_edit", args=[cat["c155"].pk]) not in page and reverse("item_type_create") not in page
    assert reverse("item_class_create") not in client.get(reverse("catalogue")).content.decode()
    events = AuditEvent.objects.count()
    for name, args in (("item_class_create", []), ("item_class_edit", [cat["c155"].pk]),
                       ("item_type_create", []), ("item_type_edit", [cat["m795"].pk])):
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("item_type_create"), _type_post(cat["c155"])).status_code == 403
    assert client.post(reverse("item_type_edit", args=[cat["m795"].pk]),
                       _type_post(cat["c155"], name="x", version="1")).status_code == 403
    assert client.post(reverse("compatibility_add", args=[cat["m795"].pk]),
                       {"compat-item_class": str(cat["c152"].pk)}).status_code == 403
    assert AuditEvent.objects.count() == events
    assert ItemType.objects.get(pk=cat["m795"].pk).name == "155 mm M795"
