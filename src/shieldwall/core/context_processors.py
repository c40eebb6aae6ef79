"""Template context shared by every page: the actor and the deployment's ceiling."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shieldwall.core.markings import ceiling
from shieldwall.core.requests import get_actor


def shieldwall(request: HttpRequest) -> dict[str, Any]:
    # get_actor caches on the request, so the layout and the view share one Actor per request.
    return {"deployment_ceiling": ceiling().label, "actor": get_actor(request)}
