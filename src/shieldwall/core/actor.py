"""The `Actor`: who is acting (user, nation, roles, clearance), built once per request, CLI run or task.

There is no implicit current user: every selector and service takes an actor, and the absence of one is an
error, never a reason to skip the checks. The anonymous actor sees PUBLIC, unclassified records only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from shieldwall.core.markings import Classification
from shieldwall.core.roles import Role

if TYPE_CHECKING:
    from shieldwall.core.models import User


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    nation_id: int | None
    nation_code: str | None
    roles: frozenset[str] = field(default_factory=frozenset)
    clearance: Classification = Classification.UNCLASSIFIED
    is_member: bool = False
    # The installation itself (createuser, demo loading, migrations of data): named in the audit log as such.
    is_system: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None or self.is_system

    def has_role(self, *roles: Role | str) -> bool:
        return any(str(role) in self.roles for role in roles)

    def __str__(self) -> str:
        return self.username

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(user_id=None, username="anonymous", nation_id=None, nation_code=None)

    @classmethod
    def system(cls, reason: str = "system") -> Actor:
        return cls(user_id=None, username=reason, nation_id=None, nation_code=None,
                   roles=frozenset({"admin"}), clearance=Classification.UNCLASSIFIED, is_system=True)

    @classmethod
    def for_user(cls, user: User, *, today: date | None = None) -> Actor:
        from shieldwall.coalition.selectors import nation_is_current_member

        if not user.is_active:
            return cls.anonymous()
        nation = user.nation
        return cls(
            user_id=user.pk,
            username=user.username,
            nation_id=nation.pk if nation else None,
            nation_code=nation.code if nation else None,
            roles=frozenset(user.roles or ()),
            clearance=Classification(user.clearance),
            is_member=bool(nation and nation_is_current_member(nation_id=nation.pk, today=today)),
        )

    @classmethod
    def for_user_id(cls, user_id: int) -> Actor:
        """Rebuild the actor inside a background task from the user id it was given."""
        from shieldwall.core.models import User

        return cls.for_user(User.objects.select_related("nation").get(pk=user_id))
