"""Reproducible matching instances for bench/matching.py (and larger-scale tests).

Shape of a generated catalogue: families of item classes and item types (about 5 classes and
7-8 types per family, 20 requirements per class).  In the ``block`` shape each class is satisfied
by 1-3 types of its own family only, as in real catalogues; in ``cross`` each class also accepts
1-2 types of other families, which joins most of the catalogue into one connected problem.

Everything else follows the issue: supply about 80 % of demand, lognormal quantities,
priorities 1-13, need-by and availability dates spread over a year, 15 % of lines with a use
restriction, transit 2-14 days.  Requirements and lines are identical in both shapes (only the
compatibility differs), so objectives of the two shapes are comparable.
"""

from __future__ import annotations

import math
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shieldwall.matching.solver import Params, Problem, Requirement, Supply

SIZES = {"S": (1_000, 10_000), "M": (3_000, 30_000), "L": (10_000, 100_000)}
USES = ("combat", "training", "territorial_defence", "civil_protection")
USE_P = (0.55, 0.15, 0.2, 0.1)
START = date(2025, 1, 6)


def generate(n_req: int, n_lines: int, compat: str = "block", *, seed: int = 20250106,
             hub_share: float = 0.0, params: Params | None = None) -> Problem:
    """Build one instance; the same arguments always give the same problem."""
    if compat not in ("block", "cross"):
        raise ValueError("compat must be 'block' or 'cross'")
    rng = np.random.default_rng([seed, n_req, n_lines])
    n_classes = max(10, n_req // 20)
    n_families = max(2, n_classes // 5)
    n_types = n_classes * 3 // 2
    class_family = rng.integers(0, n_families, n_classes)
    class_family[:n_families] = np.arange(n_families)
    type_family = rng.integers(0, n_families, n_types)
    type_family[:n_families] = np.arange(n_families)
    types_of_family = [np.flatnonzero(type_family == f) for f in range(n_families)]
    own: list[list[int]] = []
    for c in range(n_classes):
        pool = types_of_family[class_family[c]]
        k = min(len(pool), int(rng.integers(1, 4)))
        own.append(sorted(rng.choice(pool, size=k, replace=False).tolist()))
    # The cross shape uses its own random stream so that requirements and lines stay identical.
    crng = np.random.default_rng([seed, n_req, n_lines, 1])
    compatibility: dict[str, set[str]] = {}
    for c in range(n_classes):
        ts = set(own[c])
        if compat == "cross":
            for _ in range(int(crng.integers(1, 3))):
                other = [f for f in range(n_families) if f != class_family[c]]
                f = int(crng.choice(other))
                ts.add(int(crng.choice(types_of_family[f])))
        compatibility[f"class-{c:04d}"] = {f"type-{t:04d}" for t in ts}

    n_origins, n_dest = 12, 25
    transit = {(f"origin-{o:02d}", f"dest-{d:02d}"): int(rng.integers(2, 15))
               for o in range(n_origins) for d in range(n_dest)}

    r_class = rng.integers(0, n_classes, n_req)
    r_q = np.maximum(1, np.rint(rng.lognormal(math.log(50), 1.0, n_req))).astype(np.int64)
    r_prio = rng.integers(1, 14, n_req)
    r_need = rng.integers(0, 365, n_req)
    r_dest = rng.integers(0, n_dest, n_req)
    r_use = rng.choice(len(USES), size=n_req, p=USE_P)
    requirements = [
        Requirement(f"req-{i:06d}", f"class-{r_class[i]:04d}", int(r_q[i]), int(r_prio[i]),
                    START + timedelta(days=int(r_need[i])), f"dest-{r_dest[i]:02d}", USES[r_use[i]])
        for i in range(n_req)
    ]

    # Supply follows demand: a line is for a class drawn by demanded quantity, of one of its types.
    demand = np.bincount(r_class, weights=r_q, minlength=n_classes)
    l_class = rng.choice(n_classes, size=n_lines, p=demand / demand.sum())
    l_type = np.array([own[c][int(rng.integers(0, len(own[c])))] for c in l_class])
    target_mean = 0.8 * r_q.sum() / n_lines
    mu = math.log(target_mean) - 0.5
    raw = rng.lognormal(mu, 1.0, n_lines)
    l_q = np.maximum(1, np.rint(raw * (0.8 * r_q.sum() / np.maximum(1, np.rint(raw)).sum()))).astype(np.int64)
    l_avail = rng.integers(0, 365, n_lines)
    l_origin = rng.integers(0, n_origins, n_lines)
    restricted = rng.random(n_lines) < 0.15
    l_excl = rng.choice(len(USES), size=n_lines, p=(0.6, 0.15, 0.15, 0.1))
    hubbed = rng.random(n_lines) < hub_share
    l_hub = rng.integers(0, 8, n_lines)
    supplies = [
        Supply(f"line-{i:07d}", f"type-{l_type[i]:04d}", int(l_q[i]), START + timedelta(days=int(l_avail[i])),
               f"origin-{l_origin[i]:02d}",
               frozenset({USES[l_excl[i]]}) if restricted[i] else frozenset(),
               f"hub-{l_hub[i]}" if hubbed[i] else None)
        for i in range(n_lines)
    ]
    hub_capacity: dict[tuple[str, date], int] = {}
    if hub_share > 0:
        # Each hub-week can forward 60 % of what its lots carry: binding, but not absurdly so.
        volume: dict[tuple[str, date], int] = {}
        for s in supplies:
            if s.hub is not None:
                wk = s.available_from - timedelta(days=s.available_from.weekday())
                volume[(s.hub, wk)] = volume.get((s.hub, wk), 0) + s.quantity
        hub_capacity = {k: int(v * 0.6) for k, v in volume.items()}
    return Problem(requirements, supplies, compatibility, transit, hub_capacity, params or Params())


def generate_size(size: str, compat: str, **kwargs: object) -> Problem:
    n_req, n_lines = SIZES[size]
    return generate(n_req, n_lines, compat, **kwargs)  # type: ignore[arg-type]
