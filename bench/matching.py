"""Benchmark of the matching optimiser against PuLP+CBC, plain OR-Tools min-cost flow and a greedy.

    .venv/bin/python bench/matching.py --size S,M --compat both
    .venv/bin/python bench/matching.py --size M --compat block --json
    .venv/bin/python bench/matching.py --size M --compat block --methods shieldwall,shieldwall_whatif --repeat 3

Each method runs in its own forked process (so peak memory is per method and includes the
instance); the clock runs from the ``Problem`` object to the method's answer.  ``peak_mb`` is the
process' maximum resident set plus the largest child process' (CBC runs as a child of PuLP; the
solver's worker for independent components is a fork).  Extra methods, not run by default:
``highs_lp`` (the reference LP of shieldwall.matching.lp solved by HiGHS, to check objectives where
PuLP is too slow), ``shieldwall_noduals``, ``shieldwall_whatif`` (re-solve after changing 5
requirements and 5 lines, given the previous solution; the time excludes the first solve) and
``shieldwall_whatif1`` (the product's what-if: one hypothetical pledge line added — a copy of an
existing line under a new id — re-solved given the previous solution; timed the same way).  The
what-if methods solve a changed instance, so their objectives differ from the others'.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from matching_instances import SIZES, generate_size
from shieldwall.matching import solver as sw
from shieldwall.matching.network import bipartite_network, solve_component

DEFAULT_METHODS = ("shieldwall", "pulp_cbc", "ortools_mcf", "greedy")
ALL_METHODS = (*DEFAULT_METHODS, "highs_lp", "shieldwall_noduals", "shieldwall_whatif", "shieldwall_whatif1")
WHATIF_METHODS = ("shieldwall_whatif", "shieldwall_whatif1")


def _arcs(problem: sw.Problem) -> tuple[Any, Any, Any]:
    """The plain model's feasible pairs (one arc per merged lot and requirement, no chains)."""
    enc, arcs = sw._pairs(problem)
    return enc, arcs, None


def run_shieldwall(problem: sw.Problem, with_duals: bool = True) -> float:
    return sw.solve(problem, with_duals=with_duals).objective


def run_whatif(problem: sw.Problem) -> tuple[float, float]:
    first = sw.solve(problem)
    rng = np.random.default_rng(1)
    reqs, sups = list(problem.requirements), list(problem.supplies)
    for i in rng.choice(len(reqs), 5, replace=False):
        reqs[i] = replace(reqs[i], quantity=reqs[i].quantity + 3)
    for i in rng.choice(len(sups), 5, replace=False):
        sups[i] = replace(sups[i], quantity=sups[i].quantity + 2)
    changed = replace(problem, requirements=reqs, supplies=sups)
    t = time.perf_counter()
    sol = sw.solve(changed, previous=first)
    return sol.objective, time.perf_counter() - t


