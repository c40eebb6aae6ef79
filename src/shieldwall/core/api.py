"""REST API owned by core: who am I, personal tokens, and the audit log for auditors."""


import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import CursorPagination, paginate

from shieldwall.core import selectors, services
from shieldwall.core.api_support import AUTH, actor_of, idempotent_create
from shieldwall.core.markings import Classification
from shieldwall.core.schemas import InSchema

router = Router(auth=AUTH, tags=["core"])


class MeOut(Schema):
    username: str
    nation: str | None
    roles: list[str]
    clearance: str
    coalition_member: bool


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The token in clear; shown once, never again")


class TokenIn(InSchema):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=90, ge=1, le=366)


class AuditEventOut(Schema):
    seq: int
    at: dt.datetime
    actor_username: str
    actor_nation: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    prev_hash: str
    hash: str


class AuditQuery(InSchema):
    actor: str = ""
    nation: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None


class VerifyOut(Schema):
    events: int
    intact: bool
    broken_seq: int | None
    reason: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    actor = actor_of(request)
    return MeOut(username=actor.username, nation=actor.nation_code, roles=sorted(actor.roles),
                 clearance=Classification(actor.clearance).label, coalition_member=actor.is_member)


@router.get("/tokens", response=list[TokenOut])
@paginate(CursorPagination, ordering=("-id",))
def list_tokens(request: HttpRequest) -> object:
    return selectors.token_list(actor=actor_of(request))


@router.post("/tokens", response={201: TokenCreated})
def create_token(request: HttpRequest, payload: TokenIn) -> HttpResponse:
    actor = actor_of(request)

    def create() -> TokenCreated:
        token, clear = services.token_create(actor=actor, name=payload.name,
                                             expires_in_days=payload.expires_in_days)
        return TokenCreated(token=clear, **TokenOut.from_orm(token).model_dump())

    return idempotent_create(request, actor, create)


@router.delete("/tokens/{token_id}", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int) -> object:
    return services.token_revoke(actor=actor_of(request), id=token_id)


@router.get("/audit/events", response=list[AuditEventOut])
@paginate(CursorPagination, ordering=("-seq",))
def list_audit_events(request: HttpRequest, filters: Query[AuditQuery]) -> object:
    return selectors.audit_event_list(actor=actor_of(request), filters=selectors.AuditFilters(**filters.model_dump()))


@router.get("/audit/events/{seq}", response=AuditEventOut)
def get_audit_event(request: HttpRequest, seq: int) -> object:
    return selectors.audit_event_get(actor=actor_of(request), seq=seq)


@router.get("/audit/verify", response=VerifyOut)
def verify_audit(request: HttpRequest) -> VerifyOut:
    result = selectors.audit_verify(actor=actor_of(request))
    return VerifyOut(events=result.count, intact=result.intact, broken_seq=result.broken_seq, reason=result.reason)
