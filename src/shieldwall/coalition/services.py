"""Writes to the coalition registry: each checks the actor's rights, validates, runs in one transaction and
appends its audit event (through `core.writes`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.db import transaction

from shieldwall.coalition.models import (
    Announcement,
    Attendance,
    CapabilityCoalition,
    Meeting,
    Membership,
    Nation,
    Obligation,
    Organisation,
    SecurityAgreement,
)
from shieldwall.coalition.terms import term_years
from shieldwall.core import audit, writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, ValidationFailed

# --- nations (reference data; names come from ISO 3166 via pycountry, never typed by hand) ---------------


def nation_create(
    *,
    actor: Actor,
    code: str,
    gdp_eur_bn: Decimal | None = None,
    gdp_year: int | None = None,
    population: int | None = None,
    population_year: int | None = None,
    defence_budget_eur_bn: Decimal | None = None,
    defence_budget_year: int | None = None,
) -> Nation:
    country = pycountry.countries.get(alpha_3=code.upper())
    if country is None:
        raise ValidationFailed({"code": [f"{code!r} is not an ISO 3166 alpha-3 country code"]})
    nation = Nation(
        code=country.alpha_3,
        alpha2=country.alpha_2,
        name=getattr(country, "common_name", None) or country.name,
        gdp_eur_bn=gdp_eur_bn,
        gdp_year=gdp_year,
        population=population,
        population_year=population_year,
        defence_budget_eur_bn=defence_budget_eur_bn,
        defence_budget_year=defence_budget_year,
    )
    return writes.create(actor=actor, obj=nation)


def nation_update(*, actor: Actor, code: str, expected_version: int | None = None, **changes: Any) -> Nation:
    allowed = {"gdp_eur_bn", "gdp_year", "population", "population_year", "defence_budget_eur_bn",
               "defence_budget_year"}
    bad = sorted(set(changes) - allowed)
    if bad:
        raise ValidationFailed({name: ["cannot be changed (names and codes come from ISO 3166)"] for name in bad})
    with transaction.atomic():
        nation = writes.get_visible_for_update(Nation.objects.all(), actor=actor, pk=_nation_pk(code))
        return writes.update(actor=actor, obj=nation, changes=changes, expected_version=expected_version)


def _nation_pk(code: str) -> int:
    pk = Nation.objects.filter(code=code.upper()).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound(f"nation {code} not found")
    return pk


def nation_ids_by_code(codes: Iterable[str]) -> list[int]:
    return writes.nation_ids(codes)


# --- organisations -----------------------------------------------------------------------------------------


def organisation_create(
    *, actor: Actor, name: str, kind: str, short_name: str = "", nation: str | None = None
) -> Organisation:
    org = Organisation(name=name, kind=kind, short_name=short_name,
                       nation_id=_nation_pk(nation) if nation else None)
    return writes.create(actor=actor, obj=org)


def organisation_update(*, actor: Actor, id: int, expected_version: int | None = None, **changes: Any) -> Organisation:
    if "nation" in changes:
        code = changes.pop("nation")
        changes["nation"] = Nation.objects.get(pk=_nation_pk(code)) if code else None
    with transaction.atomic():
        org = writes.get_visible_for_update(Organisation.objects.all(), actor=actor, pk=id)
        return writes.update(actor=actor, obj=org, changes=changes, expected_version=expected_version)


def organisation_delete(*, actor: Actor, id: int, expected_version: int | None = None) -> None:
    with transaction.atomic():
        org = writes.get_visible_for_update(Organisation.objects.all(), actor=actor, pk=id)
        writes.delete(actor=actor, obj=org, expected_version=expected_version)


# --- memberships: a change of tier closes the open period and opens a new one -------------------------------


def membership_set_tier(
    *, actor: Actor, nation: str, tier: str, valid_from: date, note: str = ""
) -> Membership:
    nation_pk = _nation_pk(nation)
    with transaction.atomic():
        later = Membership.objects.filter(nation_id=nation_pk, valid_from__gte=valid_from).exists()
        if later:
            raise ValidationFailed({"valid_from": ["a membership period already starts on or after this date"]})
        open_rows = Membership.objects.select_for_update().filter(nation_id=nation_pk, valid_to__isnull=True)
        for row in open_rows:
            writes.update(actor=actor, obj=row, changes={"valid_to": valid_from - timedelta(days=1)},
                          action="membership.close")
        membership = Membership(nation_id=nation_pk, tier=tier, valid_from=valid_from, note=note)
        return writes.create(actor=actor, obj=membership)


def membership_end(*, actor: Actor, id: int, valid_to: date, expected_version: int | None = None) -> Membership:
    with transaction.atomic():
        row = writes.get_visible_for_update(Membership.objects.all(), actor=actor, pk=id)
        return writes.update(actor=actor, obj=row, changes={"valid_to": valid_to},
                             expected_version=expected_version, action="membership.end")


# --- capability coalitions ------------------------------------------------------------------------------


def capability_coalition_create(
    *, actor: Actor, name: str, capability_area: str, leads: Iterable[str], members: Iterable[str] = (),
    description: str = "",
) -> CapabilityCoalition:
    lead_ids = writes.nation_ids(leads)
    if not lead_ids:
        raise ValidationFailed({"leads": ["a capability coalition needs at least one lead nation"]})
    member_ids = sorted(set(writes.nation_ids(members)) | set(lead_ids))
    obj = CapabilityCoalition(name=name, capability_area=capability_area, description=description)
    return writes.create(actor=actor, obj=obj, m2m={"leads": lead_ids, "members": member_ids})


def capability_coalition_update(
    *, actor: Actor, id: int, expected_version: int | None = None, leads: Iterable[str] | None = None,
    members: Iterable[str] | None = None, **changes: Any,
) -> CapabilityCoalition:
    m2m: dict[str, list[int]] = {}
    if leads is not None:
        m2m["leads"] = writes.nation_ids(leads)
        if not m2m["leads"]:
            raise ValidationFailed({"leads": ["a capability coalition needs at least one lead nation"]})
    if members is not None:
        m2m["members"] = writes.nation_ids(members)
    with transaction.atomic():
        obj = writes.get_visible_for_update(CapabilityCoalition.objects.all(), actor=actor, pk=id)
        return writes.update(actor=actor, obj=obj, changes=changes, expected_version=expected_version, m2m=m2m)


# --- meetings, attendance, announcements (marked) -----------------------------------------------------------


def meeting_create(
    *, actor: Actor, title: str, date: date, place: str = "", format: str = "in_person",
    chair: str | None = None, notes: str = "", classification: int = 0, releasability: str = "COALITION",
    rel_to: Iterable[str] = (),
) -> Meeting:
    meeting = Meeting(title=title, date=date, place=place, format=format, notes=notes,
                      chair_id=_nation_pk(chair) if chair else None,
                      classification=classification, releasability=releasability)
    return writes.create(actor=actor, obj=meeting, rel_to=list(rel_to))


def meeting_update(
    *, actor: Actor, id: int, expected_version: int | None = None, rel_to: Iterable[str] | None = None,
    **changes: Any,
) -> Meeting:
    if "chair" in changes:
        code = changes.pop("chair")
        changes["chair"] = Nation.objects.get(pk=_nation_pk(code)) if code else None
    with transaction.atomic():
        meeting: Meeting = writes.get_visible_for_update(Meeting.objects, actor=actor, pk=id)
        return writes.update(actor=actor, obj=meeting, changes=changes, expected_version=expected_version,
                             rel_to=None if rel_to is None else list(rel_to))


def meeting_delete(*, actor: Actor, id: int, expected_version: int | None = None) -> None:
    with transaction.atomic():
        meeting: Meeting = writes.get_visible_for_update(Meeting.objects, actor=actor, pk=id)
        writes.delete(actor=actor, obj=meeting, expected_version=expected_version)


def attendance_add(
    *, actor: Actor, meeting_id: int, nation: str, representative: str, mode: str = "in_person"
) -> Attendance:
    with transaction.atomic():
        meeting: Meeting = writes.get_visible_for_update(Meeting.objects, actor=actor, pk=meeting_id)
        row = Attendance(meeting=meeting, nation_id=_nation_pk(nation), representative=representative, mode=mode)
        return writes.create(actor=actor, obj=row)


def attendance_remove(*, actor: Actor, meeting_id: int, attendance_id: int) -> None:
    with transaction.atomic():
        meeting: Meeting = writes.get_visible_for_update(Meeting.objects, actor=actor, pk=meeting_id)
        row: Attendance = writes.get_visible_for_update(Attendance.objects.filter(meeting=meeting), actor=actor,
                                            pk=attendance_id)
        writes.delete(actor=actor, obj=row)


def announcement_create(
    *, actor: Actor, meeting_id: int, nation: str, text: str, classification: int = 0,
    releasability: str = "COALITION", rel_to: Iterable[str] = (),
) -> Announcement:
    with transaction.atomic():
        meeting: Meeting = writes.get_visible_for_update(Meeting.objects, actor=actor, pk=meeting_id)
        row = Announcement(meeting=meeting, nation_id=_nation_pk(nation), text=text,
                           classification=classification, releasability=releasability)
        return writes.create(actor=actor, obj=row, rel_to=list(rel_to))


def announcement_update(
    *, actor: Actor, id: int, expected_version: int | None = None, rel_to: Iterable[str] | None = None,
    **changes: Any,
) -> Announcement:
    with transaction.atomic():
        row: Announcement = writes.get_visible_for_update(Announcement.objects, actor=actor, pk=id)
        return writes.update(actor=actor, obj=row, changes=changes, expected_version=expected_version,
                             rel_to=None if rel_to is None else list(rel_to))


def announcement_delete(*, actor: Actor, id: int, expected_version: int | None = None) -> None:
    with transaction.atomic():
        row: Announcement = writes.get_visible_for_update(Announcement.objects, actor=actor, pk=id)
        writes.delete(actor=actor, obj=row, expected_version=expected_version)


# --- security agreements and their yearly obligations (marked) ----------------------------------------------

AGREEMENT_FIELDS = {"title", "donor", "partner", "signed", "duration_years", "description", "classification",
                    "releasability"}
# The largest amount an obligation column holds (18 digits, 2 of them decimals).
MAX_OBLIGATION = Decimal("9999999999999999.99")

ObligationInput = Mapping[int, Decimal] | Iterable[tuple[int, Decimal]]


def _nation_for(field: str, code: str) -> Nation:
    """A nation named in an input field; an unknown code is the caller's input error, named by its field."""
    nation = Nation.objects.filter(code=str(code).strip().upper()).first()
    if nation is None:
        raise ValidationFailed({field: [f"unknown nation code {code!r}"]})
    return nation


