"""Fixtures of the analytics tests: the Kiel release from the shared data, imported by an analyst."""

from __future__ import annotations

import csv
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shieldwall.analytics import services
from shieldwall.analytics.models import DataSource
from shieldwall.coalition.demo import KIEL_FILE, shared_data_dir
from shieldwall.core.actor import Actor
from shieldwall.core.models import User


def kiel_dir() -> Path:
    found = shared_data_dir()
    if found is None:
        pytest.skip("the shared Kiel data (../shared/data/kiel-ust-r29) is not present")
    return (found / KIEL_FILE).parent


def read_csv(name: str) -> list[dict[str, str]]:
    with (kiel_dir() / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def d(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def analyst_user(make_user: Callable[..., User]) -> User:
    from shieldwall.core.markings import Classification

    return make_user("gbr-analyst-importer", "GBR", ["analyst"], Classification.RESTRICTED)


@pytest.fixture
def importer(analyst_user: User) -> Actor:
    return Actor.for_user(analyst_user)


@pytest.fixture
def kiel(importer: Actor) -> DataSource:
    return services.kiel_import(actor=importer, directory=kiel_dir()).source


@pytest.fixture
def copy_release(tmp_path: Path) -> Callable[..., Path]:
    """A writable copy of the release, optionally with one file's text changed."""

    def make(**replace: Any) -> Path:
        target = tmp_path / "release"
        target.mkdir(exist_ok=True)
        for path in kiel_dir().iterdir():
            text = path.read_text(encoding="utf-8")
            change = replace.get(path.name)
            (target / path.name).write_text(change(text) if change else text, encoding="utf-8")
        return target

    return make
