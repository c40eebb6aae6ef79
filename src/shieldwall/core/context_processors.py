"""Template context shared by every page: the actor and the deployment's ceiling."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shieldwall.core.markings import ceiling


def shieldwall(request: HttpRequest) -> dict[str, Any]:
    return {"deployment_ceiling": ceiling().label, "actor": getattr(request, "actor", None)}
