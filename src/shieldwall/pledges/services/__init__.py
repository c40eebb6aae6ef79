"""Writes of pledges: packages with their funders, pledge lines, each step of a line's lifecycle (a dated,
attributed `PledgeEvent` next to the audit event), splits, and imports from CSV or XLSX.

Every write goes through `core.writes` (permission, validation, one transaction, the write re-check, the audit
event). After lines change, the requirements they are pledged against or allocated to recompute their status
in the same transaction (`needs.services.requirement_refresh_status`), and `hooks.lines_changed` runs once the
transaction has committed.

Rules beyond the models' own:
- a package's funders' shares add up to exactly 1, and the actor's nation — the originator — is the lead funder;
  without funders the package is wholly the actor's nation's;
- a line's marking defaults to its package's and may narrow it, never widen it (a line released further than
  its package would reveal the package);
- a financing package holds amounts of money (no item type, quantity 1), the others hold item types;
- item type, quantity and value are fixed once a line is committed (a formal promise is not edited: cancel it and
  pledge anew), and a closed line (delivered or cancelled) is not edited at all;
- a step takes effect on the date the user gives (default today): not in the future, not before the package
  date, not before the line's previous step.
"""

from shieldwall.pledges.services.imports import line_import
from shieldwall.pledges.services.lines import editable_fields, line_create, line_update
from shieldwall.pledges.services.packages import package_create, package_delete, package_update
from shieldwall.pledges.services.rules import CLOSED, FunderShare, ImportReport, LineSpec
from shieldwall.pledges.services.steps import (
    line_allocate,
    line_cancel,
    line_commit,
    line_contract,
    line_deallocate,
    line_deliver,
    line_ship,
    line_split,
    line_state,
)

__all__ = [
    "CLOSED", "FunderShare", "ImportReport", "LineSpec", "editable_fields", "line_allocate", "line_cancel",
    "line_commit", "line_contract", "line_create", "line_deallocate", "line_deliver", "line_import", "line_ship",
    "line_split", "line_state", "line_update", "package_create", "package_delete", "package_update",
]
