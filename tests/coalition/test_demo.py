"""The coalition demo data: what it contains, that it is audited and idempotent, that its markings make the
access rule visible, and that it adapts to missing reference files and a lower classification ceiling."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shieldwall.coalition import demo, selectors
from shieldwall.coalition.models import Announcement, Attendance, CapabilityCoalition, Meeting, Membership, Nation
from shieldwall.core import audit
from shieldwall.core import demo as core_demo
from shieldwall.core.markings import Classification
from shieldwall.core.models import AuditEvent, User

KIEL_SAMPLE = """\
"country","iso","year","month","total","financial","humanitarian","military","commitments","to_be_allocated","gdp","pct_gdp"
"France","FRA",2024,12,0.1,0,0,0.1,0.1,0,2400.5,0.004
"France","FRA",2025,3,0.1,0,0,0.1,0.1,0,2500.8704,0.004
"EU (Commission and Council)","EU",2025,3,1,1,0,0,1,0,0,0
"Germany","DEU",2025,1,0.2,0,0,0.2,0.2,0,3601.75,0.005
"""


@pytest.fixture
def kiel_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / demo.KIEL_FILE).parent.mkdir(parents=True)
    (tmp_path / demo.KIEL_FILE).write_text(KIEL_SAMPLE, encoding="utf-8")
    monkeypatch.setenv("SHIELDWALL_SHARED_DATA", str(tmp_path))
    return tmp_path


@pytest.fixture
def loaded(db: Any, kiel_dir: Path) -> int:
    return core_demo.load()


def counts() -> dict[str, int]:
    return {
        "nations": Nation.objects.count(), "memberships": Membership.objects.count(),
        "coalitions": CapabilityCoalition.objects.count(), "meetings": Meeting.unscoped.count(),
        "attendance": Attendance.objects.count(), "announcements": Announcement.unscoped.count(),
        "users": User.objects.count(), "events": AuditEvent.objects.count(),
    }


def test_kiel_gdp_takes_the_latest_row_with_the_2021_base_year(kiel_dir: Path) -> None:
    gdp = demo.kiel_gdp(kiel_dir / demo.KIEL_FILE)
    assert gdp == {"FRA": (Decimal("2500.870"), 2021), "DEU": (Decimal("3601.750"), 2021)}


def test_shared_data_dir_absent_means_no_gdp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIELDWALL_SHARED_DATA", str(tmp_path / "nowhere"))
    assert demo.shared_data_dir() is None


def test_load_is_complete_and_audited(loaded: int) -> None:
    assert AuditEvent.objects.count() >= loaded > 100  # every record written went through an audited service
    assert Nation.objects.count() == len(demo.NATION_CODES) >= 45
    fra = Nation.objects.get(code="FRA")
    assert (fra.gdp_eur_bn, fra.gdp_year) == (Decimal("2500.870"), 2021)
    assert fra.population and fra.population_year == 2020
    assert Nation.objects.get(code="UKR").gdp_eur_bn is None  # not a donor in the file
    tiers = selectors.nation_current_tiers()
    by_code = {n.code: tiers.get(n.pk) for n in Nation.objects.all()}
    assert {c for c, t in by_code.items() if t == "core"} == {"FRA", "GBR", "DEU", "ITA", "POL"}
    assert by_code["UKR"] == "partner" and by_code["JPN"] == "interested" and by_code["CZE"] == "member"
    assert list(Membership.objects.filter(nation__code="CZE").order_by("valid_from").values_list("tier", flat=True)) \
        == ["interested", "member"]
    assert CapabilityCoalition.objects.count() == 8
    armour = CapabilityCoalition.objects.get(name="Armour Capability Coalition")
    assert sorted(armour.leads.values_list("code", flat=True)) == ["DEU", "ITA", "POL"]
    assert {u.username for u in User.objects.all()} >= {"coord", "auditor", "admin", "fra-donor", "ukr-recipient"}
    assert audit.verify().intact


def test_the_e5_paris_meeting(loaded: int) -> None:
    e5 = Meeting.unscoped.get(title="E5 defence ministers' meeting")
    assert (e5.date.isoformat(), e5.place, e5.chair and e5.chair.code) == ("2025-03-12", "Paris", "FRA")
    assert e5.marking_label() == "UNCLASSIFIED // PUBLIC RELEASE"
    modes = dict(e5.attendances.values_list("nation__code", "mode"))
    assert modes == {"FRA": "in_person", "GBR": "in_person", "DEU": "in_person", "ITA": "in_person",
                     "POL": "in_person", "UKR": "remote"}
    assert Announcement.unscoped.filter(meeting=e5, releasability="PUBLIC").count() == 5


def test_markings_span_the_range_within_the_ceiling(loaded: int) -> None:
    markings = {(m.classification, m.releasability) for m in Meeting.unscoped.all()}
    assert {r for _, r in markings} == {"PUBLIC", "COALITION", "REL_TO"}
    assert {c for c, _ in markings} == {0, 1, 2}
    rel_lists = {tuple(sorted(m.rel_to.values_list("code", flat=True))) for m in Meeting.unscoped.all()}
    assert {("FRA", "GBR", "UKR"), ("DEU", "POL"), ("GBR", "UKR")} <= rel_lists
    # Records are originated by the nation of the user who recorded them.
    assert Meeting.unscoped.get(title__startswith="GBR-UKR maritime").originator.code == "GBR"


def test_access_can_be_seen_working(loaded: int) -> None:
    def titles(username: str) -> set[str]:
        return {m.title for m in selectors.meeting_list(actor=core_demo.actor(username))}

    fra = titles("fra-donor")
    assert "FRA-GBR-UKR air defence staff talks" in fra
    assert not any(t.startswith(("GBR-UKR", "Armour")) for t in fra)
    assert any(t.startswith("GBR-UKR") for t in titles("ukr-recipient"))
    assert any(t.startswith("Armour") for t in titles("deu-donor"))
    unclassified = titles("fra-analyst")
    assert not any("deep dive" in t or "staff talks" in t for t in unclassified)


def test_loading_twice_changes_nothing(loaded: int) -> None:
    before = counts()
    assert core_demo.load() == 0
    assert counts() == before


def test_a_later_load_with_the_data_file_fills_in_gdp(db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     kiel_dir: Path) -> None:
    monkeypatch.setenv("SHIELDWALL_SHARED_DATA", str(tmp_path / "absent"))
    core_demo.load()
    assert Nation.objects.get(code="FRA").gdp_eur_bn is None
    monkeypatch.setenv("SHIELDWALL_SHARED_DATA", str(kiel_dir))
    assert core_demo.load() == 2  # FRA and DEU updated, nothing else
    assert Nation.objects.get(code="DEU").gdp_eur_bn == Decimal("3601.750")


def test_a_lower_ceiling_gets_only_what_it_may_hold(db: Any, kiel_dir: Path, settings: Any) -> None:
    settings.MAX_CLASSIFICATION = "RESTRICTED"
    core_demo.load()
    assert max(Meeting.unscoped.values_list("classification", flat=True)) == Classification.RESTRICTED
    assert max(User.objects.values_list("clearance", flat=True)) == Classification.RESTRICTED
