"""What every API router shares: authentication to an `Actor`, RFC 9457 problem details, ETag/If-Match,
Idempotency-Key replay and cursor pagination settings."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django_otp import user_has_device
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import BaseModel

from shieldwall.core.actor import Actor
from shieldwall.core.errors import DomainError, PreconditionRequired, ValidationFailed
from shieldwall.core.models import IdempotencyRecord
from shieldwall.core.requests import set_actor
from shieldwall.core.services import token_authenticate

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


# --- authentication ---------------------------------------------------------------------------------------


class BearerActor(HttpBearer):
    """`Authorization: Bearer sw_…` personal tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        user = token_authenticate(token)
        if user is None:
            return None
        actor = Actor.for_user(user)
        set_actor(request, actor)
        return actor


class SessionActor(SessionAuth):
    """The browser session (with CSRF on unsafe methods), once the second factor is satisfied."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = request.user
        if not user.is_authenticated:
            return None
        needs_otp = user_has_device(user, confirmed=True) or getattr(user, "is_admin_role", False)
        if needs_otp and not user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        actor = Actor.for_user(user)  # type: ignore[arg-type]
        set_actor(request, actor)
        return actor


def anonymous(request: HttpRequest) -> Actor:
    """For open-data endpoints: an unauthenticated caller sees PUBLIC records only."""
    return Actor.anonymous()


AUTH = [BearerActor(), SessionActor()]
PUBLIC_AUTH = [BearerActor(), SessionActor(), anonymous]


def actor_of(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


# --- problem details (RFC 9457) ------------------------------------------------------------------------------


def problem(
    request: HttpRequest, status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"https://shieldwall.invalid/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM)


def _loc_to_field(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "filters", "header")]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationFailed)
    def _validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        errors = [{"field": f, "message": m} for f, msgs in exc.errors.items() for m in msgs]
        return problem(request, exc.status, exc.title, exc.detail, errors)

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem(request, exc.status, exc.title, exc.detail)

    @api.exception_handler(NinjaValidationError)
    def _schema(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"field": _loc_to_field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
                  for e in exc.errors]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(request, 422, "Validation failed", detail, errors)

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(request, 401, "Unauthorized", "log in, or send a valid personal token as "
                           "'Authorization: Bearer <token>'")
        response["WWW-Authenticate"] = 'Bearer realm="shieldwall"'
        return response

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(request, exc.status_code, "Error", str(exc))

    @api.exception_handler(Http404)
    def _404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(request, 404, "Not found", "no such resource")

    @api.exception_handler(DataError)
    def _data(request: HttpRequest, exc: DataError) -> HttpResponse:
        # Values the database cannot hold (an id beyond 64 bits, a NUL in a path segment): the caller's input.
        return problem(request, 422, "Validation failed", "a value in the request is out of range or malformed")

    @api.exception_handler(OverflowError)
    def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        return problem(request, 422, "Validation failed", "a number in the request is out of range")

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unhandled API error")
        return problem(request, 500, "Internal error", "an unexpected error occurred; it has been logged")


# --- ETag / If-Match -----------------------------------------------------------------------------------------


def set_etag(response: HttpResponse, obj: Any) -> None:
    response["ETag"] = obj.etag


def expected_version(request: HttpRequest, pk: Any) -> int:
    """The version the client last saw, from `If-Match: "<id>-<version>"`; required on every update."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired("send If-Match with the ETag you last read, so no update is silently lost")
    tag = header.removeprefix("W/").strip('"')
    ident, _, version = tag.rpartition("-")
    if ident != str(pk) or not version.isdigit():
        raise ValidationFailed({"If-Match": [f"not an ETag of this record: {header}"]})
    return int(version)


# --- Idempotency-Key -----------------------------------------------------------------------------------------


def idempotent_create(
    request: HttpRequest, actor: Actor, create: Callable[[], BaseModel], *, status: int = 201,
    etag: Callable[[], str] | None = None,
) -> HttpResponse:
    """Run `create` once per (user, Idempotency-Key); a retry with the same request replays the response."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or actor.user_id is None:
        return _json_response(create(), status)
    if len(key) > 200:
        raise ValidationFailed({"Idempotency-Key": ["at most 200 characters"]})
    fingerprint = hashlib.sha256(b"|".join([(request.method or "").encode(), request.path.encode(), request.body]))
    digest = fingerprint.hexdigest()
    previous = IdempotencyRecord.objects.filter(user_id=actor.user_id, key=key).first()
    if previous is not None:
        if previous.fingerprint != digest:
            raise ValidationFailed({"Idempotency-Key": ["this key was already used for a different request"]})
        response = HttpResponse(previous.body, status=previous.status_code, content_type="application/json")
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        with transaction.atomic():
            result = create()
            response = _json_response(result, status)
            IdempotencyRecord.objects.create(user_id=actor.user_id, key=key, fingerprint=digest,
                                             status_code=status, body=response.content.decode())
    except IntegrityError as exc:
        raise ValidationFailed({"Idempotency-Key": ["a request with this key is in progress; retry"]}) from exc
    return response


def _json_response(result: BaseModel, status: int) -> HttpResponse:
    response = HttpResponse(result.model_dump_json(), status=status, content_type="application/json")
    etag = getattr(result, "etag", None)
    if etag:
        response["ETag"] = etag
    return response
