"""`shieldwall` subcommands owned by `core`: running the installation (serve, migrate, worker, check), the
demo, users, the audit chain and personal API tokens.

Imports of models and services happen inside the handlers: the parser is built before Django is set up,
because the subcommand decides which settings to use.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from shieldwall.cli import (
    PRODUCTION_SETTINGS,
    CommandFailed,
    Context,
    add_command,
    add_group,
    arg_classification,
)
from shieldwall.core.markings import Classification
from shieldwall.core.roles import Role


def register(subparsers: Any) -> None:
    _register_operations(subparsers)
    add_command(subparsers, "demo", _demo,
                help="migrate, then load the demo data (idempotent); prints the demo logins")
    user = add_command(subparsers, "createuser", _createuser, help="create a user (asks for the password)")
    user.add_argument("username")
    user.add_argument("--nation", metavar="CODE", help="the user's nation (ISO 3166 alpha-3)")
    user.add_argument("--role", dest="roles", action="append", choices=Role.values, required=True,
                      help="a role; repeat for several")
    user.add_argument("--clearance", type=arg_classification, default=Classification.UNCLASSIFIED, metavar="LEVEL",
                      help="UNCLASSIFIED, RESTRICTED, CONFIDENTIAL or SECRET (default: UNCLASSIFIED)")
    user.add_argument("--email", default="")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    audit = add_group(subparsers, "audit", help="the tamper-evident audit chain")
    add_command(audit, "verify", _audit_verify, help="recompute the audit chain and report the first break")
    _register_tokens(subparsers)


def _register_operations(subparsers: Any) -> None:
    serve = add_command(subparsers, "serve", _serve, settings=PRODUCTION_SETTINGS,
                        help="collect static files and run the web server (gunicorn, production settings)")
    serve.add_argument("--bind", default="127.0.0.1:8000", help="address:port (default: 127.0.0.1:8000)")
    serve.add_argument("--workers", type=int, default=None,
                       help="worker processes (default: 2 x CPUs + 1, up to 8)")
    add_command(subparsers, "migrate", _migrate, help="create or upgrade the database schema")
    worker = add_command(subparsers, "worker", _worker, help="run the background task worker")
    worker.add_argument("--batch", action="store_true", help="process the queued tasks, then exit")
    worker.add_argument("--interval", type=float, default=None, help="seconds between polls when idle")
    worker.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
    worker.add_argument("--queue-name", default=None, help="queues to process, comma-separated ('*' for all)")
    add_command(subparsers, "check", _check, settings=PRODUCTION_SETTINGS,
                help="check the deployment: secret key, debug off, database, migrations, ceiling, Django's "
                     "deployment checks")


def _register_tokens(subparsers: Any) -> None:
    token = add_group(subparsers, "token", help="your personal API tokens (needs --as or --token)")
    create = add_command(token, "create", _token_create, help="create a token; it is shown once")
    create.add_argument("name", help="what the token is for, e.g. the script that uses it")
    create.add_argument("--days", type=int, default=90, help="days until it expires (1-366, default 90)")
    add_command(token, "list", _token_list, help="list your tokens")
    revoke = add_command(token, "revoke", _token_revoke, help="revoke one of your tokens")
    revoke.add_argument("id", type=int)


# --- running the installation -------------------------------------------------------------------------------


def _serve(ctx: Context) -> int:
    from shieldwall.core import operations

    operations.collect_static()
    workers = ctx.args.workers or operations.default_workers()
    argv = operations.gunicorn_argv(bind=ctx.args.bind, workers=workers)
    ctx.err.write(f"serving Shieldwall on http://{ctx.args.bind}/ with {workers} workers\n")
    ctx.err.flush()
    sys.stdout.flush()
    try:
        os.execvp(argv[0], argv)  # the server replaces this process, so signals reach it directly
    except FileNotFoundError as exc:
        raise CommandFailed("gunicorn is not installed in this environment") from exc
    return 0  # reached only when execvp is replaced (tests)


def _migrate(ctx: Context) -> None:
    from shieldwall.core import operations

    operations.migrate(verbosity=1, stdout=ctx.out)


def _worker(ctx: Context) -> None:
    from django.core.management import call_command

    given = {"batch": ctx.args.batch, "interval": ctx.args.interval, "max_tasks": ctx.args.max_tasks,
             "queue_name": ctx.args.queue_name}
    options = {k: v for k, v in given.items() if v not in (None, False)}
    if ctx.args.batch:
        options["reload"] = False  # a batch run ends by itself; reloading on code changes makes no sense
    call_command("db_worker", **options)


def _check(ctx: Context) -> None:
    from shieldwall.core.operations import deployment_checks

    results = deployment_checks()
    ctx.render([check.row() for check in results], columns=["check", "result", "detail"])
    failed = [check.name for check in results if check.level == "error"]
    if failed:
        raise CommandFailed(f"{len(failed)} check(s) failed: {', '.join(failed)}")


# --- demo, users, audit -------------------------------------------------------------------------------------


def _demo(ctx: Context) -> None:
    from django.conf import settings

    from shieldwall.core import demo, operations

    if settings.SETTINGS_MODULE == PRODUCTION_SETTINGS:
        raise CommandFailed("the demo users share a published password: not loaded under production settings")
    ctx.err.write("migrating the database...\n")
    operations.migrate(verbosity=0)
    written = demo.load(report=ctx.progress())
    more = demo.more_logins()
    if ctx.fmt == "json":
        ctx.render_record({"written": written, "password": demo.DEMO_PASSWORD, "users": demo.logins(),
                           "more_users": more})
        return
    ctx.say(f"Demo data loaded: {written} records written." if written
            else "Demo data already loaded: nothing changed.")
    ctx.render(demo.logins())
    if more:
        ctx.say(f"… and {len(more)} more <code>-donor users, one per other donor nation ({', '.join(more[:3])}, …)")
    ctx.say(f"Password of every demo user: {demo.DEMO_PASSWORD}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandFailed("the passwords do not match")
        except EOFError as exc:
            raise CommandFailed("no password given (use --password-stdin to pipe one in)") from exc
    if not password:
        raise CommandFailed("password: the password is empty")
    return password


def _createuser(ctx: Context) -> None:
    from shieldwall.core.actor import Actor
    from shieldwall.core.services import user_create

    args = ctx.args
    password = _read_password(args.password_stdin)
    user = user_create(actor=Actor.system("cli"), username=args.username, password=password,
                       nation=args.nation, roles=args.roles, clearance=args.clearance, email=args.email)
    nation = user.nation.code if user.nation else None
    ctx.render_record({"id": user.pk, "username": user.username, "nation": nation, "roles": user.roles,
                       "clearance": Classification(user.clearance).label})


def _audit_verify(ctx: Context) -> None:
    from shieldwall.core.audit import verify

    # The console runs with the database itself, as the installation: no auditor role to check here.
    result = verify()
    if not result.intact:
        raise CommandFailed(f"audit chain broken at event #{result.broken_seq}: {result.reason}")
    ctx.say(f"{result.count} events, chain intact")


# --- tokens -------------------------------------------------------------------------------------------------


def _token_row(token: Any) -> dict[str, Any]:
    from django.utils import timezone

    expired = token.expires_at is not None and token.expires_at <= timezone.now()
    status = "revoked" if token.revoked_at else "expired" if expired else "active"
    return {"id": token.pk, "name": token.name, "prefix": token.prefix, "created_at": token.created_at,
            "expires_at": token.expires_at, "last_used_at": token.last_used_at, "status": status}


def _token_create(ctx: Context) -> None:
    from shieldwall.core.services import token_create

    token, clear = token_create(actor=ctx.acting(), name=ctx.args.name, expires_in_days=ctx.args.days)
    ctx.render_record({**_token_row(token), "token": clear})
    ctx.err.write("store the token now: it is not shown again\n")


def _token_list(ctx: Context) -> None:
    from shieldwall.core.selectors import token_list

    ctx.render([_token_row(token) for token in token_list(actor=ctx.acting())])


def _token_revoke(ctx: Context) -> None:
    from shieldwall.core.services import token_revoke

    token = token_revoke(actor=ctx.acting(), id=ctx.args.id)
    ctx.say(f"revoked token {token.pk} ({token.name})")
