"""Demo data of the coalition registry: the nations that matter, E5 core and other tiers with one change of
tier, ministries and international bodies, the eight capability coalitions, and 2025 meetings whose markings
span PUBLIC, COALITION, REL TO lists, RESTRICTED and CONFIDENTIAL so the access rule can be seen working.

GDP comes from the Kiel Ukraine Support Tracker file when it is present (shared data, read at load time),
population from `pypopulation` (2020 figures) when installed; without them nations load without the figures.
Every record goes through the services; each step looks for its record first, so loading is idempotent.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from shieldwall.coalition import selectors, services
from shieldwall.coalition.models import Meeting
from shieldwall.core import demo as core_demo
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification, ceiling

C = Classification
KIEL_FILE = Path("kiel-ust-r29") / "data_explorer.csv"
REPO_ROOT = Path(__file__).resolve().parents[3]
POPULATION_YEAR = 2020  # the figures shipped by pypopulation 2020.x

# Every donor in Kiel's tracker (Release 29), by ISO code; kept here so nations load without the file too.
KIEL_DONORS = (
    "AUS", "AUT", "BEL", "BGR", "CAN", "CHE", "CHN", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA",
    "GBR", "GRC", "HRV", "HUN", "IND", "IRL", "ISL", "ITA", "JPN", "KOR", "LTU", "LUX", "LVA", "MLT", "NLD",
    "NOR", "NZL", "POL", "PRT", "ROU", "SVK", "SVN", "SWE", "TUR", "TWN", "USA",
)
NATION_CODES = (*KIEL_DONORS, "UKR", "ALB", "MKD", "MNE", "MDA")

E5 = ("FRA", "GBR", "DEU", "ITA", "POL")
E5_FOUNDED = date(2024, 11, 25)  # first E5 defence ministers' meeting, Berlin
MEMBERS = ("USA", "CAN", "NLD", "DNK", "NOR", "SWE", "FIN", "EST", "LVA", "LTU", "ISL", "LUX", "BEL", "ESP",
           "PRT", "ROU", "HRV", "SVN", "BGR", "GRC", "ALB", "MKD", "MNE")
INTERESTED = ("JPN", "KOR", "AUS", "NZL", "MDA")
MEMBERSHIPS: tuple[tuple[str, str, date, str], ...] = (
    *((code, "core", E5_FOUNDED, "E5 group") for code in E5),
    ("UKR", "partner", E5_FOUNDED, "the partner nation"),
    *((code, "member", date(2025, 1, 1), "") for code in MEMBERS),
    *((code, "interested", date(2025, 1, 1), "") for code in INTERESTED),
    # One change of tier, so the membership history has something to show.
    ("CZE", "interested", date(2025, 1, 1), "observer at ministerial meetings"),
    ("CZE", "member", date(2025, 6, 1), "joined after the spring ministerials"),
)

ORGANISATIONS: tuple[tuple[str, str, str, str | None], ...] = (
    ("Ministère des Armées", "MINARM", "ministry", "FRA"),
    ("Ministry of Defence (United Kingdom)", "UK MOD", "ministry", "GBR"),
    ("Bundesministerium der Verteidigung", "BMVg", "ministry", "DEU"),
    ("Ministero della Difesa", "MinDifesa", "ministry", "ITA"),
    ("Ministerstwo Obrony Narodowej", "MON", "ministry", "POL"),
    ("Ministry of Defence of Ukraine", "MoD UA", "ministry", "UKR"),
    ("Direction générale de l'armement", "DGA", "agency", "FRA"),
    ("Defence Equipment and Support", "DE&S", "agency", "GBR"),
    ("Bundesamt für Ausrüstung, Informationstechnik und Nutzung der Bundeswehr", "BAAINBw", "agency", "DEU"),
    ("North Atlantic Treaty Organization", "NATO", "international", None),
    ("NATO Security Assistance and Training for Ukraine", "NSATU", "international", None),
    ("European Union", "EU", "international", None),
    ("European Defence Agency", "EDA", "international", None),
    ("Ukraine Defense Contact Group", "UDCG", "international", None),
)

COALITIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Air Force Capability Coalition", "air_force", ("USA", "DNK", "NLD"),
     ("BEL", "NOR", "PRT", "SWE", "CAN")),
    ("Integrated Air and Missile Defence Capability Coalition", "air_defence", ("FRA", "DEU"),
     ("ITA", "ESP", "NLD", "NOR", "SWE", "GBR")),
    ("Artillery Capability Coalition", "artillery", ("FRA", "USA"),
     ("DEU", "ITA", "EST", "LTU", "CAN", "GBR")),
    ("Armour Capability Coalition", "armour", ("POL", "DEU", "ITA"),
     ("DNK", "NLD", "ESP", "PRT", "SWE")),
    ("Maritime Capability Coalition", "maritime", ("GBR", "NOR"),
     ("NLD", "SWE", "FRA", "USA", "LTU", "EST")),
    ("IT Coalition", "it_cyber", ("EST", "LUX"),
     ("DEU", "NLD", "SWE", "BEL", "ISL")),
    ("Demining Coalition", "demining", ("LTU", "ISL"),
     ("BEL", "DNK", "NLD", "NOR", "SWE", "FRA", "DEU", "GBR")),
    ("Drone Coalition", "drones", ("LVA", "GBR"),
     ("NLD", "SWE", "DNK", "EST", "LTU", "DEU", "CAN", "POL")),
)


@dataclass(frozen=True)
class DemoAnnouncement:
    by: str  # a donor officer of the announcing nation, whose nation originates the record
    nation: str
    text: str
    classification: Classification = C.UNCLASSIFIED
    releasability: str = "PUBLIC"
    rel_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoMeeting:
    by: str  # the coordinator who records it; the record is originated by that user's nation
    title: str
    date: date
    place: str
    format: str
    chair: str
    classification: Classification
    releasability: str
    rel_to: tuple[str, ...] = ()
    notes: str = ""
    attendance: tuple[tuple[str, str, str], ...] = ()  # (nation, representative, in_person | remote)
    announcements: tuple[DemoAnnouncement, ...] = ()


_E5_ATTENDANCE = (
    ("FRA", "Sébastien Lecornu, Minister of the Armed Forces", "in_person"),
    ("GBR", "John Healey, Secretary of State for Defence", "in_person"),
    ("DEU", "Boris Pistorius, Federal Minister of Defence", "in_person"),
    ("ITA", "Guido Crosetto, Minister of Defence", "in_person"),
    ("POL", "Władysław Kosiniak-Kamysz, Minister of National Defence", "in_person"),
    ("UKR", "Rustem Umerov, Minister of Defence", "remote"),
)
_E5_ANNOUNCEMENTS = (
    DemoAnnouncement("fra-donor", "FRA", "Will keep air defence and artillery ammunition flowing to Ukraine "
                     "through 2025 and lead work on European long-term support."),
    DemoAnnouncement("gbr-donor", "GBR", "Reaffirms multi-year military support to Ukraine and co-leadership "
                     "of the maritime and drone capability coalitions."),
    DemoAnnouncement("deu-donor", "DEU", "Will deliver further air defence systems and fund production in "
                     "Ukraine's defence industry."),
    DemoAnnouncement("ita-donor", "ITA", "Commits to continued support, including air defence, in "
                     "coordination with E5 partners."),
    DemoAnnouncement("pol-donor", "POL", "Will keep the logistics hub for deliveries to Ukraine open and "
                     "strengthen the armour capability coalition."),
    DemoAnnouncement("fra-donor", "FRA", "Proposes trilateral staff talks on air defence coverage of "
                     "critical infrastructure.", C.RESTRICTED, "REL_TO", ("FRA", "GBR", "UKR")),
)
_UDCG = "Ukraine Defense Contact Group (Ramstein format)"
_UDCG_PLACE = "NATO Headquarters, Brussels"

MEETINGS: tuple[DemoMeeting, ...] = (
    DemoMeeting("coord", "E5 defence ministers' meeting", date(2025, 3, 12), "Paris", "hybrid", "FRA",
                C.UNCLASSIFIED, "PUBLIC",
                notes="Communiqué-level record. Ukraine's minister joined by video link.",
                attendance=_E5_ATTENDANCE, announcements=_E5_ANNOUNCEMENTS),
    DemoMeeting("gbr-coord", _UDCG, date(2025, 2, 12), _UDCG_PLACE, "hybrid", "GBR", C.UNCLASSIFIED, "PUBLIC",
                notes="First meeting chaired by the United Kingdom.",
                attendance=(("GBR", "John Healey, Secretary of State for Defence", "in_person"),
                            ("DEU", "Boris Pistorius, Federal Minister of Defence", "in_person"),
                            ("UKR", "Rustem Umerov, Minister of Defence", "in_person"),
                            ("USA", "Pete Hegseth, Secretary of Defense", "in_person")),
                announcements=(DemoAnnouncement("gbr-donor", "GBR", "Announces a further package of drones "
                                                "and air defence, details to follow as pledges."),)),
    DemoMeeting("gbr-coord", _UDCG, date(2025, 4, 11), _UDCG_PLACE, "hybrid", "GBR", C.UNCLASSIFIED,
                "COALITION",
                notes="Co-chaired by the United Kingdom and Germany.",
                attendance=(("GBR", "John Healey, Secretary of State for Defence", "in_person"),
                            ("DEU", "Boris Pistorius, Federal Minister of Defence", "in_person"),
                            ("UKR", "Rustem Umerov, Minister of Defence", "in_person"),
                            ("USA", "Pete Hegseth, Secretary of Defense", "remote")),
                announcements=(
                    DemoAnnouncement("gbr-donor", "GBR", "Radar systems and repair support for the air "
                                     "defence package; delivery schedule attached.", C.RESTRICTED,
                                     "COALITION"),
                    DemoAnnouncement("deu-donor", "DEU", "Additional air defence fire units; timing agreed "
                                     "bilaterally.", C.RESTRICTED, "REL_TO", ("DEU", "UKR")),
                    DemoAnnouncement("usa-donor", "USA", "Continues deliveries already funded.",
                                     C.UNCLASSIFIED, "COALITION"),
                )),
    DemoMeeting("coord", "IT Coalition steering group", date(2025, 3, 26), "Tallinn", "virtual", "EST",
                C.UNCLASSIFIED, "COALITION"),
    DemoMeeting("gbr-coord", "Drone Coalition: production and procurement meeting", date(2025, 4, 24), "Riga",
                "hybrid", "LVA", C.UNCLASSIFIED, "COALITION"),
    DemoMeeting("deu-coord", "IAMD capability coalition planning conference", date(2025, 5, 14), "Berlin",
                "in_person", "DEU", C.RESTRICTED, "COALITION",
                attendance=(("DEU", "Director, air defence capability", "in_person"),
                            ("FRA", "Deputy director, air defence capability", "in_person"),
                            ("UKR", "Air Force liaison officer", "remote"))),
    DemoMeeting("deu-coord", "Armour capability coalition: Leopard sustainment working group",
                date(2025, 5, 21), "Warsaw", "in_person", "POL", C.RESTRICTED, "REL_TO", ("DEU", "POL")),
    DemoMeeting("gbr-coord", "GBR-UKR maritime planning (Maritime Capability Coalition)", date(2025, 6, 3),
                "London", "in_person", "GBR", C.RESTRICTED, "REL_TO", ("GBR", "UKR")),
    DemoMeeting("coord", "FRA-GBR-UKR air defence staff talks", date(2025, 6, 17), "Paris", "hybrid", "FRA",
                C.RESTRICTED, "REL_TO", ("FRA", "GBR", "UKR")),
    DemoMeeting("gbr-coord", "Air Force capability coalition: F-16 sustainment and training review",
                date(2025, 7, 2), "Copenhagen", "in_person", "DNK", C.CONFIDENTIAL, "COALITION"),
    DemoMeeting("coord", "IAMD capability coalition: air defence requirements deep dive", date(2025, 9, 10),
                "Paris", "in_person", "FRA", C.CONFIDENTIAL, "COALITION"),
    DemoMeeting("coord", "Demining Coalition annual conference", date(2025, 10, 8), "Vilnius", "in_person",
                "LTU", C.UNCLASSIFIED, "PUBLIC"),
)


# --- reference figures ----------------------------------------------------------------------------------


KIEL_GDP_BASE_YEAR = 2021


def shared_data_dir() -> Path | None:
    """$SHIELDWALL_SHARED_DATA, else ../shared/data beside the repository or the working directory."""
    env = os.environ.get("SHIELDWALL_SHARED_DATA")
    beside = [REPO_ROOT.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    candidates = [Path(env)] if env else beside
    return next((path for path in candidates if (path / KIEL_FILE).is_file()), None)


def kiel_gdp(path: Path) -> dict[str, tuple[Decimal, int]]:
    """GDP (EUR bn) per ISO code from each donor's latest month.

    The tracker holds GDP constant over all months (Germany: 3,601.75 bn EUR, its 2021 GDP): Kiel relates all
    aid to 2021 GDP, so the base year is KIEL_GDP_BASE_YEAR, not the year of the row.
    """
    latest: dict[str, tuple[int, int, Decimal]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, gdp = row.get("iso", ""), _decimal(row.get("gdp", ""))
            if not re.fullmatch(r"[A-Z]{3}", code) or gdp is None or gdp <= 0:
                continue  # Kiel's "EU" rows are an institution, not a nation, and carry no GDP
            key = (int(row["year"]), int(row["month"]), gdp)
            if code not in latest or key[:2] > latest[code][:2]:
                latest[code] = key
    return {code: (gdp.quantize(Decimal("0.001")), KIEL_GDP_BASE_YEAR) for code, (_y, _m, gdp) in latest.items()}


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError):
        return None


def _population(code: str) -> int | None:
    try:
        import pypopulation
    except ImportError:
        return None
    value = pypopulation.get_population_a3(code)
    return int(value) if value else None


def nation_figures(code: str, gdp: dict[str, tuple[Decimal, int]]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    if code in gdp:
        figures["gdp_eur_bn"], figures["gdp_year"] = gdp[code]
    population = _population(code)
    if population:
        figures["population"], figures["population_year"] = population, POPULATION_YEAR
    return figures


# --- stages -------------------------------------------------------------------------------------------------


def load_nations(system: Actor) -> int:
    data_dir = shared_data_dir()
    gdp = kiel_gdp(data_dir / KIEL_FILE) if data_dir else {}
    existing = {nation.code: nation for nation in selectors.nation_list(actor=system)}
    written = 0
    for code in NATION_CODES:
        figures = nation_figures(code, gdp)
        nation = existing.get(code)
        if nation is None:
            services.nation_create(actor=system, code=code, **figures)
        elif changed := {k: v for k, v in figures.items() if getattr(nation, k) != v}:
            # A later load with the data file present fills in what an earlier one could not.
            services.nation_update(actor=system, code=code, **changed)
        else:
            continue
        written += 1
    return written


def load_memberships(system: Actor) -> int:
    existing = set(selectors.membership_list(actor=system).values_list("nation__code", "tier", "valid_from"))
    written = 0
    for code, tier, valid_from, note in MEMBERSHIPS:
        if (code, tier, valid_from) not in existing:
            services.membership_set_tier(actor=system, nation=code, tier=tier, valid_from=valid_from,
                                         note=note)
            written += 1
    return written


def load_organisations(system: Actor) -> int:
    existing = set(selectors.organisation_list(actor=system).values_list("name", flat=True))
    missing = [org for org in ORGANISATIONS if org[0] not in existing]
    for name, short_name, kind, nation in missing:
        services.organisation_create(actor=system, name=name, short_name=short_name, kind=kind, nation=nation)
    return len(missing)


def load_coalitions(system: Actor) -> int:
    existing = set(selectors.capability_coalition_list(actor=system).values_list("name", flat=True))
    missing = [c for c in COALITIONS if c[0] not in existing]
    for name, area, leads, members in missing:
        services.capability_coalition_create(actor=system, name=name, capability_area=area, leads=leads,
                                             members=members, description=f"Co-led by {', '.join(leads)}.")
    return len(missing)


class _Actors(dict[str, Actor]):
    """Demo users' actors, built once each (an actor costs a membership query)."""

    def __missing__(self, username: str) -> Actor:
        self[username] = core_demo.actor(username)
        return self[username]


