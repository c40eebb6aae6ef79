"""`shieldwall catalogue add-class / edit-class / add-type / edit-type`: admins only, JSON output, one-line errors
with a non-zero exit, and the round trip through `catalogue show`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shieldwall.catalogue.models import ItemClass, ItemType
from shieldwall.core.models import AuditEvent, User
from tests.cli_support import run, run_json
from tests.needs.factories import make_catalogue

pytestmark = pytest.mark.django_db


def test_type_round_trip(capsys: pytest.CaptureFixture[str], nations: Any, admin_user: User) -> None:
    cat = make_catalogue()
    created = run_json(capsys, "--as", "admin", "catalogue", "add-type", "155 mm M982 Excalibur",
                       "--class", "155 mm artillery ammunition", "--price", "150000", "--source", "estimate",
                       "--date", "2025-03-01")
    assert {k: created[k] for k in ("name", "item_class", "reference_unit_price_eur", "price_source", "price_date",
                                    "satisfies", "version")} == {
        "name": "155 mm M982 Excalibur", "item_class": "155 mm artillery ammunition",
        "reference_unit_price_eur": "150000.00", "price_source": "estimate", "price_date": "2025-03-01",
        "satisfies": ["155 mm artillery ammunition"], "version": 1}
    pk = str(created["id"])
    edited = run_json(capsys, "--as", "admin", "catalogue", "edit-type", pk, "--price", "162500.5",
                      "--version", "1")
    assert (edited["reference_unit_price_eur"], edited["price_source"], edited["version"]) == (
        "162500.50", "estimate", 2)
    shown = run_json(capsys, "catalogue", "show", str(cat["c155"].pk))
    assert {t["item_type"]: t["reference_unit_price_eur"] for t in shown["satisfied_by"]} == {
        "155 mm M795": "3500.00", "155 mm M982 Excalibur": "162500.50"}
    moved = run_json(capsys, "--as", "admin", "catalogue", "edit-type", pk, "--class", str(cat["c152"].pk))
    assert moved["item_class"] == "152 mm artillery ammunition"
    assert sorted(moved["satisfies"]) == ["152 mm artillery ammunition", "155 mm artillery ammunition"]


def test_class_round_trip(capsys: pytest.CaptureFixture[str], nations: Any, admin_user: User) -> None:
    make_catalogue()
    created = run_json(capsys, "--as", "admin", "catalogue", "add-class", "122 mm artillery ammunition",
                       "--area", "artillery", "--unit", "rounds", "--price", "1800", "--family", "Soviet calibres")
    assert (created["area"], created["unit"], created["serial_tracked"], created["reference_unit_price_eur"]) == (
        "artillery", "rounds", False, "1800.00")
    edited = run_json(capsys, "--as", "admin", "catalogue", "edit-class", "122 mm artillery ammunition",
                      "--serial-tracked", "--area", "air_defence", "--description", "D-30")
    assert (edited["serial_tracked"], edited["area"], edited["description"], edited["version"]) == (
        True, "air_defence", "D-30", 2)
    listed = run_json(capsys, "catalogue", "list", "--area", "air_defence")
    assert "122 mm artillery ammunition" in [c["name"] for c in listed]


def test_errors_are_one_line_and_write_nothing(capsys: pytest.CaptureFixture[str], nations: Any, admin_user: User,
                                               fra_officer_user: User) -> None:
    cat = make_catalogue()
    events = AuditEvent.objects.count()
    code, out, err = run(capsys, "--as", "admin", "catalogue", "add-type", "x", "--class", str(cat["c155"].pk),
                         "--price", "-5")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("shieldwall: error: ") and "reference unit price eur" in err.replace("_", " ").lower()
    code, _, err = run(capsys, "--as", "admin", "catalogue", "add-type", "x", "--class", str(cat["c155"].pk),
                       "--price", "lots")
    assert code == 2 and "'lots' is not a number" in err
    code, _, err = run(capsys, "--as", "fra-donor", "catalogue", "edit-type", str(cat["m795"].pk), "--name", "y")
    assert code == 1 and err.count("\n") == 1 and "shieldwall: error:" in err
    code, _, err = run(capsys, "catalogue", "add-class", "z", "--area", "artillery")
    assert code == 2 and "--as USER" in err
    code, _, err = run(capsys, "--as", "admin", "catalogue", "edit-type", str(cat["m795"].pk), "--name", "y",
                       "--version", "7")
    assert code == 1 and "changed by someone else" in err
    code, _, err = run(capsys, "--as", "admin", "catalogue", "edit-class", "no such class", "--unit", "u")
    assert code == 1 and "not found" in err
    code, _, err = run(capsys, "--as", "admin", "catalogue", "edit-type", str(cat["m795"].pk))
    assert code == 2 and "nothing to change" in err
    assert AuditEvent.objects.count() == events
    assert ItemType.objects.get(pk=cat["m795"].pk).name == "155 mm M795"
    assert not ItemType.objects.filter(name="x").exists() and not ItemClass.objects.filter(name="z").exists()
    assert ItemType.objects.get(pk=cat["m795"].pk).reference_unit_price_eur == Decimal("3500.00")
