"""Array-level building blocks of the matching optimiser: chains, links, components, min-cost flow.

Everything here works on integer numpy arrays indexed by *groups* (identical supply lots or
identical requirements merged by :mod:`shieldwall.matching.solver`), so that the expensive parts
(enumerating links, labelling components, solving and pricing) are vectorised and can run in a
worker process without pickling Python objects.  No Django, no dataclasses of the public API.

The solver does not give every feasible (lot, requirement) pair its own arc.  Lots of the same
item type, origin and effective restrictions form a *chain* ordered by availability date, and an
early unit may move down the chain to serve whatever a later one can; a requirement then needs
one on-time link to the chain plus one link per late arrival day.  ``docs/matching.md`` ("The
reduced network") states the construction and proves that it has the same optimum, the same
dual prices of requirement rows, and decomposes back into pairs exactly.  :func:`build_arcs`
still enumerates the plain pairs, for the benchmark's baselines and the tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
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


def csr(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """``(ptr, members)``: the indices of ``keys`` grouped by key value ``0..n-1``."""
    order = np.argsort(keys, kind="stable").astype(np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return ptr, order


def _cartesian(left: tuple[IntArray, IntArray], right: tuple[IntArray, IntArray], pair_left: IntArray,
               pair_right: IntArray, chunk: int) -> Iterator[tuple[IntArray, IntArray]]:
    """Every (left member, right member) of every pair of groups, in chunks of about ``chunk``.

    Index arithmetic, no Python loop per element; a pair of groups is never split.
    """
    lptr, lmem = left
    rptr, rmem = right
    n_l = lptr[pair_left + 1] - lptr[pair_left]
    n_r = rptr[pair_right + 1] - rptr[pair_right]
    sizes = n_l * n_r
    cum = np.cumsum(sizes)
    cuts = [0]
    while cuts[-1] < len(sizes):
        done = int(cum[cuts[-1] - 1]) if cuts[-1] else 0
        nxt = int(np.searchsorted(cum, done + chunk, side="right"))
        cuts.append(min(max(nxt, cuts[-1] + 1), len(sizes)))
    for start, stop in itertools.pairwise(cuts):
        sz = sizes[start:stop]
        total = int(sz.sum())
        if total == 0:
            continue
        pid = np.repeat(np.arange(start, stop, dtype=np.int64), sz)
        offs = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sz) - sz, sz)
        nr = n_r[pid]
        yield lmem[lptr[pair_left[pid]] + offs // nr], rmem[rptr[pair_right[pid]] + offs % nr]


# --------------------------------------------------------------------------------------------
# The plain bipartite model (reference for the benchmark and the tests)


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

    ``pair_type``/``pair_class`` list the compatibility pairs.  ``lots_by_type`` and
    ``reqs_by_class`` are CSR structures ``(ptr, members)``; ``lot_excluded[lot, use]`` says the
    lot's donor forbids the use.  A pair is feasible when its use is allowed, a transit time is
    known (``transit >= 0``), the lateness is at most the maximum and the scaled value is > 0.
    """
    max_late = values.shape[1] - 1
    out: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []
    for lot, req in _cartesian(lots_by_type, reqs_by_class, pair_type, pair_class, chunk):
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


# --------------------------------------------------------------------------------------------
# The reduced model: chains of lots and links from chain nodes to requirements


@dataclass(frozen=True, slots=True)
class Links:
    """Arcs from chain nodes to requirement groups, and how far each requirement reaches.

    A link's ``cap`` is at most the requirement's quantity and the units that can enter its chain
    up to its node.  ``reach_req``/``reach_node``: for every (chain, requirement) with links, the
    last chain node the requirement can use — every lot at or before it is a feasible pair, every
    lot after it is not (the gap reasons count usable supply with it).
    """

    node: IntArray
    req: IntArray
    value: IntArray
    cap: IntArray
    reach_req: IntArray
    reach_node: IntArray


