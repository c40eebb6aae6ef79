"""Security agreement fulfilment: per year of the agreement, its obligation against the donor's committed value
(by the year of commitment) and delivered value (by the year of each delivery) from the packages it covers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from shieldwall.coalition.models import SecurityAgreement
from shieldwall.coalition.terms import term_years
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Marking
from shieldwall.core.models import Marked
from shieldwall.core.roles import Role
from shieldwall.pledges.models import COUNTED_STATUSES, LineStatus, Package
from shieldwall.pledges.reports.common import (
    MONEY,
    ZERO,
    PackageProgress,
    Scaled,
    StageTotals,
    delivered_value,
    delivery_events,
    first_reached,
    funded_by,
    load_packages,
    page_marking,
    percent,
    share_of,
    totals_by_package,
    visible_lines,
)


@dataclass(frozen=True)
class FulfilmentYear:
    year: int
    obligation: Decimal | None
    committed: Decimal
    delivered: Decimal
    in_term: bool

    @property
    def committed_pct(self) -> Decimal | None:
        return percent(self.committed, self.obligation)

    @property
    def delivered_pct(self) -> Decimal | None:
        return percent(self.delivered, self.obligation)


@dataclass(frozen=True)
class AgreementFulfilment:
    agreement: SecurityAgreement
    years: list[FulfilmentYear]
    packages: list[PackageProgress]
    marking: Marking | None = None
    records: list[Marked] = field(default_factory=list)

    @property
    def total(self) -> FulfilmentYear:
        obligations = [y.obligation for y in self.years if y.obligation is not None]
        return FulfilmentYear(0, sum(obligations, ZERO) if obligations else None,
                              sum((y.committed for y in self.years), ZERO),
                              sum((y.delivered for y in self.years), ZERO), True)


def agreement_fulfilment(*, actor: Actor, agreement_id: int) -> AgreementFulfilment:
    """Per year of the agreement: its obligation, the donor's committed value (by the year of each line's
    commitment) and delivered value (by the year of each delivery), from the visible packages it covers."""
    from shieldwall.coalition.selectors import agreement_get

    agreement = agreement_get(actor=actor, id=agreement_id)
    donor_id = agreement.donor_id
    package_qs = Package.objects.visible_to(actor).filter(funded_by(donor_id), agreement=agreement)
    packages = load_packages(package_qs)
    lines = visible_lines(actor, package_qs)
    share = share_of(donor_id)
    year = ExtractYear(first_reached(COUNTED_STATUSES))
    committed = dict(lines.filter(status__in=COUNTED_STATUSES).order_by().annotate(year=year).values("year")
                     .annotate(total=Sum(Scaled(F("value_eur"), share), output_field=MONEY))
                     .values_list("year", "total"))
    events = delivery_events(lines.filter(~Q(status=LineStatus.CANCELLED)))
    delivered = dict(events.order_by().annotate(year=ExtractYear("effective_date")).values("year")
                     .annotate(total=Sum(delivered_value(share_of(donor_id, "line__package_id")), output_field=MONEY))
                     .values_list("year", "total"))
    obligations = {o.year: o.amount_eur for o in agreement.obligations.all()}
    term = term_years(agreement.signed, agreement.duration_years)
    years = sorted({*term, *committed, *delivered})
    rows = [FulfilmentYear(y, obligations.get(y), committed.get(y) or ZERO, delivered.get(y) or ZERO, y in term)
            for y in years]
    by_package = totals_by_package(lines)
    shares = {f.package_id: f.share for p in packages for f in p.funders.all() if f.nation_id == donor_id}
    return AgreementFulfilment(
        agreement=agreement, years=rows,
        packages=[PackageProgress(p, by_package.get(p.pk, StageTotals()), shares.get(p.pk, Decimal(1)))
                  for p in packages],
        marking=page_marking([agreement, *packages], lines), records=[agreement, *packages],
    )


def packages_linkable_to_agreement(*, actor: Actor, agreement: SecurityAgreement) -> QuerySet[Package]:
    """The choices for linking: visible packages its donor funds and not yet linked to it, of the actor's own
    nation (as the package policy has it, a donor officer changes only its nation's packages; the link service
    checks the rule itself)."""
    visible = Package.objects.visible_to(actor)
    if not actor.has_role(Role.DONOR) or actor.nation_id is None:
        return visible.none()
    return (visible.filter(funded_by(agreement.donor_id), originator_id=actor.nation_id)
            .exclude(agreement_id=agreement.pk).order_by("-date", "-id"))
