"""The one no-leak test (DESIGN.md §2): every API operation, page and CLI command, called by actors of
different nations, tiers and clearances, never shows a record its caller may not see — and answers 404 for it.

The lists of what to call live in `registry.py`; an operation, URL or command missing there fails the test.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shieldwall.cli import build_parser, main
from shieldwall.config.api import api
from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent, User
from shieldwall.core.services import token_create
from tests.no_leak.registry import API_CASES, CLI_CASES, MARKERS, PAGE_CASES, SEEDERS, VARIANTS, Case

# What each actor must never see (variants of the seeded records).
HIDDEN = {
    "fra-donor": {"relto"},
    "gbr-analyst": {"conf"},
    "jpn-analyst": {"relto", "conf", "coal"},
    "auditor": {"relto", "conf"},
    "anonymous": {"relto", "conf", "coal"},
}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def world(coord: Actor, gbr_coord: Actor, fra_officer_user: User, gbr_analyst_user: User,
          jpn_observer_user: User, auditor_user: User) -> dict[str, Any]:
    actors = {"coord": coord, "gbr_coord": gbr_coord}
    ids: dict[str, int] = {}
    for seed in SEEDERS:
        ids.update(seed(actors))
    users = {"fra-donor": fra_officer_user, "gbr-analyst": gbr_analyst_user, "jpn-analyst": jpn_observer_user,
             "auditor": auditor_user}
    return {"ids": ids, "users": users}


def _values(spec: str, ids: dict[str, int]) -> list[tuple[str | None, str]]:
    """(variant or None, value) pairs for one parameter spec."""
    if spec.startswith("="):
        return [(None, spec[1:])]
    if spec.startswith("#"):
        return [(None, str(ids[spec[1:]]))]
    return [(variant, str(ids[f"{spec}:{variant}"])) for variant in VARIANTS]


def _fillings(case: Case, ids: dict[str, int]) -> Iterator[tuple[set[str], dict[str, str]]]:
    """Each combination of parameter values, with the variants it involves."""
    if not case.params:
        yield set(), {}
        return
    names = list(case.params)
    first = _values(case.params[names[0]], ids)
    # Parameters of one case refer to the same seeded variant (meeting and its attendance, say).
    for index, (variant, value) in enumerate(first):
        filling = {names[0]: value}
        for other in names[1:]:
            values = _values(case.params[other], ids)
            filling[other] = values[min(index, len(values) - 1)][1]
        yield ({variant} if variant else set()), filling


def _assert_no_markers(text: str, hidden: set[str], where: str) -> None:
    for variant in hidden:
        assert MARKERS[variant] not in text, f"{where} shows a {variant} record"


# --- API ----------------------------------------------------------------------------------------------------


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} /api/v1{path.removeprefix('/api/v1')}"
            for path, ops in schema["paths"].items() for method in ops if method in HTTP_METHODS}


def test_every_api_operation_is_walked() -> None:
    operations = api_operations()
    assert sorted(operations - set(API_CASES)) == [], "add these operations to tests/no_leak/registry.py"
    assert sorted(set(API_CASES) - operations) == [], "these registered operations no longer exist"


def _bearer(user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    _, clear = token_create(actor=Actor.for_user(user), name="no-leak")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


@pytest.mark.parametrize("who", sorted(HIDDEN))
def test_api_never_leaks(client: Client, world: dict[str, Any], who: str) -> None:
    headers = _bearer(world["users"].get(who))
    hidden = HIDDEN[who]
    for key, case in API_CASES.items():
        if case.kind == "create":
            continue
        method, template = key.split(" ", 1)
        for variants, filling in _fillings(case, world["ids"]):
            if case.kind == "write" and not variants & hidden:
                continue  # writes are only tried against records the actor may not see
            # Query parameters may take seeded ids too (`a={a}&b={b}`).
            url = template.format(**filling) + (f"?{case.query.format(**filling)}" if case.query else "")
            before = AuditEvent.objects.count()
            body = json.dumps(case.body or {})
            response = client.generic(method, url, body, content_type="application/json",
                                      HTTP_IF_MATCH='"0-1"', **headers)
            text = response.content.decode()
            _assert_no_markers(text, hidden, f"{who}: {method} {url}")
            if variants & hidden:
                assert response.status_code in (401, 404), f"{who}: {method} {url} -> {response.status_code}"
            if case.kind == "write":
                assert AuditEvent.objects.count() == before, f"{who}: {method} {url} wrote something"


# --- pages --------------------------------------------------------------------------------------------------


def page_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace not in ("api",):
                    walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(entry.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_page_is_walked() -> None:
    names = page_names()
    assert sorted(names - set(PAGE_CASES)) == [], "add these pages to tests/no_leak/registry.py"
    assert sorted(set(PAGE_CASES) - names) == [], "these registered pages no longer exist"


@pytest.mark.parametrize("who", sorted(HIDDEN))
def test_pages_never_leak(client: Client, world: dict[str, Any], who: str) -> None:
    user = world["users"].get(who)
    if user is not None:
        client.force_login(user)
    hidden = HIDDEN[who]
    for name, case in PAGE_CASES.items():
        if case.kind == "create":
            continue
        for variants, filling in _fillings(case, world["ids"]):
            url = reverse(name, kwargs=filling or None) + (f"?{case.query}" if case.query else "")
            before = AuditEvent.objects.count()
            response = client.post(url, {}) if case.kind == "write" else client.get(url)
            _assert_no_markers(response.content.decode(), hidden, f"{who}: page {url}")
            if variants & hidden and user is not None:
                assert response.status_code == 404, f"{who}: page {url} -> {response.status_code}"
            if case.kind == "write":
                assert AuditEvent.objects.count() == before, f"{who}: POST {url} wrote something"


# --- CLI ----------------------------------------------------------------------------------------------------


def cli_commands() -> set[str]:
    import argparse

    found: set[str] = set()

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found.add(prefix.strip())
        for action in subs:
            for name, child in action.choices.items():
                walk(child, f"{prefix} {name}")

    walk(build_parser(), "")
    return found


def test_every_cli_command_is_walked() -> None:
    commands = cli_commands()
    assert sorted(commands - set(CLI_CASES)) == [], "add these commands to tests/no_leak/registry.py"
    assert sorted(set(CLI_CASES) - commands) == [], "these registered commands no longer exist"


@pytest.mark.parametrize("who", sorted(HIDDEN))
def test_cli_never_leaks(world: dict[str, Any], who: str) -> None:
    user = world["users"].get(who)
    as_user = ["--as", user.username] if user is not None else []
    hidden = HIDDEN[who]
    for command, case in CLI_CASES.items():
        if case.kind == "create":
            continue
        for variants, filling in _fillings(case, world["ids"]):
            extra = case.query
            for placeholder, value in filling.items():
                extra = extra.replace(placeholder, value)
            argv = [*as_user, "--format", "json", *command.split(), *extra.split()]
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                status = main(argv)
            _assert_no_markers(out.getvalue() + err.getvalue(), hidden, f"{who}: shieldwall {' '.join(argv)}")
            if variants & hidden:
                assert status != 0 and "not found" in err.getvalue(), f"{who}: {argv} -> {status}"