def run_whatif1(problem: sw.Problem) -> tuple[float, float]:
    """One hypothetical pledge line added (a copy of the middle line, new id), given the previous solution."""
    first = sw.solve(problem)
    line = problem.supplies[len(problem.supplies) // 2]
    changed = replace(problem, supplies=[*problem.supplies, replace(line, id="hypothetical-1")])
    t = time.perf_counter()
    sol = sw.solve(changed, previous=first)
    return sol.objective, time.perf_counter() - t


def run_ortools_mcf(problem: sw.Problem) -> float:
    """One min-cost flow over the whole network: no merging, no components, no duals."""
    enc, arcs, _ = _arcs(problem)
    res = solve_component(bipartite_network(enc.lot_q, enc.req_q, arcs, enc.lot_hw, enc.hw_cap), with_duals=False)
    return -res.cost / problem.params.value_scale


def run_greedy(problem: sw.Problem) -> float:
    """Requirements by priority then need-by date, each taking its most valuable lots first (of
    equally valuable lots the latest available, keeping earlier ones for later needs)."""
    enc, arcs, _ = _arcs(problem)
    lot_left = enc.lot_q.copy()
    hw_left = enc.hw_cap.copy()
    order = np.lexsort((-enc.lot_avail[arcs.lot], -arcs.value, enc.req_need_by[arcs.req],
                        enc.req_priority[arcs.req]))
    req_left = enc.req_q.copy()
    total = 0
    for a in order.tolist():
        r, lot = int(arcs.req[a]), int(arcs.lot[a])
        hw = int(enc.lot_hw[lot])
        q = min(int(req_left[r]), int(lot_left[lot]), int(hw_left[hw]) if hw >= 0 else 1 << 62)
        if q > 0:
            req_left[r] -= q
            lot_left[lot] -= q
            if hw >= 0:
                hw_left[hw] -= q
            total += q * int(arcs.value[a])
    return total / problem.params.value_scale


def run_pulp(problem: sw.Problem) -> float:
    import pulp

    enc, arcs, _ = _arcs(problem)
    prob = pulp.LpProblem("matching", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", lowBound=0, cat="Integer") for i in range(len(arcs.lot))]
    prob += pulp.LpAffineExpression(zip(x, arcs.value.tolist(), strict=True))
    by_lot: dict[int, list[int]] = {}
    by_req: dict[int, list[int]] = {}
    by_hw: dict[int, list[int]] = {}
    for i, (lot, req) in enumerate(zip(arcs.lot.tolist(), arcs.req.tolist(), strict=True)):
        by_lot.setdefault(lot, []).append(i)
        by_req.setdefault(req, []).append(i)
        if enc.lot_hw[lot] >= 0:
            by_hw.setdefault(int(enc.lot_hw[lot]), []).append(i)
    for lot, idx in by_lot.items():
        prob += pulp.LpAffineExpression([(x[i], 1) for i in idx]) <= int(enc.lot_q[lot])
    for req, idx in by_req.items():
        prob += pulp.LpAffineExpression([(x[i], 1) for i in idx]) <= int(enc.req_q[req])
    for hw, idx in by_hw.items():
        prob += pulp.LpAffineExpression([(x[i], 1) for i in idx]) <= int(enc.hw_cap[hw])
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    if pulp.LpStatus[prob.status] != "Optimal":
        raise RuntimeError(pulp.LpStatus[prob.status])
    return float(pulp.value(prob.objective)) / problem.params.value_scale


def run_highs(problem: sw.Problem) -> float:
    """The model as a plain LP (one column per feasible pair, no merging) solved by HiGHS.

    The columns come from the vectorised enumeration (shieldwall.matching.lp.build_lp, used by the
    tests, is the independent pure-Python one, far too slow beyond S).
    """
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    enc, arcs, _ = _arcs(problem)
    n, n_l, n_r = len(arcs.lot), len(enc.lot_q), len(enc.req_q)
    hub = enc.lot_hw[arcs.lot] >= 0
    rows = np.concatenate([arcs.lot, n_l + arcs.req, n_l + n_r + enc.lot_hw[arcs.lot][hub]])
    cols = np.concatenate([np.arange(n), np.arange(n), np.flatnonzero(hub)])
    b = np.concatenate([enc.lot_q, enc.req_q, enc.hw_cap]).astype(float)
    a = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(b), n))
    res = linprog(-arcs.value.astype(float), A_ub=a, b_ub=b, bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(res.message)
    return float(-res.fun) / problem.params.value_scale


def _child(method: str, problem: sw.Problem, conn: Any) -> None:
    try:
        t = time.perf_counter()
        if method == "shieldwall":
            obj = run_shieldwall(problem)
        elif method == "shieldwall_noduals":
            obj = run_shieldwall(problem, with_duals=False)
        elif method in WHATIF_METHODS:
            obj, secs = (run_whatif if method == "shieldwall_whatif" else run_whatif1)(problem)
            t = time.perf_counter() - secs
        elif method == "pulp_cbc":
            obj = run_pulp(problem)
        elif method == "ortools_mcf":
            obj = run_ortools_mcf(problem)
        elif method == "greedy":
            obj = run_greedy(problem)
        elif method == "highs_lp":
            obj = run_highs(problem)
        else:
            raise ValueError(method)
        secs = time.perf_counter() - t
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        conn.send({"seconds": secs, "peak_mb": (own + kids) / 1024, "objective": obj})
    except Exception as exc:  # report, don't hang the parent
        conn.send({"error": repr(exc)})


def run_method(method: str, problem: sw.Problem, timeout: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(method, problem, child))
    proc.start()
    if parent.poll(timeout):
        out: dict[str, Any] = parent.recv()
    else:
        out = {"error": f"timeout after {timeout:.0f} s"}
        proc.kill()
    proc.join()
    return out


def run_repeated(method: str, problem: sw.Problem, timeout: float, repeat: int) -> dict[str, Any]:
    """Median time and largest peak of ``repeat`` runs (a shared machine's timings are noisy)."""
    runs = [run_method(method, problem, timeout) for _ in range(max(1, repeat))]
    ok = [r for r in runs if "error" not in r]
    if len(ok) < len(runs):
        return next(r for r in runs if "error" in r)
    out = dict(ok[0])
    out["seconds"] = float(np.median([r["seconds"] for r in ok]))
    out["peak_mb"] = max(r["peak_mb"] for r in ok)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", action="append", help="S, M or L; repeatable or comma list (default S,M)")
    ap.add_argument("--compat", choices=("block", "cross", "both"), default="both")
    ap.add_argument("--methods", default=",".join(DEFAULT_METHODS), help=f"subset of {','.join(ALL_METHODS)}")
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per method (default 900)")
    ap.add_argument("--seed", type=int, default=20250106)
    ap.add_argument("--hub-share", type=float, default=0.0, help="share of lines through capacitated hubs")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per method (each in a fresh process); seconds is their median, peak_mb the largest")
    args = ap.parse_args(argv)
    sizes = [s.strip().upper() for arg in (args.size or ["S,M"]) for s in arg.split(",") if s.strip()]
    compats = ["block", "cross"] if args.compat == "both" else [args.compat]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for s in sizes:
        if s not in SIZES:
            ap.error(f"unknown size {s}")
    for m in methods:
        if m not in ALL_METHODS:
            ap.error(f"unknown method {m}")
    if not args.json:
        print(f"{'size':4} {'compat':6} {'method':19} {'seconds':>9} {'peak_mb':>8} {'objective':>18} "
              f"{'% of opt':>9}  note")
    for size in sizes:
        for compat in compats:
            problem = generate_size(size, compat, seed=args.seed, hub_share=args.hub_share)
            rows = [(m, run_repeated(m, problem, args.timeout, args.repeat)) for m in methods]
            # The optimum: ours if it ran, else the best exact method (the what-if solves another instance).
            exact = [r["objective"] for m, r in rows
                     if m not in ("greedy", *WHATIF_METHODS) and "objective" in r]
            best = dict(rows).get("shieldwall", {}).get("objective") or max(exact, default=None)
            for m, r in rows:
                obj = r.get("objective")
                if args.json:
                    print(json.dumps({"size": size, "compat": compat, "method": m,
                                      "seconds": r.get("seconds"), "peak_mb": r.get("peak_mb"),
                                      "objective": obj}), flush=True)
                    if "error" in r:
                        print(f"{size} {compat} {m}: {r['error']}", file=sys.stderr)
                    continue
                if obj is None:
                    print(f"{size:4} {compat:6} {m:19} {'-':>9} {'-':>8} {'-':>18} {'-':>9}  {r['error']}")
                    continue
                pct = f"{100 * obj / best:8.3f}%" if best else "-"
                print(f"{size:4} {compat:6} {m:19} {r['seconds']:9.2f} {r['peak_mb']:8.0f} {obj:18.3f} "
                      f"{pct:>9}", flush=True)
            if len(exact) > 1 and not args.json:
                rel = (max(exact) - min(exact)) / max(abs(max(exact)), 1.0)
                print(f"{size:4} {compat:6} exact methods agree: max relative difference {rel:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
