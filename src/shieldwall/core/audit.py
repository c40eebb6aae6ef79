"""The tamper-evident audit chain: each event hashes its canonical JSON together with the previous hash.

Services call `record()` explicitly inside their transaction (no signals), so an event exists exactly when
its change was committed. Appends are serialised (an advisory lock on PostgreSQL, the IMMEDIATE write lock on
SQLite) so the chain has no forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x5348_4C44  # "SHLD": one advisory lock for the whole chain


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited values of `fields` (foreign keys by id)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = jsonable(getattr(obj, attname))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as `{field: [old, new]}`."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_user_id": event.actor_user_id,
        "actor_username": event.actor_username,
        "actor_nation": event.actor_nation,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "changes": event.changes,
        "classification": event.classification,
        "releasability": event.releasability,
        "originator": event.originator,
        "rel_to": event.rel_to,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    canonical = json.dumps(_payload(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


@dataclass(frozen=True)
class EventMarking:
    classification: int
    releasability: str
    originator: str
    rel_to: str

    @classmethod
    def of(cls, classification: int, releasability: str, originator: str, codes: Iterable[str]) -> EventMarking:
        """A record's marking as events carry it: REL TO codes sorted, between commas for a LIKE match."""
        ordered = sorted(codes)
        return cls(classification, releasability, originator, f",{','.join(ordered)}," if ordered else "")


def marking_of(obj: models.Model | None, actor: Actor) -> EventMarking:
    """The marking an event about `obj` carries: the record's own, else that of the marked record it belongs
    to (a meeting's attendance), else UNCLASSIFIED // REL TO COALITION from the actor's nation."""
    from shieldwall.core.models import Marked

    source: Any = obj
    if obj is not None and not isinstance(obj, Marked):
        source = None
        for field in obj._meta.concrete_fields:
            related = getattr(field, "related_model", None)
            if isinstance(related, type) and issubclass(related, Marked):
                source = getattr(obj, field.name)
                break
    if source is None:
        return EventMarking(0, "COALITION", actor.nation_code or "", "")
    codes = source.rel_to.values_list("code", flat=True) if source.releasability == "REL_TO" else []
    return EventMarking.of(source.classification, source.releasability, source.originator.code, codes)


def _new_event(actor: Actor, action: str, obj: models.Model | None, object_type: str | None,
               object_id: str | int | None, changes: Mapping[str, Any] | None, mark: EventMarking,
               last: AuditEvent | None) -> AuditEvent:
    """The event that follows `last` in the chain, hashed, not saved."""
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        at=timezone.now(),
        actor_user_id=actor.user_id,
        actor_username=actor.username,
        actor_nation=actor.nation_code or "",
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id if object_id is not None else (obj.pk if obj is not None else "")),
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=jsonable(dict(changes or {})),
        classification=mark.classification,
        releasability=mark.releasability,
        originator=mark.originator,
        rel_to=mark.rel_to,
        prev_hash=last.hash if last else GENESIS,
    )
    # Round-trip through JSON so the hash covers exactly what the database will hand back.
    event.changes = json.loads(json.dumps(event.changes))
    event.hash = compute_hash(event)
    return event


def _last_event() -> AuditEvent | None:
    return AuditEvent.objects.order_by("-seq").only("seq", "hash").first()


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    changes: Mapping[str, Any] | None = None,
    marking: EventMarking | None = None,
) -> AuditEvent:
    """Append one event; must run inside the transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside the service's transaction")
    mark = marking or marking_of(obj, actor)
    _lock_chain()
    event = _new_event(actor, action, obj, object_type, object_id, changes, mark, _last_event())
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class Entry:
    """One event of `record_many`: what `record()` would be given for it."""

    action: str
    obj: models.Model
    changes: Mapping[str, Any]
    marking: EventMarking | None = None


def record_many(*, actor: Actor, entries: Sequence[Entry]) -> list[AuditEvent]:
    """Append one event per entry, in order: the events `record()` called for each would append (the same
    sequence numbers, links and hashes), under one lock and one read of the chain's end, in one INSERT.

    Must run inside the transaction of the changes it records, as `record()`.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record_many() must run inside the service's transaction")
    if not entries:
        return []
    marks = [entry.marking or marking_of(entry.obj, actor) for entry in entries]
    _lock_chain()
    last = _last_event()
    events: list[AuditEvent] = []
    for entry, mark in zip(entries, marks, strict=True):
        last = _new_event(actor, entry.action, entry.obj, None, None, entry.changes, mark, last)
        events.append(last)
    AuditEvent.objects.bulk_create(events)
    return events


@dataclass(frozen=True)
class VerifyResult:
    count: int
    broken_seq: int | None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify(*, chunk_size: int = 2000) -> VerifyResult:
    """Recompute the chain from the first event; report the first event whose hash does not match."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    with transaction.atomic():
        for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
            if event.seq != expected_seq:
                return VerifyResult(count, event.seq, f"sequence gap: expected #{expected_seq}")
            if event.prev_hash != prev:
                return VerifyResult(count, event.seq, "previous hash does not match the event before it")
            if compute_hash(event) != event.hash:
                return VerifyResult(count, event.seq, "hash does not match the event's content")
            prev = event.hash
            expected_seq += 1
            count += 1
    return VerifyResult(count, None)
