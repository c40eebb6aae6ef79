"""The catalogue services: the seed (idempotent, audited, Kiel systems filed under the right classes with their
prices, compatibility that keeps calibres apart), and admin-only writes of areas, classes, types, compatibility."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shieldwall.catalogue import reference, selectors, services
from shieldwall.catalogue.models import CapabilityArea, Compatibility, ItemClass, ItemType
from shieldwall.coalition import services as coalition_services
from shieldwall.core.actor import Actor
from shieldwall.core.errors import PermissionDenied, ValidationFailed
from shieldwall.core.models import AuditEvent

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test-seed")


@pytest.fixture
def seeded(nations: Any) -> services.SeedResult:
    coalition_services.capability_coalition_create(actor=SYSTEM, name="Armour Capability Coalition",
                                                   capability_area="armour", leads=["POL"])
    return services.catalogue_seed(actor=SYSTEM)


def class_of(type_name: str) -> str:
    return ItemType.objects.select_related("item_class").get(name=type_name).item_class.name


def satisfies(type_name: str, class_name: str) -> bool:
    return selectors.satisfies(actor=SYSTEM, item_type_id=ItemType.objects.get(name=type_name).pk,
                               item_class_id=ItemClass.objects.get(name=class_name).pk)


def test_seed_creates_the_reference_catalogue(seeded: services.SeedResult) -> None:
    assert seeded.created["areas"] == 10
    assert seeded.created["classes"] == len(reference.CLASSES)
    assert seeded.kiel_systems == 59
    assert seeded.created["types"] == len(reference.TYPES) + 59
    assert seeded.unmapped == [] and seeded.skipped == []
    # Every type satisfies its own class; AIM-9X also NASAMS's need.
    assert seeded.created["compatibilities"] == seeded.created["types"] + 1
    armour = CapabilityArea.objects.select_related("capability_coalition").get(code="armour")
    assert armour.capability_coalition is not None and armour.capability_coalition.name == "Armour Capability Coalition"
    assert CapabilityArea.objects.get(code="training").capability_coalition is None

    _known_systems_are_filed_under_their_classes()
    _prices_carry_their_source_and_date()
    _compatibility_keeps_calibres_apart()


def _known_systems_are_filed_under_their_classes() -> None:
    assert class_of("Leopard-2A6") == "main battle tank"
    assert class_of("Modified T-72 tank (T-72A/T-72M1/M1R)") == "main battle tank"
    assert class_of("CAESAR artillery howitzer") == "155 mm self-propelled howitzer"
    assert class_of("M777 howitzer") == "155 mm towed howitzer"
    assert class_of("Dana Howitzer") == "152 mm howitzer"
    assert class_of("D-30 howitzer") == "122 mm howitzer"
    assert class_of("OTO Melara Mod 56 Towed Howitzer 105/14") == "105 mm howitzer"
    assert class_of("National Advanced Surface-to-Air Missile System (NASAMS)") == "medium-range air defence system"
    assert class_of("Patriot air defense battery") == "long-range air defence system"
    assert class_of("Crotale air-defense system") == "short-range air defence system"
    assert class_of("HIMARS 142 multiple rocket launcher") == "multiple rocket launcher"
    assert class_of("BMP-1") == "infantry fighting vehicle"
    # Spelling variants are one type.
    assert not ItemType.objects.filter(name="D-30 Howitzer").exists()
    assert not ItemType.objects.filter(name="M270 weapon system (Norway)").exists()


def _prices_carry_their_source_and_date() -> None:
    leopard = ItemType.objects.get(name="Leopard-2A6")
    # Portugal's single-system row: 27,997,872 EUR for 3 tanks.
    assert (leopard.reference_unit_price_eur, leopard.price_source, leopard.price_date) == (
        Decimal("9332624.00"), "Kiel UST R29 weapons.csv", date(2026, 8, 4))
    bohdana = ItemType.objects.get(name="Bohdana self-propelled howitzer")  # only in a multi-system row
    assert (bohdana.reference_unit_price_eur, bohdana.price_source) == (Decimal("3000000.00"),
                                                                         "Shieldwall reference estimate")
    assert ItemClass.objects.get(name="155 mm artillery ammunition").reference_unit_price_eur == Decimal("4000.00")


def _compatibility_keeps_calibres_apart() -> None:
    assert satisfies("155 mm M795 HE projectile", "155 mm artillery ammunition")
    assert not satisfies("155 mm M795 HE projectile", "152 mm artillery ammunition")
    assert not satisfies("152 mm OF-540 HE projectile", "155 mm artillery ammunition")
    assert satisfies("Leopard-2A6", "main battle tank")
    assert satisfies("AIM-9X Sidewinder", "NASAMS interceptor")
    assert not satisfies("PAC-3 MSE interceptor", "SAMP/T interceptor")


def test_seeding_twice_writes_nothing_and_a_later_seed_fills_in_but_never_overwrites(
        seeded: services.SeedResult) -> None:
    events = AuditEvent.objects.count()
    assert services.catalogue_seed(actor=SYSTEM).written == 0
    assert AuditEvent.objects.count() == events
    leopard = ItemType.objects.get(name="Leopard-2A6")
    services.item_type_update(actor=SYSTEM, id=leopard.pk, reference_unit_price_eur=Decimal("1"))
    missing = ItemClass.objects.get(name="FPV drone")
    services.item_class_update(actor=SYSTEM, id=missing.pk, reference_unit_price_eur=None)
    drones = coalition_services.capability_coalition_create(actor=SYSTEM, name="Drone Coalition",
                                                            capability_area="drones", leads=["GBR"])
    again = services.catalogue_seed(actor=SYSTEM)
    assert again.updated == 2  # the FPV price and the drones area's coalition
    assert ItemType.objects.get(pk=leopard.pk).reference_unit_price_eur == Decimal("1.00")
    assert ItemClass.objects.get(pk=missing.pk).reference_unit_price_eur == Decimal("400.00")
    assert CapabilityArea.objects.get(code="drones").capability_coalition_id == drones.pk


def test_seed_from_another_file_reports_unknown_systems(nations: Any, tmp_path: Path) -> None:
    path = tmp_path / "weapons.csv"
    path.write_text('"donor","category","number_of_weapons","monetary_value_eur","weapons_list"\n'
                    '"Italy","Air Defense",2,20000000,"Skyguard Aspide (2)"\n'
                    '"Italy","Helicopters",2,20000000,"AW-101 (2)"\n', encoding="utf-8")
    result = services.catalogue_seed(actor=SYSTEM, weapons_csv=path)
    assert result.unmapped == [] and result.skipped == ["AW-101 (Helicopters)"]
    skyguard = ItemType.objects.get(name="Skyguard Aspide")
    assert (class_of("Skyguard Aspide"), skyguard.reference_unit_price_eur) == (
        "short-range air defence system", Decimal("10000000.00"))
    path.write_text('"donor","category","number_of_weapons","monetary_value_eur","weapons_list"\n'
                    '"Italy","Air Defense",2,20000000,"Skyguard Aspide"\n', encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"weapons\.csv: line 2"):
        services.catalogue_seed(actor=SYSTEM, weapons_csv=path)
    with pytest.raises(ValidationFailed, match="cannot read"):
        services.catalogue_seed(actor=SYSTEM, weapons_csv=tmp_path / "missing.csv")


def test_only_admins_edit_the_catalogue(nations: Any, coord: Actor, admin: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.capability_area_create(actor=coord, code="artillery", name="Artillery")
    area = services.capability_area_create(actor=admin, code="artillery", name="Artillery")
    shells = services.item_class_create(actor=admin, area_id=area.pk, name="155 mm", unit="rounds")
    other = services.item_class_create(actor=admin, area_id=area.pk, name="152 mm", unit="rounds")
    m795 = services.item_type_create(actor=admin, item_class_id=shells.pk, name="M795")
    with pytest.raises(PermissionDenied):
        services.item_type_update(actor=coord, id=m795.pk, name="M795A1")
    with pytest.raises(ValidationFailed, match="already satisfies"):
        services.compatibility_create(actor=admin, item_type_id=m795.pk, item_class_id=shells.pk)
    own = Compatibility.objects.get(item_type=m795, item_class=shells)
    with pytest.raises(ValidationFailed, match="its own class"):
        services.compatibility_delete(actor=admin, id=own.pk)
    # Moving a type to another class makes it satisfy that one too.
    services.item_type_update(actor=admin, id=m795.pk, item_class_id=other.pk)
    assert set(Compatibility.objects.filter(item_type=m795).values_list("item_class__name", flat=True)) == {
        "155 mm", "152 mm"}
    with pytest.raises(ValidationFailed) as exc:
        services.item_class_create(actor=admin, area_id=area.pk, name="x", reference_unit_price_eur=Decimal("-1"))
    assert "reference_unit_price_eur" in exc.value.errors
    actions = set(AuditEvent.objects.filter(object_type__startswith="catalogue.").values_list("action", flat=True))
    assert {"capabilityarea.create", "itemclass.create", "itemtype.create", "compatibility.create",
            "itemtype.update"} <= actions
