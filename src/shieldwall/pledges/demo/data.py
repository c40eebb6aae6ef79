"""The fixed facts of the pledges demo: its donors with their weight and currency, which nations have which item
types, the co-funded packages, the packages that came of the Paris announcements, the security agreements, and
the mix of stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shieldwall.core.markings import Classification, Releasability

C, R = Classification, Releasability

SEED = 2025
FULL_LINES = 1_500
START = date(2025, 1, 13)  # the first package of the demo
MARKER_TITLE = "E5 follow-up: French air defence and artillery ammunition"
RECIPIENT = "ukr-recipient"
COORDINATORS = ("coord", "gbr-coord", "deu-coord")  # who allocates a line: the first who may see it
ONE_NATION = "DEU"  # whose lines are sometimes released to itself alone: others cannot see them


@dataclass(frozen=True)
class Donor:
    code: str
    weight: float  # its share of the lines, roughly its share of military aid
    currency: str = "EUR"
    only: tuple[str, ...] = ()  # the capability areas a donor of non-lethal aid gives in


DONORS = (
    Donor("USA", 14, "USD"), Donor("DEU", 12), Donor("GBR", 9, "GBP"), Donor("DNK", 7, "DKK"), Donor("NLD", 6),
    Donor("SWE", 5, "SEK"), Donor("NOR", 5, "NOK"), Donor("FRA", 5), Donor("POL", 5, "PLN"), Donor("CAN", 4, "CAD"),
    Donor("FIN", 3), Donor("ITA", 3), Donor("BEL", 3), Donor("CZE", 3, "CZK"), Donor("ESP", 2), Donor("EST", 2),
    Donor("LTU", 2), Donor("LVA", 2), Donor("AUS", 2, "AUD"), Donor("PRT", 1), Donor("ROU", 1, "RON"),
    Donor("HRV", 1), Donor("SVN", 1), Donor("BGR", 1, "BGN"), Donor("GRC", 1), Donor("LUX", 1),
    Donor("ISL", 0.7, "ISK", only=("demining", "training", "other")),
    Donor("JPN", 1, "JPY", only=("demining", "it_cyber", "other")),
    Donor("NZL", 0.7, "NZD", only=("training", "drones", "other")),
    Donor("ALB", 0.5), Donor("MKD", 0.5), Donor("MNE", 0.4),
)
EURO_FROM = {"BGR": date(2026, 1, 1)}  # the day a donor's currency became the euro

# Item types only some donors have or buy (a pattern on the lower-cased name → nations); others any donor gives.
ORIGINS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"patriot|pac-", ("USA", "DEU", "NLD", "ESP", "ROU")), (r"samp/t|aster", ("FRA", "ITA")),
    (r"iris-t", ("DEU",)), (r"nasams|amraam", ("USA", "NOR", "CAN", "DNK", "NLD", "ESP")),
    (r"s-300", ("BGR", "GRC")), (r"2k12|kub", ("CZE", "POL", "BGR")), (r"hawk", ("ESP", "USA", "GRC")),
    (r"gepard", ("DEU",)), (r"crotale", ("FRA",)), (r"aspide", ("ITA", "ESP")), (r"avenger", ("USA",)),
    (r"stinger", ("USA", "DEU", "NLD", "DNK", "LVA", "LTU")), (r"mistral", ("FRA", "BEL", "NOR", "EST")),
    (r"starstreak|stormer|raven", ("GBR",)), (r"sidewinder", ("USA", "NOR", "DNK", "NLD")),
    (r"leopard[- ]?2", ("DEU", "POL", "ESP", "PRT", "NOR", "SWE", "FIN", "CAN", "NLD", "DNK")),
    (r"leopard[- ]?1", ("DEU", "DNK", "NLD", "BEL")), (r"challenger|as-90|sandown", ("GBR",)),
    (r"abrams", ("USA", "AUS")), (r"t-72", ("POL", "CZE", "MKD")), (r"pt-91|krab", ("POL",)),
    (r"m-84", ("HRV", "SVN")), (r"caesar", ("FRA", "DNK")), (r"archer|cb90", ("SWE", "NOR")),
    (r"panzerhaubitze|pzh", ("DEU", "NLD", "ITA")), (r"zu[sz]ana", ("SVK",)), (r"dita|dana|rm-70|jrof|bvp", ("CZE",)),
    (r"bohdana", ("DNK",)), (r"m109", ("USA", "NOR", "BEL", "LVA", "ITA")), (r"m777|excalibur", ("USA", "CAN", "AUS")),
    (r"fh70", ("ITA", "EST")), (r"trf1|lu211|aasm|mirage", ("FRA",)), (r"himars|jdam|bradley|m795", ("USA",)),
    (r"m270|gmlrs", ("USA", "GBR", "DEU", "NOR", "FIN")), (r"mars ii|marder|dm1[12]|dm121", ("DEU",)),
    (r"bmp", ("POL", "CZE", "GRC")), (r"cv90", ("SWE", "NOR", "DNK", "NLD", "FIN", "EST")),
    (r"m113", ("USA", "DNK", "LTU", "ESP", "PRT", "NOR", "AUS", "CAN", "BEL")), (r"f-16", ("DNK", "NLD", "NOR", "BEL")),
    (r"storm shadow", ("GBR", "FRA", "ITA")), (r"magura", ("GBR", "NLD", "DNK")), (r"harpoon", ("DNK", "USA", "NLD")),
    (r"l15a1|interflex", ("GBR", "CAN", "AUS", "NZL", "NLD", "DNK", "SWE", "NOR", "FIN", "LTU")),
    (r"152 mm|122 mm|2s1|d-30|grad", ("CZE", "POL", "BGR", "ROU", "ALB", "MKD", "MNE", "USA", "GBR")),
    (r"patriot operator", ("USA", "DEU", "NLD")), (r"leopard 2 crew", ("DEU", "POL", "PRT", "ESP")),
    (r"l119|l31 ", ("GBR",)), (r"mod 56|105/14", ("ITA", "ESP")), (r"rch[- ]?155", ("DEU", "GBR")),
    (r"m80a|m-55s", ("SVN", "HRV")), (r"ypr-765", ("NLD", "BEL")), (r"black hornet", ("NOR", "GBR", "USA")),
    (r"m829a1|m933a1|m1 he|m101|puma|prc-163", ("USA",)), (r"dok-ing|gcs-200", ("HRV", "SVN", "DEU", "NLD")),
)


@dataclass(frozen=True)
class CoFunded:
    """A package several nations pay for, each its share; the first funder leads it (and originates it)."""

    title: str
    day: date
    source: str
    funders: tuple[tuple[str, str], ...]
    items: tuple[tuple[str, int], ...]  # (item type, quantity), or (what is financed, EUR) for financing
    description: str = ""


CO_FUNDED = (
    CoFunded("Czech ammunition initiative: 155 mm and 152 mm shells from third countries", date(2025, 2, 24),
             "procurement", (("CZE", "0.25"), ("DNK", "0.2"), ("NLD", "0.2"), ("CAN", "0.15"), ("NOR", "0.1"),
                             ("BEL", "0.1")),
             (("155 mm M795 HE projectile", 150_000), ("152 mm OF-540 HE projectile", 60_000),
              ("122 mm 9M22U Grad rocket", 20_000)),
             "Shells bought on the world market for Ukraine, coordinated by the Czech Republic."),
    CoFunded("Danish model: howitzers and drones built in Ukraine", date(2025, 4, 7), "financing",
             (("DNK", "0.6"), ("SWE", "0.2"), ("NOR", "0.2")),
             (("Bohdana howitzer production in Ukraine", 180_000_000),
              ("Long-range drone production in Ukraine", 120_000_000)),
             "Donors pay Ukrainian manufacturers directly; deliveries go to the brigades the coordinator names."),
    CoFunded("PURL: Netherlands-led package of US munitions", date(2025, 8, 4), "procurement",
             (("NLD", "0.7"), ("BEL", "0.2"), ("LUX", "0.1")),
             (("PAC-3 MSE interceptor", 48), ("M31A1 GMLRS unitary rocket", 600), ("AMRAAM-ER", 60)),
             "Bought from US stocks and industry through NATO's Prioritised Ukraine Requirements List."),
    CoFunded("PURL: Nordic-Baltic package", date(2025, 8, 25), "procurement",
             (("SWE", "0.3"), ("NOR", "0.3"), ("DNK", "0.2"), ("FIN", "0.1"), ("EST", "0.05"), ("LVA", "0.025"),
              ("LTU", "0.025")),
             (("PAC-2 GEM-T interceptor", 40), ("AIM-120 AMRAAM (ground-launched)", 80),
              ("M30A2 GMLRS alternative-warhead rocket", 400))),
    CoFunded("PURL: German-Canadian package", date(2025, 9, 15), "procurement", (("DEU", "0.8"), ("CAN", "0.2")),
             (("PAC-3 MSE interceptor", 60), ("155 mm M982 Excalibur guided projectile", 1_000))),
    CoFunded("PURL: Canadian-Pacific package", date(2025, 10, 20), "procurement",
             (("CAN", "0.6"), ("AUS", "0.25"), ("NZL", "0.15")),
             (("M31A1 GMLRS unitary rocket", 500), ("JDAM-ER guidance kit", 1_200))),
)


@dataclass(frozen=True)
class Announced:
    """A package that came of an announcement at the E5 ministers' meeting in Paris on 12 March 2025."""

    nation: str
    title: str
    day: date
    source: str
    areas: tuple[str, ...]
    classification: int = C.UNCLASSIFIED
    releasability: str = R.PUBLIC
    rel_to: tuple[str, ...] = ()


