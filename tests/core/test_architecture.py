"""Architecture rules that keep the access policy and the audit trail honest."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "shieldwall"
WRITE_CALLS = {"save", "delete", "create", "bulk_create", "bulk_update", "update", "get_or_create",
               "update_or_create", "add", "remove", "set", "clear"}
# Modules that may write through the ORM: services, and core's infrastructure that services call.
WRITE_ALLOWED = re.compile(r"(^|/)(services\.py|services/|migrations/)|^core/")


def python_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def rel(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def test_unscoped_managers_stay_in_core() -> None:
    offenders = []
    for path in python_files():
        if rel(path).startswith("core/"):
            continue
        text = path.read_text()
        for name in (".unscoped", "_default_manager", "_base_manager"):
            if name in text:
                offenders.append(f"{rel(path)} uses {name}")
    assert offenders == []


def _orm_writes(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_CALLS:
            target = node.func.value
            # obj.save(), Model.objects.create(...), qs.update(...), obj.rel.set(...): receivers are names,
            # attributes or calls — not literals (dict.update on a literal is not a write).
            text = ast.unparse(target)
            if text in {"router", "api"}:  # HTTP verbs of the API routers, not ORM calls
                continue
            if node.func.attr in {"update", "add", "remove", "set", "clear"} and not (
                "objects" in text or text.endswith(("rel_to", "leads", "members"))
            ):
                continue
            if node.func.attr == "create" and "objects" not in text:
                continue
            found.append((node.lineno, f"{text}.{node.func.attr}()"))
    return found


def test_no_orm_writes_outside_services() -> None:
    offenders = []
    for path in python_files():
        if WRITE_ALLOWED.search(rel(path)):
            continue
        for line, call in _orm_writes(ast.parse(path.read_text())):
            offenders.append(f"{rel(path)}:{line} {call}")
    assert offenders == []


def test_every_marked_model_has_a_write_rule() -> None:
    from django.apps import apps

    from shieldwall.core.access import _write_rules
    from shieldwall.core.models import Marked

    marked = [m for m in apps.get_models() if issubclass(m, Marked)]
    assert marked, "no marked models found"
    assert [m.__name__ for m in marked if m not in _write_rules] == []


def test_the_optimiser_actor_is_used_only_to_build_the_matching_input() -> None:
    """`optimiser_actor()` reads records whatever their releasability: only the matching input builder may."""
    allowed = {"core/access.py", "matching/inputs.py"}
    offenders = [rel(path) for path in python_files()
                 if rel(path) not in allowed and ("optimiser_actor" in (text := path.read_text())
                                                  or "_OptimiserActor" in text)]
    assert offenders == []
    assert "optimiser_actor()" in (SRC / "matching" / "inputs.py").read_text()
