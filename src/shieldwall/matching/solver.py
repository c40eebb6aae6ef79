"""Exact matching of pledged supply lots to open requirements (pure Python + numpy + OR-Tools).

Public entry point: :func:`solve`.  The model (objective, constraints, value function, integer
scaling, gap reasons, marginal values) is stated in ``docs/matching.md``; in short it maximises

    sum over feasible (lot s, requirement r) of  V(r, s) * x[s, r]
    V = round(scale * weight(priority_r) * 2 ** (-lateness / half_life)) / scale,
        lateness = max(0, available_from_s + transit(origin_s, destination_r) - need_by_r)
            and at most max_lateness_days,

subject to lot and requirement quantities, catalogue compatibility, donor use restrictions and
weekly hub capacities, with integer ``x``.  It is a min-cost flow, solved exactly per connected
component, after merging identical lots and identical requirements.  A previous solution lets
unchanged components be reused ("what-if" re-solves).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from shieldwall.matching.explain import GapReason, gap_reasons
from shieldwall.matching.network import (
    Arcs,
    ComponentData,
    ComponentResult,
    IntArray,
    U64Array,
    arc_keys,
    build_arcs,
    component_labels,
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
    "Requirement",
    "Solution",
    "Supply",
    "solve",
]

Id = str | int

#: Below this many arcs to (re-)solve, forking workers costs more than it saves.
PARALLEL_MIN_ARCS = 150_000


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
    """An independent sub-problem: counts are of merged lots/requirements and of arcs."""

    fingerprint: tuple[int, int, int, int]
    lots: int
    requirements: int
    arcs: int
    reused: bool
    objective: float


@dataclass(frozen=True)
class _Stored:
    """What a later solve needs to reuse one component: positive flows and prices by content key."""

    arc_keys: U64Array  # sorted keys of arcs with positive flow
    flows: IntArray
    req_keys: U64Array  # sorted requirement-group hashes
    dist: IntArray | None


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
    _reuse: tuple[int, tuple[object, ...], dict[tuple[int, int, int, int], _Stored]] | None = field(
        default=None, repr=False, compare=False)


# --------------------------------------------------------------------------------------------
# Encoding: objects -> merged groups -> integer arrays


@dataclass
class _Encoded:
    req_gid: IntArray  # original requirement -> group
    req_q: IntArray
    req_class: IntArray
    req_priority: IntArray
    req_need_by: IntArray
    req_dest: IntArray
    req_use: IntArray
    req_hash: U64Array
    lot_gid: IntArray
    lot_q: IntArray
    lot_type: IntArray
    lot_avail: IntArray
    lot_origin: IntArray
    lot_excluded: np.ndarray[Any, np.dtype[np.bool_]]
    lot_hw: IntArray
    lot_hash: U64Array
    hw_cap: IntArray
    pair_type: IntArray
    pair_class: IntArray
    classes: list[str]
    transit: IntArray


def _csr(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    order = np.argsort(keys, kind="stable").astype(np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return ptr, order


def _group_hash(item_hash: list[int], gid: IntArray, n: int) -> U64Array:
    """Order-independent hash of each group's members (sum of mixed member hashes)."""
    h = splitmix64(np.array(item_hash, dtype=np.int64).view(np.uint64))
    out = np.zeros(n, dtype=np.uint64)
    np.add.at(out, gid, h)
    return out


