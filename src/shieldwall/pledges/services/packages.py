"""Packages and their funders: create, update, delete."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min

from shieldwall.coalition.models import Announcement, Nation
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import ValidationFailed
from shieldwall.core.markings import Classification, Releasability
from shieldwall.pledges.models import (
    LineStatus,
    Package,
    PackageFunder,
    PackageSource,
    PledgeEvent,
)
from shieldwall.pledges.services.lines import _create_line
from shieldwall.pledges.services.rules import (
    ONE,
    SHARE_PLACES,
    FunderShare,
    LineSpec,
    _after_lines,
    _fail,
    _today,
    _widens,
)

PACKAGE_FIELDS = {"title", "date", "source", "announcement_id", "description", "classification", "releasability"}


def _funder_rows(actor: Actor, funders: Sequence[FunderShare] | None) -> list[tuple[int, str, Decimal]]:
    """(nation id, code, share) per funder, checked: shares in (0, 1] adding up to exactly 1, lead included."""
    if actor.nation_id is None or actor.nation_code is None:
        raise _fail("funders", "you have no nation, so you cannot pledge")
    if not funders:
        return [(actor.nation_id, actor.nation_code, ONE)]
    codes = [f.nation.strip().upper() for f in funders]
    errors: list[str] = []
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        errors.append(f"listed more than once: {', '.join(twice)}")
    for code, funder in zip(codes, funders, strict=True):
        share = Decimal(funder.share)
        if not (0 < share <= 1) or not share.is_finite():
            errors.append(f"{code}: a share is more than 0 and at most 1")
        elif share != share.quantize(Decimal(1).scaleb(-SHARE_PLACES)):
            errors.append(f"{code}: a share has at most {SHARE_PLACES} decimal places")
    total = sum((Decimal(f.share) for f in funders), Decimal(0))
    if total != ONE:
        errors.append(f"the shares add up to {total.normalize():f}, not exactly 1")
    if actor.nation_code not in codes:
        errors.append(f"your nation ({actor.nation_code}) originates the package, so it is the lead funder: "
                      "include it")
    found = dict(Nation.objects.filter(code__in=codes).values_list("code", "id"))
    unknown = sorted(set(codes) - set(found))
    if unknown:
        errors.append(f"unknown nation code(s): {', '.join(unknown)}")
    if errors:
        raise ValidationFailed({"funders": errors})
    return [(found[code], code, Decimal(f.share)) for code, f in zip(codes, funders, strict=True)]


def _funders_audit(rows: Iterable[tuple[int, str, Decimal]]) -> dict[str, str]:
    return {code: f"{share.normalize():f}" for _, code, share in sorted(rows, key=lambda r: r[1])}


def _set_funders(package: Package, rows: Sequence[tuple[int, str, Decimal]]) -> None:
    PackageFunder.objects.filter(package=package).delete()
    funders = [PackageFunder(package=package, nation_id=nid, share=share) for nid, _, share in rows]
    for funder in funders:
        try:
            funder.full_clean(exclude=["package"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise ValidationFailed({"funders": [str(m) for m in exc.messages]}) from exc
    PackageFunder.objects.bulk_create(funders)


def _current_funders(package: Package) -> list[tuple[int, str, Decimal]]:
    rows = PackageFunder.objects.filter(package=package).values_list("nation_id", "nation__code", "share")
    return [(nid, code, share) for nid, code, share in rows]


def _announcement(actor: Actor, announcement_id: int | None, funder_ids: set[int]) -> Announcement | None:
    if announcement_id is None:
        return None
    found = Announcement.objects.visible_to(actor).filter(pk=announcement_id).first()
    if found is None:
        raise _fail("announcement", f"announcement {announcement_id} not found")
    if found.nation_id not in funder_ids:
        raise _fail("announcement", "the announcing nation does not fund this package; choose an announcement "
                                    "of one of its funders")
    return found


def _package_date(day: date) -> date:
    if day > _today():
        raise _fail("date", "a package is dated when it was announced, which cannot be in the future")
    return day


def package_create(
    *,
    actor: Actor,
    title: str,
    date: date,
    source: str,
    funders: Sequence[FunderShare] | None = None,
    announcement_id: int | None = None,
    description: str = "",
    classification: int = Classification.UNCLASSIFIED,
    releasability: str = Releasability.COALITION,
    rel_to: Iterable[str] = (),
    lines: Sequence[LineSpec] = (),
    effective_date: date | None = None,
) -> Package:
    """A package of the actor's nation (the lead funder), with its funders and, optionally, its first lines."""
    rows = _funder_rows(actor, funders)
    with transaction.atomic():
        announcement = _announcement(actor, announcement_id, {nid for nid, _, _ in rows})
        package = Package(title=title, date=_package_date(date), source=source, announcement=announcement,
                          description=description, classification=classification, releasability=releasability)
        package = writes.create(actor=actor, obj=package, rel_to=list(rel_to),
                                extra_audit={"funders": [None, _funders_audit(rows)]})
        _set_funders(package, rows)
        # Lines given with the package were announced with it.
        created = [_create_line(actor, package, spec, effective_date or package.date) for spec in lines]
        _after_lines(actor, [line.pk for line in created], {line.requirement_id for line in created})
    return package


