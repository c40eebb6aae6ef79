"""Demo data of the catalogue: the reference catalogue seeded through `catalogue_seed` (capability areas linked
to the coalition's capability coalitions, item classes, item types with Kiel-derived or estimated prices, and
cross-class compatibility), from the copy of Kiel's heavy-weapons file packaged with Shieldwall — so it works
without ../shared. Idempotent: a second load writes nothing."""

from __future__ import annotations

from shieldwall.catalogue import services
from shieldwall.core import demo as core_demo


def load(*, report: core_demo.Reporter = core_demo.quiet) -> int:
    """Seed (or complete) the catalogue; returns the number of records written."""
    report(0, 1, "catalogue")
    result = services.catalogue_seed(actor=core_demo.system_actor(), weapons_csv=None)
    report(1, 1, "catalogue loaded")
    return result.written
