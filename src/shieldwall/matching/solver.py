"""Exact matching of pledged supply lots to open requirements (pure Python + numpy + OR-Tools).

Public entry point: :func:`solve`.  The model (objective, constraints, value function, integer
scaling, gap reasons, marginal values) is stated in ``docs/matching.md``; in short it maximises

    sum over feasible (lot s, requirement r) of  V(r, s) * x[s, r]
    V = round(scale * weight(priority_r) * 2 ** (-lateness / half_life)) / scale,
        lateness = max(0, available_from_s + transit(origin_s, destination_r) - need_by_r)
            and at most max_lateness_days,

subject to lot and requirement quantities, catalogue compatibility, donor use restrictions and
weekly hub capacities, with integer ``x``.  It is a min-cost flow, solved exactly per connected
component on a reduced network (lots chained by date, see :mod:`shieldwall.matching.network`),
after merging identical lots and identical requirements.  A previous solution lets unchanged
components be reused, results and output records included ("what-if" re-solves).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields
from datetime import date
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from shieldwall.matching.explain import GapReason, gap_reasons
from shieldwall.matching.network import (
    Arcs,
    ComponentData,
    ComponentResult,
    IntArray,
    Links,
    U64Array,
    build_arcs,
    build_links,
    component_labels,
    csr,
    fifo_match,
    link_keys,
    mix,
    solve_component,
    splitmix64,
    value_table,
)

__all__ = [
    "Assignment",
    "ComponentInfo",
    "Gap",
    "GapReason",
    "Lot",
    "Params",
    "Problem",
    "Progress",
    "Requirement",
    "Solution",
    "Supply",
    "solve",
]

Id = str | int

#: ``progress(done, total)``: components finished so far, of all components of the problem.
Progress = Callable[[int, int], None]

#: Below this many arcs to (re-)solve, forking workers costs more than it saves.
PARALLEL_MIN_ARCS = 40_000

#: Chains are cut after this many dates: a few more links, but shorter paths for OR-Tools' cost
#: scaling, which solves the largest components ~10 % faster than with uncut chains.
CHAIN_NODES = 8
@dataclass(frozen=True, slots=True)
class Requirement:
    """An open need: ``quantity`` units of ``item_class`` at ``destination`` by ``need_by``.

    ``priority`` runs from 1 (most urgent) to ``Params.priority_levels``.
    """

    id: Id
    item_class: str
    quantity: int
    priority: int
    need_by: date
    destination: str
    use_category: str


@dataclass(frozen=True, slots=True)
class Supply:
    """A committed, not yet allocated pledge line (a lot) of ``item_type``.

    ``excluded_uses`` are use categories the donor forbids; ``hub`` is the donor's consolidation
    hub the lot passes through in the ISO week of ``available_from`` (capacity per hub-week in
    ``Problem.hub_capacity``; a hub-week without an entry is uncapacitated).
    """

    id: Id
    item_type: str
    quantity: int
    available_from: date
    origin: str
    excluded_uses: frozenset[str] = frozenset()
    hub: str | None = None


Lot = Supply


@dataclass(frozen=True)
class Params:
    """Valuation parameters.

    ``weight(p) = priority_weights[p]`` if a table is given, else
    ``priority_base ** (priority_levels - p)`` (default: 2**12 for priority 1 … 1 for priority 13).
    A unit arriving ``L`` days late is worth ``weight * 2**(-L / half_life_days)``; beyond
    ``max_lateness_days`` it is worth nothing.  Values are scaled by ``value_scale`` and rounded to
    integers; that rounding is part of the model (docs/matching.md, "Integer scaling").
    """

    half_life_days: float = 14.0
    max_lateness_days: int = 56
    priority_levels: int = 13
    priority_base: float = 2.0
    priority_weights: Mapping[int, float] | None = None
    value_scale: int = 1000

    def weights(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Weight per priority, indexed by priority (index 0 unused, weight 0)."""
        w = np.zeros(self.priority_levels + 1, dtype=np.float64)
        for p in range(1, self.priority_levels + 1):
            if self.priority_weights is not None:
                w[p] = float(self.priority_weights[p])
            else:
                w[p] = float(self.priority_base) ** (self.priority_levels - p)
        return w

    def unit_value(self, priority: int, lateness_days: int) -> int:
        """Scaled integer value of one unit (0 beyond the maximum lateness)."""
        late = max(0, lateness_days)
        if late > self.max_lateness_days:
            return 0
        return int(self._table()[priority, late])

    def _table(self) -> IntArray:
        return value_table(self.weights(), self.half_life_days, self.max_lateness_days, self.value_scale)

    def key(self) -> tuple[object, ...]:
        weights = None if self.priority_weights is None else tuple(sorted(self.priority_weights.items()))
        return (self.half_life_days, self.max_lateness_days, self.priority_levels, self.priority_base,
                weights, self.value_scale)


@dataclass(frozen=True)
class Problem:
    """Everything the optimiser needs; ``compatibility`` maps an item class to the item types
    that satisfy it, ``transit_days`` maps ``(origin, destination)`` to whole days (a missing pair
    means unreachable), ``hub_capacity`` maps ``(hub, Monday of the ISO week)`` to units."""

    requirements: Sequence[Requirement]
    supplies: Sequence[Supply]
    compatibility: Mapping[str, AbstractSet[str]]
    transit_days: Mapping[tuple[str, str], int]
    hub_capacity: Mapping[tuple[str, date], int] = field(default_factory=dict)
    params: Params = field(default_factory=Params)


@dataclass(frozen=True, slots=True)
class Assignment:
    """``quantity`` units of lot ``supply_id`` go to ``requirement_id``; ``value`` is the total."""

    supply_id: Id
    requirement_id: Id
    quantity: int
    arrival: date
    value: float
    lateness_days: int


@dataclass(frozen=True, slots=True)
class Gap:
    """Unmet units of a requirement, split by reason (only reasons with units > 0)."""

    requirement_id: Id
    unmet: int
    reasons: Mapping[GapReason, int]

    @property
    def primary(self) -> GapReason:
        """The reason accounting for most units (ties: the earlier reason in the cascade)."""
        order = list(GapReason)
        return max(self.reasons, key=lambda r: (self.reasons[r], -order.index(r)))


@dataclass(frozen=True, slots=True)
class ComponentInfo:
    """An independent sub-problem: counts are of merged lots/requirements and of the arcs of its
    reduced network (docs/matching.md, "The reduced network")."""

    fingerprint: tuple[int, int, int, int]
    lots: int
    requirements: int
    arcs: int
    reused: bool
    objective: float


@dataclass(frozen=True)
class _Stored:
    """What a later solve needs to reuse one component without solving or rebuilding it."""

    assignments: list[Assignment]
    got: dict[Id, int]  # units assigned per requirement id (only ids with units)
    lot_keys: U64Array  # sorted hashes of the component's lot groups with units assigned
    lot_used: IntArray
    req_keys: U64Array  # sorted hashes of the component's requirement groups
    dist: IntArray | None  # their prices, in req_keys order
    value: int  # the component's objective, scaled


