"""The demo installation: its users, their shared password, and the loader that runs each app's demo data.

Everything goes through the services, so the demo's records are audited like real ones; every step looks for
what it would create first, so loading twice changes nothing and appends no audit event.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound
from shieldwall.core.markings import Classification, ceiling
from shieldwall.core.roles import Role
from shieldwall.core.selectors import user_get_by_username
from shieldwall.core.services import user_create

# Long enough for the password validators, though the demo skips them.
DEMO_PASSWORD = "shieldwall-demo-2025"
# Apps with demo data, in dependency order; each module has `load(*, report) -> int` (records created).
DEMO_MODULES = ("shieldwall.coalition.demo", "shieldwall.catalogue.demo", "shieldwall.needs.demo",
                "shieldwall.pledges.demo", "shieldwall.logistics.demo", "shieldwall.analytics.demo",
                "shieldwall.matching.demo")

Reporter = Callable[[int, int, str], None]  # (steps done, steps in all, label)


def quiet(done: int, total: int, label: str) -> None:
    """A reporter that shows nothing."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    nation: str
    roles: tuple[str, ...]
    wanted: Classification

    @property
    def clearance(self) -> Classification:
        # A clearance above what the deployment accepts would be meaningless there; cap it at the ceiling.
        return min(self.wanted, ceiling())


C = Classification
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("coord", "FRA", (Role.COORDINATOR,), C.SECRET),
    DemoUser("gbr-coord", "GBR", (Role.COORDINATOR,), C.CONFIDENTIAL),
    DemoUser("deu-coord", "DEU", (Role.COORDINATOR,), C.RESTRICTED),
    DemoUser("fra-donor", "FRA", (Role.DONOR,), C.CONFIDENTIAL),
    DemoUser("deu-donor", "DEU", (Role.DONOR,), C.RESTRICTED),
    DemoUser("gbr-donor", "GBR", (Role.DONOR,), C.CONFIDENTIAL),
    DemoUser("pol-donor", "POL", (Role.DONOR,), C.RESTRICTED),
    DemoUser("ita-donor", "ITA", (Role.DONOR,), C.UNCLASSIFIED),
    DemoUser("usa-donor", "USA", (Role.DONOR,), C.SECRET),
    DemoUser("gbr-analyst", "GBR", (Role.ANALYST,), C.RESTRICTED),
    DemoUser("fra-analyst", "FRA", (Role.ANALYST,), C.UNCLASSIFIED),
    DemoUser("ukr-recipient", "UKR", (Role.RECIPIENT,), C.CONFIDENTIAL),
    DemoUser("auditor", "DEU", (Role.AUDITOR,), C.RESTRICTED),
    DemoUser("admin", "GBR", (Role.ADMIN,), C.RESTRICTED),
)


def system_actor() -> Actor:
    return Actor.system("demo")


def _missing(usernames: Iterable[str]) -> list[str]:
    missing = []
    for username in usernames:
        try:
            user_get_by_username(username=username)
        except NotFound:
            missing.append(username)
    return missing


def _password_hash() -> str:
    # Hashed once per load for all the users it creates: they share a published password, and Argon2 takes a
    # good part of a second per hash.
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


def load_users() -> int:
    """Create the demo users that do not exist yet; needs their nations."""
    missing = _missing(spec.username for spec in DEMO_USERS)
    hashed = _password_hash() if missing else ""
    for spec in DEMO_USERS:
        if spec.username in missing:
            user_create(actor=system_actor(), username=spec.username, password="", password_hash=hashed,
                        nation=spec.nation, roles=[str(role) for role in spec.roles], clearance=spec.clearance)
    return len(missing)


def actor(username: str) -> Actor:
    """The actor of a demo user, for the apps' loaders (records are originated by the user's nation)."""
    return Actor.for_user(user_get_by_username(username=username))


def scale(size: float | None = None) -> float:
    """How much generated data the apps' loaders make: `size` when given, else `SHIELDWALL_DEMO_SCALE`
    (1 = the full demo; the tests run a small one)."""
    from django.conf import settings

    value = float(getattr(settings, "DEMO_SCALE", 1.0) if size is None else size)
    return max(value, 0.0)


DONOR_CLEARANCE = C.CONFIDENTIAL


def donor_username(code: str) -> str:
    return f"{code.lower()}-donor"


def load_donor_users(codes: Iterable[str]) -> int:
    """Create a donor officer `<code>-donor` for each nation that has none yet (the pledges demo's donors beyond
    the table of `DEMO_USERS`); the nations must exist."""
    wanted = {donor_username(code): code for code in codes}
    missing = _missing(wanted)
    hashed = _password_hash() if missing else ""
    for username in missing:
        user_create(actor=system_actor(), username=username, password="", password_hash=hashed,
                    nation=wanted[username], roles=[str(Role.DONOR)], clearance=min(DONOR_CLEARANCE, ceiling()))
    return len(missing)


def more_logins() -> list[str]:
    """The demo's donor officers not in the table of `logins()`, by username."""
    from shieldwall.core.models import User

    listed = {u.username for u in DEMO_USERS}
    names = User.objects.filter(username__endswith="-donor").values_list("username", flat=True)
    return sorted(name for name in names if name not in listed)


def logins() -> list[dict[str, str]]:
    return [
        {"username": u.username, "nation": u.nation, "roles": ", ".join(str(r) for r in u.roles),
         "clearance": u.clearance.label}
        for u in DEMO_USERS
    ]


def load(*, report: Reporter = quiet) -> int:
    """Load every app's demo data in one transaction (all or nothing); returns the records written."""
    created = 0
    with transaction.atomic():
        for name in DEMO_MODULES:
            created += importlib.import_module(name).load(report=report)
    return created