PARIS_DATE = date(2025, 3, 12)
PARIS = (
    Announced("FRA", MARKER_TITLE, date(2025, 3, 20), "stock", ("air_defence", "artillery")),
    Announced("FRA", "E5 follow-up: French 155 mm shells and CAESAR howitzers", date(2025, 4, 15), "procurement",
              ("artillery",)),
    Announced("FRA", "Air defence of critical infrastructure (FRA-GBR-UKR staff talks)", date(2025, 6, 20), "stock",
              ("air_defence",), C.RESTRICTED, R.REL_TO, ("FRA", "GBR", "UKR")),
    Announced("GBR", "E5 follow-up: British drones and maritime support", date(2025, 3, 27), "procurement",
              ("drones", "maritime")),
    Announced("DEU", "E5 follow-up: German air defence", date(2025, 3, 18), "stock", ("air_defence",)),
    Announced("DEU", "E5 follow-up: German funding for Ukraine's defence industry", date(2025, 4, 2), "financing", ()),
    Announced("ITA", "E5 follow-up: Italian air defence package", date(2025, 4, 23), "stock", ("air_defence",)),
    Announced("POL", "E5 follow-up: Polish armour package", date(2025, 3, 31), "stock", ("armour",)),
)
FINANCED = ("Bohdana howitzer production in Ukraine", "Long-range drone production in Ukraine",
            "FPV drone production in Ukraine", "Air defence procurement from Ukrainian industry",
            "Repair of donated equipment in Ukraine", "Contribution to the NATO CAP trust fund",
            "Ammunition procurement through the European Peace Facility")