@dataclass(frozen=True)
class _LinkState:
    """What a later solve needs to take over the links of (chain, requirement group) pairs whose
    content is unchanged, instead of enumerating them again (docs/matching.md, "Reuse")."""

    chain_hash: U64Array  # per chain: identity (type, origin, restriction) and its lots (dates, quantities)
    req_hash: U64Array  # per requirement group (attributes and quantity)
    links: Links
    link_chain: IntArray  # chain of each link, and its node's position in the chain
    link_offset: IntArray
    reach_chain: IntArray
    reach_offset: IntArray
    compatibility: dict[str, frozenset[str]]
    transit: dict[tuple[str, str], int]


@dataclass(frozen=True)
class Solution:
    """Optimal assignments, explained gaps and marginal values per requirement class."""

    assignments: list[Assignment]
    gaps: list[Gap]
    marginal_values: dict[str, float]
    objective: float
    objective_scaled: int
    components: list[ComponentInfo]
    stats: dict[str, float]
    _reuse: tuple[int, tuple[object, ...], dict[tuple[int, int, int, int], _Stored], _LinkState | None] | None = (
        field(default=None, repr=False, compare=False))


# --------------------------------------------------------------------------------------------
# Encoding: objects -> merged groups -> integer arrays, in bulk


@dataclass
class _Encoded:
    req_ids: list[Id]
    req_quantity: IntArray  # per original requirement
    req_gid: IntArray  # original requirement -> group
    req_q: IntArray  # per group from here on
    req_class: IntArray
    req_priority: IntArray
    req_need_by: IntArray
    req_dest: IntArray
    req_use: IntArray
    req_hash: U64Array
    sup_ids: list[Id]
    lot_gid: IntArray  # original supply -> group
    lot_member_q: IntArray
    lot_q: IntArray  # per group from here on
    lot_type: IntArray
    lot_avail: IntArray
    lot_origin: IntArray
    lot_excl: IntArray  # row of `excluded`
    lot_hw: IntArray  # capacitated hub-week or -1
    lot_hash: U64Array
    excluded: np.ndarray[Any, np.dtype[np.bool_]]  # [restriction set, use]
    type_hash: U64Array
    origin_hash: U64Array
    excl_hash: U64Array
    hw_cap: IntArray
    pair_type: IntArray
    pair_class: IntArray
    classes: list[str]
    origins: list[str]
    transit: IntArray


def _codes(values: list[Any]) -> tuple[IntArray, list[Any]]:
    """Dense codes in order of first appearance, and the distinct values."""
    ix: dict[Any, int] = {}
    codes = [ix.setdefault(v, len(ix)) for v in values]
    return np.array(codes, dtype=np.int64), list(ix)


def _hashes(values: list[Any]) -> U64Array:
    return np.array([hash(v) for v in values], dtype=np.int64).view(np.uint64)


def _group(columns: list[IntArray]) -> tuple[IntArray, IntArray]:
    """Group equal rows: ``(group per row, first row of each group)``, groups in sorted row order."""
    n = len(columns[0])
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    lows = [int(c.min()) for c in columns]
    spans = [int(c.max()) - lo + 1 for c, lo in zip(columns, lows, strict=True)]
    if np.prod(np.array(spans, dtype=np.float64)) < 2.0 ** 62:
        key = np.zeros(n, dtype=np.int64)
        for c, lo, span in zip(columns, lows, spans, strict=True):
            key = key * span + (c - lo)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:  # pragma: no cover - only for astronomically many distinct values
        _, first, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_index=True,
                                      return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), first.astype(np.int64)


