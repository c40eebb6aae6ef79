"""From words to action: what became of a meeting's announcements, a donor's effort over time, and how far a
security agreement's yearly obligations are met. Selectors, computed with database aggregates over the records
the actor may see — a line counts only when the line, its package and (for the meeting report) the
announcement are all visible — so nobody learns a figure from records released past them.

Definitions (the stages mean what the field means by them, DESIGN.md §4):
- *announced* is the value of every line that is not cancelled; *committed* the lines in `COUNTED_STATUSES`;
  *allocated* those in `ALLOCATED_OR_LATER`; *delivered* each line's value pro rata of its delivered units.
- A co-funded package counts for each funder with its share; a package without funder rows is wholly its
  originator's.
- Over time, a line counts as committed from the day it was first committed and as allocated from the day its
  current allocation began (its dated history, `PledgeEvent`), so the cumulative series ends at today's
  totals; deliveries count on the day of each delivery event (`to_status` delivered), pro rata of its units.
- Money is summed exactly (Decimal; SQLite's REAL arithmetic is rounded back to 15 significant digits) and
  rounded half-up to the cent only when shown.
"""

from shieldwall.pledges.reports.agreement import (
    AgreementFulfilment,
    FulfilmentYear,
    agreement_fulfilment,
    packages_linkable_to_agreement,
)
from shieldwall.pledges.reports.common import (
    DEFAULT_OVERDUE_LIMIT,
    DEFAULT_STALE_DAYS,
    PackageProgress,
    Scaled,
    StageTotals,
    cents,
    percent,
)
from shieldwall.pledges.reports.donor import DonorProfile, ItemClassShare, SeriesPoint, cumulative, donor_profile
from shieldwall.pledges.reports.meeting import AnnouncementProgress, MeetingReport, OverdueLine, meeting_report

__all__ = [
    "DEFAULT_OVERDUE_LIMIT", "DEFAULT_STALE_DAYS", "AgreementFulfilment", "AnnouncementProgress", "DonorProfile",
    "FulfilmentYear", "ItemClassShare", "MeetingReport", "OverdueLine", "PackageProgress", "Scaled", "SeriesPoint",
    "StageTotals", "agreement_fulfilment", "cents", "cumulative", "donor_profile", "meeting_report",
    "packages_linkable_to_agreement", "percent",
]