def _encode(problem: Problem) -> _Encoded:
    p = problem.params
    # Requirements: merge identical ones (same class, priority, date, place, use).
    class_ix: dict[str, int] = {}
    dest_ix: dict[str, int] = {}
    use_ix: dict[str, int] = {}
    groups: dict[tuple[object, ...], int] = {}
    gid_list: list[int] = []
    q_list: list[int] = []
    hashes: list[int] = []
    seen: set[Id] = set()
    for r in problem.requirements:
        if r.quantity < 1:
            raise ValueError(f"requirement {r.id!r}: quantity must be >= 1")
        if not 1 <= r.priority <= p.priority_levels:
            raise ValueError(f"requirement {r.id!r}: priority must be in 1..{p.priority_levels}")
        seen.add(r.id)
        key = (class_ix.setdefault(r.item_class, len(class_ix)), r.priority, r.need_by.toordinal(),
               dest_ix.setdefault(r.destination, len(dest_ix)),
               use_ix.setdefault(r.use_category, len(use_ix)))
        gid_list.append(groups.setdefault(key, len(groups)))
        q_list.append(r.quantity)
        hashes.append(hash((r.id, r.quantity, r.item_class, r.priority, r.need_by, r.destination,
                            r.use_category)))
    if len(seen) != len(problem.requirements):
        raise ValueError("requirement ids must be unique")
    n_rg = len(groups)
    req_gid = np.array(gid_list, dtype=np.int64)
    rkeys = np.array(list(groups), dtype=np.int64).reshape(n_rg, 5)
    req_q = np.bincount(req_gid, weights=q_list, minlength=n_rg).astype(np.int64)
    req_hash = _group_hash(hashes, req_gid, n_rg)

    # Lots: merge identical ones (same type, date, origin, restrictions, hub).
    type_ix: dict[str, int] = {}
    origin_ix: dict[str, int] = {}
    hw_ix: dict[tuple[str, date], int] = {}
    hw_caps: list[int] = []
    lgroups: dict[tuple[object, ...], int] = {}
    excl_of_group: list[frozenset[str]] = []
    lgid_list: list[int] = []
    lq_list: list[int] = []
    lhashes: list[int] = []
    seen = set()
    hub_capacity = problem.hub_capacity
    for s in problem.supplies:
        if s.quantity < 1:
            raise ValueError(f"supply {s.id!r}: quantity must be >= 1")
        seen.add(s.id)
        hw = -1
        cap = None
        if s.hub is not None and hub_capacity:
            week = s.available_from - timedelta(days=s.available_from.weekday())
            cap = hub_capacity.get((s.hub, week))
            if cap is not None:
                hw = hw_ix.get((s.hub, week), -1)
                if hw < 0:
                    hw = hw_ix[(s.hub, week)] = len(hw_caps)
                    hw_caps.append(cap)
        lkey = (type_ix.setdefault(s.item_type, len(type_ix)), s.available_from.toordinal(),
                origin_ix.setdefault(s.origin, len(origin_ix)), s.excluded_uses, hw)
        g = lgroups.get(lkey)
        if g is None:
            g = lgroups[lkey] = len(lgroups)
            excl_of_group.append(s.excluded_uses)
        lgid_list.append(g)
        lq_list.append(s.quantity)
        lhashes.append(hash((s.id, s.quantity, s.item_type, s.available_from, s.origin, s.excluded_uses,
                             s.hub, cap)))
    if len(seen) != len(problem.supplies):
        raise ValueError("supply ids must be unique")
    for (hub, week), cap in hub_capacity.items():
        if week.weekday() != 0 or cap < 0:
            raise ValueError(f"hub capacity {(hub, week)!r}: key must be a Monday and capacity >= 0")
    n_lg = len(lgroups)
    lot_gid = np.array(lgid_list, dtype=np.int64)
    lkeys = np.array([(k[0], k[1], k[2], k[4]) for k in lgroups], dtype=np.int64).reshape(n_lg, 4)
    lot_q = np.bincount(lot_gid, weights=lq_list, minlength=n_lg).astype(np.int64)
    lot_hash = _group_hash(lhashes, lot_gid, n_lg)
    lot_excluded = np.zeros((n_lg, max(len(use_ix), 1)), dtype=np.bool_)
    for g, excl in enumerate(excl_of_group):
        for u in excl:
            ui = use_ix.get(u)
            if ui is not None:
                lot_excluded[g, ui] = True

    classes = list(class_ix)
    pairs = [(type_ix[t], ci) for c, ci in class_ix.items()
             for t in problem.compatibility.get(c, ()) if t in type_ix]
    pair_arr = np.array(pairs, dtype=np.int64).reshape(len(pairs), 2)
    transit = np.full((max(len(origin_ix), 1), max(len(dest_ix), 1)), -1, dtype=np.int64)
    for (o, d), days in problem.transit_days.items():
        oi, di = origin_ix.get(o), dest_ix.get(d)
        if oi is not None and di is not None:
            if days < 0:
                raise ValueError(f"transit {(o, d)!r} must be >= 0 days")
            transit[oi, di] = days
    return _Encoded(
        req_gid=req_gid, req_q=req_q, req_class=rkeys[:, 0].copy(), req_priority=rkeys[:, 1].copy(),
        req_need_by=rkeys[:, 2].copy(), req_dest=rkeys[:, 3].copy(), req_use=rkeys[:, 4].copy(),
        req_hash=req_hash, lot_gid=lot_gid, lot_q=lot_q, lot_type=lkeys[:, 0].copy(),
        lot_avail=lkeys[:, 1].copy(), lot_origin=lkeys[:, 2].copy(), lot_excluded=lot_excluded,
        lot_hw=lkeys[:, 3].copy(), lot_hash=lot_hash, hw_cap=np.array(hw_caps, dtype=np.int64),
        pair_type=pair_arr[:, 0].copy(), pair_class=pair_arr[:, 1].copy(), classes=classes,
        transit=transit,
    )


