"""What other parts of the system do after pledge lines changed (called on commit, never inside the write).

`lines_changed` keeps the `shieldwall` contribution facts (analytics) current: it queues a background task
that re-derives the facts of the changed lines from their lifecycle history.
"""

from __future__ import annotations


def lines_changed(line_ids: list[int]) -> None:
    """Called once per committed transaction that created or changed pledge lines, with their ids."""
    ids = sorted({int(pk) for pk in line_ids})
    if not ids:
        return
    from shieldwall.analytics.tasks import refresh_lines

    refresh_lines.enqueue(ids)
