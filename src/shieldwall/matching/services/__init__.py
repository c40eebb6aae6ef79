"""Writes of matching: scenarios and transit times, runs (started as background tasks, solved with progress
stored on the run), approval of a run through the pledges services, and what-if questions (solved, not stored).

Every write goes through `core.writes` (permission, validation, one transaction, the write re-check, the audit
event); the optimiser's input is read by `matching.inputs` alone.
"""

from shieldwall.matching.services.approval import (
    Approval,
    run_approve,
    run_approve_refused,
    run_approve_request,
    stale_message,
)
from shieldwall.matching.services.runs import run_execute, run_start
from shieldwall.matching.services.scenarios import (
    HubCapacity,
    scenario_create,
    scenario_delete,
    scenario_update,
    transit_time_delete,
    transit_time_set,
)
from shieldwall.matching.services.what_if import HypotheticalLine, WhatIf, what_if

__all__ = [
    "Approval", "HubCapacity", "HypotheticalLine", "WhatIf", "run_approve", "run_approve_refused",
    "run_approve_request", "run_execute", "run_start",
    "scenario_create", "scenario_delete", "scenario_update", "stale_message", "transit_time_delete",
    "transit_time_set", "what_if",
]