# --------------------------------------------------------------------------------------------
# Solving components, optionally in a fork pool

_TASKS: list[ComponentData] = []


def _solve_bin(indices: list[int], with_duals: bool) -> list[ComponentResult]:
    # Runs in a forked worker: the component arrays are inherited, only indices travel.
    return [solve_component(_TASKS[i], with_duals) for i in indices]


def _solve_all(tasks: list[ComponentData], with_duals: bool, workers: int) -> list[ComponentResult]:
    global _TASKS
    total = sum(len(t.arc_lot) for t in tasks)
    if workers <= 1 or len(tasks) < 2 or total < PARALLEL_MIN_ARCS:
        return [solve_component(t, with_duals) for t in tasks]
    # Longest-processing-time-first bins, sized by arc count; the parent solves bin 0 itself.
    bins: list[list[int]] = [[] for _ in range(workers)]
    load = [0] * workers
    for i in sorted(range(len(tasks)), key=lambda i: -len(tasks[i].arc_lot)):
        lightest = load.index(min(load))
        bins[lightest].append(i)
        load[lightest] += len(tasks[i].arc_lot) + 1
    _TASKS = tasks
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers - 1) as pool:
            pending = [pool.apply_async(_solve_bin, (b, with_duals)) for b in bins[1:] if b]
            results: dict[int, ComponentResult] = dict(zip(bins[0], _solve_bin(bins[0], with_duals),
                                                           strict=True))
            for b, fut in zip([b for b in bins[1:] if b], pending, strict=True):
                results.update(zip(b, fut.get(), strict=True))
    finally:
        _TASKS = []
    return [results[i] for i in range(len(tasks))]


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# --------------------------------------------------------------------------------------------


