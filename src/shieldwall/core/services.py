"""Writes owned by `core`: users and their API tokens. Audited like every other write."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

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
    password_hash: str = "",
) -> User:
    """Create a user. `actor` is an admin, or the system actor of `shieldwall createuser`/`demo`.

    `password_hash`, when given, is an already hashed password (`make_password`) used instead of `password`: the
    demo hashes its one published password once for all its users, not once each (Argon2 takes a good part of
    a second)."""
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
            if password_hash:
                _check_hash(password_hash)
                user.password = password_hash
            else:
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


def _check_hash(password_hash: str) -> None:
    from django.contrib.auth.hashers import identify_hasher

    try:
        identify_hasher(password_hash)
    except ValueError as exc:
        raise ValidationFailed({"password": ["not a password hash of a hasher this installation accepts"]}) from exc


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, actor: Actor, name: str, expires_in_days: int | None = 90) -> tuple[ApiToken, str]:
    """Create a personal token for the actor; the clear text is returned once and never stored."""
    if actor.user_id is None:
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
    if actor.user_id is None:
        raise NotFound(f"token {id} not found")
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


# --- second factor (TOTP) -----------------------------------------------------------------------------------


def _totp_model() -> Any:
    # Imported late: the OTP plugin's models load after `core`'s in the app registry.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice


def totp_enrol_start(*, actor: Actor) -> Any:
    """The actor's pending (unconfirmed) authenticator; reused so reloading the page does not pile up devices."""
    if actor.user_id is None:
        raise PermissionDenied("log in to enrol an authenticator")
    device_model = _totp_model()
    with transaction.atomic():
        device = device_model.objects.filter(user_id=actor.user_id, confirmed=False).order_by("-id").first()
        if device is None:
            device = device_model.objects.create(user_id=actor.user_id, name="Authenticator app", confirmed=False)
    return device


_BAD_CODE = "this code is not valid; enter the 6 digits your app shows now"
_THROTTLED = "too many wrong codes; wait a moment before trying again"


def _code_error(device: Any, token: str) -> str | None:
    """None when `device` accepts `token`; otherwise why not. Wrong codes count towards the device's throttle."""
    allowed, _info = device.verify_is_allowed()
    if device.verify_token(token.strip()):
        return None
    return _BAD_CODE if allowed else _THROTTLED


def totp_enrol_confirm(*, actor: Actor, device_id: int, token: str) -> Any:
    """Confirm a pending authenticator with a code it generated; audited as `otp.enrol`."""
    device_model = _totp_model()
    with transaction.atomic():
        device = (device_model.objects.select_for_update()
                  .filter(pk=device_id, user_id=actor.user_id, confirmed=False).first())
        if device is None:
            raise NotFound(f"pending authenticator {device_id} not found")
        error = _code_error(device, token)
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit.record(actor=actor, action="otp.enrol", obj=device, changes={"name": [None, device.name]})
    # Raised after the transaction so the device's failure counter (its throttle) is kept, not rolled back.
    if error is not None:
        raise ValidationFailed({"token": [error]})
    return device


def totp_verify(*, actor: Actor, token: str) -> Any:
    """The confirmed authenticator of the actor that accepts `token`, or ValidationFailed."""
    device_model = _totp_model()
    error = _BAD_CODE
    for device_id in device_model.objects.filter(user_id=actor.user_id, confirmed=True).values_list("pk", flat=True):
        with transaction.atomic():
            device = device_model.objects.select_for_update().get(pk=device_id)
            outcome = _code_error(device, token)
        if outcome is None:
            return device
        error = outcome if outcome == _THROTTLED else error
    raise ValidationFailed({"token": [error]})
