"""What the logistics services share: dates, markings that never widen what they carry, visible records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.utils import timezone

from shieldwall.coalition.models import MEMBER_TIERS, Membership, Nation
from shieldwall.coalition.selectors import current_membership_q
from shieldwall.core.banner import combine, marking_of
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.markings import Classification, Marking, Releasability, format_marking
from shieldwall.core.models import Marked


def today() -> date:
    return timezone.localdate()


def fail(name: str, message: str) -> ValidationFailed:
    return ValidationFailed({name: [message]})


def day_of(given: date | None, *, name: str = "date", not_before: date | None = None,
           what: str = "the previous step") -> date:
    """The effective day of a step: default today, never in the future, never before `not_before`."""
    day = given or today()
    if day > today():
        raise fail(name, "a step cannot take effect in the future")
    if not_before is not None and day < not_before:
        raise fail(name, f"cannot be before {what} ({not_before.isoformat()})")
    return day


def nation_by_code(name: str, code: str) -> Nation:
    nation = Nation.objects.filter(code=str(code or "").strip().upper()).first()
    if nation is None:
        raise fail(name, f"unknown nation code {code!r}")
    return nation


def widens(marking: Marking, than: Marking) -> bool:
    """Would a record marked `marking` be released further than one marked `than`?"""
    if marking.classification < than.classification:
        return True
    if than.releasability == Releasability.PUBLIC:
        return False
    if than.releasability == Releasability.COALITION:
        return marking.releasability == Releasability.PUBLIC
    return marking.releasability != Releasability.REL_TO or not set(marking.rel_to) <= set(than.rel_to)


def carried_marking(records: Sequence[Marked], *, classification: int | None, releasability: str | None,
                    rel_to: Iterable[str] | None, originator: str, field: str = "releasability") -> Marking:
    """The marking of a record that carries `records` (a shipment its pledge lines): the one given, else their
    combination; never released further than any of them, so it reveals nothing they do not."""
    combined = combine(marking_of(r) for r in records) or Marking(Classification.UNCLASSIFIED,
                                                                 Releasability.COALITION)
    cls = Classification(combined.classification if classification is None else int(classification))
    rel = Releasability(releasability or combined.releasability)
    if rel_to is not None:
        codes = tuple(sorted({c.strip().upper() for c in rel_to if c.strip()}))
    else:
        codes = combined.rel_to if rel == Releasability.REL_TO else ()
    codes = tuple(sorted({*codes, originator})) if rel == Releasability.REL_TO else ()
    wanted = Marking(cls, rel, codes)
    for record in records:
        mark = marking_of(record)
        # The originator's own records are always visible to it, so its code never counts as widening.
        compare = Marking(wanted.classification, wanted.releasability,
                          tuple(c for c in wanted.rel_to if c != originator or c in mark.rel_to))
        if widens(compare, mark):
            raise fail(field, f"cannot be released further than what it carries ({mark})")
    return wanted


def require_released_to(marking: Marking, nation: Nation, *, field: str, who: str) -> None:
    """`nation` must be able to read a record with this marking (the recipient must see its shipment)."""
    if marking.releasability == Releasability.PUBLIC:
        return
    if marking.releasability == Releasability.REL_TO:
        if nation.code not in marking.rel_to:
            raise fail(field, f"the {who} ({nation.code}) could not see it: {format_marking(*_parts(marking))} "
                              f"does not include {nation.code}")
        return
    member = Membership.objects.filter(current_membership_q(today()), nation=nation,
                                       tier__in=MEMBER_TIERS).exists()
    if not member:
        raise fail(field, f"the {who} ({nation.code}) is not a current member, so REL TO COALITION does not "
                          "reach it; release it REL TO the nations concerned")


def _parts(marking: Marking) -> tuple[int, str, tuple[str, ...]]:
    return int(marking.classification), str(marking.releasability), marking.rel_to
