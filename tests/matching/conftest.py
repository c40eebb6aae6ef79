"""The matching tests' world: a small catalogue, Ukraine's open requirements and donors' committed lines, built
through the services (requirements through the needs factories), so that the optimum is known by hand.

Requirements (remaining = quantity less what is already allocated):
  shells    155 mm, 100 (10 already allocated: 90 remain), priority 1, front line
  training  155 mm,  60, priority 3, training use
  nato      NATO 155 mm (any: the M795 satisfies it through the catalogue), 5, priority 5
  sam       IRIS-T, 10, priority 1 — nothing of it is offered
  soviet    152 mm, 40, priority 2, REL TO GBR, UKR (not for French eyes)
Committed lines (available today, 7 days' transit from Europe, all in time):
  FRA  80 × M795, excludes training use     GBR  60 × M795     DEU  30 × OF-540, REL TO DEU, GBR, UKR
plus an announced FRA line (500 × M795) and an allocated one (10 × M795, to shells), which are not inputs.

The optimum: FRA 80 → shells, GBR 10 → shells and 50 → training, DEU 30 → soviet; the NATO requirement (worth
least) gets nothing; objective 90·16 + 50·4 + 30·8 = 1880 (weights 2^(5 − priority)).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from shieldwall.catalogue import services as catalogue_services
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification
from shieldwall.core.models import User
from shieldwall.matching import services
from shieldwall.matching.models import MatchingRun, Scenario
from shieldwall.pledges import services as pledges
from tests.needs.factories import SYSTEM, make_catalogue, make_requirement


def today() -> date:
    return timezone.localdate()


def _actor(user: User) -> Actor:
    return Actor.for_user(User.objects.select_related("nation").get(pk=user.pk))


@pytest.fixture
def gbr_donor(make_user: Callable[..., User]) -> Actor:
    return _actor(make_user("gbr-donor", "GBR", ["donor"], Classification.CONFIDENTIAL))


@pytest.fixture
def deu_donor(make_user: Callable[..., User]) -> Actor:
    return _actor(make_user("deu-donor", "DEU", ["donor"], Classification.RESTRICTED))


def committed_line(donor: Actor, item_type: Any, quantity: int, *, excluded_uses: tuple[str, ...] = (),
                   available: date | None = None, commit: bool = True, **marking: Any) -> int:
    spec = pledges.LineSpec(item_type_id=item_type.pk, quantity=quantity, value_amount=Decimal(quantity * 1000),
                            available_from=available or today(), excluded_uses=excluded_uses)
    package = pledges.package_create(actor=donor, title=f"{donor.nation_code} package", date=today() - timedelta(10),
                                     source="stock", lines=[spec], **marking)
    line_id = int(package.lines.get().pk)
    if commit:
        pledges.line_commit(actor=donor, line_id=line_id, effective_date=today() - timedelta(9))
    return line_id


@pytest.fixture
def world(nations: Any, ukr_desk: Actor, coord: Actor, fra_officer: Actor, gbr_donor: Actor,
          deu_donor: Actor) -> dict[str, Any]:
    cat = make_catalogue()
    nato = catalogue_services.item_class_create(actor=SYSTEM, area_id=cat["artillery"].pk,
                                                name="NATO 155 mm ammunition (any)", unit="rounds")
    catalogue_services.compatibility_create(actor=SYSTEM, item_type_id=cat["m795"].pk, item_class_id=nato.pk)
    soon = today() + timedelta(30)
    reqs = {
        "shells": make_requirement(ukr_desk, cat["c155"], quantity=100, priority=1, need_by=soon, title="Shells"),
        "training": make_requirement(ukr_desk, cat["c155"], quantity=60, priority=3, need_by=soon,
                                     title="Training rounds"),
        "nato": make_requirement(ukr_desk, nato, quantity=5, priority=5, need_by=soon, title="Any NATO 155"),
        "sam": make_requirement(ukr_desk, cat["sam"], quantity=10, priority=1, need_by=soon, title="IRIS-T reloads"),
        "soviet": make_requirement(ukr_desk, cat["c152"], quantity=40, priority=2, need_by=soon,
                                   title="152 mm for D-20", classification=1, releasability="REL_TO",
                                   rel_to=["GBR", "UKR"]),
    }
    from shieldwall.needs.models import Requirement

    Requirement.unscoped.filter(pk=reqs["training"].pk).update(use_category="training")
    lines = {
        "fra": committed_line(fra_officer, cat["m795"], 80, excluded_uses=("training",)),
        "gbr": committed_line(gbr_donor, cat["m795"], 60),
        "deu": committed_line(deu_donor, cat["of540"], 30, classification=1, releasability="REL_TO",
                              rel_to=["GBR", "UKR"]),
        "announced": committed_line(fra_officer, cat["m795"], 500, commit=False),
        "allocated": committed_line(fra_officer, cat["m795"], 10),
    }
    pledges.line_allocate(actor=coord, line_id=lines["allocated"], requirement_id=reqs["shells"].pk,
                          effective_date=today() - timedelta(8))
    return {"cat": cat, "nato": nato, "reqs": reqs, "lines": lines}


@pytest.fixture
def scenario(world: dict[str, Any], coord: Actor) -> Scenario:
    return services.scenario_create(actor=coord, name="Spring matching")


@pytest.fixture
def run(scenario: Scenario, coord: Actor) -> MatchingRun:
    """A finished run (the test settings' immediate task backend solves it as it is queued)."""
    started = services.run_start(actor=coord, scenario_id=scenario.pk)
    return MatchingRun.objects.visible_to(coord).get(pk=started.pk)
