"""The Kiel weapons-list parser: the format, names with parentheses of their own, spelling variants, prices from
single-system rows, and a property test that formatting then parsing gives the entries back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.catalogue.weapons_list import (
    WeaponEntry,
    WeaponsListError,
    aggregate_systems,
    format_weapons_list,
    normalise_name,
    parse_weapons_list,
    read_kiel_weapons,
)

SAMPLE = """\
"donor","category","number_of_weapons","monetary_value_eur","weapons_list"
"Canada","Air Defense",1,49013492,"National Advanced Surface-to-Air Missile System (NASAMS) (1)"
"Czechia","Tanks",62,93685184,"Modified T-72 tank (T-72A/T-72M1/M1R) (62)"
"Denmark","Tanks",94,85414840,"Leopard-1A5 (62); Modified T-72 tank (T-72A/T-72M1/M1R) (25); Leopard-2A4 (7)"
"Estonia","Howitzers",57,22398693,"D-30 howitzer (24); FH70 155mm howitzer (24); D-30 Howitzer (9)"
"Norway","MLRS",11,32576112,"M270 weapon system (Norway) (11)"
"France","MLRS",4,51669906,"M270 weapon system (4)"
"Canada","Tanks",8,15923120,"Leopard-2A4 (8)"
"Spain","Tanks",29,57218431,"Leopard-2A4 (29)"
"""


def test_the_count_is_the_last_parenthesised_integer() -> None:
    assert parse_weapons_list("National Advanced Surface-to-Air Missile System (NASAMS) (1)") == [
        WeaponEntry("National Advanced Surface-to-Air Missile System (NASAMS)", 1)]
    assert parse_weapons_list("Modified T-72 tank (T-72A/T-72M1/M1R) (62)") == [
        WeaponEntry("Modified T-72 tank (T-72A/T-72M1/M1R)", 62)]
    assert parse_weapons_list("CAESAR artillery howitzer (19); Bohdana self-propelled howitzer (18)") == [
        WeaponEntry("CAESAR artillery howitzer", 19), WeaponEntry("Bohdana self-propelled howitzer", 18)]
    assert parse_weapons_list("M270 weapon system (Norway) (11)") == [WeaponEntry("M270 weapon system (Norway)", 11)]


def test_spacing_is_tolerated_and_empty_text_is_no_entries() -> None:
    assert parse_weapons_list("  HIMARS   142 (3) ;; Mars II(5);") == [WeaponEntry("HIMARS 142", 3),
                                                                     WeaponEntry("Mars II", 5)]
    assert parse_weapons_list("") == []


@pytest.mark.parametrize("bad", ["Leopard-2A4", "Leopard-2A4 (eight)", "(3)", "Leopard (3) extra"])
def test_an_item_without_a_trailing_count_is_refused_with_the_item_quoted(bad: str) -> None:
    with pytest.raises(WeaponsListError, match="cannot read"):
        parse_weapons_list(f"CAESAR (1); {bad}")


names = st.text(st.characters(blacklist_characters=";", blacklist_categories=("Cs", "Cc")), min_size=1,
                max_size=40).map(lambda s: " ".join(s.split())).filter(bool)


@given(st.lists(st.builds(WeaponEntry, name=names, count=st.integers(min_value=0, max_value=10**6)), max_size=8))
def test_format_then_parse_round_trips(entries: list[WeaponEntry]) -> None:
    assert parse_weapons_list(format_weapons_list(entries)) == entries


def test_read_rows_and_aggregate_systems() -> None:
    rows = read_kiel_weapons(io.StringIO(SAMPLE))
    assert [(r.donor, r.category, r.number_of_weapons) for r in rows][:2] == [("Canada", "Air Defense", 1),
                                                                               ("Czechia", "Tanks", 62)]
    assert rows[2].entries[1] == WeaponEntry("Modified T-72 tank (T-72A/T-72M1/M1R)", 25)
    systems = {s.name: s for s in aggregate_systems(rows, {"m270 weapon system (norway)": "M270 weapon system"})}
    # Spelling variants meet; the most used spelling names the system.
    assert systems["D-30 howitzer"].count == 33
    assert "D-30 Howitzer" not in systems
    assert systems["M270 weapon system"].count == 15
    assert systems["M270 weapon system"].donors == ["Norway", "France"]
    # Prices come only from rows holding one system: (15,923,120 + 57,218,431) / (8 + 29).
    assert systems["Leopard-2A4"].unit_price_eur == Decimal("1976798.68")
    assert systems["Leopard-2A4"].count == 44
    assert systems["Modified T-72 tank (T-72A/T-72M1/M1R)"].unit_price_eur == Decimal("1511051.35")
    assert systems["Leopard-1A5"].unit_price_eur is None
    # (51,669,906 + 32,576,112) / (4 + 11): the Norwegian row is the same system.
    assert systems["M270 weapon system"].unit_price_eur == Decimal("5616401.20")
    assert normalise_name("  D-30   Howitzer ") == normalise_name("d-30 howitzer")


def test_a_malformed_row_names_its_line() -> None:
    bad = SAMPLE.splitlines()[0] + '\n"X","Tanks",one,5,"A (1)"\n'
    with pytest.raises(WeaponsListError, match="line 2"):
        read_kiel_weapons(io.StringIO(bad))
