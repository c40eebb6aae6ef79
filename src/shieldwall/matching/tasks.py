"""Background work of matching (Django Tasks): solving a run, as the user who started it."""

from __future__ import annotations

from django_tasks import task


@task()
def solve_run(run_id: int, user_id: int) -> str:
    """Solve the run; the actor is rebuilt from the user id (a task has no implicit user)."""
    from shieldwall.core.actor import Actor
    from shieldwall.matching.services import run_execute

    return str(run_execute(actor=Actor.for_user_id(user_id), run_id=run_id).status)