def _first_bad(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> int | None:
    bad = np.flatnonzero(mask)
    return int(bad[0]) if len(bad) else None


def _encode(problem: Problem) -> _Encoded:
    p = problem.params
    reqs, sups = problem.requirements, problem.supplies
    # Requirements: merge identical ones (same class, priority, date, place, use).
    req_ids = [r.id for r in reqs]
    if len(set(req_ids)) != len(req_ids):
        raise ValueError("requirement ids must be unique")
    rq = np.array([r.quantity for r in reqs], dtype=np.int64)
    prio = np.array([r.priority for r in reqs], dtype=np.int64)
    if (i := _first_bad(rq < 1)) is not None:
        raise ValueError(f"requirement {req_ids[i]!r}: quantity must be >= 1")
    if (i := _first_bad((prio < 1) | (prio > p.priority_levels))) is not None:
        raise ValueError(f"requirement {req_ids[i]!r}: priority must be in 1..{p.priority_levels}")
    need = np.array([r.need_by.toordinal() for r in reqs], dtype=np.int64)
    cls, classes = _codes([r.item_class for r in reqs])
    dest, dests = _codes([r.destination for r in reqs])
    use, uses = _codes([r.use_category for r in reqs])
    r_hash = mix([_hashes(req_ids), rq, _hashes(classes)[cls], prio, need, _hashes(dests)[dest],
                  _hashes(uses)[use]])
    req_gid, rfirst = _group([cls, prio, need, dest, use])
    n_rg = len(rfirst)
    req_q = np.bincount(req_gid, weights=rq, minlength=n_rg).astype(np.int64)
    req_hash = np.zeros(n_rg, dtype=np.uint64)
    np.add.at(req_hash, req_gid, r_hash)

    # Lots: merge identical ones (same type, date, origin, effective restrictions, hub-week).
    sup_ids = [s.id for s in sups]
    if len(set(sup_ids)) != len(sup_ids):
        raise ValueError("supply ids must be unique")
    lq = np.array([s.quantity for s in sups], dtype=np.int64)
    if (i := _first_bad(lq < 1)) is not None:
        raise ValueError(f"supply {sup_ids[i]!r}: quantity must be >= 1")
    for hub_week, capacity in problem.hub_capacity.items():
        if hub_week[1].weekday() != 0 or capacity < 0:
            raise ValueError(f"hub capacity {hub_week!r}: key must be a Monday and capacity >= 0")
    avail = np.array([s.available_from.toordinal() for s in sups], dtype=np.int64)
    typ, types = _codes([s.item_type for s in sups])
    origin, origins = _codes([s.origin for s in sups])
    excl, excl_sets = _codes([s.excluded_uses for s in sups])
    hub, hubs = _codes([s.hub for s in sups])
    # Only the uses some requirement has can exclude anything: restriction sets that agree on
    # those are the same restriction.
    use_ix = {u: i for i, u in enumerate(uses)}
    eff_code, eff_sets = _codes([frozenset(u for u in es if u in use_ix) for es in excl_sets])
    excluded = np.zeros((max(len(eff_sets), 1), max(len(uses), 1)), dtype=np.bool_)
    for e, es in enumerate(eff_sets):
        excluded[e, [use_ix[u] for u in es]] = True
    lot_excl_eff = eff_code[excl] if len(excl) else excl
    # Capacitated hub-weeks: the week of availability, if the hub has a capacity for it.
    lot_hw = np.full(len(sups), -1, dtype=np.int64)
    lot_cap = np.full(len(sups), -1, dtype=np.int64)
    hw_caps: list[int] = []
    hubbed = np.flatnonzero(np.array([h is not None for h in hubs], dtype=np.bool_)[hub]) if len(sups) else hub
    if problem.hub_capacity and len(hubbed):
        week = avail[hubbed] - (avail[hubbed] - 1) % 7  # ordinal 1 is a Monday
        wgid, wfirst = _group([hub[hubbed], week])
        hw_of_week = np.full(len(wfirst), -1, dtype=np.int64)
        cap_of_week = np.full(len(wfirst), -1, dtype=np.int64)
        for w, f in enumerate(wfirst.tolist()):
            cap = problem.hub_capacity.get((hubs[int(hub[hubbed[f]])], date.fromordinal(int(week[f]))))
            if cap is not None:
                hw_of_week[w] = len(hw_caps)
                cap_of_week[w] = cap
                hw_caps.append(int(cap))
        lot_hw[hubbed] = hw_of_week[wgid]
        lot_cap[hubbed] = cap_of_week[wgid]
    type_hash, origin_hash = _hashes(types), _hashes(origins)
    s_hash = mix([_hashes(sup_ids), lq, type_hash[typ], avail, origin_hash[origin], _hashes(excl_sets)[excl],
                  _hashes(hubs)[hub], lot_cap])
    lot_gid, lfirst = _group([typ, avail, origin, lot_excl_eff, lot_hw])
    n_lg = len(lfirst)
    lot_q = np.bincount(lot_gid, weights=lq, minlength=n_lg).astype(np.int64)
    lot_hash = np.zeros(n_lg, dtype=np.uint64)
    np.add.at(lot_hash, lot_gid, s_hash)

    type_ix = {t: i for i, t in enumerate(types)}
    pairs = [(type_ix[t], ci) for ci, c in enumerate(classes)
             for t in problem.compatibility.get(c, ()) if t in type_ix]
    pair_arr = np.array(pairs, dtype=np.int64).reshape(len(pairs), 2)
    origin_ix = {o: i for i, o in enumerate(origins)}
    dest_ix = {d: i for i, d in enumerate(dests)}
    transit = np.full((max(len(origins), 1), max(len(dests), 1)), -1, dtype=np.int64)
    for (o, d), days in problem.transit_days.items():
        oi, di = origin_ix.get(o), dest_ix.get(d)
        if oi is not None and di is not None:
            if days < 0:
                raise ValueError(f"transit {(o, d)!r} must be >= 0 days")
            transit[oi, di] = days
    return _Encoded(
        req_ids=req_ids, req_quantity=rq, req_gid=req_gid, req_q=req_q, req_class=cls[rfirst],
        req_priority=prio[rfirst], req_need_by=need[rfirst], req_dest=dest[rfirst], req_use=use[rfirst],
        req_hash=req_hash, sup_ids=sup_ids, lot_gid=lot_gid, lot_member_q=lq, lot_q=lot_q,
        lot_type=typ[lfirst], lot_avail=avail[lfirst], lot_origin=origin[lfirst],
        lot_excl=lot_excl_eff[lfirst], lot_hw=lot_hw[lfirst], lot_hash=lot_hash, excluded=excluded,
        type_hash=type_hash, origin_hash=origin_hash, excl_hash=_hashes(eff_sets),
        hw_cap=np.array(hw_caps, dtype=np.int64), pair_type=pair_arr[:, 0].copy(),
        pair_class=pair_arr[:, 1].copy(), classes=classes, origins=origins, transit=transit,
    )


def _pairs(problem: Problem) -> tuple[_Encoded, Arcs]:
    """The plain model's feasible pairs of lot and requirement groups (benchmark baselines, tests)."""
    enc = _encode(problem)
    arcs = build_arcs(
        pair_type=enc.pair_type, pair_class=enc.pair_class,
        lots_by_type=csr(enc.lot_type, len(enc.type_hash)), reqs_by_class=csr(enc.req_class, len(enc.classes)),
        lot_avail=enc.lot_avail, lot_origin=enc.lot_origin, lot_excluded=enc.excluded[enc.lot_excl],
        req_need_by=enc.req_need_by, req_dest=enc.req_dest, req_use=enc.req_use,
        req_priority=enc.req_priority, transit=enc.transit, values=problem.params._table(),
    )
    return enc, arcs


# --------------------------------------------------------------------------------------------
# The reduced network: structure and fingerprints of every component, arcs of those to solve


@dataclass
class _Network:
    n_comp: int
    links: Links
    node_comp: IntArray  # per chain node (-1: no component)
    req_comp: IntArray  # per requirement group
    hw_comp: IntArray  # per capacitated hub-week
    lot_node: IntArray  # chain node of each lot group
    live: np.ndarray[Any, np.dtype[np.bool_]]  # chain node is used (it or a later node has a link)
    node_chain: IntArray
    node_cum: IntArray  # units that can enter a chain up to and including the node
    chain_ptr: IntArray
    chain_last: IntArray  # last live node per chain (-1: none)
    hub_lots: IntArray  # live lot groups in a capacitated hub-week
    lots_in: list[IntArray]  # lot groups of each component
    reqs_in: list[IntArray]  # requirement groups of each component
    arcs: IntArray  # arcs of each component's network
    fingerprints: list[tuple[int, int, int, int]]
    pairs: int  # feasible pairs of the plain model
    links_reused: int  # links taken from a previous solve instead of enumerated


@dataclass
class _Tasks:
    """The networks of the components to solve, and where each kind of arc sits in them."""

    tasks: list[ComponentData]
    arc_ptr: IntArray  # task i's arcs are positions arc_ptr[i]:arc_ptr[i+1] of the sorted arcs
    arc_order: IntArray  # sorted position -> arc number (links, then exits, then hub-ins, ...)
    link_ix: IntArray  # links that are arcs, in arc-number order
    exit_node: IntArray  # per exit arc: the last live node of its chain
    hubin_lot: IntArray  # per hub-in arc: the lot group it feeds
    exit_at: int
    hubin_at: int


def _rank(comp: IntArray, n_comp: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Per element its rank inside its component; per component the count, ptr and members."""
    idx = np.flatnonzero(comp >= 0)
    members = idx[np.argsort(comp[idx], kind="stable")]
    counts = np.bincount(comp[idx], minlength=n_comp)
    ptr = np.zeros(n_comp + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    rank = np.full(len(comp), -1, dtype=np.int64)
    rank[members] = np.arange(len(members), dtype=np.int64) - np.repeat(ptr[:-1], counts)
    return rank, counts, ptr, members


def _ptr(keys: IntArray, n: int) -> IntArray:
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return ptr


def _network(enc: _Encoded, values: IntArray, problem: Problem,
             prev: _LinkState | None = None) -> tuple[_Network, _LinkState | None]:
    """The reduced network of the whole problem, and what a later what-if needs to reuse its links.

    With ``prev`` (the state of an earlier solve with the same parameters), links are enumerated
    only for chains or requirement groups whose content (or compatibility, or transit times) changed;
    the others are taken from ``prev``: a link depends on nothing but its chain, its requirement
    group, their compatibility and their transit time.
    """
    n_rg, n_hw = len(enc.req_q), len(enc.hw_cap)
    # Chains: lot groups of one type, origin and restriction; one node per availability date.
    chain_of_lot, cfirst = _group([enc.lot_type, enc.lot_origin, enc.lot_excl])
    lot_node, nfirst = _group([chain_of_lot, enc.lot_avail])
    if CHAIN_NODES:
        first_date = _ptr(chain_of_lot[nfirst], len(cfirst))[chain_of_lot[nfirst]]
        segment = (np.arange(len(nfirst), dtype=np.int64) - first_date) // CHAIN_NODES
        chain_of_lot, cfirst = _group([chain_of_lot, segment[lot_node]])
        lot_node, nfirst = _group([chain_of_lot, enc.lot_avail])
    n_nodes = len(nfirst)
    node_chain = chain_of_lot[nfirst]
    node_date = enc.lot_avail[nfirst]
    chain_ptr = _ptr(node_chain, len(cfirst))
    node_q = np.bincount(lot_node, weights=enc.lot_q, minlength=n_nodes).astype(np.int64)
    node_cum = _chain_cumsum(node_q, chain_ptr)
    chain_origin = enc.lot_origin[cfirst]
    chain_type = enc.lot_type[cfirst]
    chain_key = mix([enc.type_hash[chain_type], enc.origin_hash[chain_origin], enc.excl_hash[enc.lot_excl[cfirst]]])
    # Lot groups are numbered chain by chain (the chain is the major key of their node).
    lots_by_chain = np.argsort(lot_node, kind="stable")
    chain_hash = splitmix64(chain_key ^ _segment_sums(enc.lot_hash[lots_by_chain], _ptr(chain_of_lot, len(cfirst))))
    n_types, n_classes = len(enc.type_hash), len(enc.classes)

    def links_of(chains: IntArray | None, reqs: IntArray | None) -> Links:
        return build_links(
            pair_type=enc.pair_type, pair_class=enc.pair_class,
            chains_by_type=_csr_of(chain_type, n_types, chains), reqs_by_class=_csr_of(enc.req_class, n_classes, reqs),
            chain_ptr=chain_ptr, chain_origin=chain_origin, chain_excl=enc.lot_excl[cfirst], node_date=node_date,
            node_cum=node_cum, excluded=enc.excluded, req_need_by=enc.req_need_by, req_dest=enc.req_dest,
            req_use=enc.req_use, req_priority=enc.req_priority, req_q=enc.req_q, transit=enc.transit, values=values,
        )

    # Hashes identify chains and requirement groups across solves only if they are distinct.
    distinct = len(np.unique(chain_hash)) == len(chain_hash) and len(np.unique(enc.req_hash)) == len(enc.req_hash)
    taken = None
    if prev is not None and distinct:
        taken = _taken_links(prev, enc, problem, chain_hash, chain_ptr, chain_origin)
    if taken is None:
        links = links_of(None, None)
    else:
        kept, dirty_chain, dirty_req = taken
        parts = [kept]
        if len(dirty_chain):  # changed chains with every requirement
            parts.append(links_of(dirty_chain, None))
        if len(dirty_req):  # unchanged chains with changed requirements
            clean = np.ones(len(cfirst), dtype=np.bool_)
            clean[dirty_chain] = False
            parts.append(links_of(np.flatnonzero(clean), dirty_req))
        links = Links(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Links)))
    # A node is live when it or a later node of its chain has a link; later units are useless.
    chain_last = np.full(len(cfirst), -1, dtype=np.int64)
    np.maximum.at(chain_last, node_chain[links.node], links.node)
    node_ix = np.arange(n_nodes, dtype=np.int64)
    live = node_ix <= chain_last[node_chain]
    chain_next = np.where(live & (node_ix < chain_last[node_chain]), node_ix + 1, -1)
    hub_lots = np.flatnonzero((enc.lot_hw >= 0) & live[lot_node])
    labels = component_labels(n_nodes, n_rg, links, chain_next, lot_node[hub_lots], enc.lot_hw[hub_lots], n_hw)
    used = np.flatnonzero(np.bincount(labels[links.reach_node], minlength=len(labels)))
    n_comp = len(used)
    comp_of_label = np.full(int(labels.max(initial=-1)) + 2, -1, dtype=np.int64)
    comp_of_label[used] = np.arange(n_comp, dtype=np.int64)
    comp = comp_of_label[labels]
    node_comp = np.where(live, comp[:n_nodes], -1)
    req_comp, hw_comp = comp[n_nodes:n_nodes + n_rg], comp[n_nodes + n_rg:]
    lot_comp = node_comp[lot_node]

    # Content fingerprints (order-independent sums of 64-bit hashes) decide what can be reused:
    # the lots, the requirements, and the links with their values and transit times.
    _, _, lot_ptr, lot_members = _rank(lot_comp, n_comp)
    _, _, req_ptr, req_members = _rank(req_comp, n_comp)
    link_chain = node_chain[links.node]
    link_comp = node_comp[links.node]
    link_key = link_keys(chain_key[link_chain], node_date[links.node], enc.req_hash[links.req], links.value,
                         enc.transit[chain_origin[link_chain], enc.req_dest[links.req]])
    link_ptr = _ptr(link_comp, n_comp)
    fp = zip(_segment_sums(enc.lot_hash[lot_members], lot_ptr), _segment_sums(enc.req_hash[req_members], req_ptr),
             _segment_sums(link_key[np.argsort(link_comp, kind="stable")], link_ptr), np.diff(link_ptr), strict=True)
    # Arcs per component: links, chain steps, exits, requirement-sink, hub-in, two per hub-week.
    live_last = chain_last[chain_last >= 0]
    arcs = (np.diff(link_ptr) + np.bincount(node_comp[chain_next >= 0], minlength=n_comp)
            + np.bincount(node_comp[live_last], minlength=n_comp) + np.diff(req_ptr)
            + np.bincount(lot_comp[hub_lots], minlength=n_comp) + 2 * np.bincount(hw_comp[hw_comp >= 0],
                                                                                  minlength=n_comp))
    node_count_cum = _chain_cumsum(np.bincount(lot_node, minlength=n_nodes).astype(np.int64), chain_ptr)
    state = None
    if distinct:
        reach_chain = node_chain[links.reach_node]
        state = _LinkState(
            chain_hash, enc.req_hash, links, link_chain, links.node - chain_ptr[link_chain], reach_chain,
            links.reach_node - chain_ptr[reach_chain], {c: frozenset(ts) for c, ts in problem.compatibility.items()},
            dict(problem.transit_days))
    net = _Network(
        n_comp=n_comp, links=links, node_comp=node_comp, req_comp=req_comp, hw_comp=hw_comp, lot_node=lot_node,
        live=live, node_chain=node_chain, node_cum=node_cum, chain_ptr=chain_ptr, chain_last=chain_last,
        hub_lots=hub_lots, lots_in=[lot_members[lot_ptr[k]:lot_ptr[k + 1]] for k in range(n_comp)],
        reqs_in=[req_members[req_ptr[k]:req_ptr[k + 1]] for k in range(n_comp)], arcs=arcs,
        fingerprints=[(int(a), int(b), int(c), int(d)) for a, b, c, d in fp],
        pairs=int(node_count_cum[links.reach_node].sum()), links_reused=0 if taken is None else len(taken[0].node),
    )
    return net, state


def _csr_of(keys: IntArray, n: int, members: IntArray | None) -> tuple[IntArray, IntArray]:
    """:func:`csr` of ``keys`` restricted to ``members`` (all if None)."""
    if members is None:
        return csr(keys, n)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys[members], minlength=n), out=ptr[1:])
    return ptr, members[np.argsort(keys[members], kind="stable")]


def _lookup(old: U64Array, new: U64Array) -> IntArray:
    """Position of each ``new`` hash in ``old`` (distinct hashes), -1 where absent."""
    out = np.full(len(new), -1, dtype=np.int64)
    if len(old):
        order = np.argsort(old)
        at = np.minimum(np.searchsorted(old[order], new), len(old) - 1)
        hit = old[order[at]] == new
        out[hit] = order[at[hit]]
    return out


def _taken_links(prev: _LinkState, enc: _Encoded, problem: Problem, chain_hash: U64Array, chain_ptr: IntArray,
                 chain_origin: IntArray) -> tuple[Links, IntArray, IntArray]:
    """The links of ``prev`` between chains and requirement groups that are unchanged, renumbered, and
    the changed chains and requirement groups (whose links must be enumerated).

    A chain is unchanged when its content hash is (type, origin, restriction, its lots' dates and
    quantities) and no transit time from its origin changed; a requirement group when its hash is
    (class, priority, need-by, destination, use, quantity) and its class' compatible types are the same.
    Those fix the links between them exactly (values, transit, capacities).
    """
    chain_old = _lookup(prev.chain_hash, chain_hash)
    req_old = _lookup(prev.req_hash, enc.req_hash)
    if problem.transit_days != prev.transit:
        keys = prev.transit.keys() | problem.transit_days.keys()
        moved = {o for o, d in keys if prev.transit.get((o, d)) != problem.transit_days.get((o, d))}
        origin_moved = np.array([o in moved for o in enc.origins], dtype=np.bool_)
        if len(origin_moved):
            chain_old[origin_moved[chain_origin]] = -1
    compat = problem.compatibility
    if len(compat) != len(prev.compatibility) or any(prev.compatibility.get(c) != ts for c, ts in compat.items()):
        changed = np.array([frozenset(compat.get(c, ())) != prev.compatibility.get(c, frozenset())
                            for c in enc.classes], dtype=np.bool_)
        if len(changed):
            req_old[changed[enc.req_class]] = -1
    # Old index -> new index of the unchanged ones.
    chain_new = np.full(len(prev.chain_hash), -1, dtype=np.int64)
    ok = np.flatnonzero(chain_old >= 0)
    chain_new[chain_old[ok]] = ok
    req_new = np.full(len(prev.req_hash), -1, dtype=np.int64)
    ok = np.flatnonzero(req_old >= 0)
    req_new[req_old[ok]] = ok
    old = prev.links
    keep = (chain_new[prev.link_chain] >= 0) & (req_new[old.req] >= 0)
    rkeep = (chain_new[prev.reach_chain] >= 0) & (req_new[old.reach_req] >= 0)
    kept = Links(chain_ptr[chain_new[prev.link_chain[keep]]] + prev.link_offset[keep], req_new[old.req[keep]],
                 old.value[keep], old.cap[keep], req_new[old.reach_req[rkeep]],
                 chain_ptr[chain_new[prev.reach_chain[rkeep]]] + prev.reach_offset[rkeep])
    return kept, np.flatnonzero(chain_old < 0), np.flatnonzero(req_old < 0)


def _tasks(enc: _Encoded, net: _Network, todo: list[int]) -> _Tasks:
    """Build the min-cost-flow networks of the components in ``todo`` (docs/matching.md).

    Local nodes of a component: its chain nodes, its requirements, its hub-weeks ``H``, their gates
    ``Hc``, the sink.  Free lots supply their chain node; hubbed lots are fed from ``Hc``, which
    receives at most the hub-week's capacity from ``H``, the rest of ``H`` going straight to the sink.
    """
    n_comp = net.n_comp
    k_of = np.full(n_comp + 1, -1, dtype=np.int64)  # component -> task number (index -1 -> -1)
    k_of[todo] = np.arange(len(todo), dtype=np.int64)
    n_task = len(todo)
    node_task = k_of[net.node_comp]
    req_task = k_of[net.req_comp]
    hw_task = k_of[net.hw_comp]
    rank_n, nc, _, nodes = _rank(node_task, n_task)
    rank_r, nr, _, reqs = _rank(req_task, n_task)
    rank_h, nh, _, hws = _rank(hw_task, n_task)
    hw0, hc0, sink = nc + nr, nc + nr + nh, nc + nr + 2 * nh
    links = net.links
    link_ix = np.flatnonzero(node_task[links.node] >= 0)
    ln = links.node[link_ix]
    lt = node_task[ln]
    inner = nodes[nodes < net.chain_last[net.node_chain[nodes]]]
    last = nodes[nodes == net.chain_last[net.node_chain[nodes]]]
    chain_total = net.node_cum[net.chain_last[net.node_chain]]
    hub_lots = net.hub_lots[node_task[net.lot_node[net.hub_lots]] >= 0]
    hub_node = net.lot_node[hub_lots]
    hub_hw = enc.lot_hw[hub_lots]
    hw_supply = np.bincount(hub_hw, weights=enc.lot_q[hub_lots], minlength=len(enc.hw_cap)).astype(np.int64)
    ht = hw_task[hws]
    parts = [  # (task, tail, head, cap) per kind; links first
        (lt, rank_n[ln], nc[lt] + rank_r[links.req[link_ix]], links.cap[link_ix]),
        (node_task[last], rank_n[last], sink[node_task[last]], chain_total[last]),
        (node_task[hub_node], hc0[node_task[hub_node]] + rank_h[hub_hw], rank_n[hub_node], enc.lot_q[hub_lots]),
        (node_task[inner], rank_n[inner], rank_n[inner + 1], chain_total[inner]),
        (req_task[reqs], nc[req_task[reqs]] + rank_r[reqs], sink[req_task[reqs]], enc.req_q[reqs]),
        (ht, hw0[ht] + rank_h[hws], hc0[ht] + rank_h[hws], np.minimum(enc.hw_cap[hws], hw_supply[hws])),
        (ht, hw0[ht] + rank_h[hws], sink[ht], hw_supply[hws]),
    ]
    task = np.concatenate([p[0] for p in parts])
    order = np.argsort(task, kind="stable")
    tail = np.concatenate([p[1] for p in parts])[order]
    head = np.concatenate([p[2] for p in parts])[order]
    cap = np.concatenate([p[3] for p in parts])[order]
    cost = np.concatenate([-links.value[link_ix], np.zeros(len(task) - len(link_ix), dtype=np.int64)])[order]
    arc_ptr = _ptr(task, n_task)
    # Supplies: free lots at their chain node, hubbed lots at their hub-week's node H.
    free = (enc.lot_hw < 0) & (node_task[net.lot_node] >= 0)
    node_free = np.bincount(net.lot_node[free], weights=enc.lot_q[free], minlength=len(net.node_chain))
    node_ptr = np.zeros(n_task + 1, dtype=np.int64)
    np.cumsum(sink + 1, out=node_ptr[1:])
    supply = np.zeros(int(node_ptr[-1]), dtype=np.int64)
    supply[node_ptr[node_task[nodes]] + rank_n[nodes]] = node_free[nodes]
    supply[node_ptr[ht] + hw0[ht] + rank_h[hws]] = hw_supply[hws]
    tasks = [ComponentData(int(sink[i] + 1), tail[arc_ptr[i]:arc_ptr[i + 1]], head[arc_ptr[i]:arc_ptr[i + 1]],
                           cap[arc_ptr[i]:arc_ptr[i + 1]], cost[arc_ptr[i]:arc_ptr[i + 1]],
                           supply[node_ptr[i]:node_ptr[i + 1]], int(nc[i]), int(nc[i] + nr[i]))
             for i in range(n_task)]
    return _Tasks(tasks, arc_ptr, order, link_ix, last, hub_lots, exit_at=len(link_ix),
                  hubin_at=len(link_ix) + len(last))


def _chain_cumsum(x: IntArray, chain_ptr: IntArray) -> IntArray:
    """Inclusive running total of ``x`` along each chain (nodes are stored chain by chain)."""
    total = np.cumsum(x)
    counts = np.diff(chain_ptr)
    before = np.repeat(total[chain_ptr[:-1]] - x[chain_ptr[:-1]], counts) if len(x) else total
    out: IntArray = total - before
    return out


def _segment_sums(values: U64Array, ptr: IntArray) -> U64Array:
    """Sum (modulo 2**64) of each segment ``values[ptr[k]:ptr[k+1]]``."""
    with np.errstate(over="ignore"):
        cs = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(values, dtype=np.uint64)])
        out: U64Array = cs[ptr[1:]] - cs[ptr[:-1]]
    return out


# --------------------------------------------------------------------------------------------
# Solving components: the parent and forked workers take the next largest component in turn

_TASKS: list[ComponentData] = []
_ORDER: list[int] = []


def _worker(counter: Any, conn: Connection, with_duals: bool) -> None:
    # Runs in a forked child: the component arrays are inherited, only indices and results travel.
    try:
        while (k := _take(counter)) < len(_ORDER):
            i = _ORDER[k]
            conn.send((i, solve_component(_TASKS[i], with_duals)))
        conn.send(None)
    except BaseException as exc:  # report, never leave the parent waiting
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


def _take(counter: Any) -> int:
    with counter.get_lock():
        k = int(counter.value)
        counter.value = k + 1
    return k


def _solve_all(tasks: list[ComponentData], with_duals: bool, workers: int,
               on_done: Callable[[], None]) -> tuple[list[ComponentResult], int]:
    """Solve every task (largest first when parallel); returns the results and the processes used."""
    global _TASKS, _ORDER
    total = sum(len(t.tail) for t in tasks)
    results: list[ComponentResult | None] = [None] * len(tasks)
    # A daemonic process (a pool worker) may not start children: it solves alone.
    if workers <= 1 or len(tasks) < 2 or total < PARALLEL_MIN_ARCS or multiprocessing.current_process().daemon \
            or "fork" not in multiprocessing.get_all_start_methods():
        for i, t in enumerate(tasks):
            results[i] = solve_component(t, with_duals)
            on_done()
        return [r for r in results if r is not None], 1
    ctx = multiprocessing.get_context("fork")
    _TASKS = tasks
    _ORDER = sorted(range(len(tasks)), key=lambda i: -len(tasks[i].tail))
    counter = ctx.Value("q", 0)
    procs, conns = [], []
    try:
        for _ in range(min(workers, len(tasks)) - 1):
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker, args=(counter, send, with_duals), daemon=True)
            proc.start()
            send.close()
            procs.append(proc)
            conns.append(recv)

        def collect(block: bool) -> None:
            ready = wait(conns, timeout=None if block else 0)
            for conn in ready:
                assert isinstance(conn, Connection)
                try:
                    msg = conn.recv()
                except EOFError:
                    raise RuntimeError("a matching worker process died") from None
                if msg is None:
                    conns.remove(conn)
                elif msg[0] == "error":
                    raise RuntimeError(f"a matching worker failed: {msg[1]}")
                else:
                    results[msg[0]] = msg[1]
                    on_done()

        while (k := _take(counter)) < len(_ORDER):
            i = _ORDER[k]
            results[i] = solve_component(tasks[i], with_duals)
            on_done()
            collect(block=False)
        while conns:
            collect(block=True)
    finally:
        _TASKS, _ORDER = [], []
        for proc in procs:
            if proc.is_alive():
                proc.kill()
            proc.join()
    out = [r for r in results if r is not None]
    if len(out) != len(tasks):  # pragma: no cover - defensive
        raise RuntimeError("a matching component was not solved")
    return out, len(procs) + 1


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# --------------------------------------------------------------------------------------------


def solve(problem: Problem, *, previous: Solution | None = None, with_duals: bool = True,
          workers: int | None = None, progress: Progress | None = None) -> Solution:
    """Solve ``problem`` exactly; reuse components of ``previous`` whose content is unchanged.

    ``workers``: processes for independent components (default: the CPUs available; components
    are only farmed out when there is enough work).  ``with_duals``: also compute the marginal
    value of one more on-time unit per requirement class.  ``progress(done, total)`` is called in
    this process as components finish (reused ones count as finished at once), ending with
    ``done == total``.
    """
    # The output allocates tens of thousands of small objects; a cyclic collection half-way
    # through them (they hold no cycles) only costs time, so collections wait until the end.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _solve(problem, previous, with_duals, workers, progress)
    finally:
        if paused:
            gc.enable()


def _solve(problem: Problem, previous: Solution | None, with_duals: bool, workers: int | None,
           progress: Progress | None) -> Solution:
    t0 = time.perf_counter()
    params = problem.params
    if params.half_life_days <= 0 or params.max_lateness_days < 0 or params.value_scale < 1:
        raise ValueError("half_life_days must be > 0, max_lateness_days >= 0, value_scale >= 1")
    values = params._table()
    enc = _encode(problem)
    t_enc = time.perf_counter()
    salt, pkey = hash("shieldwall.matching"), params.key()
    store: dict[tuple[int, int, int, int], _Stored] = {}
    prev_links = None
    if previous is not None and previous._reuse is not None:
        psalt, ppkey, pstore, prev_links = previous._reuse
        if psalt == salt and ppkey == pkey:
            store = pstore
        else:
            prev_links = None
    net, link_state = _network(enc, values, problem, prev_links)
    n_comp = net.n_comp
    kept: dict[int, _Stored] = {}
    for k, fp in enumerate(net.fingerprints):
        st = store.get(fp)
        if st is not None and (st.dist is not None or not with_duals):
            kept[k] = st
    todo = [k for k in range(n_comp) if k not in kept]
    tasks = _tasks(enc, net, todo)
    t_net = time.perf_counter()

    done = len(kept)

    def on_done() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, n_comp)

    if progress is not None and (kept or not todo):
        progress(done, n_comp)
    n_workers = _default_workers() if workers is None else max(1, workers)
    results, used_workers = _solve_all(tasks.tasks, with_duals, n_workers, on_done)
    t_solve = time.perf_counter()

    out = _Output(problem, enc, net, values, params.value_scale, with_duals)
    out.add_solved(todo, tasks, results)
    for k, st in kept.items():
        out.add_reused(k, st)
    stored = out.stored
    assignments = [a for st in stored for a in st.assignments]
    gaps = _gaps(problem, enc, net, out.got, out.lot_used)
    marginal: dict[str, float] = {}
    if with_duals:
        gain = np.maximum(values[enc.req_priority, 0] - out.dist, 0)
        best = np.zeros(len(enc.classes), dtype=np.int64)
        np.maximum.at(best, enc.req_class, gain)
        marginal = {c: int(v) / params.value_scale for c, v in zip(enc.classes, best, strict=True)}
    infos = [ComponentInfo(fp, len(net.lots_in[k]), len(net.reqs_in[k]), int(net.arcs[k]), k in kept,
                           stored[k].value / params.value_scale) for k, fp in enumerate(net.fingerprints)]
    objective_scaled = sum(st.value for st in stored)
    t_end = time.perf_counter()
    stats = {
        "seconds": t_end - t0, "seconds_encode": t_enc - t0, "seconds_network": t_net - t_enc,
        "seconds_solve": t_solve - t_net, "seconds_output": t_end - t_solve,
        "lot_groups": float(len(enc.lot_q)), "requirement_groups": float(len(enc.req_q)),
        "pairs": float(net.pairs), "links": float(len(net.links.node)),
        "links_reused": float(net.links_reused), "arcs": float(int(net.arcs.sum())),
        "components": float(n_comp), "components_solved": float(len(todo)),
        "components_reused": float(len(kept)), "workers": float(used_workers),
    }
    return Solution(assignments, gaps, marginal, objective_scaled / params.value_scale, objective_scaled,
                    infos, stats, (salt, pkey, dict(zip(net.fingerprints, stored, strict=True)), link_state))


# --------------------------------------------------------------------------------------------
# From flows to output records, per component, cached for the next what-if


class _Output:
    """Collects per-component results (solved now or reused) into problem-wide arrays."""

    def __init__(self, problem: Problem, enc: _Encoded, net: _Network, values: IntArray, scale: int,
                 with_duals: bool) -> None:
        self.problem, self.enc, self.net, self.values, self.scale = problem, enc, net, values, scale
        self.with_duals = with_duals
        self.got = np.zeros(len(enc.req_ids), dtype=np.int64)  # per original requirement
        self.lot_used = np.zeros(len(enc.lot_q), dtype=np.int64)  # per lot group
        self.dist = np.zeros(len(enc.req_q), dtype=np.int64)  # per requirement group
        self._stored: list[_Stored | None] = [None] * net.n_comp
        self._id_pos: dict[Id, int] | None = None

    @property
    def stored(self) -> list[_Stored]:
        out = [s for s in self._stored if s is not None]
        assert len(out) == len(self._stored)
        return out

    def add_reused(self, k: int, st: _Stored) -> None:
        enc, net = self.enc, self.net
        self._stored[k] = st
        if st.got:
            if self._id_pos is None:
                self._id_pos = {rid: i for i, rid in enumerate(enc.req_ids)}
            pos = np.array([self._id_pos[rid] for rid in st.got], dtype=np.int64)
            self.got[pos] += np.array(list(st.got.values()), dtype=np.int64)
        lots = net.lots_in[k]
        if len(st.lot_keys):
            h = enc.lot_hash[lots]
            at = np.minimum(np.searchsorted(st.lot_keys, h), len(st.lot_keys) - 1)
            hit = st.lot_keys[at] == h
            self.lot_used[lots[hit]] = st.lot_used[at[hit]]
        if self.with_duals and st.dist is not None:
            reqs = net.reqs_in[k]
            self.dist[reqs] = st.dist[np.searchsorted(st.req_keys, enc.req_hash[reqs])]

    def add_solved(self, todo: list[int], tasks: _Tasks, results: list[ComponentResult]) -> None:
        if not todo:
            return
        enc, net = self.enc, self.net
        pair_lg, pair_rg, amount = self._pairs(todo, tasks, results)
        # Values of the pairs themselves (a unit may have used a later link than its own lot's).
        transit = enc.transit[enc.lot_origin[pair_lg], enc.req_dest[pair_rg]]
        arrival = enc.lot_avail[pair_lg] + transit
        late = np.maximum(arrival - enc.req_need_by[pair_rg], 0)
        if len(late) and (int(late.max()) >= self.values.shape[1] or int(transit.min()) < 0):
            raise RuntimeError("matching: a chain flow decomposed into an infeasible pair")
        unit = self.values[enc.req_priority[pair_rg], late]
        pair_comp = net.req_comp[pair_rg]
        comp_value = np.zeros(net.n_comp, dtype=np.int64)
        np.add.at(comp_value, pair_comp, amount * unit)
        for k, res in zip(todo, results, strict=True):
            # The decomposition is exact (docs/matching.md): it must give back the optimum.
            if int(comp_value[k]) != -res.cost:
                raise RuntimeError(f"matching: component {k} decomposed to {comp_value[k]}, optimum {-res.cost}")
        np.add.at(self.lot_used, pair_lg, amount)
        # Split group flows among the merged members (interchangeable: fill them in order).
        rows, lot_member, amt = _split(pair_lg, amount, enc.lot_q, csr(enc.lot_gid, len(enc.lot_q)),
                                       enc.lot_member_q)
        rows2, req_member, amt = _split(pair_rg[rows], amt, enc.req_q, csr(enc.req_gid, len(enc.req_q)),
                                        enc.req_quantity)
        pair, lot_member = rows[rows2], lot_member[rows2]
        comp = pair_comp[pair]
        order = np.lexsort((lot_member, req_member, comp))
        pair, lot_member, req_member, amt, comp = (x[order] for x in (pair, lot_member, req_member, amt, comp))
        records = self._records(lot_member, req_member, amt, arrival[pair], late[pair], unit[pair])
        np.add.at(self.got, req_member, amt)
        row_ptr = np.zeros(net.n_comp + 1, dtype=np.int64)
        np.cumsum(np.bincount(comp, minlength=net.n_comp), out=row_ptr[1:])
        for k, res in zip(todo, results, strict=True):
            a0, a1 = int(row_ptr[k]), int(row_ptr[k + 1])
            got: dict[Id, int] = {}
            for rid, q in zip(req_member[a0:a1].tolist(), amt[a0:a1].tolist(), strict=True):
                key = enc.req_ids[rid]
                got[key] = got.get(key, 0) + q
            lots = net.lots_in[k]
            lots = lots[self.lot_used[lots] > 0]
            lo = np.argsort(enc.lot_hash[lots])
            reqs = net.reqs_in[k]
            ro = np.argsort(enc.req_hash[reqs])
            dist = None
            if res.dist is not None:
                self.dist[reqs] = res.dist
                dist = res.dist[ro]
            self._stored[k] = _Stored(records[a0:a1], got, enc.lot_hash[lots][lo], self.lot_used[lots][lo],
                                      enc.req_hash[reqs][ro], dist, -res.cost)

    def _pairs(self, todo: list[int], tasks: _Tasks,
               results: list[ComponentResult]) -> tuple[IntArray, IntArray, IntArray]:
        """Decompose the chain flows of the solved components into (lot group, requirement group) flows.

        Per chain, units enter at their lot's node and leave through links (or unused at the end):
        first in, first out along the chain gives every unit a link at or after its own node.
        """
        enc, net = self.enc, self.net
        flow = np.empty(int(tasks.arc_ptr[-1]), dtype=np.int64)
        flow[tasks.arc_order] = np.concatenate([res.flow for res in results])
        solved = np.zeros(net.n_comp + 1, dtype=np.bool_)  # index -1 (no component) stays False
        solved[todo] = True
        inflow = enc.lot_q.copy()
        inflow[tasks.hubin_lot] = flow[tasks.hubin_at:tasks.hubin_at + len(tasks.hubin_lot)]
        lots_in = np.flatnonzero(solved[net.node_comp[net.lot_node]] & (inflow > 0))
        lots_in = lots_in[np.argsort(net.lot_node[lots_in], kind="stable")]
        link_flow = flow[:len(tasks.link_ix)]
        exit_flow = flow[tasks.exit_at:tasks.exit_at + len(tasks.exit_node)]
        links = np.flatnonzero(link_flow > 0)
        exits = np.flatnonzero(exit_flow > 0)
        out_node = np.concatenate([net.links.node[tasks.link_ix[links]], tasks.exit_node[exits]])
        out_link = np.concatenate([tasks.link_ix[links], np.full(len(exits), -1, dtype=np.int64)])
        out_amount = np.concatenate([link_flow[links], exit_flow[exits]])
        # Per node by requirement, the exit last: an order independent of how the links were
        # enumerated (a what-if takes some from the previous solve), so its records equal a fresh solve's.
        out_req = np.concatenate([net.links.req[tasks.link_ix[links]], np.full(len(exits), len(enc.req_q))])
        order = np.lexsort((out_req, out_node))
        out_link, out_amount = out_link[order], out_amount[order]
        if int(inflow[lots_in].sum()) != int(out_amount.sum()):
            raise RuntimeError("matching: chain flows are not conserved")
        i, j, amount = fifo_match(inflow[lots_in], out_amount)
        keep = out_link[j] >= 0
        lot, req, amount = lots_in[i[keep]], net.links.req[out_link[j[keep]]], amount[keep]
        n_rg = len(enc.req_q)
        key, inverse = np.unique(lot * n_rg + req, return_inverse=True)
        total = np.bincount(inverse.reshape(-1), weights=amount, minlength=len(key)).astype(np.int64)
        return key // n_rg, key % n_rg, total

    def _records(self, lot_member: IntArray, req_member: IntArray, amount: IntArray, arrival: IntArray,
                 late: IntArray, unit: IntArray) -> list[Assignment]:
        sup_ids, req_ids = self.enc.sup_ids, self.enc.req_ids
        days, inverse = np.unique(arrival, return_inverse=True)
        dates = [date.fromordinal(d) for d in days.tolist()]
        return list(map(
            Assignment, [sup_ids[i] for i in lot_member.tolist()], [req_ids[i] for i in req_member.tolist()],
            amount.tolist(), [dates[i] for i in inverse.reshape(-1).tolist()],
            (amount * unit / self.scale).tolist(), late.tolist(),
        ))


def _split(group: IntArray, amount: IntArray, group_q: IntArray, members: tuple[IntArray, IntArray],
           member_q: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Split rows (``amount`` units of ``group``) among the group's members, filling them in order.

    Returns ``(row, member, amount)`` segments.  Members of a group are interchangeable, so any
    split that respects their quantities is optimal.
    """
    ptr, mem = members
    single = ptr[group + 1] - ptr[group] == 1
    rows = np.flatnonzero(single)
    out = [(rows, mem[ptr[group[rows]]], amount[rows])]
    rows = np.flatnonzero(~single)
    if len(rows):
        grp = group[rows]
        groups = np.unique(grp)
        counts = ptr[groups + 1] - ptr[groups]
        member_ix = mem[np.repeat(ptr[groups] - np.cumsum(counts) + counts, counts)
                        + np.arange(int(counts.sum()), dtype=np.int64)]
        used = np.bincount(grp, weights=amount[rows], minlength=len(group_q))[groups].astype(np.int64)
        slack = group_q[groups] - used
        row = np.concatenate([rows, np.full(len(groups), -1, dtype=np.int64)])
        order = np.argsort(np.concatenate([grp, groups]), kind="stable")
        row = row[order]
        i, j, amt = fifo_match(member_q[member_ix], np.concatenate([amount[rows], slack])[order])
        keep = row[j] >= 0
        out.append((row[j[keep]], member_ix[i[keep]], amt[keep]))
    return (np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out]),
            np.concatenate([o[2] for o in out]))


