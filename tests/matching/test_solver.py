"""Exactness and explanation tests of the matching optimiser (pure: no database).

Random small instances (hypothesis) are checked against an independent LP solved by HiGHS, every
assignment against the constraints, every gap reason against its definition, and every marginal
value against an actual re-solve with one more unit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from shieldwall.matching import solver as solver_module
from shieldwall.matching.lp import build_lp
from shieldwall.matching.network import bipartite_network, fifo_match, solve_component
from shieldwall.matching.solver import (
    GapReason,
    Params,
    Problem,
    Requirement,
    Solution,
    Supply,
    solve,
)

D0 = date(2025, 3, 3)  # a Monday
USES = ("combat", "training")


def lp_optimum(problem: Problem) -> float:
    lp = build_lp(problem)
    if len(lp.c) == 0:
        return 0.0
    res = linprog(-lp.c, A_ub=lp.a_ub, b_ub=lp.b_ub, bounds=(0, None), method="highs")
    assert res.status == 0
    return float(-res.fun) / lp.scale


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    n_types = draw(st.integers(1, 4))
    n_classes = draw(st.integers(1, 3))
    compat = {f"c{c}": {f"t{t}" for t in range(n_types) if draw(st.booleans())} for c in range(n_classes)}
    origins, dests = ["o0", "o1"], ["d0", "d1"]
    transit = {(o, d): draw(st.integers(0, 10)) for o in origins for d in dests if draw(st.integers(0, 5))}
    reqs = [
        Requirement(f"r{i}", f"c{draw(st.integers(0, n_classes - 1))}", draw(st.integers(1, 12)),
                    draw(st.integers(1, 13)), D0 + timedelta(days=draw(st.integers(0, 40))),
                    draw(st.sampled_from(dests)), draw(st.sampled_from(USES)))
        for i in range(draw(st.integers(1, 7)))
    ]
    sups = [
        Supply(f"s{i}", f"t{draw(st.integers(0, n_types - 1))}", draw(st.integers(1, 12)),
               D0 + timedelta(days=draw(st.integers(0, 50))), draw(st.sampled_from(origins)),
               frozenset(draw(st.sets(st.sampled_from(USES), max_size=1))),
               draw(st.sampled_from([None, "h0", "h1"])))
        for i in range(draw(st.integers(0, 9)))
    ]
    weeks = {(s.hub, monday(s.available_from)) for s in sups if s.hub is not None}
    caps = {k: draw(st.integers(0, 15)) for k in sorted(weeks, key=str) if draw(st.booleans())}
    params = Params(half_life_days=draw(st.sampled_from([3.0, 7.5, 14.0])),
                    max_lateness_days=draw(st.integers(0, 20)))
    return Problem(reqs, sups, compat, transit, caps, params)


def check_feasible(problem: Problem, sol: Solution) -> None:
    """Every assignment respects compatibility, restrictions, quantities, lateness and hubs."""
    reqs = {r.id: r for r in problem.requirements}
    sups = {s.id: s for s in problem.supplies}
    used = dict.fromkeys(sups, 0)
    got = dict.fromkeys(reqs, 0)
    hub_used: dict[tuple[str, date], int] = {}
    total = 0.0
    for a in sol.assignments:
        s, r = sups[a.supply_id], reqs[a.requirement_id]
        assert a.quantity > 0
        assert s.item_type in problem.compatibility[r.item_class]
        assert r.use_category not in s.excluded_uses
        assert a.arrival == s.available_from + timedelta(days=problem.transit_days[(s.origin, r.destination)])
        late = max(0, (a.arrival - r.need_by).days)
        assert late == a.lateness_days <= problem.params.max_lateness_days
        unit = problem.params.unit_value(r.priority, late)
        assert unit > 0
        assert a.value == pytest.approx(a.quantity * unit / problem.params.value_scale)
        used[s.id] += a.quantity
        got[r.id] += a.quantity
        total += a.value
        if s.hub is not None and (s.hub, monday(s.available_from)) in problem.hub_capacity:
            key = (s.hub, monday(s.available_from))
            hub_used[key] = hub_used.get(key, 0) + a.quantity
    assert all(used[k] <= sups[k].quantity for k in sups)
    assert all(got[k] <= reqs[k].quantity for k in reqs)
    assert all(v <= problem.hub_capacity[k] for k, v in hub_used.items())
    assert total == pytest.approx(sol.objective)
    gaps = {g.requirement_id: g for g in sol.gaps}
    for r in problem.requirements:
        unmet = r.quantity - got[r.id]
        assert (gaps[r.id].unmet if r.id in gaps else 0) == unmet
        if unmet:
            assert sum(gaps[r.id].reasons.values()) == unmet
            assert all(v > 0 for v in gaps[r.id].reasons.values())


def check_gap_reasons(problem: Problem, sol: Solution) -> None:
    """Each reason is true: recomputed from scratch with plain loops."""
    p = problem.params
    used: dict[object, int] = {}
    for a in sol.assignments:
        used[a.supply_id] = used.get(a.supply_id, 0) + a.quantity
    hub_used: dict[tuple[str, date], int] = {}
    for s in problem.supplies:
        if s.hub is not None:
            k = (s.hub, monday(s.available_from))
            hub_used[k] = hub_used.get(k, 0) + used.get(s.id, 0)
    best_elsewhere: dict[object, int] = {}  # lowest unit value a lot was given at
    reqs = {r.id: r for r in problem.requirements}
    for a in sol.assignments:
        r = reqs[a.requirement_id]
        v = p.unit_value(r.priority, a.lateness_days)
        best_elsewhere[a.supply_id] = min(best_elsewhere.get(a.supply_id, v), v)
    for g in sol.gaps:
        r = reqs[g.requirement_id]
        types = problem.compatibility.get(r.item_class, set())
        compatible = [s for s in problem.supplies if s.item_type in types]
        allowed = [s for s in compatible if r.use_category not in s.excluded_uses]

        def value_at(s: Supply, r: Requirement = r) -> int:
            t = problem.transit_days.get((s.origin, r.destination))
            if t is None:
                return 0
            return p.unit_value(r.priority, (s.available_from + timedelta(days=t) - r.need_by).days)

        usable = [s for s in allowed if value_at(s) > 0]
        q = r.quantity
        n_c = min(g.unmet, max(0, q - sum(s.quantity for s in compatible)))
        n_r = min(g.unmet, max(0, q - sum(s.quantity for s in allowed))) - n_c
        n_l = min(g.unmet, max(0, q - sum(s.quantity for s in usable))) - n_c - n_r
        assert g.reasons.get(GapReason.NOTHING_COMPATIBLE, 0) == n_c
        assert g.reasons.get(GapReason.RESTRICTED, 0) == n_r
        assert g.reasons.get(GapReason.TOO_LATE, 0) == n_l
        if n_c == g.unmet:
            assert not compatible or sum(s.quantity for s in compatible) < q
        for s in usable:
            left = s.quantity - used.get(s.id, 0)
            if left > 0:
                # Only a saturated hub-week can keep a usable lot's units from an unmet requirement.
                assert s.hub is not None
                hub_week = (s.hub, monday(s.available_from))
                assert hub_week in problem.hub_capacity
                assert hub_used[hub_week] == problem.hub_capacity[hub_week]
            if used.get(s.id, 0) > 0:
                # Its units went to uses worth at least as much per unit ("higher priority").
                assert best_elsewhere[s.id] >= value_at(s)
        blocked = sum(s.quantity - used.get(s.id, 0) for s in usable)
        if g.reasons.get(GapReason.HUB_CAPACITY, 0):
            assert blocked >= g.reasons[GapReason.HUB_CAPACITY]


def with_extra_unit(problem: Problem, item_class: str) -> Problem:
    """The problem plus one unit usable on time by every requirement of ``item_class``."""
    compat = {c: set(ts) | ({"__extra__"} if c == item_class else set()) for c, ts in
              problem.compatibility.items()}
    dests = {r.destination for r in problem.requirements}
    transit = dict(problem.transit_days) | {("__origin__", d): 0 for d in dests}
    first = min(r.need_by for r in problem.requirements)
    extra = Supply("__extra__", "__extra__", 1, first - timedelta(days=1), "__origin__")
    return replace(problem, supplies=[*problem.supplies, extra], compatibility=compat, transit_days=transit)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_random_instances_match_lp_and_explanations_hold(problem: Problem) -> None:
    sol = solve(problem, workers=1)
    assert sol.objective == pytest.approx(lp_optimum(problem), rel=1e-9, abs=1e-9)
    check_feasible(problem, sol)
    check_gap_reasons(problem, sol)
    # Marginal value per class == objective gained by one more on-time unit of that class.
    for c, mv in sol.marginal_values.items():
        bigger = solve(with_extra_unit(problem, c), workers=1, with_duals=False)
        assert bigger.objective - sol.objective == pytest.approx(mv, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(problems(), st.data())
def test_what_if_reuse_equals_fresh_solve(problem: Problem, data: st.DataObject) -> None:
    first = solve(problem, workers=1)
    again = solve(problem, previous=first, workers=1)
    assert again.stats["components_solved"] == 0
    assert again.objective == first.objective and again.marginal_values == first.marginal_values
    i = data.draw(st.integers(0, len(problem.requirements) - 1))
    reqs = list(problem.requirements)
    reqs[i] = replace(reqs[i], quantity=reqs[i].quantity + data.draw(st.integers(1, 5)))
    changed = replace(problem, requirements=reqs)
    reused = solve(changed, previous=first, workers=1)
    fresh = solve(changed, workers=1)
    assert reused.objective == fresh.objective
    assert reused.marginal_values == fresh.marginal_values
    assert reused.assignments == fresh.assignments and reused.gaps == fresh.gaps
    check_feasible(changed, reused)
    assert reused.stats["components_solved"] <= 1


# ----------------------------------------------------------------------------------------------
# Hand-built cases


def test_explicit_assignment_prefers_urgent_and_on_time() -> None:
    params = Params(half_life_days=7, max_lateness_days=14)
    reqs = [
        Requirement("urgent", "sam", 5, 1, D0 + timedelta(days=10), "kyiv", "combat"),
        Requirement("routine", "sam", 5, 13, D0 + timedelta(days=10), "kyiv", "combat"),
    ]
    sups = [
        Supply("early", "iris-t", 4, D0, "berlin"),
        Supply("late", "iris-t", 4, D0 + timedelta(days=10), "berlin"),  # arrives 7 days late
    ]
    p = Problem(reqs, sups, {"sam": {"iris-t"}}, {("berlin", "kyiv"): 7}, {}, params)
    sol = solve(p)
    got = sorted((a.supply_id, a.requirement_id, a.quantity, a.lateness_days) for a in sol.assignments)
    # Weights: urgent 2**12, routine 1.  Urgent takes all 4 on-time units and 1 late unit.
    assert got == [("early", "urgent", 4, 0), ("late", "routine", 3, 7), ("late", "urgent", 1, 7)]
    assert sol.objective_scaled == 4 * 4096_000 + 1 * 2048_000 + 3 * 500
    assert sol.objective == pytest.approx(sol.objective_scaled / 1000)
    assert [(g.requirement_id, g.unmet, dict(g.reasons)) for g in sol.gaps] == [
        ("routine", 2, {GapReason.TAKEN_BY_HIGHER_PRIORITY: 2})]
    # One more on-time unit would go to "urgent" (4096) and free a late unit for "routine" (0.5)
    # instead of displacing the late one (2048) from "urgent": 4096 - 2048 + 0.5.
    assert sol.marginal_values == {"sam": 2048.5}
    assert solve(with_extra_unit(p, "sam")).objective - sol.objective == pytest.approx(2048.5)


def test_each_gap_reason() -> None:
    params = Params(half_life_days=7, max_lateness_days=7)
    due = D0 + timedelta(days=14)
    reqs = [
        Requirement("no-offer", "tank", 3, 5, due, "lviv", "combat"),
        Requirement("restricted", "ammo", 10, 5, due, "lviv", "combat"),
        Requirement("late", "fuel", 6, 5, due, "lviv", "combat"),
        Requirement("hub", "radio", 8, 5, due, "lviv", "training"),
        Requirement("outranked", "med", 4, 9, due, "lviv", "combat"),
        Requirement("ranked", "med", 4, 2, due, "lviv", "combat"),
    ]
    sups = [
        Supply("ammo-1", "155mm", 6, D0, "warsaw", frozenset({"combat"})),
        Supply("ammo-2", "155mm", 2, D0, "warsaw"),
        Supply("fuel-1", "diesel", 6, due + timedelta(days=20), "warsaw"),
        Supply("radio-1", "prc", 8, D0, "warsaw", hub="rzeszow"),
        Supply("med-1", "kit", 5, D0, "warsaw"),
    ]
    compat = {"tank": {"leopard"}, "ammo": {"155mm"}, "fuel": {"diesel"}, "radio": {"prc"}, "med": {"kit"}}
    p = Problem(reqs, sups, compat, {("warsaw", "lviv"): 2}, {("rzeszow", D0): 3}, params)
    sol = solve(p)
    gaps = {g.requirement_id: (g.unmet, dict(g.reasons)) for g in sol.gaps}
    assert gaps == {
        "no-offer": (3, {GapReason.NOTHING_COMPATIBLE: 3}),
        "restricted": (8, {GapReason.NOTHING_COMPATIBLE: 2, GapReason.RESTRICTED: 6}),
        "late": (6, {GapReason.TOO_LATE: 6}),
        "hub": (5, {GapReason.HUB_CAPACITY: 5}),
        "outranked": (3, {GapReason.TAKEN_BY_HIGHER_PRIORITY: 3}),
    }
    assert next(g for g in sol.gaps if g.requirement_id == "restricted").primary is GapReason.RESTRICTED
    check_feasible(p, sol)
    check_gap_reasons(p, sol)
    # A tank is worth its full weight (nothing competes); med's next unit goes to "outranked".
    assert sol.marginal_values["tank"] == 2 ** 8
    assert sol.marginal_values["med"] == 2 ** 4
    assert sol.marginal_values["fuel"] == 2 ** 8


def test_identical_lots_and_requirements_are_merged_and_split_back() -> None:
    reqs = [Requirement(f"r{i}", "c", 3, 4, D0, "d", "combat") for i in range(3)]
    sups = [Supply(f"s{i}", "t", 2, D0, "o") for i in range(4)]
    p = Problem(reqs, sups, {"c": {"t"}}, {("o", "d"): 0})
    sol = solve(p)
    assert sol.stats["lot_groups"] == 1 and sol.stats["requirement_groups"] == 1
    assert sum(a.quantity for a in sol.assignments) == 8
    check_feasible(p, sol)
    assert [(g.unmet, dict(g.reasons)) for g in sol.gaps] == [(1, {GapReason.TAKEN_BY_HIGHER_PRIORITY: 1})]


def test_parallel_components_match_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    reqs, sups = [], []
    for fam in range(6):
        for i in range(8):
            reqs.append(Requirement(f"r{fam}-{i}", f"c{fam}", int(rng.integers(1, 20)),
                                    int(rng.integers(1, 14)), D0 + timedelta(days=int(rng.integers(0, 60))),
                                    "d", "combat"))
        for i in range(15):
            sups.append(Supply(f"s{fam}-{i}", f"t{fam}", int(rng.integers(1, 10)),
                               D0 + timedelta(days=int(rng.integers(0, 60))), "o"))
    p = Problem(reqs, sups, {f"c{f}": {f"t{f}"} for f in range(6)}, {("o", "d"): 3})
    serial = solve(p, workers=1)
    monkeypatch.setattr(solver_module, "PARALLEL_MIN_ARCS", 1)
    parallel = solve(p, workers=2)
    assert parallel.stats["workers"] == 2 and serial.stats["components"] == 6
    assert parallel.objective_scaled == serial.objective_scaled
    assert parallel.marginal_values == serial.marginal_values
    assert parallel.objective == pytest.approx(lp_optimum(p), rel=1e-9)


def test_invalid_input_is_rejected() -> None:
    r = Requirement("r", "c", 1, 1, D0, "d", "combat")
    with pytest.raises(ValueError, match="priority"):
        solve(Problem([replace(r, priority=14)], [], {}, {}))
    with pytest.raises(ValueError, match="unique"):
        solve(Problem([r, r], [], {}, {}))
    with pytest.raises(ValueError, match="Monday"):
        solve(Problem([r], [], {}, {}, {("h", D0 + timedelta(days=1)): 3}))


# ----------------------------------------------------------------------------------------------
# The reduced network (lots chained by date) against the plain bipartite model


def generated(seed: int, n_req: int = 60, n_sup: int = 500, hub_share: float = 0.3) -> Problem:
    """A random instance with long chains (few types, origins and dates), hubs, restrictions and
    about as much supply as demand, so that requirements compete and every gap reason occurs."""
    rng = np.random.default_rng(seed)
    uses = ("combat", "training", "territorial_defence")
    compat = {f"c{c}": {f"t{t}" for t in rng.choice(9, size=int(rng.integers(1, 4)), replace=False)}
              for c in range(6)}
    transit = {(f"o{o}", f"d{d}"): int(rng.integers(0, 12)) for o in range(3) for d in range(4)
               if rng.random() < 0.85}
    reqs = [Requirement(f"r{i}", f"c{rng.integers(0, 6)}", int(rng.integers(1, 40)), int(rng.integers(1, 14)),
                        D0 + timedelta(days=int(rng.integers(0, 120))), f"d{rng.integers(0, 4)}",
                        uses[int(rng.integers(0, 3))])
            for i in range(n_req)]
    sups = [Supply(f"s{i}", f"t{rng.integers(0, 9)}", int(rng.integers(1, 6)),
                   D0 + timedelta(days=int(rng.integers(0, 120))), f"o{rng.integers(0, 3)}",
                   frozenset({uses[int(rng.integers(0, 3))]}) if rng.random() < 0.15 else frozenset(),
                   f"h{rng.integers(0, 2)}" if rng.random() < hub_share else None)
            for i in range(n_sup)]
    volume: dict[tuple[str, date], int] = {}
    for s in sups:
        if s.hub is not None:
            key = (s.hub, monday(s.available_from))
            volume[key] = volume.get(key, 0) + s.quantity
    caps = {k: int(v * 0.6) for k, v in sorted(volume.items()) if rng.random() < 0.5}
    return Problem(reqs, sups, compat, transit, caps)


def plain_optimum(problem: Problem) -> tuple[int, dict[str, float], int]:
    """Objective, marginal values and pair count of the unreduced network (one arc per pair)."""
    enc, arcs = solver_module._pairs(problem)
    res = solve_component(bipartite_network(enc.lot_q, enc.req_q, arcs, enc.lot_hw, enc.hw_cap), True)
    assert res.dist is not None
    values = problem.params._table()
    best = np.zeros(len(enc.classes), dtype=np.int64)
    np.maximum.at(best, enc.req_class, np.maximum(values[enc.req_priority, 0] - res.dist, 0))
    scale = problem.params.value_scale
    return -res.cost, {c: int(v) / scale for c, v in zip(enc.classes, best, strict=True)}, len(arcs.lot)


@pytest.mark.parametrize("seed", range(8))
def test_reduced_network_equals_plain_model(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Uncut chains, every date its own chain (the plain model), and chains cut every 2 or 4 dates.
    monkeypatch.setattr(solver_module, "CHAIN_NODES", [0, 1, 2, 4][seed % 4])
    problem = generated(seed)
    sol = solve(problem, workers=1)
    objective, marginal, pairs = plain_optimum(problem)
    # Same optimum, same dual prices, and the pairs behind the links are exactly the feasible ones.
    assert sol.objective_scaled == objective
    assert sol.marginal_values == marginal
    assert sol.stats["pairs"] == pairs and sol.stats["links"] < pairs
    assert sol.objective == pytest.approx(lp_optimum(problem), rel=1e-9)
    check_feasible(problem, sol)
    check_gap_reasons(problem, sol)
    if seed < 2:  # and the prices are the actual gain of one more on-time unit
        for c, mv in sol.marginal_values.items():
            bigger = solve(with_extra_unit(problem, c), workers=1, with_duals=False)
            assert bigger.objective_scaled - sol.objective_scaled == round(mv * problem.params.value_scale)


def test_chain_flows_decompose_first_in_first_out() -> None:
    # Three lots of one chain (dates 0, 5, 10) and two requirements: the on-time link of "late"
    # sits at the last node, so the early lot's units travel along the chain to reach it.
    params = Params(half_life_days=7, max_lateness_days=14)
    reqs = [Requirement("early", "c", 4, 1, D0 + timedelta(days=2), "d", "combat"),
            Requirement("late", "c", 6, 1, D0 + timedelta(days=12), "d", "combat")]
    sups = [Supply("a", "t", 5, D0, "o"), Supply("b", "t", 3, D0 + timedelta(days=5), "o"),
            Supply("c", "t", 2, D0 + timedelta(days=10), "o")]
    p = Problem(reqs, sups, {"c": {"t"}}, {("o", "d"): 2}, {}, params)
    sol = solve(p)
    assert sol.objective_scaled == 10 * 4096_000  # all ten units on time
    got = sorted((a.supply_id, a.requirement_id, a.quantity, a.lateness_days) for a in sol.assignments)
    assert got == [("a", "early", 4, 0), ("a", "late", 1, 0), ("b", "late", 3, 0), ("c", "late", 2, 0)]
    check_feasible(p, sol)


def test_fifo_match_pairs_units_in_order() -> None:
    i, j, amount = fifo_match(np.array([3, 0, 2, 4]), np.array([1, 4, 4]))
    assert list(zip(i.tolist(), j.tolist(), amount.tolist(), strict=True)) == [
        (0, 0, 1), (0, 1, 2), (2, 1, 2), (3, 2, 4)]
    i, j, amount = fifo_match(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert len(i) == len(j) == len(amount) == 0


def test_merged_members_of_unequal_size_are_split_within_their_quantities() -> None:
    reqs = [Requirement("r1", "c", 7, 3, D0, "d", "combat"), Requirement("r2", "c", 2, 3, D0, "d", "combat"),
            Requirement("r3", "c", 5, 3, D0, "d", "combat")]
    sups = [Supply("s1", "t", 4, D0, "o"), Supply("s2", "t", 1, D0, "o"), Supply("s3", "t", 6, D0, "o")]
    p = Problem(reqs, sups, {"c": {"t"}}, {("o", "d"): 0})
    sol = solve(p)
    assert sol.stats["lot_groups"] == 1 and sol.stats["requirement_groups"] == 1
    assert sum(a.quantity for a in sol.assignments) == 11
    check_feasible(p, sol)


# ----------------------------------------------------------------------------------------------
# What-if reuse, progress and parallel solving


def test_what_if_reuses_untouched_components_and_their_records() -> None:
    problem = generated(3, n_req=40, n_sup=200, hub_share=0.0)
    families = [{"c0", "c1"}, {"c2", "c3"}, {"c4", "c5"}]  # keep components apart: one type set each
    compat = {c: {f"t{3 * f + k}" for k in range(3)} for f, cs in enumerate(families) for c in cs}
    problem = replace(problem, compatibility=compat)
    first = solve(problem, workers=1)
    assert first.stats["components"] >= 3
    target = next(r for r in problem.requirements if r.item_class == "c0")
    reqs = [replace(r, quantity=r.quantity + 5) if r.id == target.id else r for r in problem.requirements]
    changed = replace(problem, requirements=reqs)
    again = solve(changed, previous=first, workers=1)
    fresh = solve(changed, workers=1)
    assert again.objective_scaled == fresh.objective_scaled
    assert again.marginal_values == fresh.marginal_values
    assert again.stats["components_solved"] == 1
    check_feasible(changed, again)
    check_gap_reasons(changed, again)
    # Untouched components hand back their very records; the touched one builds new ones.
    old = {id(a) for a in first.assignments}
    reused = [a for a in again.assignments if id(a) in old]
    assert reused
    touched = {r.id for r in problem.requirements if r.item_class in families[0]}
    assert all(a.requirement_id not in touched for a in reused)
    # A transit change alters arrivals: the affected components are solved again, not reused.
    transit = {k: v + 1 for k, v in problem.transit_days.items()}
    moved = solve(replace(problem, transit_days=transit), previous=first, workers=1)
    assert moved.stats["components_reused"] == 0
    check_feasible(replace(problem, transit_days=transit), moved)


def what_ifs(problem: Problem) -> dict[str, Problem]:
    """Changes a coordinator makes: quantities, a copied pledge line, a new line of a new type, a
    priority, a dropped requirement, a transit time, a class' compatible types, a hub capacity."""
    reqs, sups = list(problem.requirements), list(problem.supplies)
    line = sups[len(sups) // 2]
    origin, dest = next(iter(sorted(problem.transit_days)))
    cls = reqs[0].item_class
    return {
        "quantities": replace(problem, requirements=[replace(r, quantity=r.quantity + 3) if i % 17 == 0 else r
                                                     for i, r in enumerate(reqs)],
                              supplies=[replace(s, quantity=s.quantity + 2) if i % 41 == 0 else s
                                        for i, s in enumerate(sups)]),
        "copied line": replace(problem, supplies=[*sups, replace(line, id="hypothetical-1")]),
        "new type": replace(problem, supplies=[*sups, replace(line, id="hypothetical-1", item_type="t-new")],
                            compatibility={**problem.compatibility, cls: {*problem.compatibility[cls], "t-new"}}),
        "priority": replace(problem, requirements=[replace(reqs[3], priority=1), *reqs[:3], *reqs[4:]]),
        "dropped": replace(problem, requirements=reqs[1:]),
        "transit": replace(problem, transit_days={**problem.transit_days,
                                                  (origin, dest): problem.transit_days[(origin, dest)] + 4}),
        "compatibility": replace(problem, compatibility={**problem.compatibility, cls: {"t0", "t8"}}),
        "hub capacity": replace(problem, hub_capacity={k: v + 3 for k, v in problem.hub_capacity.items()}),
    }


@pytest.mark.parametrize("seed", [11, 12])
def test_what_if_equals_fresh_solve_records_included(seed: int) -> None:
    """A what-if takes the links of unchanged chains and requirements and the results of unchanged
    components from the previous solve: everything must equal a fresh solve of the changed problem."""
    problem = generated(seed, n_req=80, n_sup=600)
    first = solve(problem, workers=1)
    for name, changed in what_ifs(problem).items():
        again = solve(changed, previous=first, workers=1)
        fresh = solve(changed, workers=1)
        assert again.objective_scaled == fresh.objective_scaled, name
        assert again.assignments == fresh.assignments, name
        assert again.gaps == fresh.gaps, name
        assert again.marginal_values == fresh.marginal_values, name
        assert [c.fingerprint for c in again.components] == [c.fingerprint for c in fresh.components], name
        assert again.stats["links"] == fresh.stats["links"] and again.stats["pairs"] == fresh.stats["pairs"], name
        assert fresh.stats["links_reused"] == 0
        assert 0 < again.stats["links_reused"] <= again.stats["links"], name
        check_feasible(changed, again)
        check_gap_reasons(changed, again)
        # A chain of what-ifs: the variant serves as the base of the next one.
        back = solve(problem, previous=again, workers=1)
        assert back.objective_scaled == first.objective_scaled and back.assignments == first.assignments, name
        assert back.gaps == first.gaps and back.marginal_values == first.marginal_values, name


def test_progress_is_reported_per_component(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = generated(5, n_req=40, n_sup=200, hub_share=0.0)
    compat = {f"c{c}": {f"t{c}"} for c in range(6)}
    problem = replace(problem, compatibility=compat)
    calls: list[tuple[int, int]] = []
    first = solve(problem, workers=1, progress=lambda d, t: calls.append((d, t)))
    n = int(first.stats["components"])
    assert n >= 4 and calls == [(k, n) for k in range(1, n + 1)]
    calls.clear()
    solve(problem, previous=first, workers=1, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(n, n)]  # everything reused: one call, finished
    calls.clear()
    monkeypatch.setattr(solver_module, "PARALLEL_MIN_ARCS", 1)
    parallel = solve(problem, workers=2, progress=lambda d, t: calls.append((d, t)))
    assert parallel.stats["workers"] == 2
    assert sorted(calls) == [(k, n) for k in range(1, n + 1)] and calls[-1] == (n, n)
    assert parallel.objective_scaled == first.objective_scaled
    assert parallel.marginal_values == first.marginal_values
    calls.clear()
    solve(Problem([], [], {}, {}), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 0)]
