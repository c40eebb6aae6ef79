"""The access rule, in one place, failing closed (DESIGN.md §2).

Read: clearance ≥ classification, and (PUBLIC, or originated by the actor's nation, or the nation is in the
REL TO rows, or COALITION and the nation is a current member). Write: a rule registered per model from the
actor's roles and nation; a model without a rule cannot be written by anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.db import models
from django.db.models import Exists, OuterRef, Q

from shieldwall.core.actor import Actor
from shieldwall.core.markings import Releasability, ceiling
from shieldwall.core.models import Marked

Action = Literal["view", "create", "change", "delete"] | str
WriteRule = Callable[[Actor, str, models.Model | None], bool]

_write_rules: dict[type[models.Model], WriteRule] = {}


def write_rule(model: type[models.Model]) -> Callable[[WriteRule], WriteRule]:
    """Register who may create, change or delete records of `model` (and its own verbs such as `submit`)."""

    def register(rule: WriteRule) -> WriteRule:
        _write_rules[model] = rule
        return rule

    return register


def rel_to_through(model: type[Marked]) -> tuple[type[models.Model], str]:
    field = model._meta.get_field("rel_to")
    assert isinstance(field, models.ManyToManyField)
    return field.remote_field.through, field.m2m_field_name()  # type: ignore[return-value]


@dataclass(frozen=True)
class _OptimiserActor(Actor):
    """See `optimiser_actor()`; a class of its own so no ordinary actor can ever be mistaken for it."""


def optimiser_actor() -> Actor:
    """The one principal that reads records whatever their releasability: the matching optimiser.

    Matching is only exact if it sees every open requirement and every available pledge line, including those
    released to some nations only (issue 5: "the optimiser itself may see all inputs"). This actor reads every
    record up to the deployment ceiling — the clearance part of the rule still applies — and nothing else: it
    holds no roles and no nation, so every write rule refuses it, and the audit log stays closed to it.

    It is used ONLY by `shieldwall.matching.inputs`, which builds the optimiser's input (an architecture test
    fails for any other use). What the optimiser computes reaches people only through the matching selectors,
    which filter assignments and gaps by the viewer's own sight.
    """
    return _OptimiserActor(user_id=None, username="matching optimiser", nation_id=None, nation_code=None,
                           clearance=ceiling(), is_system=True)


def originator_actor(model: type[Marked], pk: object, *, purpose: str) -> Actor | None:
    """The record's own nation at the deployment ceiling, for a derivation that must not depend on who triggered it.

    A requirement's status follows the pledge lines against it whoever changed them — a donor cancelling a line a
    coordinator allocated to a requirement the donor cannot see still moves that requirement. The derivation reads
    as the record's originating nation (what it may see decides), is named `purpose` in the audit log, and holds no
    roles; None when the record does not exist. Nothing about the record reaches the triggering user.
    """
    from shieldwall.coalition.selectors import nation_is_current_member

    row = model.unscoped.filter(pk=pk).values_list("originator_id", "originator__code").first()
    if row is None:
        return None
    nation_id, code = row
    return Actor(user_id=None, username=purpose, nation_id=nation_id, nation_code=code, clearance=ceiling(),
                 is_member=nation_is_current_member(nation_id=nation_id), is_system=True)


def releasable_q(actor: Actor, model: type[models.Model]) -> Q:
    """The filter that keeps exactly the records of `model` the actor may read."""
    if not isinstance(actor, Actor):
        raise TypeError("releasable_q() needs an Actor; there is no implicit user")
    if not issubclass(model, Marked):
        return Q()
    if isinstance(actor, _OptimiserActor):
        return Q(classification__lte=int(actor.clearance))
    readable = Q(releasability=Releasability.PUBLIC)
    if actor.nation_id is not None:
        through, source = rel_to_through(model)
        rel_rows = through._default_manager.filter(**{source: OuterRef("pk"), "nation_id": actor.nation_id})
        readable |= Q(originator_id=actor.nation_id)
        readable |= Q(Q(releasability=Releasability.REL_TO), Exists(rel_rows))
        if actor.is_member:
            readable |= Q(releasability=Releasability.COALITION)
    return Q(classification__lte=int(actor.clearance)) & readable


def audit_visible_q(actor: Actor) -> Q:
    """The same rule over audit events, which carry the marking of the record they are about."""
    readable = Q(releasability=Releasability.PUBLIC)
    if actor.nation_code:
        readable |= Q(originator=actor.nation_code)
        readable |= Q(releasability=Releasability.REL_TO, rel_to__contains=f",{actor.nation_code},")
        if actor.is_member:
            readable |= Q(releasability=Releasability.COALITION)
    return Q(classification__lte=int(actor.clearance)) & readable


def is_releasable(actor: Actor, obj: Marked) -> bool:
    """The same rule for one object already in memory (used after a write, inside its transaction)."""
    if obj.classification > actor.clearance:
        return False
    if obj.releasability == Releasability.PUBLIC or isinstance(actor, _OptimiserActor):
        return True
    if actor.nation_id is None:
        return False
    if obj.originator_id == actor.nation_id:
        return True
    if obj.releasability == Releasability.COALITION:
        return actor.is_member
    through, source = rel_to_through(type(obj))
    return through._default_manager.filter(**{source: obj.pk, "nation_id": actor.nation_id}).exists()


def can(actor: Actor, action: Action, obj: models.Model | type[models.Model]) -> bool:
    """May `actor` do `action` on `obj` (an instance, or a model class for `create`)?"""
    instance = None if isinstance(obj, type) else obj
    model = obj if isinstance(obj, type) else type(obj)
    saved = instance is not None and instance.pk is not None
    if saved and isinstance(instance, Marked) and not is_releasable(actor, instance):
        return False
    if action == "view":
        return True
    if not actor.is_authenticated:
        return False
    rule = _write_rules.get(model)
    return bool(rule and rule(actor, action, instance))
