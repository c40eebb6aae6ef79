"""The marking banner of a page: the combined marking of every marked record the page displays.

A page that shows several records can be released only as far as all of them allow, so the banner takes the
highest classification and the narrowest releasability; REL TO lists are intersected (a page showing
`REL TO FRA, GBR` and `REL TO GBR, UKR` may go to GBR only). Pages that show nothing marked say UNCLASSIFIED.
REL TO codes are read from the records' prefetched `rel_to`, so computing a banner costs no queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shieldwall.core.markings import Classification, Marking, Releasability, format_marking
from shieldwall.core.models import Marked

_NO_COMMON = "NO COMMON RELEASABILITY"


@dataclass(frozen=True)
class Banner:
    text: str
    level: str  # CSS modifier: unclassified · restricted · confidential · secret
    marking: Marking | None = None

    def __str__(self) -> str:
        return self.text


UNMARKED = Banner(text="UNCLASSIFIED", level="unclassified")


def marking_of(record: Marked) -> Marking:
    """The record's marking, with REL TO codes from its (prefetched) `rel_to`."""
    codes: tuple[str, ...] = ()
    if record.releasability == Releasability.REL_TO:
        codes = tuple(sorted(nation.code for nation in record.rel_to.all()))
    return Marking(Classification(record.classification), Releasability(record.releasability), codes)


def combine(markings: Iterable[Marking]) -> Marking | None:
    """The marking of a page holding all `markings`: highest classification, narrowest releasability."""
    items = list(markings)
    if not items:
        return None
    classification = max(m.classification for m in items)
    rel_to_lists = [set(m.rel_to) for m in items if m.releasability == Releasability.REL_TO]
    if rel_to_lists:
        common = set.intersection(*rel_to_lists)
        return Marking(classification, Releasability.REL_TO, tuple(sorted(common)))
    coalition = any(m.releasability == Releasability.COALITION for m in items)
    return Marking(classification, Releasability.COALITION if coalition else Releasability.PUBLIC)


def banner_for_marking(marking: Marking | None) -> Banner:
    if marking is None:
        return UNMARKED
    level = marking.classification.label.lower()
    if marking.releasability == Releasability.REL_TO and not marking.rel_to:
        # Only possible when a nation sees its own records next to others': say so rather than print "REL TO".
        return Banner(text=f"{marking.classification.label} // {_NO_COMMON}", level=level, marking=marking)
    text = format_marking(marking.classification, marking.releasability, marking.rel_to)
    return Banner(text=text, level=level, marking=marking)


def page_banner(*groups: Marked | Iterable[Marked] | None) -> Banner:
    """The banner for a page showing these records (single records, lists, or None for absent ones)."""
    markings: list[Marking] = []
    for group in groups:
        if group is None:
            continue
        records = [group] if isinstance(group, Marked) else list(group)
        markings.extend(marking_of(record) for record in records)
    return banner_for_marking(combine(markings))


def ceiling_banner(note: str) -> Banner:
    """For pages whose content is not marked record by record (the audit log): mark at the deployment ceiling."""
    from shieldwall.core.markings import ceiling

    top = ceiling()
    return Banner(text=f"{top.label} // {note}", level=top.label.lower())
