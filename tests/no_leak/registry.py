"""What the no-leak test walks, declared per domain. Every API operation, named page URL and CLI command must
appear here: the test fails for one that does not, so a new endpoint cannot skip the check.

Seeders create, for each marked model, three records whose text carries a marker:
  LEAK-RELTO  RESTRICTED // REL TO GBR, UKR (originated by GBR)   hidden from FRA, JPN and anonymous
  LEAK-CONF   CONFIDENTIAL // REL TO COALITION (originated by FRA) hidden from the RESTRICTED GBR analyst, JPN,
              anonymous
  LEAK-COAL   UNCLASSIFIED // REL TO COALITION                    hidden from JPN (interested tier) and anonymous
A seeder returns ids under keys `<model>:relto`, `<model>:conf`, `<model>:coal` (and any others it needs).

A case fills path parameters from those keys: `{"meeting_id": "meeting"}` means "try each of the three
records of `meeting`" — the actor must get 404 for the ones hidden from it and never see their markers;
`"#capability_coalition"` takes the one seeded id of that key; `"=FRA"` is a literal value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

MARKERS = {"relto": "LEAK-RELTO", "conf": "LEAK-CONF", "coal": "LEAK-COAL"}
VARIANTS = tuple(MARKERS)


@dataclass(frozen=True)
class Case:
    """How to call one operation. `params` maps a path parameter (or CLI placeholder) to a seeded model name;
    `kind` is "read" (markers of hidden records must not appear; hidden ids give 404), "write" (called with
    hidden ids only: must give 404 and change nothing), or "create" (no id: nothing to leak, declared)."""

    kind: str = "read"
    params: dict[str, str] = field(default_factory=dict)
    query: str = ""
    body: dict[str, Any] | None = None


Seeder = Callable[[dict[str, Any]], dict[str, int]]
SEEDERS: list[Seeder] = []


def seeder(fn: Seeder) -> Seeder:
    SEEDERS.append(fn)
    return fn


# --- coalition ------------------------------------------------------------------------------------------------


@seeder
def seed_coalition(actors: dict[str, Any]) -> dict[str, int]:
    from shieldwall.coalition import services

    gbr, fra = actors["gbr_coord"], actors["coord"]
    out: dict[str, int] = {}
    specs = {
        "relto": (gbr, {"classification": 1, "releasability": "REL_TO", "rel_to": ["GBR", "UKR"]}),
        "conf": (fra, {"classification": 2, "releasability": "COALITION"}),
        "coal": (fra, {"classification": 0, "releasability": "COALITION"}),
    }
    for variant, (actor, marking) in specs.items():
        marker = MARKERS[variant]
        meeting = services.meeting_create(actor=actor, title=f"{marker} meeting", date=date(2025, 4, 1),
                                          place=f"{marker} place", notes=f"{marker} notes", **marking)
        announcement = services.announcement_create(actor=actor, meeting_id=meeting.pk, nation=actor.nation_code,
                                                    text=f"{marker} announcement", **marking)
        out[f"meeting:{variant}"] = meeting.pk
        out[f"announcement:{variant}"] = announcement.pk
    coalition = services.capability_coalition_create(actor=fra, name="Leak-check coalition",
                                                     capability_area="drones", leads=["FRA"])
    out["capability_coalition"] = coalition.pk
    return out


API_CASES: dict[str, Case] = {
    # core
    "GET /api/v1/me": Case(),
    "GET /api/v1/tokens": Case(),
    "POST /api/v1/tokens": Case("create"),
    "DELETE /api/v1/tokens/{token_id}": Case("create"),  # tokens are the caller's own; covered in core tests
    "GET /api/v1/audit/events": Case(),
    "GET /api/v1/audit/events/{seq}": Case("create"),  # auditors only; filtered like the list
    "GET /api/v1/audit/verify": Case(),
    # coalition reference data (unmarked)
    "GET /api/v1/nations": Case(),
    "GET /api/v1/nations/{code}": Case(params={"code": "=FRA"}),
    "POST /api/v1/nations": Case("create"),
    "PATCH /api/v1/nations/{code}": Case("create"),
    "GET /api/v1/organisations": Case(),
    "GET /api/v1/organisations/{org_id}": Case("create"),
    "POST /api/v1/organisations": Case("create"),
    "PATCH /api/v1/organisations/{org_id}": Case("create"),
    "DELETE /api/v1/organisations/{org_id}": Case("create"),
    "GET /api/v1/memberships": Case(),
    "GET /api/v1/memberships/{membership_id}": Case("create"),
    "POST /api/v1/memberships": Case("create"),
    "POST /api/v1/memberships/{membership_id}/end": Case("create"),
    "GET /api/v1/coalitions": Case(),
    "GET /api/v1/coalitions/{coalition_id}": Case(params={"coalition_id": "#capability_coalition"}),
    "POST /api/v1/coalitions": Case("create"),
    "PATCH /api/v1/coalitions/{coalition_id}": Case("create"),
    # meetings and announcements (marked)
    "GET /api/v1/meetings": Case(),
    "GET /api/v1/meetings/{meeting_id}": Case(params={"meeting_id": "meeting"}),
    "POST /api/v1/meetings": Case("create"),
    "PATCH /api/v1/meetings/{meeting_id}": Case("write", params={"meeting_id": "meeting"}, body={"title": "x"}),
    "DELETE /api/v1/meetings/{meeting_id}": Case("write", params={"meeting_id": "meeting"}),
    "POST /api/v1/meetings/{meeting_id}/attendances": Case(
        "write", params={"meeting_id": "meeting"}, body={"nation": "FRA", "representative": "x"}),
    "DELETE /api/v1/meetings/{meeting_id}/attendances/{attendance_id}": Case(
        "write", params={"meeting_id": "meeting", "attendance_id": "meeting"}),
    "GET /api/v1/announcements": Case(),
    "GET /api/v1/announcements/{announcement_id}": Case(params={"announcement_id": "announcement"}),
    "POST /api/v1/meetings/{meeting_id}/announcements": Case(
        "write", params={"meeting_id": "meeting"}, body={"nation": "FRA", "text": "x"}),
    "PATCH /api/v1/announcements/{announcement_id}": Case(
        "write", params={"announcement_id": "announcement"}, body={"text": "x"}),
    "DELETE /api/v1/announcements/{announcement_id}": Case("write", params={"announcement_id": "announcement"}),
}

PAGE_CASES: dict[str, Case] = {
    "home": Case(),
    "login": Case(),
    "logout": Case("create"),
    "otp_enrol": Case("create"),
    "otp_verify": Case("create"),
    "audit_log": Case(),
    "tokens": Case(),
    "token_revoke": Case("create"),
    "nation_list": Case(),
    "nation_detail": Case(params={"code": "=FRA"}),
    "capability_coalition_list": Case(),
    "capability_coalition_detail": Case(params={"id": "#capability_coalition"}),
    "organisation_list": Case(),
    "meeting_list": Case(),
    "meeting_create": Case(),
    "meeting_detail": Case(params={"id": "meeting"}),
    "meeting_edit": Case(params={"id": "meeting"}),
    "meeting_attendance_add": Case("write", params={"id": "meeting"}),
    "meeting_announcement_add": Case("write", params={"id": "meeting"}),
}

# CLI commands as their words; `{meeting}` placeholders take seeded ids like path parameters.
CLI_CASES: dict[str, Case] = {
    "serve": Case("create"), "migrate": Case("create"), "demo": Case("create"), "createuser": Case("create"),
    "worker": Case("create"), "check": Case("create"), "audit verify": Case(),
    "token create": Case("create"), "token list": Case(), "token revoke": Case("create"),
    "nation list": Case(), "nation show": Case(query="FRA"), "nation create": Case("create"),
    "organisation list": Case(), "organisation show": Case("create"), "organisation create": Case("create"),
    "membership list": Case(), "membership set-tier": Case("create"),
    "coalition list": Case(), "coalition create": Case("create"),
    "coalition show": Case(params={"{id}": "#capability_coalition"}, query="{id}"),
    "meeting list": Case(), "meeting show": Case(params={"{id}": "meeting"}, query="{id}"),
    "meeting create": Case("create"),
    "announcement list": Case(), "announcement create": Case("create"),
}


# --- words to action: meeting reports, donor pages, security agreements ----------------------------------------


@seeder
def seed_words_to_action(actors: dict[str, Any]) -> dict[str, int]:
    """A security agreement of each variant, and a package (with an overdue line) of each variant, co-funded by
    FRA and GBR and linked to the LEAK-COAL announcement and agreement: the report, donor page and fulfilment of
    records a viewer may see must still leave out the packages it may not."""
    from decimal import Decimal

    from shieldwall.coalition import services
    from shieldwall.coalition.models import Announcement, Nation
    from shieldwall.pledges.models import Package, PackageFunder, PledgeEvent, PledgeLine

    gbr, fra = actors["gbr_coord"], actors["coord"]
    specs = {
        "relto": (gbr, {"classification": 1, "releasability": "REL_TO", "rel_to": ["GBR", "UKR"]}),
        "conf": (fra, {"classification": 2, "releasability": "COALITION"}),
        "coal": (fra, {"classification": 0, "releasability": "COALITION"}),
    }
    out: dict[str, int] = {}
    for variant, (actor, marking) in specs.items():
        marker = MARKERS[variant]
        agreement = services.agreement_create(
            actor=actor, title=f"{marker} agreement", donor=actor.nation_code, partner="UKR", signed=date(2024, 1, 1),
            description=f"{marker} terms", obligations={2025: Decimal("1000000.00")}, **marking)
        out[f"agreement:{variant}"] = agreement.pk
    announcement = Announcement.objects.visible_to(fra).get(text=f"{MARKERS['coal']} announcement")
    nations = {n.code: n for n in Nation.objects.filter(code__in=["FRA", "GBR", "UKR"])}
    for variant, (actor, marking) in specs.items():
        marker = MARKERS[variant]
        common = {"originator": nations[actor.nation_code], "classification": marking["classification"],
                  "releasability": marking["releasability"]}
        package = Package.objects.create(title=f"{marker} package", date=date(2025, 4, 1), source="stock",
                                         announcement=announcement, agreement_id=out["agreement:coal"], **common)
        line = PledgeLine.objects.create(
            package=package, description=f"{marker} line", quantity=2, value_amount=Decimal("1000.00"),
            value_date=date(2025, 4, 1), fx_rate=Decimal(1), value_eur=Decimal("1000.00"),
            available_from=date(2025, 5, 1), status="committed", **common)
        for obj in (package, line):
            obj.rel_to.set([nations[code] for code in marking.get("rel_to", [])])
        for code in ("FRA", "GBR"):
            PackageFunder.objects.create(package=package, nation=nations[code], share=Decimal("0.5"))
        PledgeEvent.objects.create(line=line, from_status="announced", to_status="committed", quantity=2,
                                   value_eur=Decimal("1000.00"), effective_date=date(2025, 4, 2))
        out[f"words_package:{variant}"] = package.pk
    return out


API_CASES.update({
    "GET /api/v1/meetings/{meeting_id}/report": Case(params={"meeting_id": "meeting"}),
    "GET /api/v1/donors/{code}": Case(params={"code": "=FRA"}),
    "GET /api/v1/agreements": Case(),
    "GET /api/v1/agreements/{agreement_id}": Case(params={"agreement_id": "agreement"}),
    "POST /api/v1/agreements": Case("create"),
    "PATCH /api/v1/agreements/{agreement_id}": Case("write", params={"agreement_id": "agreement"},
                                                    body={"title": "x"}),
    "DELETE /api/v1/agreements/{agreement_id}": Case("write", params={"agreement_id": "agreement"}),
    "GET /api/v1/agreements/{agreement_id}/fulfilment": Case(params={"agreement_id": "agreement"}),
    "POST /api/v1/agreements/{agreement_id}/packages": Case("write", params={"agreement_id": "agreement"},
                                                            body={"package_id": 1}),
    "DELETE /api/v1/agreements/{agreement_id}/packages/{package_id}": Case(
        "write", params={"agreement_id": "agreement", "package_id": "words_package"}),
})

PAGE_CASES.update({
    "meeting_report": Case(params={"id": "meeting"}),
    "donor_detail": Case(params={"code": "=FRA"}),
    "agreement_list": Case(),
    "agreement_create": Case(),
    "agreement_detail": Case(params={"id": "agreement"}),
    "agreement_edit": Case(params={"id": "agreement"}),
    "agreement_delete": Case("write", params={"id": "agreement"}),
    "agreement_link_package": Case("write", params={"id": "agreement"}),
    "agreement_unlink_package": Case("write", params={"id": "agreement", "package_id": "words_package"}),
})

CLI_CASES.update({
    "report meeting": Case(params={"{id}": "meeting"}, query="{id}"),
    "donor show": Case(query="FRA"),
    "agreement list": Case(),
    "agreement show": Case(params={"{id}": "agreement"}, query="{id}"),
    "agreement create": Case("create"),
    "agreement link": Case("write", params={"{id}": "agreement"}, query="{id} --package 999999999"),
})


# --- pledges: packages, lines, their lifecycle, import and export -----------------------------------------------


@seeder
def seed_pledges(actors: dict[str, Any]) -> dict[str, int]:
    """A package with one committed line of each variant, through the services by donors of GBR and FRA."""
    from decimal import Decimal

    from shieldwall.core.actor import Actor
    from shieldwall.core.services import user_create
    from shieldwall.pledges import services

    system = Actor.system("no-leak")
    donors = {code: Actor.for_user(user_create(actor=system, username=f"leak-{code.lower()}-donor", password="x" * 20,
                                               nation=code, roles=["donor"], clearance=2, validate=False))
              for code in ("GBR", "FRA")}
    specs = {
        "relto": (donors["GBR"], {"classification": 1, "releasability": "REL_TO", "rel_to": ["GBR", "UKR"]}),
        "conf": (donors["FRA"], {"classification": 2, "releasability": "COALITION"}),
        "coal": (donors["FRA"], {"classification": 0, "releasability": "COALITION"}),
    }
    out: dict[str, int] = {}
    for variant, (donor, marking) in specs.items():
        marker = MARKERS[variant]
        line = services.LineSpec(description=f"{marker} pledge line", value_amount=Decimal("1000.00"),
                                 restrictions=f"{marker} restrictions")
        package = services.package_create(actor=donor, title=f"{marker} pledge package", date=date(2025, 4, 1),
                                          source="financing", description=f"{marker} description", lines=[line],
                                          **marking)
        line_id = package.lines.get().pk
        services.line_commit(actor=donor, line_id=line_id, effective_date=date(2025, 4, 2))
        out[f"package:{variant}"] = package.pk
        out[f"pledge_line:{variant}"] = line_id
    return out


_LINE = {"line_id": "pledge_line"}
API_CASES.update({
    "GET /api/v1/packages": Case(),
    "GET /api/v1/packages/export": Case(query="format=json"),
    "GET /api/v1/packages/{package_id}": Case(params={"package_id": "package"}),
    "POST /api/v1/packages": Case("create"),
    "PATCH /api/v1/packages/{package_id}": Case("write", params={"package_id": "package"}, body={"title": "x"}),
    "DELETE /api/v1/packages/{package_id}": Case("write", params={"package_id": "package"}),
    "POST /api/v1/packages/{package_id}/import": Case("write", params={"package_id": "package"}),
    "GET /api/v1/pledge-lines": Case(),
    "GET /api/v1/pledge-lines/export": Case(query="format=json"),
    "GET /api/v1/pledge-lines/{line_id}": Case(params=_LINE),
    "POST /api/v1/pledge-lines": Case("create"),
    "PATCH /api/v1/pledge-lines/{line_id}": Case("write", params=_LINE, body={"description": "x"}),
    "POST /api/v1/pledge-lines/{line_id}/commit": Case("write", params=_LINE),
    "POST /api/v1/pledge-lines/{line_id}/allocate": Case("write", params=_LINE, body={"requirement_id": 1}),
    "POST /api/v1/pledge-lines/{line_id}/deallocate": Case("write", params=_LINE),
    "POST /api/v1/pledge-lines/{line_id}/contract": Case("write", params=_LINE),
    "POST /api/v1/pledge-lines/{line_id}/ship": Case("write", params=_LINE, body={"quantity": 1}),
    "POST /api/v1/pledge-lines/{line_id}/deliver": Case("write", params=_LINE, body={"quantity": 1}),
    "POST /api/v1/pledge-lines/{line_id}/cancel": Case("write", params=_LINE, body={"reason": "x"}),
    "POST /api/v1/pledge-lines/{line_id}/split": Case("write", params=_LINE, body={"quantity": 1}),
})

PAGE_CASES.update({
    "package_list": Case(),
    "package_export": Case(query="format=json"),
    "package_create": Case(),
    "package_detail": Case(params={"id": "package"}),
    "package_edit": Case(params={"id": "package"}),
    "package_delete": Case("write", params={"id": "package"}),
    "package_import": Case(params={"id": "package"}),
    "line_create": Case(params={"id": "package"}),
    "line_list": Case(),
    "line_export": Case(query="format=json"),
    "line_detail": Case(params={"id": "pledge_line"}),
    "line_edit": Case(params={"id": "pledge_line"}),
    "line_step": Case("write", params={"id": "pledge_line", "verb": "=commit"}),
})

_CLI_LINE = {"{id}": "pledge_line"}
CLI_CASES.update({
    "pledge package list": Case(),
    "pledge package show": Case(params={"{id}": "package"}, query="{id}"),
    "pledge package create": Case("create"),
    "pledge line list": Case(),
    "pledge line show": Case(params=_CLI_LINE, query="{id}"),
    "pledge line create": Case("write", params={"{id}": "package"}, query="--package {id} --value 1"),
    "pledge line commit": Case("write", params=_CLI_LINE, query="{id}"),
    "pledge line allocate": Case("write", params=_CLI_LINE, query="{id} --requirement 999999999"),
    "pledge line deallocate": Case("write", params=_CLI_LINE, query="{id}"),
    "pledge line contract": Case("write", params=_CLI_LINE, query="{id}"),
    "pledge line ship": Case("write", params=_CLI_LINE, query="{id} --quantity 1"),
    "pledge line deliver": Case("write", params=_CLI_LINE, query="{id} --quantity 1"),
    "pledge line cancel": Case("write", params=_CLI_LINE, query="{id} --reason x"),
    "pledge line split": Case("write", params=_CLI_LINE, query="{id} --quantity 1"),
    "pledge import": Case("write", params={"{id}": "package"}, query="/nonexistent/lines.csv --package {id}"),
    "pledge export": Case(query="--format json"),
})


# --- analytics: contribution facts, heavy weapons and sourcing channels ------------------------------------------


@seeder
def seed_analytics(actors: dict[str, Any]) -> dict[str, int]:
    """A data set whose facts, weapons and channels of each variant carry the marker in their text (a finer
    category, a weapon category and system, a channel name), and the `shieldwall` facts derived from every pledge
    line seeded before (none of them PUBLIC, so the IATI export must stay empty of markers)."""
    from shieldwall.analytics import services
    from shieldwall.analytics.models import ChannelAllocation, Contribution, DataSource, WeaponDelivery
    from shieldwall.coalition.models import Nation

    # Facts come from imports and derivations, not from a service that takes them one by one: seeded directly.
    source = DataSource.objects.create(code="leakcheck", family="leakcheck", title="Leak check", label="Leak check")
    nations = dict(Nation.objects.values_list("code", "pk"))
    specs = {
        "relto": ("GBR", {"classification": 1, "releasability": "REL_TO"}, ["GBR", "UKR"]),
        "conf": ("FRA", {"classification": 2, "releasability": "COALITION"}, []),
        "coal": ("FRA", {"classification": 0, "releasability": "COALITION"}, []),
    }
    out: dict[str, int] = {}
    for variant, (code, marking, rel_to) in specs.items():
        marker = MARKERS[variant]
        common = {"source": source, "originator_id": nations[code], **marking}
        rows = [
            Contribution.objects.create(donor=code, donor_nation_id=nations[code], period=date(2025, 4, 1),
                                        category="military", subcategory=marker, measure="allocation",
                                        amount_micro_eur=10**12, **common),
            WeaponDelivery.objects.create(donor=code, donor_nation_id=nations[code], category=marker, count=1,
                                          value_micro_eur=10**12, systems=[{"system": marker, "count": 1}], **common),
            ChannelAllocation.objects.create(period=date(2025, 4, 1), channel=marker, amount_micro_eur=10**12,
                                             **common),
        ]
        for row in rows:
            row.rel_to.set([nations[c] for c in rel_to])
        out[f"contribution:{variant}"] = rows[0].pk
    services.cells_rebuild(source=source)  # the cells the metrics read, as the services keep them for their facts
    services.shieldwall_refresh()
    return out


_LEAK_SOURCE = "source=leakcheck"
API_CASES.update({
    "GET /api/v1/analytics/sources": Case(),
    "GET /api/v1/analytics/series": Case(query=_LEAK_SOURCE),
    "GET /api/v1/analytics/stages": Case(query=_LEAK_SOURCE),
    "GET /api/v1/analytics/donors": Case(query=_LEAK_SOURCE),
    "GET /api/v1/analytics/groups": Case(query=_LEAK_SOURCE),
    "GET /api/v1/analytics/weapons": Case(query=_LEAK_SOURCE),
    "GET /api/v1/analytics/channels": Case(query=_LEAK_SOURCE),
    "GET /api/v1/analytics/facts": Case(query=_LEAK_SOURCE),
    "GET /api/v1/analytics/export/{table}": Case(params={"table": "=facts"}, query=f"{_LEAK_SOURCE}&format=json"),
    "GET /api/v1/analytics/charts/{chart}": Case(params={"chart": "=weapons"}, query=f"{_LEAK_SOURCE}&format=svg"),
    "GET /api/v1/analytics/iati": Case(),
})

PAGE_CASES.update({
    "analytics_donors": Case(query=_LEAK_SOURCE),
    "analytics_series": Case(query=_LEAK_SOURCE),
    "analytics_weapons": Case(query=_LEAK_SOURCE),
    "analytics_chart": Case(params={"name": "=weapons", "fmt": "=svg"}, query=_LEAK_SOURCE),
    "analytics_export": Case(params={"name": "=facts", "fmt": "=json"}, query=_LEAK_SOURCE),
    "public_transparency": Case(query=_LEAK_SOURCE),
    "public_chart": Case(params={"name": "=weapons", "fmt": "=svg"}, query=_LEAK_SOURCE),
    "public_export": Case(params={"name": "=facts", "fmt": "=json"}, query=_LEAK_SOURCE),
})

_CLI_LEAK = "--source leakcheck"
CLI_CASES.update({
    "import kiel": Case("create"),
    "analytics sources": Case(),
    **{f"analytics {table}": Case(query=_CLI_LEAK)
       for table in ("series", "donors", "groups", "stages", "weapons", "channels", "facts")},
    "analytics export": Case("create"),  # writes a file; its content is the `facts` table walked above
    "analytics chart": Case("create"),  # writes a file; the same chart is walked through the API and pages
    "analytics iati": Case(),
    "analytics refresh": Case("create"),
})


# --- catalogue and requirements: the prioritised list, its lifecycle and coverage ----------------------------------


@seeder
def seed_needs(actors: dict[str, Any]) -> dict[str, int]:
    """A requirement of each variant (created by a recipient of the coordinator's nation, opened by the
    coordinator), and against the LEAK-COAL requirement — which members see — a pledge line of each variant: its
    detail page and coverage must leave out the lines a viewer may not see."""
    import dataclasses
    from decimal import Decimal

    from shieldwall.catalogue import services as catalogue
    from shieldwall.coalition.models import Nation
    from shieldwall.core.actor import Actor
    from shieldwall.needs import services
    from shieldwall.pledges.models import Package, PledgeLine

    system = Actor.system("no-leak")
    area = catalogue.capability_area_create(actor=system, code="artillery", name="Artillery")
    item_class = catalogue.item_class_create(actor=system, area_id=area.pk, name="155 mm artillery ammunition",
                                             unit="rounds", reference_unit_price_eur=Decimal("4000"))
    item_type = catalogue.item_type_create(actor=system, item_class_id=item_class.pk, name="155 mm M795")
    gbr, fra = actors["gbr_coord"], actors["coord"]
    specs = {
        "relto": (gbr, {"classification": 1, "releasability": "REL_TO", "rel_to": ["GBR", "UKR"]}),
        "conf": (fra, {"classification": 2, "releasability": "COALITION"}),
        "coal": (fra, {"classification": 0, "releasability": "COALITION"}),
    }
    out: dict[str, int] = {"catalogue_area": area.pk, "item_class": item_class.pk, "item_type": item_type.pk}
    for variant, (coordinator, marking) in specs.items():
        marker = MARKERS[variant]
        recipient = dataclasses.replace(coordinator, roles=frozenset({"recipient"}))
        requirement = services.requirement_create(
            actor=recipient, item_class_id=item_class.pk, quantity=100, need_by=date(2026, 9, 1),
            destination=f"{marker} hub", title=f"{marker} requirement", justification=f"{marker} why", **marking)
        services.requirement_submit(actor=recipient, id=requirement.pk)
        services.requirement_validate(actor=coordinator, id=requirement.pk)
        services.requirement_open(actor=coordinator, id=requirement.pk)
        out[f"requirement:{variant}"] = requirement.pk
    nations = {n.code: n for n in Nation.objects.filter(code__in=["FRA", "GBR", "UKR"])}
    for variant, (coordinator, marking) in specs.items():
        marker = MARKERS[variant]
        common = {"originator": nations[coordinator.nation_code], "classification": marking["classification"],
                  "releasability": marking["releasability"]}
        package = Package.objects.create(title=f"{marker} needs package", date=date(2025, 4, 1), source="stock",
                                         **common)
        line = PledgeLine.objects.create(
            package=package, requirement_id=out["requirement:coal"], item_type=item_type,
            description=f"{marker} line against a requirement", quantity=10, value_amount=Decimal("40000.00"),
            value_date=date(2025, 4, 1), fx_rate=Decimal(1), value_eur=Decimal("40000.00"), status="allocated",
            **common)
        for obj in (package, line):
            obj.rel_to.set([nations[code] for code in marking.get("rel_to", [])])
    return out


_REQ = {"requirement_id": "requirement"}
API_CASES.update({
    "GET /api/v1/catalogue/areas": Case(),
    "GET /api/v1/catalogue/areas/{area_id}": Case(params={"area_id": "#catalogue_area"}),
    "POST /api/v1/catalogue/areas": Case("create"),
    "PATCH /api/v1/catalogue/areas/{area_id}": Case("create"),  # unmarked reference data, admins only
    "GET /api/v1/catalogue/classes": Case(),
    "GET /api/v1/catalogue/classes/{class_id}": Case(params={"class_id": "#item_class"}),
    "POST /api/v1/catalogue/classes": Case("create"),
    "PATCH /api/v1/catalogue/classes/{class_id}": Case("create"),
    "GET /api/v1/catalogue/types": Case(),
    "GET /api/v1/catalogue/types/{type_id}": Case(params={"type_id": "#item_type"}),
    "POST /api/v1/catalogue/types": Case("create"),
    "PATCH /api/v1/catalogue/types/{type_id}": Case("create"),
    "GET /api/v1/catalogue/compatibility": Case(),
    "GET /api/v1/catalogue/compatibility/{compatibility_id}": Case("create"),
    "POST /api/v1/catalogue/compatibility": Case("create"),
    "PATCH /api/v1/catalogue/compatibility/{compatibility_id}": Case("create"),
    "DELETE /api/v1/catalogue/compatibility/{compatibility_id}": Case("create"),
    "GET /api/v1/requirements": Case(),
    "GET /api/v1/requirements/{requirement_id}": Case(params=_REQ),
    "POST /api/v1/requirements": Case("create"),
    "PATCH /api/v1/requirements/{requirement_id}": Case("write", params=_REQ, body={"title": "x"}),
    "POST /api/v1/requirements/{requirement_id}/submit": Case("write", params=_REQ),
    "POST /api/v1/requirements/{requirement_id}/validate": Case("write", params=_REQ),
    "POST /api/v1/requirements/{requirement_id}/open": Case("write", params=_REQ),
    "POST /api/v1/requirements/{requirement_id}/return": Case("write", params=_REQ, body={"reason": "x"}),
    "POST /api/v1/requirements/{requirement_id}/withdraw": Case("write", params=_REQ, body={"reason": "x"}),
    "POST /api/v1/requirements/{requirement_id}/reprioritise": Case("write", params=_REQ, body={"priority": 1}),
    "GET /api/v1/coverage/requirements": Case(),
    "GET /api/v1/coverage/areas": Case(),
    "GET /api/v1/coverage/coalitions": Case(),
})

PAGE_CASES.update({
    "catalogue": Case(),
    "item_class_detail": Case(params={"id": "#item_class"}),
    # Admin pages of unmarked reference data: others get 403, a POST of nothing writes nothing.
    "item_class_create": Case(),
    "item_class_edit": Case(params={"id": "#item_class"}),
    "item_type_create": Case(),
    "item_type_edit": Case(params={"id": "#item_type"}),
    "compatibility_add": Case("write", params={"id": "#item_type"}),
    "compatibility_remove": Case("write", params={"id": "#item_type"}),
    "requirement_list": Case(),
    "requirement_export": Case(query="format=json"),
    "requirement_create": Case(),
    "requirement_detail": Case(params={"id": "requirement"}),
    "requirement_edit": Case(params={"id": "requirement"}),
    "requirement_transition": Case("write", params={"id": "requirement", "action": "=withdraw"}),
    "coverage": Case(),
    "coverage_export": Case(query="format=json"),
})

CLI_CASES.update({
    "catalogue seed": Case("create"),
    "catalogue list": Case(),
    "catalogue show": Case(params={"{id}": "#item_class"}, query="{id}"),
    "catalogue add-class": Case("create"), "catalogue add-type": Case("create"),
    "catalogue edit-class": Case("write", params={"{id}": "#item_class"}, query="{id} --name x"),
    "catalogue edit-type": Case("write", params={"{id}": "#item_type"}, query="{id} --name x"),
    "requirement list": Case(),
    "requirement show": Case(params={"{id}": "requirement"}, query="{id}"),
    "requirement create": Case("create"),
    **{f"requirement {step}": Case("write", params={"{id}": "requirement"}, query=f"{{id}} {extra}")
       for step, extra in (("submit", ""), ("validate", ""), ("open", ""), ("return", "--reason x"),
                           ("withdraw", "--reason x"), ("reprioritise", "--priority 1"))},
    "coverage": Case(),
})


# --- logistics and end-use monitoring: hubs, shipments, receipts, serial items, inspections, reports ---------------


@seeder
def seed_logistics(actors: dict[str, Any]) -> dict[str, int]:
    """For each variant, through the services: a hub, a package whose committed line of two serial-tracked guns is
    shipped through that hub and received, the guns' serial numbers, an inspection, a disposition report and a
    loss report (serial items and reports are REL TO their donor and UKR, the shipment and hub as the variant)."""
    import dataclasses
    from decimal import Decimal

    from shieldwall.catalogue import services as catalogue
    from shieldwall.core.actor import Actor
    from shieldwall.core.services import user_create
    from shieldwall.logistics import services as logistics
    from shieldwall.monitoring import services as monitoring
    from shieldwall.monitoring import tables
    from shieldwall.monitoring.models import SerialItem
    from shieldwall.pledges import services as pledges

    system = Actor.system("no-leak")
    area = catalogue.capability_area_create(actor=system, code="armour", name="Armour")
    guns = catalogue.item_class_create(actor=system, area_id=area.pk, name="Leak-check guns", unit="systems",
                                       serial_tracked=True)
    gun = catalogue.item_type_create(actor=system, item_class_id=guns.pk, name="Leak-check gun")

    def user(name: str, code: str, role: str) -> Actor:
        return Actor.for_user(user_create(actor=system, username=name, password="x" * 20, nation=code, roles=[role],
                                          clearance=2, validate=False))

    donors = {"GBR": user("leak-gbr-logistics", "GBR", "donor"), "FRA": user("leak-fra-logistics", "FRA", "donor")}
    recipient = user("leak-ukr-recipient", "UKR", "recipient")
    specs = {
        "relto": ("GBR", actors["gbr_coord"],
                  {"classification": 1, "releasability": "REL_TO", "rel_to": ["GBR", "UKR"]}),
        "conf": ("FRA", actors["coord"], {"classification": 2, "releasability": "COALITION"}),
        "coal": ("FRA", actors["coord"], {"classification": 0, "releasability": "COALITION"}),
    }
    out: dict[str, int] = {}
    for variant, (code, coordinator, marking) in specs.items():
        marker, donor = MARKERS[variant], donors[code]
        hub = logistics.hub_create(actor=coordinator, name=f"{marker} hub", nation=code,
                                   location=f"{marker} town", latitude=Decimal("50.1"), longitude=Decimal("22.0"),
                                   capacity_per_day=2, **marking)
        package = pledges.package_create(actor=donor, title=f"{marker} guns", date=date(2025, 4, 1), source="stock",
                                         **marking)
        spec = pledges.LineSpec(item_type_id=gun.pk, quantity=2, value_amount=Decimal("1000.00"),
                                description=f"{marker} guns line", available_from=date(2025, 4, 2))
        line = pledges.line_create(actor=donor, package_id=package.pk, line=spec, effective_date=date(2025, 4, 1))
        pledges.line_commit(actor=donor, line_id=line.pk, effective_date=date(2025, 4, 1))
        shipment = logistics.shipment_create(
            actor=donor, recipient="UKR", origin=f"{marker} depot", destination=f"{marker} destination",
            planned_dispatch=date(2025, 4, 10), planned_arrival=date(2025, 4, 14), reference=f"{marker} shipment",
            notes=f"{marker} notes", lines=[logistics.LinePlan(line.pk, 2)],
            stops=[logistics.StopPlan(hub.pk, date(2025, 4, 11))])
        row = shipment.lines.get()
        monitoring.serial_items_register(actor=donor, shipment_id=shipment.pk, shipment_line_id=row.pk,
                                         entries=tables.lines_of(f"{marker}-SN1\n{marker}-SN2"),
                                         unit=f"{marker} unit", on=date(2025, 4, 9))
        logistics.shipment_dispatch(actor=donor, id=shipment.pk, on=date(2025, 4, 10))
        logistics.shipment_receive(actor=recipient, id=shipment.pk, received_on=date(2025, 4, 12),
                                   unit=f"{marker} brigade", discrepancies=f"{marker} discrepancy",
                                   lines=[logistics.ReceivedLine(row.pk, 2)])
        items = {i.serial_number: i for i in SerialItem.objects.visible_to(donor).filter(shipment=shipment)}
        first, second = items[f"{marker}-SN1"], items[f"{marker}-SN2"]
        inspector = dataclasses.replace(donor, roles=frozenset({"donor"}))
        inspection = monitoring.inspection_record(
            actor=inspector, kind="initial", inspected_on=date(2025, 5, 1), location=f"{marker} site",
            notes=f"{marker} inspection", findings=[monitoring.FindingSpec(first.pk, "found", f"{marker} photo")])
        loss = monitoring.loss_report_create(actor=recipient, kind="lost", item_ids=[second.pk],
                                             circumstances=f"{marker} circumstances", occurred_on=date(2025, 5, 2))
        disposition = monitoring.disposition_import(
            actor=recipient, donor=code, year=2025, quarter=3 if variant == "coal" else 2,
            notes=f"{marker} disposition",
            rows=[tables.Row(2, {"item_type": gun.name, "serial_number": first.serial_number, "status": "in_service",
                                 "unit": f"{marker} brigade"})])
        out |= {f"hub:{variant}": hub.pk, f"shipment:{variant}": shipment.pk, f"shipment_line:{variant}": row.pk,
                f"serial_item:{variant}": first.pk, f"inspection:{variant}": inspection.pk,
                f"loss_report:{variant}": loss.pk, f"disposition:{variant}": disposition.report_id or 0}
    return out


_SHIP = {"shipment_id": "shipment"}
_ITEM = {"item_id": "serial_item"}
API_CASES.update({
    "GET /api/v1/hubs": Case(),
    "POST /api/v1/hubs": Case("create"),
    "GET /api/v1/hubs/{hub_id}": Case(params={"hub_id": "hub"}),
    "PATCH /api/v1/hubs/{hub_id}": Case("write", params={"hub_id": "hub"}, body={"name": "x"}),
    "GET /api/v1/hubs/{hub_id}/load": Case(params={"hub_id": "hub"}, query="start=2025-04-09"),
    "GET /api/v1/shipments": Case(),
    "GET /api/v1/shipments/export": Case(query="format=json"),
    "POST /api/v1/shipments": Case("create"),
    "GET /api/v1/shipments/{shipment_id}": Case(params=_SHIP),
    "PATCH /api/v1/shipments/{shipment_id}": Case("write", params=_SHIP, body={"notes": "x"}),
    "DELETE /api/v1/shipments/{shipment_id}": Case("write", params=_SHIP),
    **{f"POST /api/v1/shipments/{{shipment_id}}/{verb}": Case("write", params=_SHIP)
       for verb in ("dispatch", "arrive", "depart", "hand-over")},
    "POST /api/v1/shipments/{shipment_id}/incident": Case("write", params=_SHIP,
                                                          body={"kind": "lost", "report": "x"}),
    "POST /api/v1/shipments/{shipment_id}/receipts": Case("write", params=_SHIP, body={"unit": "x"}),
    "GET /api/v1/logistics/overdue": Case(),
    "POST /api/v1/shipments/{shipment_id}/lines/{line_id}/serials": Case(
        "write", params={"shipment_id": "shipment", "line_id": "shipment_line"}, body={"serials": ["X1"]}),
    "POST /api/v1/shipments/{shipment_id}/lines/{line_id}/serials/import": Case(
        "write", params={"shipment_id": "shipment", "line_id": "shipment_line"}),
    "GET /api/v1/serial-items": Case(),
    "GET /api/v1/serial-items/export": Case(query="format=json"),
    "GET /api/v1/serial-items/{item_id}": Case(params=_ITEM),
    "POST /api/v1/serial-items/{item_id}/transfer": Case("write", params=_ITEM,
                                                         body={"to_nation": "POL", "to_unit": "x"}),
    "POST /api/v1/serial-items/{item_id}/status": Case("write", params=_ITEM, body={"status": "under_repair"}),
    "GET /api/v1/compliance": Case(),
    "GET /api/v1/inspections": Case(),
    "GET /api/v1/inspections/{inspection_id}": Case(params={"inspection_id": "inspection"}),
    "POST /api/v1/inspections": Case("create"),
    "GET /api/v1/disposition-reports": Case(),
    "GET /api/v1/disposition-reports/{report_id}": Case(params={"report_id": "disposition"}),
    "POST /api/v1/disposition-reports/import": Case("create"),
    "GET /api/v1/loss-reports": Case(),
    "GET /api/v1/loss-reports/{report_id}": Case(params={"report_id": "loss_report"}),
    "POST /api/v1/loss-reports": Case("create"),
})

PAGE_CASES.update({
    "shipment_board": Case(),
    "shipment_export": Case(query="format=json"),
    "shipment_create": Case(),
    "shipment_detail": Case(params={"id": "shipment"}),
    "shipment_receive": Case(params={"id": "shipment"}),
    "shipment_step": Case("write", params={"id": "shipment", "verb": "=dispatch"}),
    "hub_list": Case(),
    "hub_create": Case(),
    "hub_map": Case(),
    "hub_detail": Case(params={"id": "hub"}),
    "serial_item_list": Case(),
    "serial_item_export": Case(query="format=json"),
    "serial_item_detail": Case(params={"id": "serial_item"}),
    "serial_item_action": Case("write", params={"id": "serial_item", "verb": "=transfer"}),
    "serial_capture": Case(params={"id": "shipment", "line_id": "shipment_line"}),
    "compliance_dashboard": Case(),
    "compliance_export": Case(query="format=json"),
    "inspection_list": Case(),
    "inspection_create": Case(),
    "inspection_detail": Case(params={"id": "inspection"}),
    "disposition_list": Case(),
    "disposition_import": Case(),
    "disposition_detail": Case(params={"id": "disposition"}),
    "loss_report_list": Case(),
    "loss_report_create": Case(),
    "loss_report_detail": Case(params={"id": "loss_report"}),
})

_CLI_SHIP = {"{id}": "shipment"}
CLI_CASES.update({
    "hub list": Case(), "hub show": Case(params={"{id}": "hub"}, query="{id} --from 2025-04-09"),
    "hub create": Case("create"),
    "shipment list": Case(), "shipment show": Case(params=_CLI_SHIP, query="{id}"),
    "shipment create": Case("create"),
    **{f"shipment {verb}": Case("write", params=_CLI_SHIP, query="{id}")
       for verb in ("dispatch", "arrive", "depart", "hand-over")},
    "shipment incident": Case("write", params=_CLI_SHIP, query="{id} --kind lost --report x"),
    "shipment receive": Case("write", params=_CLI_SHIP, query="{id} --unit x"),
    "shipment export": Case(query="--format json"),
    "overdue": Case(),
    "serial list": Case(), "serial show": Case(params={"{id}": "serial_item"}, query="{id}"),
    "serial register": Case("write", params=_CLI_SHIP, query="/nonexistent.csv --shipment {id} --line 1"),
    "serial transfer": Case("write", params={"{id}": "serial_item"}, query="{id} --to-nation POL --to-unit x"),
    "serial export": Case(query="--format json"),
    "compliance": Case(),
    "inspection list": Case(), "inspection show": Case(params={"{id}": "inspection"}, query="{id}"),
    "inspection record": Case("create"),
    "disposition list": Case(), "disposition show": Case(params={"{id}": "disposition"}, query="{id}"),
    "disposition import": Case("create"),
    "loss list": Case(), "loss show": Case(params={"{id}": "loss_report"}, query="{id}"),
    "loss report": Case("create"),
})


# --- matching: scenarios, runs, what they found, comparison, approval, what-if ------------------------------------


@seeder
def seed_matching(actors: dict[str, Any]) -> dict[str, int]:
    """A committed line of 155 mm rounds of each variant (through the pledges services), and a scenario of each
    variant solved once by its coordinator: every run's input holds all the seeded requirements and lines (the
    optimiser sees everything), so each run assigns lines of every variant — what a viewer gets of a run it may
    see must still leave out the lines and requirements it may not."""
    import dataclasses
    from decimal import Decimal

    from shieldwall.catalogue.models import ItemType
    from shieldwall.core.actor import Actor
    from shieldwall.core.services import user_create
    from shieldwall.matching import services
    from shieldwall.needs import services as needs
    from shieldwall.pledges import services as pledges

    system = Actor.system("no-leak")
    rounds = ItemType.objects.get(name="155 mm M795")
    donors = {code: Actor.for_user(user_create(actor=system, username=f"leak-{code.lower()}-matching",
                                               password="x" * 20, nation=code, roles=["donor"], clearance=2,
                                               validate=False)) for code in ("GBR", "FRA")}
    specs = {
        "relto": ("GBR", actors["gbr_coord"],
                  {"classification": 1, "releasability": "REL_TO", "rel_to": ["GBR", "UKR"]}),
        "conf": ("FRA", actors["coord"], {"classification": 2, "releasability": "COALITION"}),
        "coal": ("FRA", actors["coord"], {"classification": 0, "releasability": "COALITION"}),
    }
    out: dict[str, int] = {}
    # An urgent requirement members see takes every line, so the hidden lines are assigned to a visible requirement.
    recipient = dataclasses.replace(actors["coord"], roles=frozenset({"recipient"}))
    urgent = needs.requirement_create(actor=recipient, item_class_id=rounds.item_class_id, quantity=90, priority=1,
                                      need_by=date(2030, 1, 1), destination=f"{MARKERS['coal']} depot",
                                      title=f"{MARKERS['coal']} urgent requirement")
    needs.requirement_submit(actor=recipient, id=urgent.pk)
    for step in (needs.requirement_validate, needs.requirement_open):
        step(actor=actors["coord"], id=urgent.pk)
    for variant, (code, _coordinator, marking) in specs.items():
        marker = MARKERS[variant]
        line = pledges.LineSpec(item_type_id=rounds.pk, quantity=30, value_amount=Decimal("120000.00"),
                                description=f"{marker} rounds")
        package = pledges.package_create(actor=donors[code], title=f"{marker} rounds package", date=date(2025, 4, 1),
                                         source="stock", lines=[line], **marking)
        pledges.line_commit(actor=donors[code], line_id=package.lines.get().pk, effective_date=date(2025, 4, 2))
    for variant, (_code, coordinator, marking) in specs.items():
        marker = MARKERS[variant]
        # Two years' lateness allowed: the seeded requirements' need-by dates may have passed.
        scenario = services.scenario_create(actor=coordinator, name=f"{marker} scenario",
                                            description=f"{marker} why", max_lateness_days=730, **marking)
        run = services.run_start(actor=coordinator, scenario_id=scenario.pk, enqueue=False)
        services.run_execute(actor=coordinator, run_id=run.pk)
        out[f"scenario:{variant}"] = scenario.pk
        out[f"matching_run:{variant}"] = run.pk
    return out


_SCENARIO = {"scenario_id": "scenario"}
_RUN = {"run_id": "matching_run"}
API_CASES.update({
    "GET /api/v1/matching/scenarios": Case(),
    "POST /api/v1/matching/scenarios": Case("create"),
    "GET /api/v1/matching/scenarios/{scenario_id}": Case(params=_SCENARIO),
    "PATCH /api/v1/matching/scenarios/{scenario_id}": Case("write", params=_SCENARIO, body={"name": "x"}),
    "DELETE /api/v1/matching/scenarios/{scenario_id}": Case("write", params=_SCENARIO),
    "POST /api/v1/matching/scenarios/{scenario_id}/runs": Case("write", params=_SCENARIO),
    "POST /api/v1/matching/scenarios/{scenario_id}/what-if": Case(
        "write", params=_SCENARIO, body={"priorities": [{"requirement_id": 1, "priority": 1}]}),
    "GET /api/v1/matching/runs": Case(),
    "GET /api/v1/matching/runs/compare": Case(params={"a": "matching_run", "b": "matching_run"}, query="a={a}&b={b}"),
    "GET /api/v1/matching/runs/{run_id}": Case(params=_RUN),
    "GET /api/v1/matching/runs/{run_id}/assignments": Case(params=_RUN),
    "GET /api/v1/matching/runs/{run_id}/gaps": Case(params=_RUN),
    "GET /api/v1/matching/runs/{run_id}/marginal-values": Case(params=_RUN),
    "POST /api/v1/matching/runs/{run_id}/approve": Case("write", params=_RUN),
})

PAGE_CASES.update({
    "matching_scenario_list": Case(),
    "matching_scenario_create": Case(),
    "matching_scenario_detail": Case(params={"id": "scenario"}),
    "matching_scenario_edit": Case(params={"id": "scenario"}),
    "matching_scenario_run": Case("write", params={"id": "scenario"}),
    "matching_what_if": Case("write", params={"id": "scenario"}),
    "matching_run_detail": Case(params={"id": "matching_run"}, query="tab=assignments"),
    "matching_run_progress": Case(params={"id": "matching_run"}),
    "matching_run_approve": Case("write", params={"id": "matching_run"}),
    "matching_run_compare": Case(params={"id": "matching_run", "other_id": "matching_run"}),
})

_CLI_RUN = {"{id}": "matching_run"}
CLI_CASES.update({
    "match scenario list": Case(),
    "match scenario show": Case(params={"{id}": "scenario"}, query="{id}"),
    "match scenario create": Case("create"),
    "match run": Case("write", params={"{id}": "scenario"}, query="{id}"),
    "match list": Case(),
    "match show": Case(params=_CLI_RUN, query="{id}"),
    "match approve": Case("write", params=_CLI_RUN, query="{id}"),
    "match compare": Case(params={"{a}": "matching_run", "{b}": "matching_run"}, query="{a} {b}"),
    "match what-if": Case("write", params={"{id}": "scenario"}, query="{id} --priority 1=1"),
    "match transit list": Case(),
    "match transit set": Case("create"),
})
