"""Importing a Kiel release: idempotent, refused whole when malformed (file, row and column named), a new
release stored beside the old one, and the numbers given back row for row in Kiel's own format."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from shieldwall.analytics import exports, selectors, services
from shieldwall.analytics.models import ChannelAllocation, Contribution, DataSource, WeaponDelivery
from shieldwall.core.actor import Actor
from shieldwall.core.errors import Conflict, PermissionDenied, ValidationFailed
from shieldwall.core.models import AuditEvent
from tests.analytics.conftest import kiel_dir, read_csv

pytestmark = pytest.mark.django_db

ANON = Actor.anonymous()


def _counts() -> tuple[int, ...]:
    return (DataSource.objects.count(), Contribution.objects.visible_to(ANON).count(),
            WeaponDelivery.objects.visible_to(ANON).count(), ChannelAllocation.objects.visible_to(ANON).count(),
            AuditEvent.objects.count())


def test_import_loads_every_file(importer: Actor) -> None:
    result = services.kiel_import(actor=importer, directory=kiel_dir())
    explorer = read_csv("data_explorer.csv")
    assert result.created and result.source.code == "kiel-ust-r29"
    assert result.source.label == "Kiel Institute for the World Economy, Ukraine Support Tracker, Release 29"
    assert result.source.gdp_year == 2021 and result.source.period == "04/2026"
    assert result.facts == 4 * len(explorer) == 4316
    assert result.weapons == len(read_csv("weapons.csv")) == 61
    assert result.channels == 4 * len(read_csv("procurement_trends.csv"))
    assert result.donors == 42
    weapons = {(w.donor, w.category): w for w in WeaponDelivery.objects.visible_to(ANON)}
    denmark = weapons[("DNK", "Howitzers")]
    assert denmark.count == 42 and denmark.value_micro_eur == 189_599_811_000_000
    assert denmark.systems[0] == {"system": "CAESAR artillery howitzer", "count": 19}
    nasams = weapons[("CAN", "Air Defense")].systems
    assert nasams == [{"system": "National Advanced Surface-to-Air Missile System (NASAMS)", "count": 1}]
    # Kiel's facts are open data; EU institutions are a donor without a nation, originated by the importer.
    eu = Contribution.objects.visible_to(ANON).filter(donor="EU").first()
    assert eu is not None and eu.donor_nation_id is None and eu.originator_id == importer.nation_id
    fra = Contribution.objects.visible_to(ANON).filter(donor="FRA").first()
    assert fra is not None and fra.donor_nation.code == "FRA" and fra.originator_id == fra.donor_nation_id


def test_importing_the_same_release_twice_changes_nothing(importer: Actor) -> None:
    services.kiel_import(actor=importer, directory=kiel_dir())
    before = _counts()
    again = services.kiel_import(actor=importer, directory=kiel_dir())
    assert not again.created and _counts() == before


def test_a_new_release_is_stored_beside_the_old(importer: Actor, kiel: DataSource,
                                                copy_release: Callable[..., Path]) -> None:
    newer = copy_release(**{"release_info.csv": lambda t: t.replace('"29"', '"30"').replace("Release 29", "Release 30")
                            .replace("2026-08-04", "2026-11-04")})
    result = services.kiel_import(actor=importer, directory=newer)
    assert result.source.code == "kiel-ust-r30"
    assert sorted(DataSource.objects.values_list("code", flat=True)) == ["kiel-ust-r29", "kiel-ust-r30"]
    # The default view is the newest release; the old one can still be chosen.
    assert selectors.source_get(actor=ANON).code == "kiel-ust-r30"
    assert selectors.source_get(actor=ANON, code="kiel-ust-r29").pk == kiel.pk


def test_changed_content_under_the_same_release_is_refused(importer: Actor, kiel: DataSource,
                                                           copy_release: Callable[..., Path]) -> None:
    changed = copy_release(**{"weapons.csv": lambda t: t.replace("M777 howitzer (6)", "M777 howitzer (6) ")})
    with pytest.raises(Conflict, match="already imported"):
        services.kiel_import(actor=importer, directory=changed)


@pytest.mark.parametrize(("file", "change", "message"), [
    ("data_explorer.csv", lambda t: t.replace("0.142911,0,0.0653", "0.142911,zero,0.0653"),
     "data_explorer.csv, row 3, column 'financial': not a number: 'zero'"),
    ("data_explorer.csv", lambda t: t.replace('"AUS",2022,4,', '"AUS",2022,13,'),
     "data_explorer.csv, row 4, column 'month': 13 is outside 1..12"),
    ("data_explorer.csv", lambda t: t.replace('"pct_gdp"', '"pct"'),
     "data_explorer.csv, row 1, column 'pct_gdp': missing column"),
    ("data_explorer.csv", lambda t: t.replace("0.142911,0,0.0653,0.077611", "0.152911,0,0.0653,0.077611"),
     "data_explorer.csv, row 3, column 'total'"),
    ("weapons.csv", lambda t: t.replace("M777 howitzer (6)", "M777 howitzer (7)"),
     "weapons.csv, row 2, column 'weapons_list': lists 7 systems, number_of_weapons is 6"),
    ("weapons.csv", lambda t: t.replace("M777 howitzer (6)", "M777 howitzer"),
     "weapons.csv, row 2, column 'weapons_list': cannot read 'M777 howitzer'"),
    ("weapons.csv", lambda t: t.replace('"Australia","Howitzers"', '"Atlantis","Howitzers"'),
     "weapons.csv, row 2, column 'donor': 'Atlantis' is not a country"),
    ("procurement_trends.csv", lambda t: t.replace("2022,3,", "2022,x,"),
     "procurement_trends.csv, row 4, column 'month': not a whole number: 'x'"),
    ("eu_aid_shares.csv", lambda t: t.replace('"DNK"', '"DNX"'),
     "eu_aid_shares.csv, row 2, column 'iso': 'DNX' is not a donor"),
    ("release_info.csv", lambda t: t.replace("2026-08-04", "4 Aug 2026"),
     "release_info.csv, row 2, column 'date': not a date"),
])
def test_a_malformed_file_is_refused_whole(importer: Actor, copy_release: Callable[..., Path], file: str,
                                           change: Callable[[str], str], message: str) -> None:
    broken = copy_release(**{file: change})
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        services.kiel_import(actor=importer, directory=broken)
    assert message in caught.value.errors["file"][0]
    assert _counts() == before


def test_only_analysts_and_admins_import(fra_officer: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.kiel_import(actor=fra_officer, directory=kiel_dir())


def test_round_trip_gives_back_data_explorer_row_for_row(kiel: DataSource) -> None:
    rows = selectors.kiel_rows(actor=ANON, source=kiel)
    text = exports.kiel_csv(rows, selectors.KIEL_COLUMNS).decode()
    assert text.splitlines()[0] == (kiel_dir() / "data_explorer.csv").read_text().splitlines()[0]
    ours = list(csv.DictReader(io.StringIO(text)))
    theirs = read_csv("data_explorer.csv")
    assert len(ours) == len(theirs) == 1079
    key = lambda r: (r["iso"], int(r["year"]), int(r["month"]))  # noqa: E731
    for mine, source in zip(sorted(ours, key=key), sorted(theirs, key=key), strict=True):
        for column in ("country", "iso", "year", "month"):
            assert mine[column] == source[column]
        for column in ("total", "financial", "humanitarian", "military", "commitments", "to_be_allocated", "gdp"):
            assert Decimal(mine[column]) == Decimal(source[column]), (mine["iso"], mine["year"], column)
        # A ratio Kiel prints with 15 significant digits of float noise: equal to 13 significant digits.
        a, b = Decimal(mine["pct_gdp"]), Decimal(source["pct_gdp"])
        assert abs(a - b) <= abs(b) * Decimal("1e-13"), (mine["iso"], mine["year"], mine["month"])
