"""The `shieldwall` console command: every subcommand group in-process, errors as one line with a non-zero
exit, access filtering of `--as`, the audit chain check, the demo, and the installed console script."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from shieldwall.coalition.models import Meeting, Membership, Nation
from shieldwall.core import operations
from shieldwall.core.models import ApiToken, AuditEvent, User
from tests.cli_support import run

SUBCOMMANDS = ("serve", "migrate", "demo", "createuser", "worker", "audit", "check", "token", "nation",
               "organisation", "membership", "coalition", "meeting", "announcement")


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def console_script() -> str:
    beside = Path(sys.executable).with_name("shieldwall")
    found = str(beside) if beside.exists() else shutil.which("shieldwall")
    if not found:
        pytest.skip("the shieldwall console script is not installed")
    return found


def assert_one_line_error(code: int, err: str, expected_code: int, *fragments: str) -> None:
    assert code == expected_code
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("shieldwall: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


# --- the console script and help ------------------------------------------------------------------------


def test_console_script_help_lists_every_subcommand(tmp_path: Path) -> None:
    result = subprocess.run([console_script(), "--help"], capture_output=True, text=True, cwd=tmp_path,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    for name in SUBCOMMANDS:
        assert name in result.stdout
    assert not (tmp_path / "var").exists()  # help needs no database and writes nothing


def test_serve_without_secret_key_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SHIELDWALL_SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([console_script(), "serve"], capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=60, check=False)
    assert_one_line_error(result.returncode, result.stderr, 1, "SHIELDWALL_SECRET_KEY")


def test_help_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "meeting", "--help")
    assert code == 0
    assert "list" in out and "create" in out


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "status", "fragment"),
    [
        (["bogus"], 2, "invalid choice"),
        ([], 2, "required"),
        (["meeting", "list", "--from", "2025-13-01"], 2, "YYYY-MM-DD"),
        (["meeting", "show", "999999"], 1, "meeting 999999 not found"),
        (["nation", "show", "XXX"], 1, "nation XXX not found"),
        (["nation", "create", "BEL"], 2, "--as USER"),
        (["--as", "nobody", "meeting", "list"], 1, "user nobody not found"),
        (["--token", "sw_abc_def", "meeting", "list"], 1, "token"),
        (["--as", "coord", "meeting", "create", "--title", "T", "--date", "2025-01-01", "--rel-to", "XXX"], 1,
         "rel_to: unknown nation code(s): XXX"),
        (["--as", "coord", "meeting", "create", "--title", "T", "--date", "2025-01-01", "--format", "party"], 2,
         "--format"),
        (["--as", "coord", "membership", "set-tier", "FRA", "emperor", "--from", "2025-01-01"], 2, "TIER"),
        (["--as", "fra-donor", "nation", "create", "BEL"], 1, "may not create"),
        (["--as", "coord", "--token", "sw_x_y", "meeting", "list"], 2, "not both"),
    ],
)
def test_errors_are_one_line_with_a_non_zero_exit(
    capsys: pytest.CaptureFixture[str], coord_user: User, fra_officer_user: User, argv: list[str], status: int,
    fragment: str,
) -> None:
    code, _, err = run(capsys, *argv)
    assert_one_line_error(code, err, status, fragment)


def test_unexpected_errors_are_one_line_too(capsys: pytest.CaptureFixture[str], monkeypatch: Any, db: Any) -> None:
    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("first line\nsecond line")

    monkeypatch.setattr("shieldwall.coalition.selectors.nation_list", boom)
    code, _, err = run(capsys, "nation", "list")
    assert_one_line_error(code, err, 1, "RuntimeError", "first line second line", "--traceback")


# --- coalition commands ---------------------------------------------------------------------------------


def test_nation_commands(capsys: pytest.CaptureFixture[str], admin_user: User) -> None:
    rows = run_json(capsys, "nation", "list")
    assert {row["code"]: row["tier"] for row in rows}["UKR"] == "partner"
    assert run_json(capsys, "nation", "show", "fra")["name"] == "France"
    created = run_json(capsys, "--as", "admin", "nation", "create", "BEL", "--gdp", "502.312", "--gdp-year", "2025")
    assert created["gdp_eur_bn"] == "502.312"
    code, out, _ = run(capsys, "nation", "list", "--tier", "core", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0].startswith("code,name,tier")
    assert len(out.splitlines()) == 1 + 5


def test_organisation_commands(capsys: pytest.CaptureFixture[str], admin_user: User) -> None:
    created = run_json(capsys, "--as", "admin", "organisation", "create", "--name", "Ministère des Armées",
                       "--short-name", "MINARM", "--kind", "ministry", "--nation", "FRA")
    assert created["nation"] == "FRA"
    assert [row["short_name"] for row in run_json(capsys, "organisation", "list")] == ["MINARM"]
    assert run_json(capsys, "organisation", "show", str(created["id"]))["name"] == "Ministère des Armées"
    code, _, err = run(capsys, "--as", "admin", "organisation", "create", "--name", "X", "--kind", "ministry")
    assert_one_line_error(code, err, 1, "nation")


def test_membership_commands(capsys: pytest.CaptureFixture[str], coord_user: User) -> None:
    row = run_json(capsys, "--as", "coord", "membership", "set-tier", "JPN", "member", "--from", "2025-06-01")
    assert row["tier"] == "member"
    history = run_json(capsys, "membership", "list", "--nation", "JPN")
    assert [(r["tier"], r["valid_to"]) for r in history] == [("member", None), ("interested", "2025-05-31")]
    current = run_json(capsys, "membership", "list", "--current")
    assert len(current) == Nation.objects.count()


def test_coalition_commands(capsys: pytest.CaptureFixture[str], coord_user: User) -> None:
    created = run_json(capsys, "--as", "coord", "coalition", "create", "Artillery Capability Coalition",
                       "--area", "artillery", "--leads", "FRA,USA", "--members", "DEU")
    assert created["leads"] == ["FRA", "USA"] and created["members"] == ["DEU", "FRA", "USA"]
    assert run_json(capsys, "coalition", "list", "--nation", "DEU")[0]["name"] == "Artillery Capability Coalition"
    assert run_json(capsys, "coalition", "show", str(created["id"]))["area"] == "artillery"
    code, _, err = run(capsys, "--as", "coord", "coalition", "create", "X", "--area", "artillery", "--leads", "")
    assert_one_line_error(code, err, 1, "leads")


def test_meeting_list_as_fra_donor_shows_rel_to_fra_not_rel_to_gbr_ukr(
    capsys: pytest.CaptureFixture[str], marked_meetings: dict[str, Meeting], fra_officer_user: User
) -> None:
    rows = run_json(capsys, "--as", "fra-donor", "meeting", "list")
    titles = {row["title"]: row["marking"] for row in rows}
    assert titles["Bilateral FRA-GBR staff talks"] == "RESTRICTED // REL TO FRA, GBR"
    assert "GBR-UKR maritime planning" not in titles
    anonymous = run_json(capsys, "meeting", "list")
    assert [row["title"] for row in anonymous] == ["Public press conference"]


def test_meeting_show_and_create(
    capsys: pytest.CaptureFixture[str], marked_meetings: dict[str, Meeting], coord_user: User,
    ukr_desk_user: User,
) -> None:
    secret_one = marked_meetings["rel_gbr_ukr"].pk
    code, _, err = run(capsys, "--as", "coord", "meeting", "show", str(secret_one))
    assert_one_line_error(code, err, 1, "not found")  # not allowed looks like missing
    assert run_json(capsys, "--as", "ukr-recipient", "meeting", "show", str(secret_one))["place"] == ""
    code, out, err = run(capsys, "--as", "coord", "--format", "json", "meeting", "create", "--title", "E5 Paris",
                         "--date", "2025-03-12", "--format", "hybrid", "--chair", "FRA", "--classification",
                         "restricted", "--rel-to", "FRA,GBR,UKR")
    assert code == 0, err
    created = json.loads(out)
    assert created["marking"] == "RESTRICTED // REL TO FRA, GBR, UKR" and created["format"] == "hybrid"
    code, out, _ = run(capsys, "--as", "coord", "meeting", "list", "--q", "E5", "--from", "2025-03-01",
                       "--to", "2025-03-31")
    assert code == 0 and "E5 Paris" in out and "RESTRICTED // REL TO FRA, GBR, UKR" in out


def test_announcement_commands(
    capsys: pytest.CaptureFixture[str], marked_meetings: dict[str, Meeting], fra_officer_user: User,
    gbr_analyst_user: User,
) -> None:
    meeting = str(marked_meetings["public"].pk)
    created = run_json(capsys, "--as", "fra-donor", "announcement", "create", "--meeting", meeting,
                       "--nation", "FRA", "--text", "More shells", "--classification", "RESTRICTED",
                       "--releasability", "REL TO", "--rel-to", "FRA,UKR")
    assert created["marking"] == "RESTRICTED // REL TO FRA, UKR"
    assert [row["text"] for row in run_json(capsys, "--as", "fra-donor", "announcement", "list")] == ["More shells"]
    assert run_json(capsys, "--as", "gbr-analyst", "announcement", "list", "--meeting", meeting) == []
    code, out, _ = run(capsys, "--as", "fra-donor", "meeting", "show", meeting)
    assert code == 0 and "ANNOUNCEMENTS" in out and "More shells" in out


# --- core commands --------------------------------------------------------------------------------------


def test_token_commands(capsys: pytest.CaptureFixture[str], coord_user: User, monkeypatch: Any) -> None:
    created = run_json(capsys, "--as", "coord", "token", "create", "script", "--days", "1")
    assert created["token"].startswith("sw_") and created["status"] == "active"
    monkeypatch.setenv("SHIELDWALL_TOKEN", created["token"])
    listed = run_json(capsys, "token", "list")
    assert [row["name"] for row in listed] == ["script"]
    code, out, _ = run(capsys, "token", "revoke", str(created["id"]))
    assert code == 0 and "revoked" in out
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None
    code, _, err = run(capsys, "token", "list")
    assert_one_line_error(code, err, 1, "revoked")
    monkeypatch.delenv("SHIELDWALL_TOKEN")
    code, _, err = run(capsys, "token", "list")
    assert_one_line_error(code, err, 2, "--as USER")


def test_createuser_from_stdin_and_prompt(capsys: pytest.CaptureFixture[str], nations: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-passphrase\n"))
    code, _, err = run(capsys, "createuser", "pol-donor", "--nation", "pol", "--role", "donor", "--role",
                         "analyst", "--clearance", "restricted", "--password-stdin")
    assert code == 0, err
    user = User.objects.get(username="pol-donor")
    assert user.nation and user.nation.code == "POL" and user.roles == ["analyst", "donor"] and user.clearance == 1
    assert user.check_password("a-long-enough-passphrase")
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk), actor_username="cli").exists()
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "short")
    code, _, err = run(capsys, "createuser", "x", "--role", "analyst")
    assert_one_line_error(code, err, 1, "password")
    answers = iter(["one-long-passphrase", "another-long-passphrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = run(capsys, "createuser", "y", "--role", "analyst")
    assert_one_line_error(code, err, 1, "do not match")


def _tamper(seq: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The append-only trigger would refuse; the test's transaction rolls the ALTER back afterwards.
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute("UPDATE core_auditevent SET changes = %s WHERE seq = %s", ['{"forged": [null, 1]}', seq])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def test_audit_verify_intact_then_tampered(capsys: pytest.CaptureFixture[str], marked_meetings: Any) -> None:
    count = AuditEvent.objects.count()
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and out.strip() == f"{count} events, chain intact"
    target = AuditEvent.objects.order_by("seq")[count // 2].seq
    _tamper(target)
    code, _, err = run(capsys, "audit", "verify")
    assert_one_line_error(code, err, 1, f"audit chain broken at event #{target}:")


def test_check_reports_each_item(capsys: pytest.CaptureFixture[str], db: Any, settings: Any) -> None:
    code, out, err = run(capsys, "check", "--format", "json")
    rows = json.loads(out)
    names = [row["check"] for row in rows]
    for name in ("secret key set", "debug off", "database reachable", "migrations applied",
                 "SHIELDWALL_MAX_CLASSIFICATION valid"):
        assert name in names
    assert code == (1 if any(row["result"] == "error" for row in rows) else 0), err
    settings.DEBUG = True
    settings.MAX_CLASSIFICATION = "TOP SECRET"
    code, out, err = run(capsys, "check")
    assert_one_line_error(code, err, 1, "debug off", "SHIELDWALL_MAX_CLASSIFICATION valid")
    assert "DEBUG is on" in out


def test_migrate_runs(capsys: pytest.CaptureFixture[str], db: Any) -> None:
    code, out, err = run(capsys, "migrate")
    assert code == 0, err
    assert "No migrations to apply" in out


def test_worker_runs_db_worker(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("django.core.management.call_command", lambda name, **kw: calls.append((name, kw)))
    code, _, err = run(capsys, "worker", "--batch", "--max-tasks", "3")
    assert code == 0, err
    assert calls == [("db_worker", {"batch": True, "max_tasks": 3, "reload": False})]


def test_serve_collects_static_then_execs_gunicorn(
    capsys: pytest.CaptureFixture[str], monkeypatch: Any, settings: Any, tmp_path: Path
) -> None:
    settings.STATIC_ROOT = tmp_path / "static"
    execs: list[list[str]] = []
    monkeypatch.setattr(os, "execvp", lambda file, argv: execs.append(list(argv)))
    code, _, err = run(capsys, "serve", "--bind", "127.0.0.1:9999", "--workers", "2")
    assert code == 0, err
    assert (tmp_path / "static").is_dir()
    argv = execs[0]
    assert Path(argv[0]).name == "gunicorn" and operations.WSGI_APP in argv
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:9999" and argv[argv.index("--workers") + 1] == "2"


def test_demo_twice_is_idempotent(capsys: pytest.CaptureFixture[str], db: Any) -> None:
    code, out, err = run(capsys, "demo")
    assert code == 0, err
    assert "shieldwall-demo-2025" in out and "fra-donor" in out and "ukr-recipient" in out
    assert "[" in err and "7/7" in err  # the progress indication
    counts = (Nation.objects.count(), Membership.objects.count(), Meeting.unscoped.count(), User.objects.count())
    events = AuditEvent.objects.count()
    code, out, err = run(capsys, "demo")
    assert code == 0, err
    assert "nothing changed" in out
    assert counts == (Nation.objects.count(), Membership.objects.count(), Meeting.unscoped.count(),
                      User.objects.count())
    assert AuditEvent.objects.count() == events
    rows = run_json(capsys, "--as", "fra-donor", "meeting", "list")
    titles = {row["title"] for row in rows}
    assert "FRA-GBR-UKR air defence staff talks" in titles
    assert "GBR-UKR maritime planning (Maritime Capability Coalition)" not in titles
    assert date.fromisoformat(rows[0]["date"]) >= date.fromisoformat(rows[-1]["date"])
