"""The requirements demo: the plan is reproducible and plausible (pure), and loading it through the services gives
a list in every status, created by Ukraine and validated by the coordinators, once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from shieldwall.catalogue import demo as catalogue_demo
from shieldwall.catalogue import reference
from shieldwall.catalogue.models import CapabilityArea, ItemClass
from shieldwall.coalition import demo as coalition_demo
from shieldwall.core import audit
from shieldwall.core import demo as core_demo
from shieldwall.core.models import AuditEvent
from shieldwall.needs import demo, services
from shieldwall.needs.models import Requirement
from shieldwall.needs.selectors import requirement_list

SIZE = 0.1  # about 30 requirements


def catalogue_classes() -> list[ItemClass]:
    """The reference catalogue's classes, unsaved: the plan needs only their names, prices and areas."""
    areas = {spec.area: CapabilityArea(code=spec.area, name=spec.area) for spec in reference.CLASSES}
    return [ItemClass(name=spec.name, area=areas[spec.area], reference_unit_price_eur=spec.price)
            for spec in reference.CLASSES]


def test_plan_is_reproducible_and_plausible() -> None:
    plans = demo.plan(classes=catalogue_classes(), size=1)
    assert plans == demo.plan(classes=catalogue_classes(), size=1)
    assert len(plans) == 300 and plans[0].title == demo.MARKER_TITLE
    assert {p.item_class for p in plans} >= {"Patriot interceptor", "FPV drone", "mine detector"}
    areas = {spec.name: spec.area for spec in reference.CLASSES}
    assert set(Counter(areas[p.item_class] for p in plans)) == set(demo.AREA_WEIGHTS)  # every area
    for p in plans[len(demo.HEADLINES):]:
        low, high = demo.QUANTITIES[p.item_class]
        # Two significant figures of a draw between the class's bounds.
        assert low * 0.95 <= p.quantity <= high * 1.05, p
        assert 1 <= p.priority <= 5 and 14 <= p.need_in_days <= 365
    finals = Counter(p.final for p in plans)
    assert finals["open"] > 200 and all(finals[s] >= 3 for s in ("draft", "submitted", "validated", "withdrawn"))
    assert Counter(p.releasability for p in plans).keys() == {"PUBLIC", "COALITION", "REL_TO"}
    assert {p.classification for p in plans} == {0, 1, 2}
    assert len({p.title for p in plans}) == len(plans)  # titles tell requirements apart


def test_nice_quantities() -> None:
    assert [demo.nice(q) for q in (0.2, 3.4, 11_873, 149_600, 96)] == [1, 3, 12_000, 150_000, 96]


@pytest.fixture(scope="module")
def demo_db(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The coalition, catalogue and requirements demos loaded once for this module, in a transaction rolled back
    at its end; each test runs in a savepoint inside it (the `db` fixture), so they cannot disturb each other."""
    with django_db_blocker.unblock(), transaction.atomic(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHIELDWALL_SHARED_DATA", str(tmp_path_factory.mktemp("none")))  # no Kiel file: quicker
        coalition_demo.load()
        catalogue_demo.load()
        yield demo.load(size=SIZE)
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_db: int, db: Any) -> int:
    return demo_db


def test_load_goes_through_the_lifecycle(loaded: int) -> None:
    recipient, coordinator = core_demo.actor("ukr-recipient"), core_demo.actor("coord")
    requirements = list(requirement_list(actor=recipient))
    assert len(requirements) == 30 and {r.originator.code for r in requirements} == {"UKR"}
    statuses = Counter(r.status for r in requirements)
    assert statuses["open"] >= 15 and statuses["draft"] >= 2 and statuses["submitted"] >= 2
    assert statuses["withdrawn"] >= 1
    today = demo.reference_date()
    assert all(today < r.need_by <= today + timedelta(days=365) for r in requirements)
    assert all(r.status_reason for r in requirements if r.status == "withdrawn")
    # Each write was a service call with its own audit event, by the recipient or a coordinator.
    events = AuditEvent.objects.filter(object_type="needs.requirement")
    assert events.count() == loaded
    assert set(events.values_list("actor_username", flat=True)) <= {"ukr-recipient", *demo.COORDINATORS}
    assert events.filter(action="requirement.validate").count() >= statuses["open"]
    assert audit.verify().intact
    # A newcomer coordinator finds submitted requirements to validate.
    waiting = requirement_list(actor=coordinator).filter(status="submitted", title__startswith="Counter-drone").get()
    assert services.requirement_validate(actor=coordinator, id=waiting.pk).status == "validated"


def test_markings_stay_within_the_ceiling_and_the_rule(loaded: int) -> None:
    everything = Requirement.objects.visible_to(core_demo.actor("ukr-recipient"))
    assert {r.releasability for r in everything} == {"PUBLIC", "COALITION", "REL_TO"}
    odesa = everything.get(title="IRIS-T SLM reloads for Odesa")
    assert sorted(odesa.rel_to.values_list("code", flat=True)) == ["DEU", "UKR"]
    assert not requirement_list(actor=core_demo.actor("fra-donor")).filter(pk=odesa.pk).exists()
    assert odesa.status == "open"  # validated and opened by the German coordinator, who may see it


def test_loading_twice_changes_nothing(loaded: int) -> None:
    before = AuditEvent.objects.count()
    assert demo.load(size=SIZE) == 0
    assert AuditEvent.objects.count() == before