def _schedule(obligations: ObligationInput) -> dict[int, Decimal]:
    """The yearly schedule as {year: EUR}, refusing a year given twice and amounts a column cannot hold."""
    pairs = obligations.items() if isinstance(obligations, Mapping) else obligations
    schedule: dict[int, Decimal] = {}
    problems: list[str] = []
    for raw_year, amount in pairs:
        try:
            year = int(raw_year)
        except (TypeError, ValueError):
            problems.append(f"{raw_year!r} is not a year")
            continue
        try:
            # Floats are refused: an obligation is an exact sum of money.
            value = Decimal(amount) if not isinstance(amount, float) else Decimal("NaN")
        except (InvalidOperation, TypeError, ValueError):
            value = Decimal("NaN")
        if year in schedule:
            problems.append(f"{year} is given twice")
        elif not value.is_finite():
            problems.append(f"{year}: the amount must be an exact number of EUR")
        elif value < 0 or value > MAX_OBLIGATION:
            problems.append(f"{year}: the amount must be between 0 and {MAX_OBLIGATION} EUR")
        elif value != value.quantize(Decimal("0.01")):
            problems.append(f"{year}: give the amount to the cent at most")
        schedule[year] = value
    if problems:
        raise ValidationFailed({"obligations": problems})
    return dict(sorted(schedule.items()))