def _gaps(problem: Problem, enc: _Encoded, net: _Network, got: IntArray, lot_used: IntArray) -> list[Gap]:
    """Explain every unmet unit (docs/matching.md, "Gap reasons")."""
    n_rg, n_cls = len(enc.req_q), len(enc.classes)
    n_types = len(enc.type_hash)
    n_uses = enc.excluded.shape[1]
    type_total = np.bincount(enc.lot_type, weights=enc.lot_q, minlength=n_types)
    excl_type_use = np.zeros((n_types, n_uses), dtype=np.float64)
    g_idx, u_idx = np.nonzero(enc.excluded[enc.lot_excl])
    np.add.at(excl_type_use, (enc.lot_type[g_idx], u_idx), enc.lot_q[g_idx])
    class_offered = np.zeros(n_cls, dtype=np.float64)
    np.add.at(class_offered, enc.pair_class, type_total[enc.pair_type])
    class_excl = np.zeros((n_cls, n_uses), dtype=np.float64)
    np.add.at(class_excl, enc.pair_class, excl_type_use[enc.pair_type])
    offered = class_offered[enc.req_class]
    allowed = offered - class_excl[enc.req_class, enc.req_use]
    # Every lot at or before a requirement's reach node in a chain is usable by it, none after.
    reach_req, reach_node = net.links.reach_req, net.links.reach_node
    usable = np.bincount(reach_req, weights=net.node_cum[reach_node], minlength=n_rg)
    node_left = np.bincount(net.lot_node, weights=enc.lot_q - lot_used, minlength=len(net.node_chain))
    left_cum = _chain_cumsum(node_left.astype(np.int64), net.chain_ptr)
    blocked = np.bincount(reach_req, weights=left_cum[reach_node], minlength=n_rg)

    quantity = enc.req_quantity
    unmet = quantity - got
    g = enc.req_gid

    def as_int(x: np.ndarray[Any, Any]) -> IntArray:
        out: IntArray = np.rint(x[g]).astype(np.int64)
        return out

    parts = gap_reasons(quantity, unmet, as_int(offered), as_int(allowed), as_int(usable), as_int(blocked))
    short = np.flatnonzero(unmet > 0)
    cols = {reason: arr[short].tolist() for reason, arr in parts.items()}
    ids = enc.req_ids
    out: list[Gap] = []
    for j, (i, u) in enumerate(zip(short.tolist(), unmet[short].tolist(), strict=True)):
        reasons = {reason: v[j] for reason, v in cols.items() if v[j] > 0}
        out.append(Gap(ids[i], u, reasons))
    return out