def solve(problem: Problem, *, previous: Solution | None = None, with_duals: bool = True,
          workers: int | None = None) -> Solution:
    """Solve ``problem`` exactly; reuse components of ``previous`` whose content is unchanged.

    ``workers``: processes for independent components (default: the CPUs available; components
    are only farmed out when there is enough work).  ``with_duals``: also compute the marginal
    value of one more on-time unit per requirement class.
    """
    t0 = time.perf_counter()
    params = problem.params
    if params.half_life_days <= 0 or params.max_lateness_days < 0 or params.value_scale < 1:
        raise ValueError("half_life_days must be > 0, max_lateness_days >= 0, value_scale >= 1")
    values = params._table()
    enc = _encode(problem)
    n_lg, n_rg, n_hw = len(enc.lot_q), len(enc.req_q), len(enc.hw_cap)
    t_enc = time.perf_counter()

    arcs = build_arcs(
        pair_type=enc.pair_type, pair_class=enc.pair_class,
        lots_by_type=_csr(enc.lot_type, int(enc.lot_type.max(initial=-1)) + 1),
        reqs_by_class=_csr(enc.req_class, len(enc.classes)),
        lot_avail=enc.lot_avail, lot_origin=enc.lot_origin, lot_excluded=enc.lot_excluded,
        req_need_by=enc.req_need_by, req_dest=enc.req_dest, req_use=enc.req_use,
        req_priority=enc.req_priority, transit=enc.transit, values=values,
    )
    labels = component_labels(n_lg, n_rg, arcs, enc.lot_hw, n_hw)
    # Number the components that have arcs 0..K-1 and order arcs by component.
    comp_of_label = np.full(int(labels.max(initial=-1)) + 1, -1, dtype=np.int64)
    used = np.unique(labels[arcs.lot])
    comp_of_label[used] = np.arange(len(used), dtype=np.int64)
    n_comp = len(used)
    order = np.argsort(comp_of_label[labels[arcs.lot]], kind="stable")
    arcs = Arcs(arcs.lot[order], arcs.req[order], arcs.value[order], arcs.arrival[order])
    lot_comp = comp_of_label[labels[:n_lg]]
    req_comp = comp_of_label[labels[n_lg:n_lg + n_rg]]
    hw_comp = comp_of_label[labels[n_lg + n_rg:]]
    aptr = np.zeros(n_comp + 1, dtype=np.int64)
    np.cumsum(np.bincount(comp_of_label[labels[arcs.lot]], minlength=n_comp), out=aptr[1:])
    lot_ptr, lot_order = _csr(np.where(lot_comp >= 0, lot_comp, n_comp), n_comp + 1)
    req_ptr, req_order = _csr(np.where(req_comp >= 0, req_comp, n_comp), n_comp + 1)
    hw_ptr, hw_order = _csr(np.where(hw_comp >= 0, hw_comp, n_comp), n_comp + 1)
    lot_local = np.empty(n_lg, dtype=np.int64)
    lot_local[lot_order] = np.arange(n_lg) - np.repeat(lot_ptr[:-1], np.diff(lot_ptr))
    req_local = np.empty(n_rg, dtype=np.int64)
    req_local[req_order] = np.arange(n_rg) - np.repeat(req_ptr[:-1], np.diff(req_ptr))
    hw_local = np.empty(n_hw, dtype=np.int64)
    hw_local[hw_order] = np.arange(n_hw) - np.repeat(hw_ptr[:-1], np.diff(hw_ptr))
    lot_hw_local = np.where(enc.lot_hw >= 0, np.append(hw_local, -1)[enc.lot_hw], -1)

    # Content fingerprints (order-independent sums of 64-bit hashes) decide what can be reused.
    akeys = arc_keys(enc.lot_hash, enc.req_hash, arcs)
    starts = aptr[:-1]
    if n_comp:
        fp_arcs = np.add.reduceat(akeys, starts)
        # Segments are never empty: a component with arcs has lots and requirements.
        fp_lots = np.add.reduceat(enc.lot_hash[lot_order[:lot_ptr[n_comp]]], lot_ptr[:n_comp])
        fp_reqs = np.add.reduceat(enc.req_hash[req_order[:req_ptr[n_comp]]], req_ptr[:n_comp])
    else:
        fp_arcs = fp_lots = fp_reqs = np.zeros(0, dtype=np.uint64)
    fps = [(int(a), int(b), int(c), int(n)) for a, b, c, n in
           zip(fp_arcs, fp_lots, fp_reqs, np.diff(aptr), strict=True)]
    salt, pkey = hash("shieldwall.matching"), params.key()
    store: dict[tuple[int, int, int, int], _Stored] = {}
    if previous is not None and previous._reuse is not None:
        psalt, ppkey, pstore = previous._reuse
        if psalt == salt and ppkey == pkey:
            store = pstore
    t_net = time.perf_counter()

    flow = np.zeros(len(arcs.lot), dtype=np.int64)
    dist = np.zeros(n_rg, dtype=np.int64)
    reused = [False] * n_comp
    todo: list[int] = []
    for k, fp in enumerate(fps):
        st = store.get(fp)
        if st is not None and (st.dist is not None or not with_duals):
            a0, a1 = int(aptr[k]), int(aptr[k + 1])
            keys = akeys[a0:a1]
            pos = np.minimum(np.searchsorted(st.arc_keys, keys), max(len(st.arc_keys) - 1, 0))
            hit = st.arc_keys[pos] == keys if len(st.arc_keys) else np.zeros(len(keys), dtype=np.bool_)
            rg = req_order[req_ptr[k]:req_ptr[k + 1]]
            if int(hit.sum()) == len(st.arc_keys):
                flow[a0:a1] = np.where(hit, st.flows[pos], 0) if len(st.arc_keys) else 0
                if with_duals and st.dist is not None:
                    rpos = np.searchsorted(st.req_keys, enc.req_hash[rg])
                    dist[rg] = st.dist[rpos]
                reused[k] = True
                continue
        todo.append(k)
    tasks = []
    for k in todo:
        a0, a1 = int(aptr[k]), int(aptr[k + 1])
        lots = lot_order[lot_ptr[k]:lot_ptr[k + 1]]
        reqs = req_order[req_ptr[k]:req_ptr[k + 1]]
        hws = hw_order[hw_ptr[k]:hw_ptr[k + 1]]
        tasks.append(ComponentData(
            lot_q=enc.lot_q[lots], req_q=enc.req_q[reqs],
            arc_lot=lot_local[arcs.lot[a0:a1]], arc_req=req_local[arcs.req[a0:a1]],
            arc_value=arcs.value[a0:a1], lot_hw=lot_hw_local[lots], hw_cap=enc.hw_cap[hws],
        ))
    n_workers = _default_workers() if workers is None else max(1, workers)
    results = _solve_all(tasks, with_duals, n_workers)
    for k, res in zip(todo, results, strict=True):
        flow[aptr[k]:aptr[k + 1]] = res.flow
        if res.dist is not None:
            dist[req_order[req_ptr[k]:req_ptr[k + 1]]] = res.dist
    t_solve = time.perf_counter()

    # Remember every component for the next what-if (positive flows and prices by content key).
    comp_value = np.add.reduceat(flow * arcs.value, starts) if n_comp else np.zeros(0, dtype=np.int64)
    new_store: dict[tuple[int, int, int, int], _Stored] = {}
    infos: list[ComponentInfo] = []
    for k, fp in enumerate(fps):
        a0, a1 = int(aptr[k]), int(aptr[k + 1])
        rg = req_order[req_ptr[k]:req_ptr[k + 1]]
        if reused[k]:
            new_store[fp] = store[fp]
        else:
            pos = np.flatnonzero(flow[a0:a1]) + a0
            ko = np.argsort(akeys[pos])
            ro = np.argsort(enc.req_hash[rg])
            new_store[fp] = _Stored(akeys[pos][ko], flow[pos][ko], enc.req_hash[rg][ro],
                                    dist[rg][ro] if with_duals else None)
        infos.append(ComponentInfo(fp, int(lot_ptr[k + 1] - lot_ptr[k]), len(rg), a1 - a0, reused[k],
                                   int(comp_value[k]) / params.value_scale))

    assignments, got = _assignments(problem, enc, arcs, flow, params.value_scale)
    gaps = _gaps(problem, enc, arcs, flow, got)
    marginal: dict[str, float] = {}
    if with_duals:
        gain = np.maximum(values[enc.req_priority, 0] - dist, 0)
        best = np.zeros(len(enc.classes), dtype=np.int64)
        np.maximum.at(best, enc.req_class, gain)
        marginal = {c: int(v) / params.value_scale for c, v in zip(enc.classes, best, strict=True)}
    objective_scaled = int((flow * arcs.value).sum())
    t_end = time.perf_counter()
    stats = {
        "seconds": t_end - t0, "seconds_encode": t_enc - t0, "seconds_network": t_net - t_enc,
        "seconds_solve": t_solve - t_net, "seconds_output": t_end - t_solve,
        "lot_groups": float(n_lg), "requirement_groups": float(n_rg), "arcs": float(len(arcs.lot)),
        "components": float(n_comp), "components_solved": float(len(todo)),
        "components_reused": float(n_comp - len(todo)),
        "workers": float(n_workers if len(tasks) > 1 and sum(len(t.arc_lot) for t in tasks)
                         >= PARALLEL_MIN_ARCS else 1),
    }
    return Solution(assignments, gaps, marginal, objective_scaled / params.value_scale, objective_scaled,
                    infos, stats, (salt, pkey, new_store))


