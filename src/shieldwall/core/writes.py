"""The shared steps of every service write: permission, validation, one transaction, the write re-check and
the audit event. Domain services call these; they never write through the ORM from adapters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from shieldwall.core import audit
from shieldwall.core.access import can, is_releasable
from shieldwall.core.actor import Actor
from shieldwall.core.errors import (
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from shieldwall.core.markings import Releasability
from shieldwall.core.models import Marked, Tracked

M = TypeVar("M", bound=models.Model)


def require(actor: Actor, action: str, obj: models.Model | type[models.Model]) -> None:
    if not can(actor, action, obj):
        label = obj._meta.verbose_name
        raise PermissionDenied(f"{actor.username} may not {action} this {label}")


def audited_fields(obj: models.Model) -> list[str]:
    skip = {"id", "created_at", "updated_at", "version", "rel_to"}
    return [f.name for f in obj._meta.concrete_fields if f.name not in skip]


def nation_ids(codes: Iterable[str], *, known: Mapping[str, int] | None = None) -> list[int]:
    """Resolve REL TO codes to nation ids, refusing unknown codes with the field named.

    `known` (code -> id of the nations a batch names, read once) saves the query per record.
    """
    from shieldwall.coalition.models import Nation

    wanted = sorted({c.strip().upper() for c in codes if c.strip()})
    if known is None:
        known = dict(Nation.objects.filter(code__in=wanted).values_list("code", "id"))
    missing = [c for c in wanted if c not in known]
    if missing:
        raise ValidationFailed({"rel_to": [f"unknown nation code(s): {', '.join(missing)}"]})
    return [known[c] for c in wanted]


def _validate(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc


def marking_codes(obj: Marked, rel_to: Iterable[str] | None) -> list[str]:
    """The REL TO codes `obj` carries once written with `rel_to` (None: keep its current ones), checked against
    its releasability. Reads only the current codes of a saved record (when `rel_to` is None)."""
    if rel_to is None:
        codes = sorted(obj.rel_to.values_list("code", flat=True)) if obj.pk else []
    else:
        codes = sorted({c.strip().upper() for c in rel_to if c.strip()})
    if obj.releasability == Releasability.REL_TO and not codes:
        raise ValidationFailed({"rel_to": ["REL TO needs at least one nation"]})
    if obj.releasability == Releasability.REL_TO and rel_to is not None:
        # By convention a REL TO line names the originating nation too (it always sees its own records).
        codes = sorted({*codes, obj.originator.code})
    if obj.releasability != Releasability.REL_TO and codes:
        raise ValidationFailed({"rel_to": ["a REL TO list only applies when releasability is REL TO"]})
    return codes


def _apply_marking(obj: Marked, rel_to: Iterable[str] | None) -> list[str]:
    codes = marking_codes(obj, rel_to)
    if rel_to is not None:
        obj.rel_to.set(nation_ids(codes))
    return codes


def check_releasable(actor: Actor, obj: models.Model) -> None:
    """A write must not take a record out of its author's sight, nor release it to them: re-checked inside the
    transaction after each write, so the change rolls back if it did."""
    if isinstance(obj, Marked) and not is_releasable(actor, obj):
        raise ValidationFailed(
            {"releasability": ["this marking would hide the record from you; include your own nation"]}
        )


def create(
    *,
    actor: Actor,
    obj: M,
    rel_to: Iterable[str] | None = None,
    m2m: Mapping[str, Iterable[int]] | None = None,
    action: str | None = None,
    extra_audit: Mapping[str, Any] | None = None,
    permission: str = "create",
) -> M:
    """Create `obj`; `permission` names the right checked when it is not plain `create` (a line split)."""
    if isinstance(obj, Marked) and not obj.originator_id:
        if actor.nation_id is None:
            raise ValidationFailed({"originator": ["you have no nation, so you cannot originate records"]})
        obj.originator_id = actor.nation_id
    # The rule sees the unsaved record, so it can judge its content (e.g. whose announcement it is).
    require(actor, permission, obj)
    with transaction.atomic():
        _validate(obj)
        try:
            obj.save(force_insert=True)
        except IntegrityError as exc:
            raise ValidationFailed({"__all__": [f"conflicts with an existing record ({exc})"]}) from exc
        changes: dict[str, Any] = {k: [None, v] for k, v in audit.snapshot(obj, audited_fields(obj)).items()}
        if isinstance(obj, Marked):
            changes["rel_to"] = [None, _apply_marking(obj, rel_to)]
        for name, ids in (m2m or {}).items():
            getattr(obj, name).set(list(ids))
            changes[name] = [None, sorted(ids)]
        changes.update(extra_audit or {})
        check_releasable(actor, obj)
        audit.record(actor=actor, action=action or f"{obj._meta.model_name}.create", obj=obj, changes=changes)
    return obj


def check_version(obj: Tracked, expected_version: int | None) -> None:
    if expected_version is not None and obj.version != expected_version:
        raise PreconditionFailed(
            f"this record was changed by someone else (now version {obj.version}, you had {expected_version}); "
            "reload it and apply your change again"
        )


def update(
    *,
    actor: Actor,
    obj: M,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    rel_to: Iterable[str] | None = None,
    m2m: Mapping[str, Iterable[int]] | None = None,
    action: str | None = None,
    permission: str = "change",
    extra_audit: Mapping[str, Any] | None = None,
) -> M:
    """Apply `changes` to `obj`, which the caller fetched through its visible queryset with a row lock.

    `permission` names the right checked when it is a verb of its own (`allocate`, `ship`) rather than `change`.
    """
    require(actor, permission, obj)
    if isinstance(obj, Tracked):
        check_version(obj, expected_version)
    fields = audited_fields(obj)
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise ValidationFailed({name: ["this field cannot be changed"] for name in unknown})
    with transaction.atomic():
        before = audit.snapshot(obj, fields)
        old_codes = sorted(obj.rel_to.values_list("code", flat=True)) if isinstance(obj, Marked) else []
        for name, value in changes.items():
            setattr(obj, name, value)
        _validate(obj)
        if isinstance(obj, Tracked):
            obj.version += 1
        obj.save()
        diffs: dict[str, Any] = audit.diff(before, audit.snapshot(obj, fields))
        if isinstance(obj, Marked):
            new_codes = _apply_marking(obj, rel_to)
            if new_codes != old_codes:
                diffs["rel_to"] = [old_codes, new_codes]
        for name, ids in (m2m or {}).items():
            old = sorted(getattr(obj, name).values_list("pk", flat=True))
            getattr(obj, name).set(list(ids))
            if old != sorted(ids):
                diffs[name] = [old, sorted(ids)]
        diffs.update(extra_audit or {})
        check_releasable(actor, obj)
        audit.record(actor=actor, action=action or f"{obj._meta.model_name}.update", obj=obj, changes=diffs)
    return obj


def delete(*, actor: Actor, obj: models.Model, expected_version: int | None = None) -> None:
    require(actor, "delete", obj)
    if isinstance(obj, Tracked):
        check_version(obj, expected_version)
    with transaction.atomic():
        before = audit.snapshot(obj, audited_fields(obj))
        marking = audit.marking_of(obj, actor)
        pk = obj.pk
        try:
            obj.delete()
        except models.ProtectedError as exc:
            raise ValidationFailed({"__all__": ["other records still refer to this one; remove them first"]}) from exc
        audit.record(
            actor=actor,
            action=f"{obj._meta.model_name}.delete",
            object_type=obj._meta.label_lower,
            object_id=pk,
            changes={k: [v, None] for k, v in before.items()},
            marking=marking,
        )


def get_visible_for_update(queryset: models.QuerySet[M] | models.Manager[M], *, actor: Actor, pk: Any) -> M:
    """Fetch one record for a write: visible to the actor, locked until the transaction ends, or NotFound."""
    qs: Any = queryset.all()
    model: Any = qs.model
    if isinstance(qs, _scoped_types()):
        qs = qs.visible_to(actor)  # type: ignore[attr-defined]
    try:
        return cast(M, qs.select_for_update().get(pk=pk))
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"{model._meta.verbose_name} {pk} not found") from exc


def _scoped_types() -> tuple[type, ...]:
    from shieldwall.core.scoping import ScopedQuerySet

    return (ScopedQuerySet,)