CANCEL_REASONS = ("Stocks needed for national readiness.", "Replaced by a procurement package.",
                  "Export licence refused by the producing nation.", "Items found unserviceable at inspection.")

# Bilateral security agreements (signed 2024, ten years) with their yearly obligations in EUR.
AGREEMENTS = (
    ("DEU", "Agreement on security cooperation and long-term support between Germany and Ukraine",
     date(2024, 2, 16), {2024: "7100000000", 2025: "7000000000", 2026: "8500000000"}),
    ("GBR", "UK-Ukraine Agreement on Security Co-operation", date(2024, 1, 12),
     {2024: "2950000000", 2025: "3500000000", 2026: "3500000000"}),
)
LINKED_PER_AGREEMENT = 8


STAGES = ("announced", "committed", "allocated", "contracted", "shipped", "delivered", "cancelled")
STAGE_WEIGHTS = (9, 20, 13, 9, 15, 29, 5)
AREA_LABELS = {"air_defence": "air defence", "air_force": "air force", "it_cyber": "IT and cyber",
               "other": "sustainment"}


# Words of an announcement and the capability area of the packages that come of it.
ANNOUNCED_AREAS = (("air defence", "air_defence"), ("radar", "air_defence"), ("drone", "drones"),
                   ("armour", "armour"), ("artillery", "artillery"), ("maritime", "maritime"))
