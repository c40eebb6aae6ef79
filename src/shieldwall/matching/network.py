"""Array-level building blocks of the matching optimiser: arcs, components, min-cost flow, duals.

Everything here works on integer numpy arrays indexed by *groups* (identical supply lots or
identical requirements merged by :mod:`shieldwall.matching.solver`), so that the expensive parts
(enumerating compatible pairs, filtering them, solving and pricing) are vectorised and can run
in a worker process without pickling Python objects.  No Django, no dataclasses of the public API.

See ``docs/matching.md`` for the model these functions implement.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
U64Array = npt.NDArray[np.uint64]

#: Larger than any path cost in the residual graph (costs are bounded by ~2**40).
INF = np.int64(1) << np.int64(62)


def value_table(weights: npt.NDArray[np.float64], half_life_days: float, max_lateness_days: int,
                scale: int) -> IntArray:
    """Integer unit values ``V[p, L] = round(scale * weight[p] * 2**(-L / half_life))``.

    Row ``p`` is the priority (row 0 unused so that priorities index directly), column ``L`` the
    lateness in whole days, ``0..max_lateness_days``.  The rounding *defines* the model's values,
    which is what makes the integer min-cost flow exactly optimal (docs/matching.md, "Integer
    scaling").
    """
    lateness = np.arange(max_lateness_days + 1, dtype=np.float64)
    decay = np.exp2(-lateness / half_life_days)
    return np.rint(scale * weights[:, None] * decay[None, :]).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Arcs:
    """Feasible (lot group, requirement group) pairs with their integer unit value."""

    lot: IntArray
    req: IntArray
    value: IntArray  # scaled integer value of one unit, > 0
    arrival: IntArray  # date ordinal


def build_arcs(
    *,
    pair_type: IntArray,
    pair_class: IntArray,
    lots_by_type: tuple[IntArray, IntArray],
    reqs_by_class: tuple[IntArray, IntArray],
    lot_avail: IntArray,
    lot_origin: IntArray,
    lot_excluded: BoolArray,
    req_need_by: IntArray,
    req_dest: IntArray,
    req_use: IntArray,
    req_priority: IntArray,
    transit: IntArray,
    values: IntArray,
    chunk: int = 4_000_000,
) -> Arcs:
    """Enumerate every compatible (lot, requirement) pair and keep the feasible ones.

    ``pair_type``/``pair_class`` list the compatibility pairs that have both lots and
    requirements.  ``lots_by_type`` and ``reqs_by_class`` are CSR structures ``(ptr, members)``.
    A pair is feasible when the lot's donor does not exclude the requirement's use, a transit time
    is known (``transit >= 0``), the lateness is at most the maximum and the scaled value is > 0.
    The cartesian products are generated with index arithmetic (no Python loop per pair) in
    chunks, to bound the temporary memory on the largest catalogues.
    """
    lptr, lmem = lots_by_type
    rptr, rmem = reqs_by_class
    n_l = lptr[pair_type + 1] - lptr[pair_type]
    n_r = rptr[pair_class + 1] - rptr[pair_class]
    sizes = n_l * n_r
    max_late = values.shape[1] - 1
    out: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []
    # Split the pairs into chunks of about `chunk` candidates each (a pair is never split).
    cum = np.cumsum(sizes)
    cuts = [0]
    while cuts[-1] < len(sizes):
        done = int(cum[cuts[-1] - 1]) if cuts[-1] else 0
        nxt = int(np.searchsorted(cum, done + chunk, side="right"))
        cuts.append(min(max(nxt, cuts[-1] + 1), len(sizes)))
    for start, stop in itertools.pairwise(cuts):
        sl = slice(start, stop)
        sz = sizes[sl]
        total = int(sz.sum())
        if total == 0:
            continue
        pid = np.repeat(np.arange(sl.start, sl.stop, dtype=np.int64), sz)
        offs = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sz) - sz, sz)
        nr = n_r[pid]
        lot = lmem[lptr[pair_type[pid]] + offs // nr]
        req = rmem[rptr[pair_class[pid]] + offs % nr]
        del pid, offs, nr
        tr = transit[lot_origin[lot], req_dest[req]]
        arrival = lot_avail[lot] + tr
        late = np.maximum(arrival - req_need_by[req], 0)
        ok = (tr >= 0) & (late <= max_late) & ~lot_excluded[lot, req_use[req]]
        lot, req, arrival, late = lot[ok], req[ok], arrival[ok], late[ok]
        val = values[req_priority[req], late]
        pos = val > 0
        out.append((lot[pos], req[pos], val[pos], arrival[pos]))
    if not out:
        empty = np.zeros(0, dtype=np.int64)
        return Arcs(empty, empty, empty, empty)
    return Arcs(*(np.concatenate([o[i] for o in out]) for i in range(4)))


def component_labels(n_lots: int, n_reqs: int, arcs: Arcs, lot_hw: IntArray, n_hw: int) -> IntArray:
    """Connected components of lots, requirements and capacitated hub-weeks.

    Two requirements can only influence each other through a lot they both could use or through
    a hub-week whose capacity their lots share, so each component is an independent problem.
    Returns one label per node (lots, then requirements, then hub-weeks).
    """
    n = n_lots + n_reqs + n_hw
    hub_lots = np.flatnonzero(lot_hw >= 0)
    rows = np.concatenate([arcs.lot, hub_lots])
    cols = np.concatenate([arcs.req + n_lots, lot_hw[hub_lots] + n_lots + n_reqs])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    out: IntArray = np.asarray(labels, dtype=np.int64)
    return out


@dataclass(frozen=True, slots=True)
class ComponentData:
    """One independent sub-problem in local indices (lots ``0..nl``, requirements ``0..nr``)."""

    lot_q: IntArray
    req_q: IntArray
    arc_lot: IntArray
    arc_req: IntArray
    arc_value: IntArray
    lot_hw: IntArray  # local hub-week index or -1 (uncapacitated)
    hw_cap: IntArray


@dataclass(frozen=True, slots=True)
class ComponentResult:
    flow: IntArray  # per arc of the component, in ComponentData order
    dist: IntArray | None  # per requirement: cost of absorbing one more unit there (>= 0)
    cost: int  # min-cost-flow optimum (= -objective, scaled)


def solve_component(data: ComponentData, with_duals: bool) -> ComponentResult:
    """Maximise the scaled value of one component exactly with OR-Tools' min-cost flow.

    Network (docs/matching.md): every lot pushes its quantity to a sink either through a
    requirement (cost ``-value``) or unused (cost 0).  Lots in a capacitated hub-week receive their
    units from the hub-week's node ``H``, which can send at most the capacity through ``Hc`` to
    its lots and the rest straight to the sink, so the assigned total of the hub-week is capped.
    """
    nl, nr, nh = len(data.lot_q), len(data.req_q), len(data.hw_cap)
    ne = len(data.arc_lot)
    req0, h0, hc0, sink = nl, nl + nr, nl + nr + nh, nl + nr + 2 * nh
    free = np.flatnonzero(data.lot_hw < 0)
    hubbed = np.flatnonzero(data.lot_hw >= 0)
    hw_supply = np.bincount(data.lot_hw[hubbed], weights=data.lot_q[hubbed], minlength=nh)
    hw_supply = np.rint(hw_supply).astype(np.int64)
    rng_h = np.arange(nh, dtype=np.int64)
    tails = np.concatenate([
        data.arc_lot, np.arange(nr, dtype=np.int64) + req0, free, data.lot_hw[hubbed] + hc0,
        rng_h + h0, rng_h + h0,
    ])
    heads = np.concatenate([
        data.arc_req + req0, np.full(nr, sink), np.full(len(free), sink), hubbed,
        rng_h + hc0, np.full(nh, sink),
    ])
    caps = np.concatenate([
        np.minimum(data.lot_q[data.arc_lot], data.req_q[data.arc_req]), data.req_q, data.lot_q[free],
        data.lot_q[hubbed], np.minimum(data.hw_cap, hw_supply), hw_supply,
    ])
    costs = np.concatenate([-data.arc_value, np.zeros(len(tails) - ne, dtype=np.int64)])
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[free] = data.lot_q[free]
    supplies[h0:h0 + nh] = hw_supply
    supplies[sink] = -int(supplies.sum())
    mcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supplies)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = np.asarray(mcf.flows(np.arange(len(tails), dtype=np.int64)), dtype=np.int64)
    dist = None
    if with_duals:
        d = distances_to_sink(sink + 1, tails, heads, caps, costs, flows, sink)
        dist = d[req0:req0 + nr]
    return ComponentResult(flows[:ne], dist, int(mcf.optimal_cost()))


def distances_to_sink(n: int, tail: IntArray, head: IntArray, cap: IntArray, cost: IntArray,
                      flow: IntArray, sink: int) -> IntArray:
    """Shortest residual-path cost from every node to the sink (label-correcting Bellman-Ford).

    ``d[r]`` is exactly the cost of absorbing one extra unit arriving at node ``r`` in the optimal
    flow (an optimal flow has no negative residual cycle, so distances are well defined).  The
    rounds only relax arcs whose head improved in the previous round, which keeps the work close
    to the size of the part of the graph the displacement chains actually reach.
    """
    fwd = flow < cap
    bwd = flow > 0
    ru = np.concatenate([tail[fwd], head[bwd]])
    rv = np.concatenate([head[fwd], tail[bwd]])
    rc = np.concatenate([cost[fwd], -cost[bwd]])
    order = np.argsort(rv, kind="stable")
    ru, rv, rc = ru[order], rv[order], rc[order]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rv, minlength=n), out=ptr[1:])
    d = np.full(n, INF, dtype=np.int64)
    d[sink] = 0
    frontier = np.array([sink], dtype=np.int64)
    for _ in range(n + 1):
        starts = ptr[frontier]
        lens = ptr[frontier + 1] - starts
        total = int(lens.sum())
        if total == 0:
            return d
        idx = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total, dtype=np.int64)
        cand = rc[idx] + d[rv[idx]]
        u = ru[idx]
        best = d.copy()
        np.minimum.at(best, u, cand)
        frontier = np.flatnonzero(best < d)
        d = best
    raise RuntimeError("negative residual cycle: the flow is not optimal")


def splitmix64(x: U64Array) -> U64Array:
    """Vectorised splitmix64 finaliser: a fast, well-mixing 64-bit hash for content fingerprints."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def arc_keys(lot_hash: U64Array, req_hash: U64Array, arcs: Arcs) -> U64Array:
    """Content key of each arc: who supplies, who receives, at which value and arrival."""
    with np.errstate(over="ignore"):
        inner = splitmix64(req_hash[arcs.req] + arcs.value.astype(np.uint64) * np.uint64(1_000_003)
                           + arcs.arrival.astype(np.uint64))
        return splitmix64(lot_hash[arcs.lot] ^ inner)
