"""The actor of a web request, built once per request and cached on it."""

from __future__ import annotations

from django.http import HttpRequest

from shieldwall.core.actor import Actor


def get_actor(request: HttpRequest) -> Actor:
    cached = getattr(request, "_shieldwall_actor", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    actor = Actor.for_user(user) if user is not None and user.is_authenticated else Actor.anonymous()
    request._shieldwall_actor = actor  # type: ignore[attr-defined]
    return actor


def set_actor(request: HttpRequest, actor: Actor) -> None:
    request._shieldwall_actor = actor  # type: ignore[attr-defined]
