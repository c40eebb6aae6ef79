"""A hand-built world for the reports: the Paris E5 meeting with French, German and (REL TO GBR, UKR) British
announcements, the packages they produced — one German package REL TO DEU only — a co-funded USA/DEU package,
a German–Ukrainian security agreement, and dated histories. Values are chosen so every figure is exact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from shieldwall.coalition import services as coalition_services
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification
from shieldwall.core.models import User
from tests.reports.builders import item_type, line, package, rel_to

D = date


@pytest.fixture
def deu_officer_user(make_user: Callable[..., User]) -> User:
    return make_user("deu-donor", "DEU", ["donor"], Classification.CONFIDENTIAL)


@pytest.fixture
def deu_officer(deu_officer_user: User) -> Actor:
    return Actor.for_user(User.objects.select_related("nation").get(pk=deu_officer_user.pk))


@pytest.fixture
def words(coord: Actor, gbr_coord: Actor) -> dict[str, Any]:
    meeting = coalition_services.meeting_create(actor=coord, title="Paris E5", date=D(2025, 3, 12),
                                                classification=0, releasability="COALITION")
    announce = coalition_services.announcement_create
    fra_ann = announce(actor=coord, meeting_id=meeting.pk, nation="FRA", text="France: CAESAR and shells")
    deu_ann = announce(actor=coord, meeting_id=meeting.pk, nation="DEU", text="Germany: ammunition, air defence")
    gbr_ann = announce(actor=gbr_coord, meeting_id=meeting.pk, nation="GBR", text="UK: maritime drones",
                       classification=1, releasability="REL_TO", rel_to=["GBR", "UKR"])
    agreement = coalition_services.agreement_create(
        actor=coord, title="Germany–Ukraine security agreement", donor="DEU", partner="UKR", signed=D(2024, 2, 16),
        duration_years=10, obligations={2025: Decimal("5000000.00"), 2026: Decimal("6000000.00")})
    ammo = item_type("155 mm M107 shell", "155 mm artillery ammunition")
    missile = item_type("Patriot PAC-2 GEM-T", "Air defence missiles", area="air_defence")

    p1 = package("FRA", "French package", D(2025, 3, 12), announcement=fra_ann)
    out: dict[str, Any] = {
        "meeting": meeting, "fra_ann": fra_ann, "deu_ann": deu_ann, "gbr_ann": gbr_ann, "agreement": agreement,
        "p1": p1,
        "l1": line(p1, "1000000.00", quantity=10, status="committed", history=[("committed", D(2025, 3, 20), 10)]),
        "l2": line(p1, "500000.00", quantity=4, status="delivered", shipped=4, delivered=4, history=[
            ("committed", D(2025, 3, 20), 4), ("allocated", D(2025, 4, 1), 4), ("shipped", D(2025, 4, 10), 4),
            ("delivered", D(2025, 5, 2), 4)]),
        "l3": line(p1, "300000.00", quantity=3, status="shipped", shipped=3, delivered=1, history=[
            ("committed", D(2025, 3, 20), 3), ("shipped", D(2025, 5, 1), 3), ("delivered", D(2025, 6, 1), 1)]),
        "l4": line(p1, "200000.00", status="cancelled", history=[
            ("committed", D(2025, 3, 20), 1), ("cancelled", D(2025, 4, 1), 1)]),
        "l5": line(p1, "250000.00", available_from=D(2025, 4, 1), description="Late CAESAR"),
        "l6": line(p1, "1000.00", status="allocated", available_from=D(2025, 5, 1), description="Late spares",
                   history=[("committed", D(2025, 3, 20), 1), ("allocated", D(2025, 4, 20), 1)]),
    }
    p2 = package("DEU", "German national package", D(2025, 3, 12), announcement=deu_ann, agreement=agreement,
                 marking=rel_to("DEU"))
    out["l_deu_only"] = line(p2, "2000000.00", status="committed", history=[("committed", D(2025, 3, 25), 1)])
    p3 = package("DEU", "German coalition package", D(2025, 3, 14), announcement=deu_ann, agreement=agreement)
    out["l8"] = line(p3, "3000000.00", quantity=1000, status="committed", kind=ammo,
                     history=[("committed", D(2025, 3, 20), 1000)])
    out["l9"] = line(p3, "700000.00", status="committed", marking=rel_to("DEU"),
                     history=[("committed", D(2025, 3, 25), 1)])
    out["l7"] = line(p3, "100.00", quantity=3, status="shipped", shipped=3, delivered=1, kind=missile, history=[
        ("committed", D(2025, 3, 20), 3), ("allocated", D(2025, 4, 15), 3), ("shipped", D(2025, 5, 1), 3),
        ("delivered", D(2025, 6, 5), 1)])
    p4 = package("USA", "PURL package", D(2025, 6, 1), agreement=agreement, funders={"USA": "0.75", "DEU": "0.25"})
    out["l10"] = line(p4, "4000000.00", quantity=4, status="shipped", shipped=4, delivered=2, kind=missile, history=[
        ("committed", D(2025, 6, 10), 4), ("shipped", D(2025, 12, 1), 4), ("delivered", D(2026, 1, 10), 2)])
    out["l11"] = line(p4, "400000.00", status="committed", description="Financing",
                      history=[("committed", D(2025, 6, 10), 1)])
    p5 = package("GBR", "British package", D(2025, 2, 1), announcement=gbr_ann)
    out["l12"] = line(p5, "1000000.00", status="committed", history=[("committed", D(2025, 2, 10), 1)])
    out.update(p2=p2, p3=p3, p4=p4, p5=p5)
    return out
