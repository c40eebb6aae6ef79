"""Why a requirement is not fully covered: the gap reasons, decided from the optimal flow.

The reasons form a cascade over the supply that could ever reach the requirement (see
docs/matching.md, "Gap reasons"): first what no compatible lot exists for, then what the donors'
use restrictions remove, then what arrives too late (or has no known route), and the remainder,
for which usable units existed, is split into units stuck behind a saturated hub-week and units
taken by other requirements that the optimum values at least as much per unit.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


class GapReason(StrEnum):
    """Why units of a requirement stay unmet."""

    NOTHING_COMPATIBLE = "nothing_compatible"
    RESTRICTED = "restricted"
    TOO_LATE = "too_late"
    HUB_CAPACITY = "hub_capacity"
    TAKEN_BY_HIGHER_PRIORITY = "taken_by_higher_priority"


def gap_reasons(quantity: IntArray, unmet: IntArray, offered: IntArray, allowed: IntArray,
                usable: IntArray, blocked: IntArray) -> dict[GapReason, IntArray]:
    """Split each requirement's unmet quantity into reasons (all arrays per requirement).

    ``offered``: units of compatible lots in total; ``allowed``: of those, the units whose donor
    does not exclude the requirement's use; ``usable``: of those, the units that can arrive within
    the maximum lateness; ``blocked``: units of usable lots left unassigned (only a saturated hub
    capacity can leave them so at the optimum).  Each stage explains the shortfall that would remain
    even if the requirement received *all* units passing that stage.
    """
    short0 = np.minimum(unmet, np.maximum(quantity - offered, 0))
    short1 = np.minimum(unmet, np.maximum(quantity - allowed, 0))
    short2 = np.minimum(unmet, np.maximum(quantity - usable, 0))
    competition = unmet - short2
    hub = np.minimum(competition, blocked)
    return {
        GapReason.NOTHING_COMPATIBLE: short0,
        GapReason.RESTRICTED: short1 - short0,
        GapReason.TOO_LATE: short2 - short1,
        GapReason.HUB_CAPACITY: hub,
        GapReason.TAKEN_BY_HIGHER_PRIORITY: competition - hub,
    }