def _meeting(actor: Actor, spec: DemoMeeting) -> tuple[Meeting, int]:
    filters = selectors.MeetingFilters(date_from=spec.date, date_to=spec.date)
    found = selectors.meeting_list(actor=actor, filters=filters).filter(title=spec.title).first()
    if found is not None:
        return found, 0
    meeting = services.meeting_create(
        actor=actor, title=spec.title, date=spec.date, place=spec.place, format=spec.format, chair=spec.chair,
        notes=spec.notes, classification=int(spec.classification), releasability=spec.releasability,
        rel_to=spec.rel_to,
    )
    return meeting, 1


def _attendance(actor: Actor, meeting: Meeting, spec: DemoMeeting) -> int:
    present = {(a.nation.code, a.representative)
               for a in selectors.meeting_get(actor=actor, id=meeting.pk).attendances.all()}
    missing = [row for row in spec.attendance if row[:2] not in present]
    for nation, representative, mode in missing:
        services.attendance_add(actor=actor, meeting_id=meeting.pk, nation=nation,
                                representative=representative, mode=mode)
    return len(missing)


def _within_ceiling(specs: tuple[Any, ...]) -> Iterator[Any]:
    # A deployment accredited lower than CONFIDENTIAL gets the demo records it may hold, not an error.
    return (spec for spec in specs if spec.classification <= ceiling())


