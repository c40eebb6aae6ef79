"""The words-to-action commands: `report meeting`, `donor show`, `agreement list|show|create|link`."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.coalition.models import SecurityAgreement
from shieldwall.core.actor import Actor
from shieldwall.core.models import User
from tests.cli_support import run, run_json

pytestmark = pytest.mark.django_db


def test_report_meeting(capsys: pytest.CaptureFixture[str], words: dict[str, Any], fra_officer_user: User) -> None:
    body = run_json(capsys, "--as", "fra-donor", "report", "meeting", str(words["meeting"].pk),
                    "--as-of", "2025-09-01")
    assert (body["committed_eur"], body["committed_pct"], body["marking"]) == (
        "4801100.00", "95.1", "UNCLASSIFIED // REL TO COALITION")
    assert [(a["nation"], a["delivered_eur"]) for a in body["announcements"]] == [
        ("FRA", "600000.00"), ("DEU", "33.33")]
    assert [o["description"] for o in body["overdue"]] == ["Late CAESAR", "Late spares"]
    code, out, _ = run(capsys, "--as", "fra-donor", "report", "meeting", str(words["meeting"].pk))
    assert code == 0 and "ANNOUNCEMENTS" in out and "German national package" not in out


def test_report_of_a_hidden_meeting_is_one_line(capsys: pytest.CaptureFixture[str], words: dict[str, Any],
                                               jpn_observer_user: User) -> None:
    code, _, err = run(capsys, "--as", "jpn-analyst", "report", "meeting", str(words["meeting"].pk))
    assert code == 1 and err.strip() == f"shieldwall: error: meeting {words['meeting'].pk} not found"
    code, _, err = run(capsys, "report", "meeting", "1", "--stale-days", "-3")
    assert code == 2 and "--stale-days" in err


def test_donor_show(capsys: pytest.CaptureFixture[str], words: dict[str, Any], fra_officer_user: User) -> None:
    body = run_json(capsys, "--as", "fra-donor", "donor", "show", "deu", "--as-of", "2026-01-31", "--top", "1")
    assert (body["committed_eur"], body["share_pct"]) == ("4100100.00", "40.2")
    assert body["top_item_classes"] == [{"name": "155 mm artillery ammunition", "committed_eur": "3000000.00",
                                         "pct": "73.2"}]
    assert [p["title"] for p in body["packages"]] == ["PURL package", "German coalition package"]
    assert body["series"][-1]["delivered_eur"] == "500033.33"


def test_agreement_commands(capsys: pytest.CaptureFixture[str], words: dict[str, Any], fra_officer_user: User,
                            deu_officer_user: User) -> None:
    listed = run_json(capsys, "--as", "fra-donor", "agreement", "list")
    assert [a["title"] for a in listed] == ["Germany–Ukraine security agreement"]
    shown = run_json(capsys, "--as", "fra-donor", "agreement", "show", str(words["agreement"].pk))
    fulfilment = {row["year"]: row for row in shown["fulfilment"]}
    assert (fulfilment[2025]["committed_pct"], fulfilment["total"]["obligation_eur"]) == ("82.0", "11000000.00")
    assert shown["ends"] == "2034-02-15"

    created = run_json(capsys, "--as", "fra-donor", "agreement", "create", "--title", "FRA–UKR", "--donor", "FRA",
                       "--partner", "UKR", "--signed", "2024-02-16", "--obligation", "2024=3,000,000,000",
                       "--obligation", "2025=3000000000.00", "--rel-to", "UKR", "--classification", "restricted")
    assert created["marking"] == "RESTRICTED // REL TO FRA, UKR"
    agreement = SecurityAgreement.objects.visible_to(Actor.for_user(fra_officer_user)).get(pk=created["id"])
    assert [str(o.amount_eur) for o in agreement.obligations.all()] == ["3000000000.00", "3000000000.00"]
    code, _, err = run(capsys, "--as", "fra-donor", "agreement", "create", "--title", "x", "--donor", "FRA",
                       "--partner", "UKR", "--signed", "2024-02-16", "--obligation", "2024=lots")
    assert code == 2 and "write YEAR=AMOUNT" in err

    p3 = str(words["p3"].pk)
    pk = str(words["agreement"].pk)
    unlinked = run_json(capsys, "--as", "deu-donor", "agreement", "link", pk, "--package", p3, "--unlink")
    assert next(r for r in unlinked["fulfilment"] if r["year"] == 2025)["committed_eur"] == "3100000.00"
    relinked = run_json(capsys, "--as", "deu-donor", "agreement", "link", pk, "--package", p3)
    assert next(r for r in relinked["fulfilment"] if r["year"] == 2025)["committed_eur"] == "6800100.00"
    # Without --as the console sees PUBLIC records only: this agreement does not exist for it.
    code, _, err = run(capsys, "agreement", "link", pk, "--package", p3)
    assert code == 1 and err.strip() == f"shieldwall: error: security agreement {pk} not found"
