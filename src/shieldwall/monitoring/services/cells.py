"""The compliance dashboard's cells, kept in step with the items by every service that changes them.

An item counts in exactly one cell: (its marking, donor, item class, status, unaccounted, inventoried, next
inspection due). A service snapshots the cells of the items it is about to change, changes them, and moves the
difference (`tracking`); registration and discarding add or remove whole items. The markings are `ItemMarking`
rows carrying the items' own marking, so the dashboard reads the cells through the markings the actor may see.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db.models import F

from shieldwall.core.access import rel_to_through
from shieldwall.core.actor import Actor
from shieldwall.core.markings import Releasability
from shieldwall.monitoring.models import ComplianceCell, ItemMarking, SerialItem

# (marking key, classification, releasability, originator id, donor id, item class id, status, unaccounted,
#  inventoried, due)
CellKey = tuple[str, int, str, int, int, int, str, bool, bool, date | None]
_FIELDS = ("pk", "classification", "releasability", "originator_id", "originator__code", "item_class_id", "status",
           "unaccounted", "last_inventory_on", "next_inspection_due")


def marking_key(classification: int, releasability: str, originator: str, codes: Iterable[str]) -> str:
    listed = ",".join(sorted(codes)) if releasability == Releasability.REL_TO else ""
    return f"{int(classification)}|{releasability}|{originator}|{listed}"


def keys(actor: Actor, item_ids: Sequence[int]) -> Counter[CellKey]:
    """The cells the items count in now (items the actor may see: those a service is changing)."""
    if not item_ids:
        return Counter()
    through, source = rel_to_through(SerialItem)
    codes: dict[int, list[str]] = {}
    rows: Any = through.objects  # type: ignore[attr-defined]
    for pk, code in rows.filter(**{f"{source}_id__in": list(item_ids)}).values_list(f"{source}_id", "nation__code"):
        codes.setdefault(pk, []).append(code)
    out: Counter[CellKey] = Counter()
    for pk, cls, rel, origin_id, origin, class_id, status, unaccounted, inventoried, due in (
            SerialItem.objects.visible_to(actor).filter(pk__in=list(item_ids)).values_list(*_FIELDS)):
        out[(marking_key(cls, rel, origin, codes.get(pk, [])), cls, rel, origin_id, origin_id, class_id, status,
             unaccounted, inventoried is not None, due)] += 1
    return out


def _marking(key: CellKey, cache: dict[str, int]) -> int:
    text, cls, rel, originator_id = key[0], key[1], key[2], key[3]
    if text not in cache:
        found = ItemMarking.objects.visible_to(_reader(originator_id)).filter(key=text).values_list("pk", flat=True)
        pk = found.first()
        if pk is None:
            marking = ItemMarking.objects.create(key=text, classification=cls, releasability=rel,
                                                 originator_id=originator_id)
            codes = text.rsplit("|", 1)[1]
            if codes:
                from shieldwall.core.writes import nation_ids

                marking.rel_to.set(nation_ids(codes.split(",")))
            pk = marking.pk
        cache[text] = pk
    return cache[text]


def _reader(originator_id: int) -> Actor:
    # The originating donor always sees its own markings (whatever their classification): the key is unique, so
    # looking it up as that donor finds it whoever created it.
    from shieldwall.core.markings import Classification

    return Actor(user_id=None, username="compliance cells", nation_id=originator_id, nation_code=None,
                 clearance=Classification.SECRET)


def apply(before: Counter[CellKey], after: Counter[CellKey]) -> None:
    """Move the difference between two snapshots into the cells."""
    delta: Counter[CellKey] = Counter()
    delta.update(after)
    delta.subtract(before)
    cache: dict[str, int] = {}
    for key, change in sorted(delta.items(), key=lambda kv: str(kv[0])):
        if change == 0:
            continue
        fields = {"marking_id": _marking(key, cache), "donor_id": key[4], "item_class_id": key[5], "status": key[6],
                  "unaccounted": key[7], "inventoried": key[8], "due": key[9]}
        updated = ComplianceCell.objects.filter(**fields).update(items=F("items") + change)
        if not updated:
            ComplianceCell.objects.create(items=change, **fields)


@contextmanager
def tracking(actor: Actor, item_ids: Sequence[int]) -> Iterator[None]:
    """Around a change of these items: the cells follow it."""
    ids = list(item_ids)
    before = keys(actor, ids)
    yield
    apply(before, keys(actor, ids))