def load_meetings(actors: _Actors, into: dict[DemoMeeting, Meeting]) -> int:
    """Create the meetings and their attendance; `into` receives each meeting for the announcements stage."""
    written = 0
    for spec in _within_ceiling(MEETINGS):
        meeting, created = _meeting(actors[spec.by], spec)
        written += created + _attendance(actors[spec.by], meeting, spec)
        into[spec] = meeting
    return written


def load_announcements(actors: _Actors, meetings: dict[DemoMeeting, Meeting]) -> int:
    written = 0
    for spec, meeting in meetings.items():
        for item in _within_ceiling(spec.announcements):
            actor = actors[item.by]
            known = selectors.announcement_list(actor=actor, meeting_id=meeting.pk, nation=item.nation)
            if known.filter(text=item.text).exists():
                continue
            services.announcement_create(actor=actor, meeting_id=meeting.pk, nation=item.nation,
                                         text=item.text, classification=int(item.classification),
                                         releasability=item.releasability, rel_to=item.rel_to)
            written += 1
    return written


def load(*, report: core_demo.Reporter = core_demo.quiet) -> int:
    """Load (or complete) the coalition demo data; returns the number of records written."""
    system = core_demo.system_actor()
    actors = _Actors()
    meetings: dict[DemoMeeting, Meeting] = {}
    stages: list[tuple[str, Callable[[], int]]] = [
        ("nations", lambda: load_nations(system)),
        ("memberships", lambda: load_memberships(system)),
        ("organisations", lambda: load_organisations(system)),
        ("capability coalitions", lambda: load_coalitions(system)),
        ("users", core_demo.load_users),  # after the nations, before anything a user originates
        ("meetings", lambda: load_meetings(actors, meetings)),
        ("announcements", lambda: load_announcements(actors, meetings)),
    ]
    written = 0
    for done, (label, step) in enumerate(stages):
        report(done, len(stages), label)
        written += step()
    report(len(stages), len(stages), "coalition demo data loaded")
    return written
