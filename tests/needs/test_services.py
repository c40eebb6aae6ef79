"""The requirement lifecycle by role: recipients create, edit drafts, submit and withdraw their own nation's
requirements; coordinators validate, return (with a reason), open and reprioritise; illegal steps are refused
with what is allowed; each step is audited under its own name. And the derived status from pledge lines."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shieldwall.core.actor import Actor
from shieldwall.core.errors import Conflict, NotFound, PermissionDenied, PreconditionFailed, ValidationFailed
from shieldwall.core.models import AuditEvent
from shieldwall.core.services import user_create
from shieldwall.needs import services
from shieldwall.needs.models import Requirement
from tests.needs.factories import SYSTEM, make_catalogue, make_line, make_package, make_requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat(nations: Any) -> dict[str, Any]:
    return make_catalogue()


@pytest.fixture
def pol_recipient(nations: Any) -> Actor:
    user = user_create(actor=SYSTEM, username="pol-recipient", password="x" * 20, nation="POL",
                       roles=["recipient"], clearance=1, validate=False)
    return Actor.for_user(user)


def actions(requirement: Requirement) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="needs.requirement", object_id=str(requirement.pk))
                .order_by("seq").values_list("action", flat=True))


def test_the_full_cycle_by_role(cat: dict[str, Any], ukr_desk: Actor, coord: Actor) -> None:
    req = services.requirement_create(actor=ukr_desk, item_class_id=cat["c155"].pk, quantity=5000,
                                      need_by=date(2026, 10, 1), destination="Rzeszów hub", priority=2,
                                      title="155 mm for the eastern front", releasability="REL_TO",
                                      rel_to=["FRA"])
    assert (req.status, req.originator.code) == ("draft", "UKR")
    assert sorted(req.rel_to.values_list("code", flat=True)) == ["FRA", "UKR"]  # the originator is named
    req = services.requirement_update(actor=ukr_desk, id=req.pk, expected_version=req.version, quantity=6000)
    req = services.requirement_submit(actor=ukr_desk, id=req.pk)
    with pytest.raises(PermissionDenied):
        services.requirement_validate(actor=ukr_desk, id=req.pk)
    req = services.requirement_validate(actor=coord, id=req.pk)
    req = services.requirement_return(actor=coord, id=req.pk, reason="  split by   destination ")
    assert (req.status, req.status_reason) == ("draft", "split by destination")
    req = services.requirement_submit(actor=ukr_desk, id=req.pk)
    assert req.status_reason == ""
    services.requirement_validate(actor=coord, id=req.pk)
    req = services.requirement_open(actor=coord, id=req.pk)
    req = services.requirement_reprioritise(actor=coord, id=req.pk, priority=1)
    assert (req.status, req.priority, req.quantity) == ("open", 1, 6000)
    req = services.requirement_withdraw(actor=ukr_desk, id=req.pk, reason="met bilaterally")
    assert req.status == "withdrawn" and req.status_changed_at is not None
    assert actions(req) == ["requirement.create", "requirement.update", "requirement.submit", "requirement.validate",
                            "requirement.return", "requirement.submit", "requirement.validate", "requirement.open",
                            "requirement.reprioritise", "requirement.withdraw"]
    returned = AuditEvent.objects.get(object_id=str(req.pk), action="requirement.return")
    assert returned.changes["status"] == ["validated", "draft"]
    assert returned.changes["status_reason"] == ["", "split by destination"]


def test_illegal_steps_say_what_is_allowed(cat: dict[str, Any], ukr_desk: Actor, coord: Actor) -> None:
    req = make_requirement(ukr_desk, cat["c155"], status="draft")
    with pytest.raises(Conflict, match="a requirement that is draft cannot be validated; allowed now: submit, "
                                       "withdraw"):
        services.requirement_validate(actor=coord, id=req.pk)
    with pytest.raises(Conflict, match="cannot be opened"):
        services.requirement_open(actor=coord, id=req.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.requirement_withdraw(actor=ukr_desk, id=req.pk, reason="   ")
    assert exc.value.errors == {"reason": ["say why the requirement is withdrawn"]}
    met = make_requirement(ukr_desk, cat["c155"], status="met")
    with pytest.raises(Conflict, match="allowed now: none"):
        services.requirement_withdraw(actor=coord, id=met.pk, reason="x")
    with pytest.raises(ValidationFailed, match="priority"):
        services.requirement_transition(actor=coord, id=met.pk, action="reprioritise")
    with pytest.raises(ValidationFailed, match="unknown step"):
        services.requirement_transition(actor=coord, id=met.pk, action="publish")
    assert actions(req) == ["requirement.create"]


def test_only_drafts_are_edited_and_with_the_version_read(cat: dict[str, Any], ukr_desk: Actor,
                                                           coord: Actor) -> None:
    req = make_requirement(ukr_desk, cat["c155"], status="draft")
    with pytest.raises(PreconditionFailed):
        services.requirement_update(actor=ukr_desk, id=req.pk, expected_version=req.version + 1, quantity=1)
    with pytest.raises(ValidationFailed, match="cannot be changed here"):
        services.requirement_update(actor=ukr_desk, id=req.pk, status="met")
    with pytest.raises(ValidationFailed) as exc:
        services.requirement_update(actor=ukr_desk, id=req.pk, item_class_id=999999)
    assert "item_class_id" in exc.value.errors
    opened = make_requirement(ukr_desk, cat["c155"], status="open")
    with pytest.raises(Conflict, match="only drafts can"):
        services.requirement_update(actor=ukr_desk, id=opened.pk, quantity=1)


def test_recipients_work_on_their_own_nation_only(cat: dict[str, Any], ukr_desk: Actor, pol_recipient: Actor,
                                                  fra_officer: Actor) -> None:
    coalition_wide = make_requirement(ukr_desk, cat["c155"], status="draft")
    private = make_requirement(ukr_desk, cat["c155"], status="draft", classification=1, releasability="REL_TO",
                               rel_to=["UKR"])
    with pytest.raises(PermissionDenied):
        services.requirement_submit(actor=pol_recipient, id=coalition_wide.pk)
    with pytest.raises(NotFound):  # not released to Poland: it does not exist for them
        services.requirement_submit(actor=pol_recipient, id=private.pk)
    with pytest.raises(PermissionDenied):
        services.requirement_create(actor=fra_officer, item_class_id=cat["c155"].pk, quantity=1,
                                    need_by=date(2026, 1, 1), destination="x")
    with pytest.raises(ValidationFailed) as exc:
        services.requirement_create(actor=ukr_desk, item_class_id=cat["c155"].pk, quantity=0,
                                    need_by=date(2026, 1, 1), destination="x", priority=9)
    assert {"quantity", "priority"} <= set(exc.value.errors)


def test_refresh_status_follows_allocated_lines(cat: dict[str, Any], ukr_desk: Actor, coord: Actor,
                                                fra_officer: Actor) -> None:
    req = make_requirement(ukr_desk, cat["c155"], quantity=100, status="open")
    fra, deu = make_package("FRA"), make_package("DEU")
    committed = make_line(fra, req, cat["m795"], quantity=80, value_eur="1", status="committed")
    assert services.requirement_refresh_status(actor=coord, requirement_id=req.pk).status == "open"
    assert actions(req) == ["requirement.create"]  # nothing changed, nothing written
    Line = type(committed)
    Line.unscoped.filter(pk=committed.pk).update(status="allocated")
    assert services.requirement_refresh_status(actor=fra_officer, requirement_id=req.pk).status == "partially_met"
    # A line Ukraine may not see does not make its need met, whoever refreshes.
    hidden = make_line(deu, req, cat["m795"], quantity=20, value_eur="1", status="delivered", delivered=20,
                       releasability="REL_TO", rel_to=["DEU"])
    assert services.requirement_refresh_status(actor=coord, requirement_id=req.pk).status == "partially_met"
    Line.unscoped.filter(pk=hidden.pk).update(releasability="COALITION")
    assert services.requirement_refresh_status(actor=coord, requirement_id=req.pk).status == "met"
    Line.unscoped.filter(pk__in=[committed.pk, hidden.pk]).update(status="cancelled")
    done = services.requirement_refresh_status(actor=coord, requirement_id=req.pk)
    assert (done.status, done.version) == ("open", 4)
    assert actions(req) == ["requirement.create", "requirement.refresh_status", "requirement.refresh_status",
                            "requirement.refresh_status"]
    # Only published requirements move.
    draft = make_requirement(ukr_desk, cat["c155"], quantity=1, status="validated")
    make_line(fra, draft, cat["m795"], quantity=5, value_eur="1", status="allocated")
    assert services.requirement_refresh_status(actor=coord, requirement_id=draft.pk).status == "validated"
