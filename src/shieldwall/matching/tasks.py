"""Background work of matching (Django Tasks): solving a run and applying an approval, as the user who asked.

Both go before ordinary background work: someone watches their progress bar, while an approval alone queues one
analytics refresh per pledge line step (hundreds), which can wait.
"""

from __future__ import annotations

from django_tasks import task

PRIORITY = 50  # of -100 … 100; 0 is the default


@task(priority=PRIORITY)
def solve_run(run_id: int, user_id: int) -> str:
    """Solve the run; the actor is rebuilt from the user id (a task has no implicit user)."""
    from shieldwall.core.actor import Actor
    from shieldwall.matching.services import run_execute

    return str(run_execute(actor=Actor.for_user_id(user_id), run_id=run_id).status)


@task(priority=PRIORITY)
def approve_run(run_id: int, user_id: int) -> str:
    """Apply a requested approval as the user who asked; a refusal (the inputs changed meanwhile, say) is recorded
    on the run rather than lost in the task's result."""
    from shieldwall.core.actor import Actor
    from shieldwall.core.errors import DomainError
    from shieldwall.matching.services import run_approve, run_approve_refused

    actor = Actor.for_user_id(user_id)
    try:
        return f"applied {run_approve(actor=actor, run_id=run_id, requested=True).applied}"
    except DomainError as exc:
        reason = exc.detail
    except Exception as exc:  # the run must not stay "under way" whatever went wrong; the worker logs the rest
        reason = f"unexpected {type(exc).__name__}: {exc}"
        run_approve_refused(actor=actor, run_id=run_id, reason=reason)
        raise
    run_approve_refused(actor=actor, run_id=run_id, reason=reason)
    return f"refused: {reason}"