def _members(gid: IntArray, n: int) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in range(n)]
    for i, g in enumerate(gid.tolist()):
        out[g].append(i)
    return out


def _assignments(problem: Problem, enc: _Encoded, arcs: Arcs, flow: IntArray,
                 scale: int) -> tuple[list[Assignment], IntArray]:
    """Split group-level flows among the merged members and build the output records."""
    pos = np.flatnonzero(flow)
    n_lg, n_rg = len(enc.lot_q), len(enc.req_q)
    lot_first = np.full(n_lg, -1, dtype=np.int64)
    lot_first[enc.lot_gid[::-1]] = np.arange(len(enc.lot_gid))[::-1]
    req_first = np.full(n_rg, -1, dtype=np.int64)
    req_first[enc.req_gid[::-1]] = np.arange(len(enc.req_gid))[::-1]
    lot_single = np.bincount(enc.lot_gid, minlength=n_lg) == 1
    req_single = np.bincount(enc.req_gid, minlength=n_rg) == 1
    simple = lot_single[arcs.lot[pos]] & req_single[arcs.req[pos]]
    sp = pos[simple]
    rows: list[tuple[int, int, int, int]] = list(zip(
        lot_first[arcs.lot[sp]].tolist(), req_first[arcs.req[sp]].tolist(), flow[sp].tolist(), sp.tolist(),
        strict=True))
    hard = pos[~simple]
    if len(hard):
        # Members of a group are interchangeable: fill lot members, then requirement members, in order.
        lot_mem = _members(enc.lot_gid, n_lg)
        req_mem = _members(enc.req_gid, n_rg)
        lot_left = {g: [problem.supplies[i].quantity for i in lot_mem[g]]
                    for g in set(arcs.lot[hard].tolist())}
        req_left = {g: [problem.requirements[i].quantity for i in req_mem[g]]
                    for g in set(arcs.req[hard].tolist())}
        for a in hard.tolist():
            lg, rg, remaining = int(arcs.lot[a]), int(arcs.req[a]), int(flow[a])
            li = ri = 0
            lleft, rleft = lot_left[lg], req_left[rg]
            while remaining > 0:
                while lleft[li] == 0:
                    li += 1
                while rleft[ri] == 0:
                    ri += 1
                q = min(remaining, lleft[li], rleft[ri])
                lleft[li] -= q
                rleft[ri] -= q
                remaining -= q
                rows.append((lot_mem[lg][li], req_mem[rg][ri], q, a))
    supplies, reqs = problem.supplies, problem.requirements
    # Only arcs with flow matter here; converting all arcs to lists would dominate the output time.
    arc_ix = np.array([r[3] for r in rows], dtype=np.int64)
    arrival = arcs.arrival[arc_ix].tolist()
    lateness = np.maximum(arcs.arrival[arc_ix] - enc.req_need_by[arcs.req[arc_ix]], 0).tolist()
    value = (arcs.value[arc_ix] / scale).tolist()
    dates: dict[int, date] = {}
    out: list[Assignment] = []
    got = np.zeros(len(reqs), dtype=np.int64)
    for j, (si, ri, q, _) in enumerate(rows):
        arr = arrival[j]
        d = dates.get(arr)
        if d is None:
            d = dates[arr] = date.fromordinal(arr)
        out.append(Assignment(supplies[si].id, reqs[ri].id, q, d, q * value[j], lateness[j]))
    if rows:
        r_idx = np.array([r[1] for r in rows], dtype=np.int64)
        np.add.at(got, r_idx, np.array([r[2] for r in rows], dtype=np.int64))
    return out, got


