"""`shieldwall` subcommands of the coalition registry: nations, organisations, memberships, capability
coalitions, meetings and announcements, thin over `coalition.selectors` and `coalition.services`.

Reads act as `--as`/`--token`, else anonymously (PUBLIC only); writes need an acting user. Marked records
print their marking (`RESTRICTED // REL TO FRA, GBR`) as a column.
"""

from __future__ import annotations

import argparse
from typing import Any

from shieldwall.cli import (
    Context,
    add_command,
    add_group,
    arg_classification,
    arg_codes,
    arg_date,
    arg_decimal,
    arg_releasability,
    check_choice,
)
from shieldwall.core.markings import Classification, format_marking


def register(subparsers: Any) -> None:
    _register_nations(subparsers)
    _register_organisations(subparsers)
    _register_memberships(subparsers)
    _register_coalitions(subparsers)
    _register_meetings(subparsers)
    _register_announcements(subparsers)


def _marking_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--classification", type=arg_classification, default=Classification.UNCLASSIFIED,
                        metavar="LEVEL",
                        help="UNCLASSIFIED (default), RESTRICTED, CONFIDENTIAL or SECRET (up to the ceiling)")
    parser.add_argument("--releasability", type=arg_releasability, default=None, metavar="RELEASABILITY",
                        help="PUBLIC, COALITION (default) or REL_TO (implied by --rel-to)")
    parser.add_argument("--rel-to", type=arg_codes, default=[], metavar="CODES",
                        help="nations it is releasable to, e.g. FRA,GBR,UKR")


def _marking(args: argparse.Namespace) -> dict[str, Any]:
    releasability = args.releasability or ("REL_TO" if args.rel_to else "COALITION")
    return {"classification": int(args.classification), "releasability": releasability, "rel_to": args.rel_to}


def marking_of(obj: Any) -> str:
    """The display marking of a record whose REL TO nations the selector prefetched."""
    return format_marking(obj.classification, obj.releasability, [n.code for n in obj.rel_to.all()])


def _code(nation: Any) -> str | None:
    return nation.code if nation is not None else None


# --- nations ------------------------------------------------------------------------------------------------


def _register_nations(subparsers: Any) -> None:
    group = add_group(subparsers, "nation", help="nations (ISO 3166) with GDP, population and defence budget")
    listing = add_command(group, "list", _nation_list, help="list nations with their current tier")
    listing.add_argument("--q", default="", help="name contains, or exact code")
    listing.add_argument("--tier", default="", help="current tier: core, member, partner or interested")
    show = add_command(group, "show", _nation_show, help="one nation")
    show.add_argument("code")
    create = add_command(group, "create", _nation_create, help="add a nation by its ISO 3166 alpha-3 code")
    create.add_argument("code")
    create.add_argument("--gdp", type=arg_decimal, default=None, help="GDP in EUR bn")
    create.add_argument("--gdp-year", type=int, default=None, help="base year of the GDP figure")
    create.add_argument("--population", type=int, default=None)
    create.add_argument("--population-year", type=int, default=None)
    create.add_argument("--defence-budget", type=arg_decimal, default=None, help="defence budget in EUR bn")
    create.add_argument("--defence-budget-year", type=int, default=None)


def _nation_row(nation: Any, tiers: dict[int, str]) -> dict[str, Any]:
    return {"code": nation.code, "name": nation.name, "tier": tiers.get(nation.pk, ""),
            "gdp_eur_bn": nation.gdp_eur_bn, "gdp_year": nation.gdp_year, "population": nation.population,
            "population_year": nation.population_year, "defence_budget_eur_bn": nation.defence_budget_eur_bn,
            "defence_budget_year": nation.defence_budget_year}


def _nation_list(ctx: Context) -> None:
    from shieldwall.coalition import selectors
    from shieldwall.coalition.models import Tier

    if ctx.args.tier:
        check_choice("--tier", ctx.args.tier, Tier.values)
    nations = selectors.nation_list(actor=ctx.actor(), filters=selectors.NationFilters(q=ctx.args.q,
                                                                                       tier=ctx.args.tier))
    tiers = selectors.nation_current_tiers()
    ctx.render([_nation_row(n, tiers) for n in nations])


