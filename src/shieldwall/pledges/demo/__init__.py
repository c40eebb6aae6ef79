"""Demo data of pledges: about 1,500 pledge lines in some 250 packages from 32 donor nations, in every stage, over
2025 and 2026 — generated with a fixed seed from the real catalogue and the demo's requirements list.

What it holds:
- a donor officer `<code>-donor` for each donor nation beyond the demo's main users;
- packages from stocks, new procurement and financing, each line valued at the catalogue's reference price with
  some noise and the valuation method that goes with its source, in the donor's currency (GBP, PLN, SEK, NOK,
  DKK, CZK, USD, CAD, JPY, AUD, NZD, RON, ISK, BGN until Bulgaria's euro; EUR otherwise) at the ECB rate of the
  value date; quantities of the order the item class is needed in (`needs.demo.QUANTITIES`), and item types a
  donor actually has or buys (`ORIGINS`: no Challenger 2 from Portugal);
- lines pledged against open requirements the donor may see, allocated by a coordinator who may see both,
  contracted, shipped and delivered in parts (the delivery confirmed by Ukraine when it may see the line), or
  cancelled with a reason — each step dated after the one before and never after today;
- co-funded packages with their funders' shares (`CO_FUNDED`: PURL packages, the Czech ammunition initiative, a
  Danish-model financing), packages that came of the E5 ministers' announcements in Paris on 12 March 2025
  (`PARIS`) and of other meetings' announcements, and two bilateral security agreements with yearly obligations
  that German and British packages count towards;
- markings spread over PUBLIC, COALITION and REL TO lists, some RESTRICTED and CONFIDENTIAL (never above the
  donor's clearance or the deployment's ceiling), and German lines released to Germany alone.

Packages, agreements and their links go through the services; the lines through `services.demo_load`, the
demo-only bulk loader, which checks what the step services check but writes one audit event per line (with its
dated steps) rather than one per step — see its docstring. `size` scales the generated part (1 = about 1,500
lines; SHIELDWALL_DEMO_SCALE when not given). Idempotent: nothing is written when the marker package exists.
"""

from __future__ import annotations

from shieldwall.coalition.selectors import nation_list
from shieldwall.core import demo as core_demo
from shieldwall.needs import services as needs_services
from shieldwall.pledges.demo.data import DONORS, MARKER_TITLE
from shieldwall.pledges.demo.lines import lines_of
from shieldwall.pledges.demo.packages import (
    agreements,
    announced,
    co_funded,
    create_package,
    generated,
    link_announcements,
)
from shieldwall.pledges.demo.world import build_world
from shieldwall.pledges.selectors import package_list
from shieldwall.pledges.services.demo_load import LinePlan, lines_load


def load(*, report: core_demo.Reporter = core_demo.quiet, size: float | None = None) -> int:
    """Load the pledges (once); returns the number of records written."""
    written = core_demo.load_donor_users(d.code for d in DONORS)
    if package_list(actor=core_demo.actor("fra-donor")).filter(title=MARKER_TITLE).exists():
        report(1, 1, "pledges already loaded")
        return written
    world = build_world()
    names = {n.code: n.name for n in nation_list(actor=core_demo.system_actor())}
    types = {t.name: t for class_types in world.types_by_class.values() for t in class_types}
    plans = sorted([*announced(world), *co_funded(world), *generated(world, core_demo.scale(size), names)],
                   key=lambda p: (p.day, p.title))
    link_announcements(world, plans)
    # Lines are planned in date order, so earlier packages pledge against the requirements first.
    planned = [(plan, lines_of(world, plan, types)) for plan in plans]
    steps = len(plans) + 3
    by_donor: dict[str, dict[int, list[LinePlan]]] = {}
    for number, (plan, planned_lines) in enumerate(planned):
        if number % 20 == 0:
            report(number, steps, "packages")
        by_donor.setdefault(plan.donor.code, {})[create_package(world, plan)] = planned_lines
        written += 1
    report(len(plans), steps, "pledge lines")
    for code, its_packages in by_donor.items():
        written += len(lines_load(actor=world.donors[code], lines=its_packages))
    report(len(plans) + 1, steps, "requirements' coverage")
    # The requirements move to partially met or met once, as the step services would have left them.
    for requirement_id in sorted(world.touched):
        needs_services.requirement_refresh_status(actor=world.recipient, requirement_id=requirement_id)
    report(len(plans) + 2, steps, "security agreements")
    written += agreements(world)
    report(steps, steps, "pledges loaded")
    return written
