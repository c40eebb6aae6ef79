"""Planning and creating the packages: each donor's over 2025–2026, the co-funded ones, those that came of
announcements, and the security agreements German and British packages count towards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from shieldwall.coalition import services as coalition_services
from shieldwall.coalition.selectors import announcement_list, meeting_list
from shieldwall.core.markings import ceiling
from shieldwall.needs.demo import AREA_WEIGHTS
from shieldwall.pledges import links, services
from shieldwall.pledges.demo.data import (
    AGREEMENTS,
    ANNOUNCED_AREAS,
    AREA_LABELS,
    CO_FUNDED,
    DONORS,
    FULL_LINES,
    LINKED_PER_AGREEMENT,
    PARIS,
    PARIS_DATE,
    START,
    C,
    Donor,
    R,
)
from shieldwall.pledges.demo.world import PackagePlan, World, package_marking
from shieldwall.pledges.models import PackageSource
from shieldwall.pledges.selectors import package_list


def package_areas(world: World, donor: Donor) -> tuple[str, ...]:
    """One or two capability areas a package is about, likelier those whose coalition the donor leads or joins."""
    areas = [a for a in AREA_WEIGHTS if a in world.classes_by_area and (not donor.only or a in donor.only)]
    weights = [AREA_WEIGHTS[a] * world.boost.get(donor.code, {}).get(a, 1) for a in areas]
    picked = world.rng.choices(areas, weights=weights, k=world.rng.choice((1, 1, 2)))
    return tuple(dict.fromkeys(picked))


def generated(world: World, size: float, names: dict[str, str]) -> list[PackagePlan]:
    """Each donor's packages over 2025–2026, their lines in proportion to its weight (at least two)."""
    rng, total = world.rng, sum(d.weight for d in DONORS)
    span = max(0, (world.today - timedelta(days=10) - START).days)
    plans = []
    for donor in DONORS:
        actor = world.donors[donor.code]
        lines = max(2, round(FULL_LINES * size * donor.weight / total))
        count = max(1, round(lines / 6))
        days = sorted(START + timedelta(days=rng.randint(0, span)) for _ in range(count))
        sizes = [1] * count
        for _ in range(lines - count):
            sizes[rng.randrange(count)] += 1
        for number, (day, lines_in) in enumerate(zip(days, sizes, strict=True), start=1):
            source = rng.choices((PackageSource.STOCK, PackageSource.PROCUREMENT, PackageSource.FINANCING),
                                 weights=(62, 28, 0 if donor.only else 10))[0]
            areas = package_areas(world, donor)
            about = "financing" if source == PackageSource.FINANCING else ", ".join(
                AREA_LABELS.get(a, a) for a in areas)
            plans.append(PackagePlan(donor, f"{names[donor.code]}: package {number} ({about})", day, source, areas,
                                     lines_in, package_marking(world, actor)))
    return plans


def announced(world: World) -> list[PackagePlan]:
    """The packages that came of the Paris announcements, linked to them (skipped above the ceiling)."""
    by_code = {d.code: d for d in DONORS}
    plans = []
    for spec in PARIS:
        if spec.classification > ceiling():
            continue
        actor = world.donors[spec.nation]
        paris = [m.pk for m in meeting_list(actor=actor) if m.date == PARIS_DATE and "E5" in m.title]
        found = [a for a in announcement_list(actor=actor, nation=spec.nation)
                 if a.meeting_id in paris and (a.releasability == R.REL_TO) == (spec.releasability == R.REL_TO)]
        plans.append(PackagePlan(by_code[spec.nation], spec.title, spec.day, spec.source, spec.areas,
                                 world.rng.randint(4, 8), (spec.classification, spec.releasability, spec.rel_to),
                                 announcement_id=found[0].pk if found else None))
    return plans


def co_funded(world: World) -> list[PackagePlan]:
    """The co-funded packages, led (and originated) by their first funder; half public, half for the coalition."""
    by_code = {d.code: d for d in DONORS}
    return [PackagePlan(by_code[spec.funders[0][0]], spec.title, spec.day, spec.source, (), len(spec.items),
                        (C.UNCLASSIFIED, R.PUBLIC if n % 2 == 0 else R.COALITION, ()), funders=spec.funders,
                        items=spec.items, description=spec.description)
            for n, spec in enumerate(CO_FUNDED)]


def link_announcements(world: World, plans: Sequence[PackagePlan]) -> None:
    """Each announcement at a meeting other than Paris gets the announcing nation's first package within four
    months after it — one about what was announced, when the announcement says."""
    for code, actor in world.donors.items():
        dates = {m.pk: m.date for m in meeting_list(actor=actor) if m.date != PARIS_DATE}
        for announcement in announcement_list(actor=actor, nation=code).order_by("id"):
            if announcement.meeting_id not in dates:
                continue
            said = dates[announcement.meeting_id]
            areas = {area for word, area in ANNOUNCED_AREAS if word in announcement.text.lower()}
            candidates = [p for p in plans if p.donor.code == code and p.announcement_id is None and not p.funders
                          and said <= p.day <= said + timedelta(days=120)]
            match = next((p for p in candidates if areas & set(p.areas)), None) or next(iter(candidates), None)
            if match is not None:
                match.announcement_id = announcement.pk


def create_package(world: World, plan: PackagePlan) -> int:
    """The package through the service, by its lead donor; its id."""
    cls, rel, codes = plan.marking
    package = services.package_create(
        actor=world.donors[plan.donor.code], title=plan.title, date=plan.day, source=plan.source,
        description=plan.description,
        funders=[services.FunderShare(code, Decimal(share)) for code, share in plan.funders] or None,
        announcement_id=plan.announcement_id, classification=cls, releasability=rel, rel_to=codes)
    return package.pk


def agreements(world: World) -> int:
    """The bilateral security agreements, and the donor's packages since 2025 that count towards them."""
    written = 0
    for code, title, signed, obligations in AGREEMENTS:
        actor = world.donors[code]
        agreement = coalition_services.agreement_create(
            actor=actor, title=title, donor=code, partner="UKR", signed=signed, duration_years=10,
            obligations={year: Decimal(amount) for year, amount in obligations.items()},
            classification=C.UNCLASSIFIED, releasability=R.PUBLIC)
        own = package_list(actor=actor).filter(originator__code=code, date__gte=date(2025, 1, 1)).order_by("date", "id")
        for package in own[:LINKED_PER_AGREEMENT]:
            links.package_link_agreement(actor=actor, package_id=package.pk, agreement_id=agreement.pk)
            written += 1
        written += 1
    return written
