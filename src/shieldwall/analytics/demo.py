"""Demo data of the analytics app: Kiel's Ukraine Support Tracker Release 29 from the shared data (when present),
imported by the demo administrator, and the `shieldwall` facts derived from the demo's pledges.

Idempotent: the release is imported once (a second load finds it unchanged); the derived facts are rebuilt
from the pledges as they are, which gives the same facts again.
"""

from __future__ import annotations

from shieldwall.analytics import kiel, services
from shieldwall.coalition.demo import KIEL_FILE, shared_data_dir
from shieldwall.core import demo as core_demo

IMPORTER = "admin"  # the host nation's administrator keeps reference data; its nation originates EU-level rows


def load(*, report: core_demo.Reporter = core_demo.quiet) -> int:
    written = 0
    report(0, 2, "Kiel Ukraine Support Tracker")
    data_dir = shared_data_dir()
    release = (data_dir / KIEL_FILE).parent if data_dir is not None else None
    # Only a whole release is imported (a folder with the explorer file alone is not one).
    if release is not None and all((release / name).is_file() for name in kiel.FILES):
        result = services.kiel_import(actor=core_demo.actor(IMPORTER), directory=release)
        written += result.facts if result.created else 0
    report(1, 2, "contribution facts of the demo pledges")
    services.shieldwall_refresh()
    report(2, 2, "analytics demo data loaded")
    return written
