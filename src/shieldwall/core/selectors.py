"""Reads owned by `core`: the audit log (auditors only) and the actor's own tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from shieldwall.core.access import audit_visible_q
from shieldwall.core.actor import Actor
from shieldwall.core.audit import VerifyResult, verify
from shieldwall.core.errors import NotFound, PermissionDenied
from shieldwall.core.models import ApiToken, AuditEvent, User
from shieldwall.core.roles import Role


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    nation: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _require_auditor(actor: Actor) -> None:
    if not actor.has_role(Role.AUDITOR, Role.ADMIN):
        raise PermissionDenied("only auditors read the audit log")


def audit_event_list(*, actor: Actor, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    _require_auditor(actor)
    f = filters or AuditFilters()
    qs = AuditEvent.objects.filter(audit_visible_q(actor))
    if f.actor:
        qs = qs.filter(actor_username=f.actor)
    if f.nation:
        qs = qs.filter(actor_nation=f.nation.upper())
    if f.object_type:
        qs = qs.filter(object_type=f.object_type.lower())
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lt=f.until)
    return qs.order_by("-seq")


def audit_event_get(*, actor: Actor, seq: int) -> AuditEvent:
    _require_auditor(actor)
    try:
        return AuditEvent.objects.filter(audit_visible_q(actor)).get(seq=seq)
    except AuditEvent.DoesNotExist as exc:
        raise NotFound(f"audit event {seq} not found") from exc


def object_history(*, actor: Actor, object_type: str, object_id: str | int) -> QuerySet[AuditEvent]:
    """The History tab of a record the caller has already fetched through its visible selector."""
    qs = AuditEvent.objects.filter(audit_visible_q(actor), object_type=object_type, object_id=str(object_id))
    return qs.order_by("-seq")


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    if actor.user_id is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.user_id).order_by("-created_at")


def audit_verify(*, actor: Actor) -> VerifyResult:
    _require_auditor(actor)
    return verify()


def user_get_by_username(*, username: str) -> User:
    """The user behind `shieldwall --as USER` (the console runs with the database, like an administrator)."""
    try:
        return User.objects.select_related("nation").get(username=username)
    except User.DoesNotExist as exc:
        raise NotFound(f"user {username} not found") from exc
