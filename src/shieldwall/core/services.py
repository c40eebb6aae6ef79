"""Writes owned by `core`: users and their API tokens. Audited like every other write."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shieldwall.core import audit
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, PermissionDenied, ValidationFailed
from shieldwall.core.markings import Classification
from shieldwall.core.models import ApiToken, User
from shieldwall.core.roles import Role

TOKEN_PREFIX = "sw_"


def _system_or_admin(actor: Actor) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(f"{actor.username} may not manage users")


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    nation: str | None,
    roles: Iterable[str],
    clearance: Classification | int = Classification.UNCLASSIFIED,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> User:
    """Create a user. `actor` is an admin, or the system actor of `shieldwall createuser`/`demo`."""
    from shieldwall.coalition.models import Nation

    _system_or_admin(actor)
    nation_obj = None
    if nation:
        nation_obj = Nation.objects.filter(code=nation.upper()).first()
        if nation_obj is None:
            raise ValidationFailed({"nation": [f"unknown nation code {nation!r}"]})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name,
                nation=nation_obj, roles=sorted(set(roles)), clearance=int(clearance))
    with transaction.atomic():
        try:
            if validate:
                validate_password(password, user)
            user.set_password(password)
            user.full_clean()
        except ValidationError as exc:
            errors = ValidationFailed.from_django(exc)
            if not hasattr(exc, "error_dict"):
                errors = ValidationFailed({"password": [str(m) for m in exc.messages]})
            raise errors from exc
        user.save()
        audit.record(actor=actor, action="user.create", obj=user, changes={
            "username": [None, username], "nation": [None, nation], "roles": [None, user.roles],
            "clearance": [None, Classification(user.clearance).label],
        })
    return user


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, actor: Actor, name: str, expires_in_days: int | None = 90) -> tuple[ApiToken, str]:
    """Create a personal token for the actor; the clear text is returned once and never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied("log in to create a token")
    if not name.strip():
        raise ValidationFailed({"name": ["give the token a name, e.g. the script that uses it"]})
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        raise ValidationFailed({"expires_in_days": ["a token lives between 1 and 366 days"]})
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    clear = f"{TOKEN_PREFIX}{prefix}_{secret}"
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(user_id=actor.user_id, name=name.strip(), prefix=prefix,
                                        digest=_token_digest(clear), expires_at=expires)
        audit.record(actor=actor, action="token.create", obj=token,
                     changes={"name": [None, token.name], "expires_at": [None, expires]})
    return token, clear


def token_revoke(*, actor: Actor, id: int) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=id, user_id=actor.user_id).first()
        if token is None:
            raise NotFound(f"token {id} not found")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor=actor, action="token.revoke", obj=token,
                         changes={"revoked_at": [None, token.revoked_at]})
    return token


def token_authenticate(clear: str, *, now: datetime | None = None) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, expired, revoked, or inactive user)."""
    parts = clear.split("_")
    if len(parts) < 3 or not clear.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user", "user__nation").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.digest, _token_digest(clear)):
        return None
    moment = now or timezone.now()
    if token.revoked_at or (token.expires_at and token.expires_at <= moment) or not token.user.is_active:
        return None
    # Last use is bookkeeping, not an audited change; refresh it at most once a minute.
    if token.last_used_at is None or moment - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user
