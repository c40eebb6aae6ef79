"""The requirement lifecycle as data: which action moves a requirement from which statuses to which, and who
may take it (the write rule in `policy.py` checks roles; this table checks states). Pure, no ORM.

    draft → submitted → validated → open ⇄ partially met ⇄ met       (the last three derived from pledge lines)
    submitted, validated → draft (returned, with a reason)
    any status but met and withdrawn → withdrawn (with a reason)
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT, SUBMITTED, VALIDATED, OPEN, PARTIALLY_MET, MET, WITHDRAWN = (
    "draft", "submitted", "validated", "open", "partially_met", "met", "withdrawn")


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (reprioritise)
    needs_reason: bool = False
    label: str = ""


STEPS: dict[str, Step] = {
    "submit": Step("submit", frozenset({DRAFT}), SUBMITTED, label="Submit for validation"),
    "validate": Step("validate", frozenset({SUBMITTED}), VALIDATED, label="Validate"),
    "open": Step("open", frozenset({VALIDATED}), OPEN, label="Open (publish to donors)"),
    "return": Step("return", frozenset({SUBMITTED, VALIDATED}), DRAFT, needs_reason=True, label="Return to draft"),
    "withdraw": Step("withdraw", frozenset({DRAFT, SUBMITTED, VALIDATED, OPEN, PARTIALLY_MET}), WITHDRAWN,
                     needs_reason=True, label="Withdraw"),
    "reprioritise": Step("reprioritise", frozenset({SUBMITTED, VALIDATED, OPEN, PARTIALLY_MET}), None,
                         label="Reprioritise"),
}
# Statuses whose content (item class, quantity, dates, marking) the originator may still edit.
EDITABLE = frozenset({DRAFT})
# Statuses the pledge lines drive: `requirement_refresh_status` moves between them only.
DERIVED = frozenset({OPEN, PARTIALLY_MET, MET})


class IllegalStep(ValueError):
    """An action the requirement's status does not allow; the message says what is allowed now."""


def allowed_actions(status: str) -> list[str]:
    return [name for name, step in STEPS.items() if status in step.sources]


def check(status: str, action: str) -> Step:
    """The step of `action` from `status`, or IllegalStep naming what is allowed instead."""
    step = STEPS.get(action)
    if step is None:
        raise IllegalStep(f"unknown action {action!r}; use one of {', '.join(STEPS)}")
    if status not in step.sources:
        options = ", ".join(allowed_actions(status)) or "none"
        raise IllegalStep(f"a requirement that is {status.replace('_', ' ')} cannot be {_past(action)}; "
                          f"allowed now: {options}")
    return step


def derived_status(*, required: int, allocated: int) -> str:
    """open when nothing is allocated, partially met below the required quantity, met at or above it."""
    if allocated <= 0:
        return OPEN
    return MET if allocated >= required else PARTIALLY_MET


def _past(action: str) -> str:
    return {"submit": "submitted", "validate": "validated", "open": "opened", "return": "returned to draft",
            "withdraw": "withdrawn", "reprioritise": "reprioritised"}.get(action, action)
