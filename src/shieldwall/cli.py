"""The `shieldwall` console command: global options, settings selection, the acting `Actor`, error mapping and
the registry of subcommands.

Each app contributes its subcommands from its own `cli.py` through `register(subparsers)`; handlers take a
`Context`, call one service or selector and render. Every failure is one line on stderr and a non-zero exit:
2 for usage, 1 for domain and configuration errors, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

# Only modules that load without Django being set up: the settings are chosen after parsing.
from shieldwall.core import cli_output
from shieldwall.core.markings import Classification, Releasability, classification_from_label

if TYPE_CHECKING:
    from shieldwall.core.actor import Actor

PROG = "shieldwall"
DEV_SETTINGS = "shieldwall.config.settings.dev"
PRODUCTION_SETTINGS = "shieldwall.config.settings.production"
# In dependency order; a new app appends its module here.
COMMAND_MODULES = ("shieldwall.core.cli", "shieldwall.coalition.cli",
                   "shieldwall.catalogue.cli", "shieldwall.needs.cli", "shieldwall.analytics.cli",
                   "shieldwall.coalition.agreements_cli", "shieldwall.pledges.reports_cli",
                   "shieldwall.pledges.cli", "shieldwall.logistics.cli", "shieldwall.monitoring.cli",
                   "shieldwall.matching.cli")

Handler = Callable[["Context"], int | None]


class UsageError(Exception):
    """Bad command-line input (exit status 2)."""


class CommandFailed(Exception):
    """A command that ran but did not succeed; its message is the one line printed (exit status 1)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as an exception, so `main` prints one line instead of the usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool, with_format: bool = True) -> None:
    # On subcommands the defaults are suppressed so an option given before the subcommand is not overwritten.
    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument("--as", dest="as_user", metavar="USER", default=default(None),
                       help="act as this user (the console has the database, so it may act for anyone)")
    group.add_argument("--token", metavar="TOKEN", default=default(None),
                       help="act as the owner of this API token (default: $SHIELDWALL_TOKEN)")
    if with_format:
        group.add_argument("--format", choices=cli_output.FORMATS, default=default("table"),
                           help="output format (default: table)")
    group.add_argument("--traceback", action="store_true", default=default(False),
                       help="show the Python traceback of an unexpected error")


_COMMON = Parser(add_help=False)
_global_options(_COMMON, suppress=True)
# For a command with a `--format` of its own (a meeting's): the output format then goes before the command.
_COMMON_WITHOUT_FORMAT = Parser(add_help=False)
_global_options(_COMMON_WITHOUT_FORMAT, suppress=True, with_format=False)


def add_command(subparsers: Any, name: str, handler: Handler, *, help: str, settings: str | None = None,
                own_format: bool = False, **kwargs: Any) -> argparse.ArgumentParser:
    """Add a leaf subcommand; `settings` forces a settings module (e.g. production for `serve`)."""
    parent = _COMMON_WITHOUT_FORMAT if own_format else _COMMON
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help, description=help, parents=[parent], **kwargs
    )
    parser.set_defaults(handler=handler, settings=settings)
    return parser


def add_group(subparsers: Any, name: str, *, help: str) -> Any:
    """Add a command group (`nation`, `token` …) and return the action its subcommands are added to."""
    parser = subparsers.add_parser(name, help=help, description=help)
    return parser.add_subparsers(title="commands", dest=f"{name}_command", required=True, metavar="COMMAND")


# --- argument types shared by the apps' commands (usage errors, exit status 2) ------------------------------


def arg_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write YYYY-MM-DD") from exc


def arg_decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from exc


def arg_codes(value: str) -> list[str]:
    """`FRA,GBR, ukr` -> ['FRA', 'GBR', 'UKR'] (unknown codes are refused by the service, with the field)."""
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def arg_classification(value: str) -> Classification:
    try:
        return classification_from_label(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def arg_releasability(value: str) -> str:
    normalised = value.strip().upper().replace(" ", "_").replace("-", "_")
    if normalised not in Releasability.values:
        raise argparse.ArgumentTypeError(f"{value!r}: use PUBLIC, COALITION or REL_TO")
    return normalised


def check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    """Validate a choice whose values live in a model module (loaded only after Django is set up)."""
    if value not in choices:
        raise UsageError(f"argument {name}: invalid choice {value!r} (choose from {', '.join(choices)})")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="A coalition's source of truth for security assistance.",
                    epilog="Read commands without --as/--token see PUBLIC records only.")
    _global_options(parser, suppress=False)
    subparsers = parser.add_subparsers(title="commands", dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(subparsers)
    return parser


def configure_django(forced: str | None) -> None:
    """Select the settings (forced module, else $DJANGO_SETTINGS_MODULE, else dev) and set Django up once."""
    from django.conf import settings

    if settings.configured:  # already set up in this process (tests, an embedding program)
        return
    if forced:
        os.environ["DJANGO_SETTINGS_MODULE"] = forced
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEV_SETTINGS)
    import django

    django.setup()


