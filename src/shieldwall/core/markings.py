"""Classification and releasability: the values, their display (`RESTRICTED // REL TO FRA, GBR`) and parsing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models


class Classification(models.IntegerChoices):
    UNCLASSIFIED = 0, "UNCLASSIFIED"
    RESTRICTED = 1, "RESTRICTED"
    CONFIDENTIAL = 2, "CONFIDENTIAL"
    SECRET = 3, "SECRET"


class Releasability(models.TextChoices):
    PUBLIC = "PUBLIC", "PUBLIC"
    COALITION = "COALITION", "COALITION"
    REL_TO = "REL_TO", "REL TO"


def ceiling() -> Classification:
    """The highest classification this deployment accepts (`SHIELDWALL_MAX_CLASSIFICATION`)."""
    return Classification[settings.MAX_CLASSIFICATION]


def classification_from_label(label: str) -> Classification:
    try:
        return Classification[label.strip().upper()]
    except KeyError as exc:
        allowed = ", ".join(Classification.names)
        raise ValueError(f"unknown classification {label!r}; use one of {allowed}") from exc


@dataclass(frozen=True)
class Marking:
    classification: Classification
    releasability: Releasability
    rel_to: tuple[str, ...] = ()

    def __str__(self) -> str:
        return format_marking(self.classification, self.releasability, self.rel_to)

    @property
    def sort_key(self) -> tuple[int, int]:
        # Higher classification first; within it, the narrower releasability is the more sensitive.
        spread = {Releasability.PUBLIC: 0, Releasability.COALITION: 1, Releasability.REL_TO: 2}
        return (int(self.classification), spread[self.releasability])


def format_marking(classification: int, releasability: str, rel_to: Iterable[str] = ()) -> str:
    label = Classification(classification).label
    if releasability == Releasability.PUBLIC:
        return f"{label} // PUBLIC" if classification else "UNCLASSIFIED // PUBLIC RELEASE"
    if releasability == Releasability.COALITION:
        return f"{label} // REL TO COALITION"
    return f"{label} // REL TO {', '.join(sorted(rel_to))}"


_MARKING_RE = re.compile(r"^\s*(?P<cls>[A-Z]+)\s*(?://\s*(?P<rel>.+))?$")


def parse_marking(text: str) -> Marking:
    """Parse `RESTRICTED // REL TO FRA, GBR`, `UNCLASSIFIED // PUBLIC` or `CONFIDENTIAL // REL TO COALITION`."""
    match = _MARKING_RE.match(text.upper())
    if not match:
        raise ValueError(f"cannot read marking {text!r}; write e.g. 'RESTRICTED // REL TO FRA, GBR'")
    classification = classification_from_label(match["cls"])
    rel = (match["rel"] or "").strip()
    if rel in {"", "PUBLIC", "PUBLIC RELEASE"}:
        if not rel and classification:
            raise ValueError("a classified marking needs a releasability, e.g. 'REL TO COALITION'")
        return Marking(classification, Releasability.PUBLIC)
    if rel in {"REL TO COALITION", "COALITION"}:
        return Marking(classification, Releasability.COALITION)
    if rel.startswith("REL TO "):
        codes = tuple(sorted({c.strip() for c in rel[7:].split(",") if c.strip()}))
        bad = [c for c in codes if not re.fullmatch(r"[A-Z]{3}", c)]
        if bad or not codes:
            raise ValueError(f"REL TO needs ISO 3166 alpha-3 codes, got {rel[7:]!r}")
        return Marking(classification, Releasability.REL_TO, codes)
    raise ValueError(f"unknown releasability {rel!r}; use PUBLIC, REL TO COALITION or REL TO <codes>")
