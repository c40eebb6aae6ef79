"""Shared fixtures: nations with memberships, named actors of several nations and clearances, marked meetings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from shieldwall.coalition import services as coalition_services
from shieldwall.coalition.models import Meeting, Membership, Nation
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification
from shieldwall.core.models import User
from shieldwall.core.services import user_create

PASSWORD = "correct-horse-battery-staple"

NATIONS = {
    "FRA": ("France", "core"),
    "GBR": ("United Kingdom", "core"),
    "DEU": ("Germany", "core"),
    "POL": ("Poland", "core"),
    "ITA": ("Italy", "core"),
    "UKR": ("Ukraine", "partner"),
    "USA": ("United States", "member"),
    "JPN": ("Japan", "interested"),
}


@pytest.fixture
def nations(db: Any) -> dict[str, Nation]:
    system = Actor.system("test-setup")
    out = {}
    for code, (_name, tier) in NATIONS.items():
        out[code] = coalition_services.nation_create(actor=system, code=code)
        coalition_services.membership_set_tier(actor=system, nation=code, tier=tier, valid_from=date(2024, 1, 1))
    return out


@pytest.fixture
def make_user(nations: dict[str, Nation]) -> Callable[..., User]:
    def make(username: str, nation: str | None, roles: list[str], clearance: Classification) -> User:
        return user_create(actor=Actor.system("test-setup"), username=username, password=PASSWORD,
                           nation=nation, roles=roles, clearance=clearance, validate=False)

    return make


def _actor(user: User) -> Actor:
    return Actor.for_user(User.objects.select_related("nation").get(pk=user.pk))


@pytest.fixture
def fra_officer_user(make_user: Callable[..., User]) -> User:
    return make_user("fra-donor", "FRA", ["donor"], Classification.CONFIDENTIAL)


@pytest.fixture
def fra_officer(fra_officer_user: User) -> Actor:
    return _actor(fra_officer_user)


@pytest.fixture
def gbr_analyst_user(make_user: Callable[..., User]) -> User:
    return make_user("gbr-analyst", "GBR", ["analyst"], Classification.RESTRICTED)


@pytest.fixture
def gbr_analyst(gbr_analyst_user: User) -> Actor:
    return _actor(gbr_analyst_user)


@pytest.fixture
def ukr_desk_user(make_user: Callable[..., User]) -> User:
    return make_user("ukr-recipient", "UKR", ["recipient"], Classification.CONFIDENTIAL)


@pytest.fixture
def ukr_desk(ukr_desk_user: User) -> Actor:
    return _actor(ukr_desk_user)


@pytest.fixture
def jpn_observer_user(make_user: Callable[..., User]) -> User:
    return make_user("jpn-analyst", "JPN", ["analyst"], Classification.SECRET)


@pytest.fixture
def jpn_observer(jpn_observer_user: User) -> Actor:
    return _actor(jpn_observer_user)


@pytest.fixture
def coord_user(make_user: Callable[..., User]) -> User:
    return make_user("coord", "FRA", ["coordinator"], Classification.SECRET)


@pytest.fixture
def coord(coord_user: User) -> Actor:
    return _actor(coord_user)


@pytest.fixture
def gbr_coord_user(make_user: Callable[..., User]) -> User:
    return make_user("gbr-coord", "GBR", ["coordinator"], Classification.SECRET)


@pytest.fixture
def gbr_coord(gbr_coord_user: User) -> Actor:
    return _actor(gbr_coord_user)


@pytest.fixture
def auditor_user(make_user: Callable[..., User]) -> User:
    return make_user("auditor", "DEU", ["auditor"], Classification.RESTRICTED)


@pytest.fixture
def auditor(auditor_user: User) -> Actor:
    return _actor(auditor_user)


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user("admin", "GBR", ["admin"], Classification.RESTRICTED)


@pytest.fixture
def admin(admin_user: User) -> Actor:
    return _actor(admin_user)


@pytest.fixture
def marked_meetings(coord: Actor, gbr_coord: Actor) -> dict[str, Meeting]:
    """One meeting per kind of marking, originated by FRA (coord) or GBR (gbr_coord)."""
    c = coalition_services.meeting_create
    return {
        "public": c(actor=coord, title="Public press conference", date=date(2025, 3, 12),
                    classification=0, releasability="PUBLIC"),
        "coalition": c(actor=coord, title="Coalition working group", date=date(2025, 3, 13),
                       classification=0, releasability="COALITION"),
        "rel_fra": c(actor=gbr_coord, title="Bilateral FRA-GBR staff talks", date=date(2025, 3, 14),
                     classification=1, releasability="REL_TO", rel_to=["FRA", "GBR"]),
        "rel_gbr_ukr": c(actor=gbr_coord, title="GBR-UKR maritime planning", date=date(2025, 3, 15),
                         classification=1, releasability="REL_TO", rel_to=["GBR", "UKR"]),
        "confidential": c(actor=coord, title="Air defence deep dive", date=date(2025, 3, 16),
                          classification=2, releasability="COALITION"),
        "restricted_coalition": c(actor=gbr_coord, title="Restricted logistics sync", date=date(2025, 3, 17),
                                  classification=1, releasability="COALITION"),
    }


@pytest.fixture
def memberships(nations: dict[str, Nation]) -> list[Membership]:
    return list(Membership.objects.all())
