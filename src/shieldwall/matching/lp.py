"""Reference linear programme of the matching model, for verification (tests, benchmark).

Deliberately naive and independent of the min-cost-flow code path: one variable per feasible
(supply, requirement) pair enumerated with plain loops over the original objects (no merging,
no components, no numpy tricks), and the constraints written exactly as in docs/matching.md.
Solve it with any LP solver, e.g. ``scipy.optimize.linprog(-lp.c, A_ub=lp.a_ub, b_ub=lp.b_ub,
method="highs")``; its optimum is integral because the constraint matrix is a network matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from shieldwall.matching.solver import Id, Problem


@dataclass(frozen=True)
class LinearProgram:
    """``max c @ x  s.t.  a_ub @ x <= b_ub, x >= 0``; ``c`` is in scaled integer units."""

    c: np.ndarray[Any, np.dtype[np.float64]]
    a_ub: csr_matrix
    b_ub: np.ndarray[Any, np.dtype[np.float64]]
    variables: list[tuple[Id, Id]]  # (supply id, requirement id) per column
    arrival: list[date]
    scale: int


def build_lp(problem: Problem) -> LinearProgram:
    p = problem.params
    cols: list[tuple[Id, Id]] = []
    c: list[float] = []
    arrival: list[date] = []
    rows: list[int] = []
    colidx: list[int] = []
    req_row = {r.id: i for i, r in enumerate(problem.requirements)}
    n_req, n_sup = len(problem.requirements), len(problem.supplies)
    hub_rows: dict[tuple[str, date], int] = {}
    for si, s in enumerate(problem.supplies):
        hub_row = None
        if s.hub is not None:
            week = s.available_from - timedelta(days=s.available_from.weekday())
            if (s.hub, week) in problem.hub_capacity:
                hub_row = hub_rows.setdefault((s.hub, week), n_req + n_sup + len(hub_rows))
        for r in problem.requirements:
            if s.item_type not in problem.compatibility.get(r.item_class, ()):
                continue
            if r.use_category in s.excluded_uses:
                continue
            transit = problem.transit_days.get((s.origin, r.destination))
            if transit is None:
                continue
            arr = s.available_from + timedelta(days=transit)
            value = p.unit_value(r.priority, (arr - r.need_by).days)
            if value <= 0:
                continue
            j = len(cols)
            cols.append((s.id, r.id))
            c.append(float(value))
            arrival.append(arr)
            rows += [req_row[r.id], n_req + si] + ([hub_row] if hub_row is not None else [])
            colidx += [j, j] + ([j] if hub_row is not None else [])
    b = [float(r.quantity) for r in problem.requirements] + [float(s.quantity) for s in problem.supplies]
    b += [float(problem.hub_capacity[k]) for k in hub_rows]
    a = csr_matrix((np.ones(len(rows)), (rows, colidx)), shape=(len(b), len(cols)))
    return LinearProgram(np.array(c), a, np.array(b), cols, arrival, p.value_scale)
