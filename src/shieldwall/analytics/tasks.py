"""Background work of the analytics app (Django Tasks): re-deriving the `shieldwall` facts of changed lines."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_lines(line_ids: list[int]) -> int:
    from shieldwall.analytics.services import shieldwall_refresh

    return shieldwall_refresh(line_ids=line_ids)
