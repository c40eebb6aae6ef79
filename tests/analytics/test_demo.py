"""The analytics demo: Kiel Release 29 imported once, as PUBLIC facts; loading again changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.analytics import demo, selectors
from shieldwall.analytics.models import Contribution, DataSource
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Classification
from tests.analytics.conftest import kiel_dir


@pytest.mark.django_db
def test_demo_imports_kiel_once(make_user: Any) -> None:
    kiel_dir()  # skips without the shared data
    make_user("admin", "GBR", ["admin"], Classification.RESTRICTED)
    assert demo.load() == 4316
    public = Contribution.objects.visible_to(Actor.anonymous())
    count = public.count()
    assert count >= 4316 and selectors.source_get(actor=Actor.anonymous()).code == "kiel-ust-r29"
    assert demo.load() == 0
    assert public.count() == count and DataSource.objects.filter(kind="external").count() == 1
