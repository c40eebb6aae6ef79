"""`shieldwall agreement list|show|create|link`: security agreements with their yearly obligations and
fulfilment, thin over the coalition selectors and services and `pledges.reports` / `pledges.links`."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from typing import Any

from shieldwall.cli import Context, add_command, add_group, arg_date
from shieldwall.coalition.cli import _marking, _marking_options, marking_of


def arg_obligation(value: str) -> tuple[int, Decimal]:
    """`2025=5000000.00` → (2025, Decimal('5000000.00'))."""
    year, _, amount = value.partition("=")
    try:
        return int(year), Decimal(amount.replace(",", "").replace("_", ""))
    except (ValueError, InvalidOperation) as exc:
        raise argparse.ArgumentTypeError(f"{value!r}: write YEAR=AMOUNT in EUR, e.g. 2025=5000000.00") from exc


def register(subparsers: Any) -> None:
    group = add_group(subparsers, "agreement", help="security agreements, their yearly obligations and fulfilment")
    listing = add_command(group, "list", _agreement_list, help="list the agreements you may see")
    listing.add_argument("--q", default="", help="title or description contains")
    listing.add_argument("--donor", default="", metavar="CODE")
    listing.add_argument("--partner", default="", metavar="CODE")
    show = add_command(group, "show", _agreement_show,
                       help="one agreement with its obligations and fulfilment per year")
    show.add_argument("id", type=int)
    create = add_command(group, "create", _agreement_create, help="record an agreement with its yearly obligations")
    create.add_argument("--title", required=True)
    create.add_argument("--donor", required=True, metavar="CODE")
    create.add_argument("--partner", required=True, metavar="CODE")
    create.add_argument("--signed", type=arg_date, required=True, metavar="DATE")
    create.add_argument("--years", dest="duration_years", type=int, default=10, metavar="N",
                        help="duration in years (default 10)")
    create.add_argument("--description", default="")
    create.add_argument("--obligation", dest="obligations", type=arg_obligation, action="append", default=[],
                        metavar="YEAR=EUR", help="a yearly obligation, e.g. 2025=5000000.00 (repeat per year)")
    _marking_options(create)
    link = add_command(group, "link", _agreement_link,
                       help="count a package towards the agreement (or stop, with --unlink)")
    link.add_argument("id", type=int)
    link.add_argument("--package", type=int, required=True, metavar="ID")
    link.add_argument("--unlink", action="store_true", help="stop counting the package towards it")


def _row(agreement: Any) -> dict[str, Any]:
    return {"id": agreement.pk, "title": agreement.title, "donor": agreement.donor.code,
            "partner": agreement.partner.code, "signed": agreement.signed, "years": agreement.duration_years,
            "marking": marking_of(agreement)}


def _agreement_list(ctx: Context) -> None:
    from shieldwall.coalition import selectors

    a = ctx.args
    filters = selectors.AgreementFilters(q=a.q, donor=a.donor, partner=a.partner)
    ctx.render([_row(agreement) for agreement in selectors.agreement_list(actor=ctx.actor(), filters=filters)])


def _agreement_show(ctx: Context) -> None:
    from shieldwall.pledges import reports

    result = reports.agreement_fulfilment(actor=ctx.actor(), agreement_id=ctx.args.id)
    ctx.render_record(_fulfilment_record(result))


def _fulfilment_record(result: Any) -> dict[str, Any]:
    from shieldwall.coalition.terms import last_day
    from shieldwall.pledges.reports import cents

    agreement = result.agreement

    def year_row(y: Any) -> dict[str, Any]:
        return {"year": y.year or "total", "obligation_eur": None if y.obligation is None else cents(y.obligation),
                "committed_eur": cents(y.committed), "committed_pct": y.committed_pct,
                "delivered_eur": cents(y.delivered), "delivered_pct": y.delivered_pct,
                "in_term": y.in_term}

    return {
        **_row(agreement), "ends": last_day(agreement.signed, agreement.duration_years),
        "description": agreement.description,
        "fulfilment": [year_row(y) for y in [*result.years, result.total]],
        "packages": [{"id": p.package.pk, "date": p.package.date, "title": p.package.title,
                      "share_pct": p.share_pct, "committed_eur": cents(p.totals.committed)}
                     for p in result.packages],
    }


def _agreement_create(ctx: Context) -> None:
    from shieldwall.coalition import selectors, services

    a = ctx.args
    actor = ctx.acting()
    agreement = services.agreement_create(
        actor=actor, title=a.title, donor=a.donor, partner=a.partner, signed=a.signed,
        duration_years=a.duration_years, description=a.description, obligations=a.obligations, **_marking(a))
    ctx.render_record(_row(selectors.agreement_get(actor=actor, id=agreement.pk)))


def _agreement_link(ctx: Context) -> None:
    from shieldwall.coalition import selectors
    from shieldwall.pledges import links, reports

    a = ctx.args
    # Not found before "who acts?": a hidden agreement answers the same to everyone.
    selectors.agreement_get(actor=ctx.actor(), id=a.id)
    actor = ctx.acting()
    if a.unlink:
        links.package_unlink_agreement(actor=actor, package_id=a.package, agreement_id=a.id)
    else:
        links.package_link_agreement(actor=actor, package_id=a.package, agreement_id=a.id)
    ctx.render_record(_fulfilment_record(reports.agreement_fulfilment(actor=actor, agreement_id=a.id)))