def _nation_show(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    nation = selectors.nation_get(actor=ctx.actor(), code=ctx.args.code)
    ctx.render_record(_nation_row(nation, selectors.nation_current_tiers(nation_ids=[nation.pk])))


def _nation_create(ctx: Context) -> None:
    from shieldwall.coalition import services

    a = ctx.args
    nation = services.nation_create(
        actor=ctx.acting(), code=a.code, gdp_eur_bn=a.gdp, gdp_year=a.gdp_year, population=a.population,
        population_year=a.population_year, defence_budget_eur_bn=a.defence_budget,
        defence_budget_year=a.defence_budget_year,
    )
    ctx.render_record(_nation_row(nation, {}))


# --- organisations ------------------------------------------------------------------------------------------


def _register_organisations(subparsers: Any) -> None:
    group = add_group(subparsers, "organisation", help="ministries, agencies and international bodies")
    listing = add_command(group, "list", _organisation_list, help="list organisations")
    listing.add_argument("--q", default="")
    listing.add_argument("--kind", default="", help="ministry, agency or international")
    listing.add_argument("--nation", default="", metavar="CODE")
    show = add_command(group, "show", _organisation_show, help="one organisation")
    show.add_argument("id", type=int)
    create = add_command(group, "create", _organisation_create, help="add an organisation")
    create.add_argument("--name", required=True)
    create.add_argument("--kind", required=True, help="ministry, agency or international")
    create.add_argument("--short-name", default="")
    create.add_argument("--nation", default=None, metavar="CODE", help="required for a ministry or agency")


def _organisation_row(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name, "short_name": org.short_name, "kind": org.kind,
            "nation": _code(org.nation)}


def _organisation_list(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    a = ctx.args
    orgs = selectors.organisation_list(actor=ctx.actor(), q=a.q, kind=a.kind, nation=a.nation)
    ctx.render([_organisation_row(org) for org in orgs])


def _organisation_show(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    ctx.render_record(_organisation_row(selectors.organisation_get(actor=ctx.actor(), id=ctx.args.id)))


def _organisation_create(ctx: Context) -> None:
    from shieldwall.coalition import services
    from shieldwall.coalition.models import OrganisationKind

    a = ctx.args
    check_choice("--kind", a.kind, OrganisationKind.values)
    org = services.organisation_create(actor=ctx.acting(), name=a.name, kind=a.kind, short_name=a.short_name,
                                       nation=a.nation)
    ctx.render_record(_organisation_row(org))


# --- memberships --------------------------------------------------------------------------------------------


def _register_memberships(subparsers: Any) -> None:
    group = add_group(subparsers, "membership", help="nations' tiers in the coalition, with their history")
    listing = add_command(group, "list", _membership_list, help="list membership periods")
    listing.add_argument("--nation", default="", metavar="CODE")
    listing.add_argument("--tier", default="")
    listing.add_argument("--current", action="store_true", help="only periods in force today")
    tier = add_command(group, "set-tier", _membership_set_tier,
                       help="give a nation a new tier from a date (closes the current period)")
    tier.add_argument("nation", metavar="NATION")
    tier.add_argument("tier", metavar="TIER", help="core, member, partner or interested")
    tier.add_argument("--from", dest="valid_from", type=arg_date, required=True, metavar="DATE")
    tier.add_argument("--note", default="")


def _membership_row(row: Any) -> dict[str, Any]:
    return {"id": row.pk, "nation": row.nation.code, "tier": row.tier, "valid_from": row.valid_from,
            "valid_to": row.valid_to, "note": row.note}


def _membership_list(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    a = ctx.args
    current = True if a.current else None
    rows = selectors.membership_list(actor=ctx.actor(), nation=a.nation, tier=a.tier, current=current)
    ctx.render([_membership_row(row) for row in rows])


def _membership_set_tier(ctx: Context) -> None:
    from shieldwall.coalition import services
    from shieldwall.coalition.models import Tier

    a = ctx.args
    check_choice("TIER", a.tier, Tier.values)
    row = services.membership_set_tier(actor=ctx.acting(), nation=a.nation, tier=a.tier,
                                       valid_from=a.valid_from, note=a.note)
    ctx.render_record(_membership_row(row))


# --- capability coalitions ----------------------------------------------------------------------------------


def _register_coalitions(subparsers: Any) -> None:
    group = add_group(subparsers, "coalition", help="capability coalitions, their lead nations and members")
    listing = add_command(group, "list", _coalition_list, help="list capability coalitions")
    listing.add_argument("--area", default="", help="capability area code, e.g. air_defence")
    listing.add_argument("--nation", default="", metavar="CODE", help="led by or including this nation")
    show = add_command(group, "show", _coalition_show, help="one capability coalition")
    show.add_argument("id", type=int)
    create = add_command(group, "create", _coalition_create, help="add a capability coalition")
    create.add_argument("name")
    create.add_argument("--area", required=True, help="capability area code, e.g. air_defence, artillery")
    create.add_argument("--leads", type=arg_codes, required=True, metavar="CODES", help="e.g. FRA,DEU")
    create.add_argument("--members", type=arg_codes, default=[], metavar="CODES")
    create.add_argument("--description", default="")


def _coalition_row(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": obj.name, "area": obj.capability_area,
            "leads": sorted(n.code for n in obj.leads.all()),
            "members": sorted(n.code for n in obj.members.all()), "description": obj.description}


def _coalition_list(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    rows = selectors.capability_coalition_list(actor=ctx.actor(), area=ctx.args.area, nation=ctx.args.nation)
    ctx.render([_coalition_row(obj) for obj in rows], columns=["id", "name", "area", "leads", "members"])


def _coalition_show(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    ctx.render_record(_coalition_row(selectors.capability_coalition_get(actor=ctx.actor(), id=ctx.args.id)))


def _coalition_create(ctx: Context) -> None:
    from shieldwall.coalition import services
    from shieldwall.coalition.models import CapabilityAreaCode

    a = ctx.args
    check_choice("--area", a.area, CapabilityAreaCode.values)
    obj = services.capability_coalition_create(actor=ctx.acting(), name=a.name, capability_area=a.area,
                                               leads=a.leads, members=a.members, description=a.description)
    ctx.render_record(_coalition_row(obj))


# --- meetings -----------------------------------------------------------------------------------------------


def _register_meetings(subparsers: Any) -> None:
    group = add_group(subparsers, "meeting", help="meetings, their attendance and announcements (marked)")
    listing = add_command(group, "list", _meeting_list, help="list the meetings you may see")
    listing.add_argument("--q", default="", help="title or place contains")
    listing.add_argument("--from", dest="date_from", type=arg_date, default=None, metavar="DATE")
    listing.add_argument("--to", dest="date_to", type=arg_date, default=None, metavar="DATE")
    listing.add_argument("--nation", default="", metavar="CODE", help="attended by this nation")
    show = add_command(group, "show", _meeting_show, help="one meeting with attendance and announcements")
    show.add_argument("id", type=int)
    create = add_command(group, "create", _meeting_create, own_format=True,
                         help="record a meeting (coordinators); put the output --format before 'meeting'")
    create.add_argument("--title", required=True)
    create.add_argument("--date", type=arg_date, required=True, metavar="DATE")
    create.add_argument("--place", default="")
    create.add_argument("--format", dest="meeting_format", default="in_person", metavar="FORMAT",
                        help="in_person (default), hybrid or virtual")
    create.add_argument("--chair", default=None, metavar="CODE")
    create.add_argument("--notes", default="")
    _marking_options(create)


def _meeting_row(meeting: Any) -> dict[str, Any]:
    return {"id": meeting.pk, "date": meeting.date, "title": meeting.title, "place": meeting.place,
            "format": meeting.format, "chair": _code(meeting.chair), "originator": _code(meeting.originator),
            "marking": marking_of(meeting)}


def _meeting_list(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    a = ctx.args
    filters = selectors.MeetingFilters(q=a.q, date_from=a.date_from, date_to=a.date_to, nation=a.nation)
    ctx.render([_meeting_row(m) for m in selectors.meeting_list(actor=ctx.actor(), filters=filters)])


def _meeting_show(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    meeting = selectors.meeting_get(actor=ctx.actor(), id=ctx.args.id)
    attendance = [{"nation": a.nation.code, "representative": a.representative, "mode": a.mode}
                  for a in meeting.attendances.all()]
    announcements = [_announcement_row(item) for item in meeting.visible_announcements]  # type: ignore[attr-defined]
    ctx.render_record({**_meeting_row(meeting), "notes": meeting.notes, "attendance": attendance,
                       "announcements": announcements})


def _meeting_create(ctx: Context) -> None:
    from shieldwall.coalition import services
    from shieldwall.coalition.models import MeetingFormat

    a = ctx.args
    check_choice("--format", a.meeting_format, MeetingFormat.values)
    meeting = services.meeting_create(actor=ctx.acting(), title=a.title, date=a.date, place=a.place,
                                      format=a.meeting_format, chair=a.chair, notes=a.notes, **_marking(a))
    ctx.render_record(_meeting_row(meeting))


# --- announcements ------------------------------------------------------------------------------------------


def _register_announcements(subparsers: Any) -> None:
    group = add_group(subparsers, "announcement", help="what nations announced at meetings (marked)")
    listing = add_command(group, "list", _announcement_list, help="list the announcements you may see")
    listing.add_argument("--meeting", type=int, default=None, metavar="ID")
    listing.add_argument("--nation", default="", metavar="CODE")
    create = add_command(group, "create", _announcement_create, help="record a nation's announcement")
    create.add_argument("--meeting", type=int, required=True, metavar="ID")
    create.add_argument("--nation", required=True, metavar="CODE")
    create.add_argument("--text", required=True)
    _marking_options(create)


def _announcement_row(item: Any) -> dict[str, Any]:
    return {"id": item.pk, "meeting": item.meeting_id, "nation": item.nation.code, "text": item.text,
            "marking": marking_of(item)}


def _announcement_list(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    rows = selectors.announcement_list(actor=ctx.actor(), meeting_id=ctx.args.meeting, nation=ctx.args.nation)
    ctx.render([_announcement_row(item) for item in rows])


def _announcement_create(ctx: Context) -> None:
    from shieldwall.coalition import services

    a = ctx.args
    item = services.announcement_create(actor=ctx.acting(), meeting_id=a.meeting, nation=a.nation,
                                        text=a.text, **_marking(a))
    ctx.render_record(_announcement_row(item))
