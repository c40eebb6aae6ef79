"""The pledge-line lifecycle as a pure state machine: which transitions are legal, and what they do to the
line's quantities. Services apply it; property tests drive it with random sequences.

    announced → committed → allocated → contracted → shipped → delivered
    any stage but delivered → cancelled (with a reason)

Shortcuts that match how donors work: a line from stocks needs no contract (allocated → shipped), and a
committed line may be shipped before the coordination cell allocates it (committed → shipped) when the donor
delivers bilaterally. Deliveries come in parts: a line is *delivered* when all its units have arrived.

A line not yet shipped may be split (a coordinator allocating part of it elsewhere): both parts keep the stage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

ANNOUNCED, COMMITTED, ALLOCATED, CONTRACTED, SHIPPED, DELIVERED, CANCELLED = (
    "announced", "committed", "allocated", "contracted", "shipped", "delivered", "cancelled")

ORDER = (ANNOUNCED, COMMITTED, ALLOCATED, CONTRACTED, SHIPPED, DELIVERED)

TRANSITIONS: dict[str, frozenset[str]] = {
    ANNOUNCED: frozenset({COMMITTED, CANCELLED}),
    COMMITTED: frozenset({ALLOCATED, SHIPPED, CANCELLED}),
    ALLOCATED: frozenset({CONTRACTED, SHIPPED, COMMITTED, CANCELLED}),
    CONTRACTED: frozenset({SHIPPED, CANCELLED}),
    SHIPPED: frozenset({SHIPPED, DELIVERED, CANCELLED}),
    DELIVERED: frozenset(),
    CANCELLED: frozenset(),
}


class IllegalTransition(ValueError):
    """A step the lifecycle does not allow; the message says which steps are allowed. `field` names the input at
    fault: the status for a step out of order, the quantity for a wrong number of units."""

    def __init__(self, message: str, *, field: str = "status") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LineState:
    status: str
    quantity: int
    shipped: int = 0
    delivered: int = 0
    allocated_to: int | None = None


def allowed(status: str) -> list[str]:
    return sorted(TRANSITIONS.get(status, frozenset()), key=lambda s: (*ORDER, CANCELLED).index(s))


def _refuse(state: LineState, target: str) -> IllegalTransition:
    options = ", ".join(allowed(state.status)) or "none (this is a final stage)"
    return IllegalTransition(f"a {state.status} line cannot become {target}; allowed next: {options}")


def commit(state: LineState) -> LineState:
    if COMMITTED not in TRANSITIONS[state.status] or state.status != ANNOUNCED:
        raise _refuse(state, COMMITTED)
    return replace(state, status=COMMITTED)


def allocate(state: LineState, requirement_id: int) -> LineState:
    if state.status != COMMITTED:
        raise _refuse(state, ALLOCATED)
    return replace(state, status=ALLOCATED, allocated_to=requirement_id)


def deallocate(state: LineState) -> LineState:
    if state.status != ALLOCATED:
        raise _refuse(state, COMMITTED)
    return replace(state, status=COMMITTED, allocated_to=None)


def contract(state: LineState) -> LineState:
    if state.status != ALLOCATED:
        raise _refuse(state, CONTRACTED)
    return replace(state, status=CONTRACTED)


def ship(state: LineState, quantity: int, *, from_stock: bool = True) -> LineState:
    """Dispatch `quantity` more units (in parts allowed)."""
    if SHIPPED not in TRANSITIONS[state.status]:
        raise _refuse(state, SHIPPED)
    if state.status == ALLOCATED and not from_stock:
        raise IllegalTransition("a line from new procurement must be contracted before it is shipped")
    if quantity < 1:
        raise IllegalTransition("ship at least one unit", field="quantity")
    if state.shipped + quantity > state.quantity:
        raise IllegalTransition(
            f"cannot ship {quantity}: only {state.quantity - state.shipped} of {state.quantity} units are left",
            field="quantity")
    return replace(state, status=SHIPPED, shipped=state.shipped + quantity)


def deliver(state: LineState, quantity: int) -> LineState:
    """Record that `quantity` more shipped units arrived; the line is delivered when all have."""
    if state.status != SHIPPED:
        raise _refuse(state, DELIVERED)
    if quantity < 1:
        raise IllegalTransition("deliver at least one unit", field="quantity")
    if state.delivered + quantity > state.shipped:
        raise IllegalTransition(
            f"cannot record {quantity} delivered: only {state.shipped - state.delivered} shipped units are "
            "not yet delivered", field="quantity")
    delivered = state.delivered + quantity
    return replace(state, status=DELIVERED if delivered == state.quantity else SHIPPED, delivered=delivered)


def cancel(state: LineState, reason: str) -> LineState:
    if CANCELLED not in TRANSITIONS[state.status]:
        raise _refuse(state, CANCELLED)
    if not reason.strip():
        raise IllegalTransition("give the reason for cancelling", field="reason")
    return replace(state, status=CANCELLED)


SPLITTABLE = frozenset({ANNOUNCED, COMMITTED, ALLOCATED, CONTRACTED})


def split(state: LineState, quantity: int) -> tuple[LineState, LineState]:
    """Split `quantity` units off into a new line at the same stage: (what the line keeps, the new line)."""
    if state.status not in SPLITTABLE or state.shipped:
        raise IllegalTransition(f"a {state.status} line cannot be split; only lines not yet shipped can")
    if not 1 <= quantity < state.quantity:
        upper = state.quantity - 1
        hint = f"between 1 and {upper}" if upper >= 1 else "none: the line has a single unit"
        raise IllegalTransition(f"cannot split off {quantity} of {state.quantity} units; split off {hint}",
                                field="quantity")
    kept = replace(state, quantity=state.quantity - quantity)
    return kept, LineState(status=state.status, quantity=quantity, allocated_to=state.allocated_to)