@dataclass
class Context:
    """What a handler gets: the parsed options, the output streams and the acting actor."""

    args: argparse.Namespace
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    _actor: Actor | None = None

    @property
    def fmt(self) -> str:
        return str(getattr(self.args, "format", "table"))

    def actor(self) -> Actor:
        """The actor of `--as`/`--token`/$SHIELDWALL_TOKEN, else the anonymous actor (PUBLIC only)."""
        if self._actor is None:
            self._actor = _resolve_actor(self.args)
        return self._actor

    def acting(self) -> Actor:
        """The actor of a command that changes data: anonymous is refused."""
        actor = self.actor()
        if not actor.is_authenticated:
            raise UsageError("this command changes data: say who acts with --as USER or --token TOKEN")
        return actor

    def render(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
        cli_output.render(rows, fmt=self.fmt, stream=self.out, columns=columns)

    def render_record(self, record: Mapping[str, Any]) -> None:
        cli_output.render_record(record, fmt=self.fmt, stream=self.out)

    def progress(self) -> cli_output.ProgressBar:
        return cli_output.ProgressBar(self.err)

    def say(self, message: str) -> None:
        self.out.write(message + "\n")


def _resolve_actor(args: argparse.Namespace) -> Actor:
    from shieldwall.core.actor import Actor
    from shieldwall.core.selectors import user_get_by_username
    from shieldwall.core.services import token_authenticate

    username = getattr(args, "as_user", None)
    token = getattr(args, "token", None) or os.environ.get("SHIELDWALL_TOKEN")
    if username and getattr(args, "token", None):
        raise UsageError("give either --as or --token, not both")
    if username:
        user = user_get_by_username(username=username)
    elif token:
        found = token_authenticate(token)
        if found is None:
            raise CommandFailed("the token is unknown, expired or revoked")
        user = found
    else:
        return Actor.anonymous()
    if not user.is_active:
        raise CommandFailed(f"user {user.username} is not active")
    return Actor.for_user(user)


def _error_line(exc: BaseException) -> tuple[str, int]:
    """The one line and exit status for an exception escaping a command."""
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError
    from django.db import DatabaseError

    from shieldwall.core.errors import DomainError

    if isinstance(exc, UsageError):
        return str(exc), 2
    if isinstance(exc, DomainError):
        return exc.detail, 1
    if isinstance(exc, ImproperlyConfigured):
        return f"configuration: {exc}", 1
    if isinstance(exc, DatabaseError):
        message = str(exc).strip() or type(exc).__name__
        missing_table = "no such table" in message or "does not exist" in message
        hint = " (run 'shieldwall migrate')" if missing_table else ""
        return f"database: {message.splitlines()[0]}{hint}", 1
    if isinstance(exc, CommandFailed | CommandError):
        return str(exc), 1
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", 130
    return f"unexpected {type(exc).__name__}: {exc} (run again with --traceback for details)", 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `shieldwall` command; returns the exit status."""
    args: argparse.Namespace | None = None
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        configure_django(args.settings)
        result = args.handler(Context(args))
        return int(result or 0)
    except SystemExit as exc:  # --help and --version exit through argparse with status 0
        return exc.code if isinstance(exc.code, int) else 0
    except BrokenPipeError:
        # The reader went away (`shieldwall meeting list | head`): stop quietly, as a shell tool does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (Exception, KeyboardInterrupt) as exc:
        if args is not None and getattr(args, "traceback", False):
            raise
        line, status = _error_line(exc)
        one_line = " ".join(line.split())
        sys.stderr.write(f"{PROG}: error: {one_line}\n")
        return status