def _check_term(schedule: Mapping[int, Decimal], agreement: SecurityAgreement) -> None:
    years = term_years(agreement.signed, agreement.duration_years)
    outside = [year for year in schedule if year not in years]
    if outside:
        span = f"{years[0]}–{years[-1]}"
        raise ValidationFailed({"obligations": [
            f"{year} is outside the agreement's term ({span})" for year in outside]})


def _schedule_of(agreement: SecurityAgreement) -> dict[int, Decimal]:
    return dict(Obligation.objects.filter(agreement=agreement).order_by("year").values_list("year", "amount_eur"))


def _audit_schedule(schedule: Mapping[int, Decimal]) -> dict[str, str]:
    return {str(year): str(amount) for year, amount in schedule.items()}


def _store_schedule(agreement: SecurityAgreement, schedule: Mapping[int, Decimal]) -> None:
    # Replaced as a whole: the schedule is one value of the agreement, audited as such by the caller.
    Obligation.objects.filter(agreement=agreement).delete()
    Obligation.objects.bulk_create(
        [Obligation(agreement=agreement, year=year, amount_eur=amount) for year, amount in schedule.items()])


def agreement_create(
    *, actor: Actor, title: str, donor: str, partner: str, signed: date, duration_years: int = 10,
    description: str = "", obligations: ObligationInput = (), classification: int = 0,
    releasability: str = "COALITION", rel_to: Iterable[str] = (),
) -> SecurityAgreement:
    """Record an agreement with its yearly obligations (each year within the term, in EUR)."""
    schedule = _schedule(obligations)
    agreement = SecurityAgreement(
        title=title, donor=_nation_for("donor", donor), partner=_nation_for("partner", partner), signed=signed,
        duration_years=duration_years, description=description, classification=classification,
        releasability=releasability,
    )
    with transaction.atomic():
        writes.create(actor=actor, obj=agreement, rel_to=list(rel_to),
                      extra_audit={"obligations": [None, _audit_schedule(schedule)]})
        _check_term(schedule, agreement)
        _store_schedule(agreement, schedule)
    return agreement


