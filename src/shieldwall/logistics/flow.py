"""The shipment lifecycle as a pure state machine, and the arithmetic of receipts. Services apply it; property
tests drive it with random sequences.

    planned → dispatched ⇄ at_hub → handed_over → received
    dispatched · at_hub · handed_over → lost (terminal) or damaged (still receivable: what arrives is counted)

A shipment is *received* when every unit shipped has been received, or when the recipient closes it with a
final receipt (the shortfall stays on record as a discrepancy). Partial receipts leave it handed over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PLANNED, DISPATCHED, AT_HUB, HANDED_OVER, RECEIVED, LOST, DAMAGED = (
    "planned", "dispatched", "at_hub", "handed_over", "received", "lost", "damaged")
ORDER = (PLANNED, DISPATCHED, AT_HUB, HANDED_OVER, RECEIVED, LOST, DAMAGED)
MOVING = frozenset({DISPATCHED, AT_HUB, HANDED_OVER})
RECEIVABLE = frozenset({DISPATCHED, AT_HUB, HANDED_OVER, DAMAGED})
FINAL = frozenset({RECEIVED, LOST})

TRANSITIONS: dict[str, frozenset[str]] = {
    PLANNED: frozenset({DISPATCHED}),
    DISPATCHED: frozenset({AT_HUB, HANDED_OVER, RECEIVED, LOST, DAMAGED}),
    AT_HUB: frozenset({DISPATCHED, HANDED_OVER, RECEIVED, LOST, DAMAGED}),
    HANDED_OVER: frozenset({HANDED_OVER, RECEIVED, LOST, DAMAGED}),
    DAMAGED: frozenset({HANDED_OVER, RECEIVED}),
    RECEIVED: frozenset(),
    LOST: frozenset(),
}


class IllegalStep(ValueError):
    """A step the lifecycle does not allow; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str = "status") -> None:
        super().__init__(message)
        self.field = field


def allowed(status: str) -> list[str]:
    return [s for s in ORDER if s in TRANSITIONS.get(status, frozenset())]


def step(status: str, target: str) -> str:
    """The status after moving from `status` to `target`, or IllegalStep saying what is allowed."""
    if target not in TRANSITIONS.get(status, frozenset()):
        options = ", ".join(allowed(status)) or "none (the shipment is closed)"
        raise IllegalStep(f"a {status.replace('_', ' ')} shipment cannot become {target.replace('_', ' ')}; "
                          f"allowed next: {options.replace('_', ' ')}")
    return target


@dataclass(frozen=True)
class LineLoad:
    """One shipment line: units shipped and units received so far."""

    shipped: int
    received: int = 0

    @property
    def outstanding(self) -> int:
        return self.shipped - self.received


def receive(status: str, lines: Mapping[int, LineLoad], received: Mapping[int, int], *,
            final: bool = False) -> tuple[str, dict[int, LineLoad]]:
    """Apply one receipt (`received`: units per line id) → (the shipment's new status, the lines after it).

    Never more than shipped: a line cannot receive more than its outstanding units.
    """
    if status not in RECEIVABLE:
        raise IllegalStep(f"a {status.replace('_', ' ')} shipment cannot be received")
    if (not received or not any(received.values())) and not final:
        raise IllegalStep("record at least one unit received (or close the shipment with a final receipt)",
                          field="lines")
    after = dict(lines)
    for line_id, units in received.items():
        if line_id not in lines:
            raise IllegalStep(f"line {line_id} is not part of this shipment", field="lines")
        if units < 0:
            raise IllegalStep("a received quantity cannot be negative", field="lines")
        load = lines[line_id]
        if units > load.outstanding:
            raise IllegalStep(f"cannot receive {units} on line {line_id}: only {load.outstanding} of "
                              f"{load.shipped} shipped units are not yet received", field="lines")
        after[line_id] = LineLoad(load.shipped, load.received + units)
    complete = all(load.outstanding == 0 for load in after.values())
    return (RECEIVED if complete or final else HANDED_OVER), after
