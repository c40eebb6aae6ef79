"""Running an installation: database directory and migrations, static files, the web server's command line and
the deployment checks behind `shieldwall check`. Used by the console command; no domain logic here.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

from shieldwall.core.markings import Classification

WSGI_APP = "shieldwall.config.wsgi:application"


def ensure_database_dir() -> None:
    """SQLite cannot create the folder of its file (./var/ by default); make it before connecting."""
    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    name = str(db.get("NAME") or "")
    if str(db["ENGINE"]).endswith("sqlite3") and name and name != ":memory:" and not name.startswith("file:"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)


def migrate(*, verbosity: int = 1, stdout: TextIO | None = None) -> None:
    ensure_database_dir()
    call_command("migrate", interactive=False, verbosity=verbosity, stdout=stdout or sys.stdout)


def pending_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def collect_static() -> None:
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    call_command("collectstatic", interactive=False, verbosity=0)


def gunicorn_argv(*, bind: str, workers: int) -> list[str]:
    # Prefer the gunicorn beside this Python (the virtualenv), so `serve` works without activating it.
    beside = Path(sys.executable).with_name("gunicorn")
    exe = str(beside) if beside.exists() else (shutil.which("gunicorn") or "gunicorn")
    return [exe, WSGI_APP, "--bind", bind, "--workers", str(workers), "--access-logfile", "-"]


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 8)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    level: str = "ok"  # ok · warning · error

    def row(self) -> dict[str, str]:
        return {"check": self.name, "result": self.level, "detail": self.detail}


def _secret_key() -> Check:
    key = str(settings.SECRET_KEY or "")
    if len(key) < 32 or key.startswith("django-insecure"):
        detail = "SHIELDWALL_SECRET_KEY must be a random value of 32+ characters"
        return Check("secret key set", False, detail, "error")
    return Check("secret key set", True)


def _debug_off() -> Check:
    if settings.DEBUG:
        return Check("debug off", False, "DEBUG is on (SHIELDWALL_DEBUG)", "error")
    return Check("debug off", True)


def _database() -> Check:
    try:
        ensure_database_dir()
        connections[DEFAULT_DB_ALIAS].ensure_connection()
    except Exception as exc:  # any driver error means "not reachable"; the detail says which
        return Check("database reachable", False, str(exc).strip().splitlines()[0], "error")
    return Check("database reachable", True, connections[DEFAULT_DB_ALIAS].vendor)


def _migrations() -> Check:
    try:
        pending = pending_migrations()
    except Exception as exc:  # an unreachable database is already reported above
        return Check("migrations applied", False, str(exc).strip().splitlines()[0], "error")
    if pending:
        detail = f"{len(pending)} pending, run 'shieldwall migrate'"
        return Check("migrations applied", False, detail, "error")
    return Check("migrations applied", True)


def _ceiling() -> Check:
    value = str(getattr(settings, "MAX_CLASSIFICATION", ""))
    if value not in Classification.names:
        allowed = ", ".join(Classification.names)
        detail = f"{value!r}; use one of {allowed}"
        return Check("SHIELDWALL_MAX_CLASSIFICATION valid", False, detail, "error")
    return Check("SHIELDWALL_MAX_CLASSIFICATION valid", True, value)


def _django_deploy_checks() -> list[Check]:
    found = []
    for message in checks.run_checks(include_deployment_checks=True):
        if message.is_silenced():
            continue
        level = "error" if message.is_serious() else "warning"
        found.append(Check(f"django {message.id}", level != "error", str(message.msg).splitlines()[0], level))
    return found or [Check("django deployment checks", True)]


def deployment_checks() -> list[Check]:
    """Our own checks, then Django's `check --deploy`; warnings are shown but only errors fail."""
    return [_secret_key(), _debug_off(), _database(), _migrations(), _ceiling(), *_django_deploy_checks()]