def build_links(
    *,
    pair_type: IntArray,
    pair_class: IntArray,
    chains_by_type: tuple[IntArray, IntArray],
    reqs_by_class: tuple[IntArray, IntArray],
    chain_ptr: IntArray,
    chain_origin: IntArray,
    chain_excl: IntArray,
    node_date: IntArray,
    node_cum: IntArray,
    excluded: BoolArray,
    req_need_by: IntArray,
    req_dest: IntArray,
    req_use: IntArray,
    req_priority: IntArray,
    req_q: IntArray,
    transit: IntArray,
    values: IntArray,
    chunk: int = 2_000_000,
) -> Links:
    """Links of every compatible (chain, requirement group) pair (docs/matching.md).

    Chain ``g`` has nodes ``chain_ptr[g]..chain_ptr[g+1]-1``, one per availability date, ascending
    (``node_date``); ``node_cum`` is the number of units that can enter the chain up to and
    including a node.  For requirement ``r`` with ``lo = need_by - transit`` the on-time link goes
    from the chain's last node with date ``<= lo`` (all earlier nodes reach it along the chain), and
    one late link from every node with date in ``(lo, lo + max_lateness]`` whose value is positive.
    Chains are short (the solver cuts them), so each candidate compares ``lo`` with a row of its
    chain's dates instead of searching.
    """
    max_late = values.shape[1] - 1
    n_chains = len(chain_ptr) - 1
    length = np.diff(chain_ptr)
    width = int(length.max(initial=1))
    # Dates per chain in a padded matrix; padding sorts after every date and never links.
    dates = np.full((n_chains, width), np.iinfo(np.int64).max // 4, dtype=np.int64)
    node_chain = np.repeat(np.arange(n_chains, dtype=np.int64), length)
    dates[node_chain, np.arange(len(node_date), dtype=np.int64) - chain_ptr[node_chain]] = node_date
    parts: list[tuple[IntArray, ...]] = []
    for chain, req in _cartesian(chains_by_type, reqs_by_class, pair_type, pair_class, max(chunk // width, 1)):
        tr = transit[chain_origin[chain], req_dest[req]]
        ok = (tr >= 0) & ~excluded[chain_excl[chain], req_use[req]]
        chain, req, tr = chain[ok], req[ok], tr[ok]
        late = dates[chain] - (req_need_by[req] - tr)[:, None]  # days late per node, <= 0: on time
        prio = req_priority[req]
        n_on = np.count_nonzero(late <= 0, axis=1)
        on = (n_on > 0) & (values[prio, 0] > 0)
        # Late links: nodes at most max_late days late whose value is positive; by monotonicity
        # they are the nodes right after the on-time ones.
        rows, cols = np.nonzero((late > 0) & (late <= max_late))
        val = values[prio[rows], late[rows, cols]]
        pos = val > 0
        rows, cols, val = rows[pos], cols[pos], val[pos]
        first = chain_ptr[chain]
        link_node = np.concatenate([first[on] + n_on[on] - 1, first[rows] + cols])
        link_req = np.concatenate([req[on], req[rows]])
        link_val = np.concatenate([values[prio[on], 0], val])
        # Reach: the last linked node (on-time and late links are consecutive nodes), if any.
        n_late = np.bincount(rows, minlength=len(chain))
        has = on | (n_late > 0)
        parts.append((link_node, link_req, link_val, np.minimum(req_q[link_req], node_cum[link_node]),
                      req[has], (first + n_on + n_late - 1)[has]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Links(empty, empty, empty, empty, empty, empty)
    return Links(*(np.concatenate([p[i] for p in parts]) for i in range(6)))


def component_labels(n_nodes: int, n_reqs: int, links: Links, chain_next: IntArray,
                     hub_node: IntArray, hub_hw: IntArray, n_hw: int) -> IntArray:
    """Connected components of chain nodes, requirement groups and capacitated hub-weeks.

    Two requirements can only influence each other through a chain they both link to or a
    hub-week whose capacity their lots share, so each component is an independent problem.
    ``chain_next[i]`` is the next node of ``i``'s chain or -1; ``hub_node``/``hub_hw`` join the
    chain node of each hubbed lot group to its hub-week.  Returns one label per node (chain nodes,
    then requirements, then hub-weeks).  A requirement's links to one chain are joined by the
    chain's steps, so one edge per (chain, requirement) — its reach — is enough.
    """
    n = n_nodes + n_reqs + n_hw
    has_next = np.flatnonzero(chain_next >= 0)
    rows = np.concatenate([links.reach_node, has_next, hub_node])
    cols = np.concatenate([links.reach_req + n_nodes, chain_next[has_next], hub_hw + n_nodes + n_reqs])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    out: IntArray = np.asarray(labels, dtype=np.int64)
    return out


# --------------------------------------------------------------------------------------------
# One min-cost flow and its prices


@dataclass(frozen=True, slots=True)
class ComponentData:
    """One independent min-cost flow in local node numbers ``0..n_nodes-1`` (the last is the sink).

    Supplies are positive at source nodes; the sink absorbs their total.  The requirement nodes,
    whose prices the solver reports, are ``req_lo..req_hi-1``.
    """

    n_nodes: int
    tail: IntArray
    head: IntArray
    cap: IntArray
    cost: IntArray
    supply: IntArray
    req_lo: int
    req_hi: int


@dataclass(frozen=True, slots=True)
class ComponentResult:
    flow: IntArray  # per arc, in ComponentData order
    dist: IntArray | None  # per requirement node: cost of absorbing one more unit there (>= 0)
    cost: int  # min-cost-flow optimum (= -objective, scaled)


def solve_component(data: ComponentData, with_duals: bool) -> ComponentResult:
    """Solve one component exactly with OR-Tools' min-cost flow (cost scaling, integer costs)."""
    sink = data.n_nodes - 1
    supplies = data.supply.copy()
    supplies[sink] = -int(supplies[:sink].sum())
    # OR-Tools runs measurably faster (~8 % on the largest components) on arcs sorted by tail, head.
    order = np.argsort(data.tail * data.n_nodes + data.head)
    tail, head, cap, cost = data.tail[order], data.head[order], data.cap[order], data.cost[order]
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tail, head, cap, cost)
    mcf.set_nodes_supplies(np.arange(data.n_nodes, dtype=np.int64), supplies)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = np.asarray(mcf.flows(np.arange(len(tail), dtype=np.int64)), dtype=np.int64)
    dist = None
    if with_duals:
        d = distances_to_sink(data.n_nodes, tail, head, cap, cost, flows, sink)
        dist = d[data.req_lo:data.req_hi]
    flow = np.empty_like(flows)
    flow[order] = flows
    return ComponentResult(flow, dist, int(mcf.optimal_cost()))


def bipartite_network(lot_q: IntArray, req_q: IntArray, arcs: Arcs, lot_hw: IntArray,
                      hw_cap: IntArray) -> ComponentData:
    """The plain (unreduced) network of docs/matching.md, "The model": one arc per feasible pair.

    Every lot pushes its quantity to the sink through a requirement (cost ``-value``) or unused
    (cost 0); lots of a capacitated hub-week receive their units from the hub-week's node ``H``,
    which forwards at most the capacity through ``Hc`` and the rest straight to the sink.
    """
    nl, nr, nh = len(lot_q), len(req_q), len(hw_cap)
    req0, h0, hc0, sink = nl, nl + nr, nl + nr + nh, nl + nr + 2 * nh
    free = np.flatnonzero(lot_hw < 0)
    hubbed = np.flatnonzero(lot_hw >= 0)
    hw_supply = np.bincount(lot_hw[hubbed], weights=lot_q[hubbed], minlength=nh).astype(np.int64)
    rng_h = np.arange(nh, dtype=np.int64)
    tail = np.concatenate([arcs.lot, np.arange(nr, dtype=np.int64) + req0, free, lot_hw[hubbed] + hc0,
                           rng_h + h0, rng_h + h0])
    head = np.concatenate([arcs.req + req0, np.full(nr, sink), np.full(len(free), sink), hubbed,
                           rng_h + hc0, np.full(nh, sink)])
    cap = np.concatenate([np.minimum(lot_q[arcs.lot], req_q[arcs.req]), req_q, lot_q[free], lot_q[hubbed],
                          np.minimum(hw_cap, hw_supply), hw_supply])
    cost = np.concatenate([-arcs.value, np.zeros(len(tail) - len(arcs.lot), dtype=np.int64)])
    supply = np.zeros(sink + 1, dtype=np.int64)
    supply[free] = lot_q[free]
    supply[h0:h0 + nh] = hw_supply
    return ComponentData(sink + 1, tail, head, cap, cost, supply, req0, req0 + nr)


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


# --------------------------------------------------------------------------------------------
# Decomposition and hashing


def fifo_match(a_amount: IntArray, b_amount: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Pair two sequences of amounts unit by unit, first come first served.

    Returns ``(i, j, amount)`` segments: ``amount`` units of ``a[i]`` go to ``b[j]``.  When both
    sequences are grouped alike and their totals agree at every group boundary (with slack
    entries where needed), every segment stays inside one group.  Used to split chain flows into
    lot-requirement pairs and group flows among merged members.
    """
    ca = np.cumsum(a_amount)
    cb = np.cumsum(b_amount)
    ends = np.sort(np.concatenate([ca, cb]), kind="stable")  # two sorted runs: a linear merge
    ends = ends[(ends > 0) & np.concatenate([ends[:1] != 0, ends[1:] != ends[:-1]])]
    starts = np.concatenate([np.zeros(min(len(ends), 1), dtype=np.int64), ends[:-1]])
    i = np.searchsorted(ca, starts, side="right")
    j = np.searchsorted(cb, starts, side="right")
    return i, j, ends - starts


def splitmix64(x: U64Array) -> U64Array:
    """Vectorised splitmix64 finaliser: a fast, well-mixing 64-bit hash for content fingerprints."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def link_keys(chain_key: U64Array, date: IntArray, req_hash: U64Array, value: IntArray,
              transit: IntArray) -> U64Array:
    """Content key of each link: which chain node serves which requirement, at which value and
    transit time (two mixing rounds: the small integers are spread by odd 64-bit multipliers)."""
    with np.errstate(over="ignore"):
        inner = (req_hash + value.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
                 + date.astype(np.uint64) * np.uint64(0x165667B19E3779F9)
                 + transit.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93))
        return splitmix64(chain_key ^ splitmix64(inner))


def mix(columns: list[npt.NDArray[np.int64] | U64Array]) -> U64Array:
    """One 64-bit hash per row of equally long integer columns (order-sensitive)."""
    h = np.zeros(len(columns[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in columns:
            h = splitmix64(h ^ np.asarray(col).astype(np.int64).view(np.uint64))
    return h
