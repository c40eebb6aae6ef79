"""The audit chain: every service write appends one event; verify() catches a tampered row."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from shieldwall.coalition import services
from shieldwall.coalition.models import Meeting
from shieldwall.core import audit
from shieldwall.core.actor import Actor
from shieldwall.core.models import AuditEvent


def test_each_write_appends_a_linked_event(coord: Actor) -> None:
    before = AuditEvent.objects.count()
    meeting = services.meeting_create(actor=coord, title="Audit me", date=date(2025, 5, 1))
    services.meeting_update(actor=coord, id=meeting.pk, expected_version=1, title="Audited")
    events = list(AuditEvent.objects.order_by("-seq")[:2])
    assert AuditEvent.objects.count() == before + 2
    update, create = events
    assert create.action == "meeting.create" and update.action == "meeting.update"
    assert update.prev_hash == create.hash
    assert update.changes == {"title": ["Audit me", "Audited"]}
    assert update.actor_username == "coord" and update.actor_nation == "FRA"
    result = audit.verify()
    assert result.intact and result.count == AuditEvent.objects.count()


def test_a_failed_write_leaves_no_event(coord: Actor) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - the service's own error type is tested elsewhere
        services.meeting_create(actor=coord, title="", date=date(2025, 5, 1))
    assert AuditEvent.objects.count() == before
    assert not Meeting.unscoped.filter(date=date(2025, 5, 1)).exists()


def _tamper(seq: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute("UPDATE core_auditevent SET object_repr = %s WHERE seq = %s", ["forged", seq])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def test_verify_names_the_tampered_event(coord: Actor) -> None:
    for day in range(1, 6):
        services.meeting_create(actor=coord, title=f"Meeting {day}", date=date(2025, 6, day))
    target = AuditEvent.objects.order_by("-seq")[2].seq
    _tamper(target)
    result = audit.verify()
    assert not result.intact
    assert result.broken_seq == target
    assert "hash" in result.reason


def test_postgresql_rejects_update_and_delete_of_audit_rows(coord: Actor) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    services.meeting_create(actor=coord, title="Trigger", date=date(2025, 7, 1))
    for sql in ("UPDATE core_auditevent SET action = 'x'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)


def test_record_outside_a_transaction_is_refused(coord: Actor) -> None:
    if connection.in_atomic_block:
        pytest.skip("the test itself runs in a transaction here")
    with pytest.raises(RuntimeError):
        audit.record(actor=coord, action="x")
