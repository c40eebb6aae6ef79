"""Fixtures of the pledges tests: the catalogue, more donors, and a French package with an open requirement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification
from shieldwall.core.models import User
from shieldwall.needs.models import Requirement
from shieldwall.pledges.models import Package
from tests.pledges import factories


@pytest.fixture
def cat(db: Any) -> dict[str, Any]:
    return factories.catalogue()


@pytest.fixture
def deu_officer_user(make_user: Callable[..., User]) -> User:
    return make_user("deu-donor", "DEU", ["donor"], Classification.RESTRICTED)


@pytest.fixture
def deu_officer(deu_officer_user: User) -> Actor:
    return Actor.for_user(User.objects.select_related("nation").get(pk=deu_officer_user.pk))


@pytest.fixture
def fra_package(fra_officer: Actor, cat: dict[str, Any]) -> Package:
    return factories.package(fra_officer, title="French spring package")


@pytest.fixture
def ammo_need(ukr_desk: Actor, cat: dict[str, Any]) -> Requirement:
    return factories.requirement("UKR", cat["ammo"], quantity=100, title="155 mm for the southern front")