def package_update(
    *,
    actor: Actor,
    id: int,
    expected_version: int | None = None,
    funders: Sequence[FunderShare] | None = None,
    rel_to: Iterable[str] | None = None,
    **changes: Any,
) -> Package:
    unknown = sorted(set(changes) - PACKAGE_FIELDS)
    if unknown:
        raise ValidationFailed({name: ["this field cannot be changed"] for name in unknown})
    with transaction.atomic():
        package: Package = writes.get_visible_for_update(Package.objects, actor=actor, pk=id)
        writes.require(actor, "change", package)
        writes.check_version(package, expected_version)
        rows = _funder_rows(actor, funders) if funders is not None else _current_funders(package)
        extra: dict[str, Any] = {}
        if funders is not None:
            before = _funders_audit(_current_funders(package))
            if before != _funders_audit(rows):
                extra["funders"] = [before, _funders_audit(rows)]
        if "announcement_id" in changes:
            changes["announcement"] = _announcement(actor, changes.pop("announcement_id"),
                                                    {nid for nid, _, _ in rows})
        if "date" in changes:
            _check_package_date(package, _package_date(changes["date"]))
        if "source" in changes and changes["source"] != package.source:
            _check_source(package, changes["source"])
        package = writes.update(actor=actor, obj=package, changes=changes, expected_version=expected_version,
                                rel_to=None if rel_to is None else list(rel_to), extra_audit=extra)
        if funders is not None:
            _set_funders(package, rows)
        _check_lines_within(package)
    return package


def _check_package_date(package: Package, day: date) -> None:
    first = PledgeEvent.objects.filter(line__package=package).aggregate(first=Min("effective_date"))["first"]
    if first is not None and day > first:
        raise _fail("date", f"lines of this package have steps dated {first}; the package cannot be dated later")


def _check_source(package: Package, source: str) -> None:
    # Lines are counted through the plain reverse relation: an integrity check that reveals only a count.
    lines = package.lines.all()
    if source == PackageSource.FINANCING and lines.filter(item_type__isnull=False).exists():
        raise _fail("source", "the package has lines of items; a financing package holds amounts of money only")
    if source != PackageSource.FINANCING and lines.filter(item_type__isnull=True).exists():
        raise _fail("source", "the package has amounts of money; only a financing package holds them")


def _check_lines_within(package: Package) -> None:
    wider = [line for line in package.lines.prefetch_related("rel_to")
             if _widens(package, line.classification, line.releasability, [n.code for n in line.rel_to.all()])]
    if wider:
        raise _fail("releasability", f"{len(wider)} line(s) of this package would be released further than the "
                                     "package; narrow their marking first")


def package_delete(*, actor: Actor, id: int, expected_version: int | None = None) -> None:
    """Delete a package and its lines while every line is still only announced (a promise not yet made)."""
    with transaction.atomic():
        package: Package = writes.get_visible_for_update(Package.objects, actor=actor, pk=id)
        writes.require(actor, "delete", package)
        writes.check_version(package, expected_version)
        lines = list(package.lines.select_for_update().order_by("id"))
        later = [line for line in lines if line.status != LineStatus.ANNOUNCED]
        if later:
            raise _fail("__all__", f"{len(later)} line(s) of this package are past the announced stage; cancel "
                                   "them instead of deleting the package")
        for line in lines:
            writes.delete(actor=actor, obj=line)
        writes.delete(actor=actor, obj=package)
        _after_lines(actor, [line.pk for line in lines if line.pk], {line.requirement_id for line in lines})