def _gaps(problem: Problem, enc: _Encoded, arcs: Arcs, flow: IntArray, got: IntArray) -> list[Gap]:
    """Explain every unmet unit (docs/matching.md, "Gap reasons")."""
    n_rg, n_cls = len(enc.req_q), len(enc.classes)
    n_types = int(enc.lot_type.max(initial=-1)) + 1
    n_uses = enc.lot_excluded.shape[1]
    type_total = np.bincount(enc.lot_type, weights=enc.lot_q, minlength=n_types)
    excl_type_use = np.zeros((n_types, n_uses), dtype=np.float64)
    g_idx, u_idx = np.nonzero(enc.lot_excluded)
    np.add.at(excl_type_use, (enc.lot_type[g_idx], u_idx), enc.lot_q[g_idx])
    class_offered = np.zeros(n_cls, dtype=np.float64)
    np.add.at(class_offered, enc.pair_class, type_total[enc.pair_type])
    class_excl = np.zeros((n_cls, n_uses), dtype=np.float64)
    np.add.at(class_excl, enc.pair_class, excl_type_use[enc.pair_type])
    offered = class_offered[enc.req_class]
    allowed = offered - class_excl[enc.req_class, enc.req_use]
    usable = np.bincount(arcs.req, weights=enc.lot_q[arcs.lot], minlength=n_rg)
    leftover = enc.lot_q - np.bincount(arcs.lot, weights=flow, minlength=len(enc.lot_q)).astype(np.int64)
    blocked = np.bincount(arcs.req, weights=leftover[arcs.lot], minlength=n_rg)

    quantity = np.array([r.quantity for r in problem.requirements], dtype=np.int64)
    unmet = quantity - got
    g = enc.req_gid

    def as_int(x: np.ndarray[Any, Any]) -> IntArray:
        out: IntArray = np.rint(x[g]).astype(np.int64)
        return out

    parts = gap_reasons(quantity, unmet, as_int(offered), as_int(allowed), as_int(usable), as_int(blocked))
    short = np.flatnonzero(unmet > 0)
    cols = {reason: arr[short].tolist() for reason, arr in parts.items()}
    out: list[Gap] = []
    for j, i in enumerate(short.tolist()):
        reasons = {reason: v[j] for reason, v in cols.items() if v[j] > 0}
        out.append(Gap(problem.requirements[i].id, int(unmet[i]), reasons))
    return out