def agreement_update(
    *, actor: Actor, id: int, expected_version: int | None = None, rel_to: Iterable[str] | None = None,
    obligations: ObligationInput | None = None, **changes: Any,
) -> SecurityAgreement:
    """Change an agreement; `obligations`, when given, replaces the whole yearly schedule."""
    unknown = sorted(set(changes) - AGREEMENT_FIELDS)
    if unknown:
        raise ValidationFailed({name: ["this field cannot be changed"] for name in unknown})
    for field in ("donor", "partner"):
        if field in changes:
            changes[field] = _nation_for(field, changes[field])
    schedule = None if obligations is None else _schedule(obligations)
    with transaction.atomic():
        agreement: SecurityAgreement = writes.get_visible_for_update(SecurityAgreement.objects, actor=actor, pk=id)
        before = _schedule_of(agreement)
        writes.update(actor=actor, obj=agreement, changes=changes, expected_version=expected_version,
                      rel_to=None if rel_to is None else list(rel_to))
        # The rule judges whose agreement it is: a donor officer must not hand it to another nation either.
        writes.require(actor, "change", agreement)
        # A new term must still hold the schedule, whether or not the schedule itself changes.
        _check_term(before if schedule is None else schedule, agreement)
        if schedule is not None and schedule != before:
            _store_schedule(agreement, schedule)
            audit.record(actor=actor, action="securityagreement.obligations", obj=agreement,
                         changes={"obligations": [_audit_schedule(before), _audit_schedule(schedule)]})
    return agreement


def agreement_delete(*, actor: Actor, id: int, expected_version: int | None = None) -> None:
    with transaction.atomic():
        agreement: SecurityAgreement = writes.get_visible_for_update(SecurityAgreement.objects, actor=actor, pk=id)
        writes.require(actor, "delete", agreement)
        # Packages name the agreement they fulfil; deleting it would silently unlink them, unaudited.
        if agreement.packages.exists():
            raise ValidationFailed({"__all__": ["packages still count towards this agreement; unlink them first"]})
        writes.delete(actor=actor, obj=agreement, expected_version=expected_version)
