"""The pledges demo at a tenth of its size: donors of 30+ nations, lines in every stage with a consistent dated
history, co-funded packages, the Paris announcements' packages, markings that keep German-only lines from French
eyes, one audit event per line, idempotent loading — and the newcomer's walk-through of the issue on top of it.
The demo-only bulk loader's checks are tested here too."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import transaction

from shieldwall.catalogue import demo as catalogue_demo
from shieldwall.catalogue.models import ItemType
from shieldwall.coalition import demo as coalition_demo
from shieldwall.coalition.models import Announcement, Meeting, SecurityAgreement
from shieldwall.core import audit
from shieldwall.core import demo as core_demo
from shieldwall.core.access import optimiser_actor
from shieldwall.core.errors import PermissionDenied, ValidationFailed
from shieldwall.core.markings import ceiling
from shieldwall.core.models import AuditEvent, User
from shieldwall.core.services import user_create
from shieldwall.needs import coverage
from shieldwall.needs import demo as needs_demo
from shieldwall.needs import services as needs_services
from shieldwall.needs.models import Requirement
from shieldwall.needs.selectors import requirement_list
from shieldwall.pledges import demo, links, services
from shieldwall.pledges.demo import data
from shieldwall.pledges.models import Package, PledgeEvent, PledgeLine
from shieldwall.pledges.reports.donor import donor_profile
from shieldwall.pledges.reports.meeting import meeting_report
from shieldwall.pledges.selectors import LineFilters, line_list
from shieldwall.pledges.services.demo_load import LinePlan, StepPlan, lines_load

SIZE = 0.1  # about 200 lines


@pytest.fixture(scope="module")
def demo_db(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The demos up to pledges loaded once for this module, in a transaction rolled back at its end; each test
    runs in a savepoint inside it (the `db` fixture), so they cannot disturb each other."""
    with django_db_blocker.unblock(), transaction.atomic(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHIELDWALL_SHARED_DATA", str(tmp_path_factory.mktemp("none")))  # no Kiel file: quicker
        coalition_demo.load()
        catalogue_demo.load()
        needs_demo.load(size=SIZE)
        yield demo.load(size=SIZE)
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_db: int, db: Any) -> int:
    return demo_db


def every_line() -> list[PledgeLine]:
    return list(PledgeLine.objects.visible_to(optimiser_actor()).select_related("package__originator")
                .prefetch_related("rel_to", "package__rel_to", "package__funders__nation").order_by("id"))


def codes(obj: Package | PledgeLine) -> list[str]:
    return sorted(n.code for n in obj.rel_to.all())


def test_donors_stages_and_money(loaded: int) -> None:
    lines = every_line()
    assert 160 <= len(lines) <= 260
    assert len({line.package.originator.code for line in lines}) >= 30
    assert set(Counter(line.status for line in lines)) == {
        "announced", "committed", "allocated", "contracted", "shipped", "delivered", "cancelled"}
    currency = {d.code: d.currency for d in data.DONORS}
    for line in lines:
        lead = line.package.originator.code
        assert line.currency in (currency[lead], "EUR")  # the donor's own (the euro once it joined)
        assert line.value_eur == (line.value_amount / line.fx_rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert (line.item_type_id is None) == (line.package.source == "financing")
    assert {line.currency for line in lines} >= {"USD", "GBP", "PLN", "EUR"}
    against = [line for line in lines if line.requirement_id]
    assert len(against) > len(lines) / 4  # at this size the 30 requirements are soon pledged in full
    # Quantities of the right order: no 155 mm line of a handful of shells, no battery by the dozen.
    by_class = defaultdict(list)
    for line in PledgeLine.objects.visible_to(optimiser_actor()).exclude(item_type=None).select_related(
            "item_type__item_class"):
        by_class[line.item_type.item_class.name].append(line.quantity)
    assert min(by_class["155 mm artillery ammunition"], default=100) >= 50
    assert max(by_class.get("long-range air defence system", [1])) <= 3


def test_every_line_has_a_consistent_dated_history(loaded: int) -> None:
    events = defaultdict(list)
    for event in PledgeEvent.objects.order_by("effective_date", "id"):
        events[event.line_id].append(event)
    today = needs_demo.reference_date()
    for line in every_line():
        history = events[line.pk]
        assert history[0].to_status == "announced" and history[0].effective_date == line.package.date
        days = [e.effective_date for e in history]
        assert days == sorted(days) and days[-1] <= today
        assert sum(e.quantity for e in history if e.to_status == "shipped") == line.shipped_quantity
        assert sum(e.quantity for e in history if e.to_status == "delivered") == line.delivered_quantity
        assert line.version == len(history)
        last = history[-1].to_status
        assert last == line.status or (last == "delivered" and line.status == "shipped")  # a part delivered
    assert min(e.effective_date for e in PledgeEvent.objects.all()) >= data.START


def test_co_funded_packages_and_announcements(loaded: int) -> None:
    packages = Package.objects.visible_to(optimiser_actor()).prefetch_related("funders__nation")
    co_funded = [p for p in packages if p.funders.count() > 1]
    assert len(co_funded) == len(data.CO_FUNDED)
    for package in co_funded:
        shares = {f.nation.code: f.share for f in package.funders.all()}
        assert sum(shares.values()) == 1 and package.originator.code in shares
    paris = Meeting.objects.visible_to(optimiser_actor()).get(date=data.PARIS_DATE)
    announcements = Announcement.objects.visible_to(optimiser_actor()).filter(meeting=paris)
    assert all(packages.filter(announcement=a).exists() for a in announcements)  # the REL TO one too
    report = meeting_report(actor=core_demo.actor("coord"), meeting_id=paris.pk)
    assert all(row.packages for row in report.announcements)
    assert report.totals.announced > report.totals.committed > report.totals.delivered > 0
    assert SecurityAgreement.objects.visible_to(optimiser_actor()).count() == 2
    assert packages.filter(agreement__isnull=False).count() > 2


def test_markings_spread_and_german_lines_hidden_from_france(loaded: int) -> None:
    lines = every_line()
    clearance = dict(User.objects.values_list("nation__code", "clearance").filter(username__endswith="-donor"))
    assert {line.releasability for line in lines} == {"PUBLIC", "COALITION", "REL_TO"}
    assert {line.classification for line in lines} >= {0, 1}
    for line in lines:
        assert line.classification <= min(clearance[line.package.originator.code], ceiling())
        assert line.classification >= line.package.classification  # never released further than its package
    german_only = [line.pk for line in lines if codes(line) == ["DEU"]]
    assert german_only
    french, german = core_demo.actor("fra-donor"), core_demo.actor("deu-donor")
    assert not line_list(actor=french).filter(pk__in=german_only).exists()
    assert line_list(actor=german, filters=LineFilters(donor="DEU")).filter(pk__in=german_only).count() \
        == len(german_only)


def test_one_audit_event_per_line_and_statuses_as_the_services_leave_them(loaded: int) -> None:
    lines = every_line()
    events = AuditEvent.objects.filter(action="pledge_line.load")
    assert events.count() == len(lines)
    assert {e.object_id for e in events} == {str(line.pk) for line in lines}
    assert audit.verify().intact
    recipient = core_demo.actor("ukr-recipient")
    statuses = Counter(requirement_list(actor=recipient).values_list("status", flat=True))
    assert statuses["partially_met"] > 0
    before = AuditEvent.objects.count()
    for requirement in Requirement.objects.visible_to(recipient).filter(status__in=("open", "partially_met", "met")):
        needs_services.requirement_refresh_status(actor=recipient, requirement_id=requirement.pk)
    assert AuditEvent.objects.count() == before  # nothing left to derive


def test_a_donor_officer_for_every_donor_nation(loaded: int) -> None:
    donors = User.objects.filter(username__endswith="-donor").order_by("username")
    assert {u.nation.code for u in donors} == {d.code for d in data.DONORS}
    assert all(u.check_password(core_demo.DEMO_PASSWORD) for u in donors)
    assert len(core_demo.more_logins()) == len(data.DONORS) - 6 and "nld-donor" in core_demo.more_logins()
    with pytest.raises(ValidationFailed):  # only a hash an accepted hasher made
        user_create(actor=core_demo.system_actor(), username="x-donor", password="", password_hash="plain",
                    nation="NLD", roles=["donor"])


def test_loading_twice_changes_nothing(loaded: int) -> None:
    before = AuditEvent.objects.count(), PledgeLine.objects.visible_to(optimiser_actor()).count()
    assert demo.load(size=SIZE) == 0
    assert (AuditEvent.objects.count(), PledgeLine.objects.visible_to(optimiser_actor()).count()) == before


def test_the_newcomer_walk_through(loaded: int) -> None:
    """The issue's done-when, on the demo data, through the services the pages call."""
    recipient, coord = core_demo.actor("ukr-recipient"), core_demo.actor("coord")
    german, french = core_demo.actor("deu-donor"), core_demo.actor("fra-donor")
    today = needs_demo.reference_date()
    draft = requirement_list(actor=recipient).get(title="152 mm shells for D-20 and 2S3 batteries")
    needs_services.requirement_submit(actor=recipient, id=draft.pk)
    needs_services.requirement_validate(actor=coord, id=draft.pk)
    needs_services.requirement_open(actor=coord, id=draft.pk)
    shells = ItemType.objects.get(name="152 mm OF-540 HE projectile")
    package = services.package_create(actor=german, title="152 mm shells bought for Ukraine", date=today,
                                      source="stock")
    spec = services.LineSpec(item_type_id=shells.pk, quantity=draft.quantity, value_amount=Decimal(100_000_000),
                             requirement_id=draft.pk)
    line = services.line_create(actor=german, package_id=package.pk, line=spec)
    hidden = services.line_create(actor=german, package_id=package.pk, line=services.LineSpec(
        item_type_id=shells.pk, quantity=500, value_amount=Decimal(1_250_000), releasability="REL_TO",
        rel_to=["DEU"]))
    profile_before = donor_profile(actor=german, code="DEU").totals
    services.line_commit(actor=german, line_id=line.pk)
    services.line_allocate(actor=coord, line_id=line.pk, requirement_id=draft.pk)
    services.line_ship(actor=german, line_id=line.pk, quantity=draft.quantity)
    services.line_deliver(actor=recipient, line_id=line.pk, quantity=draft.quantity)
    assert requirement_list(actor=recipient).get(pk=draft.pk).status == "met"
    row = coverage.requirement_coverage_one(actor=recipient, requirement_id=draft.pk)
    assert row is not None and row.delivered_qty == draft.quantity
    assert donor_profile(actor=german, code="DEU").totals.delivered > profile_before.delivered
    paris = Meeting.objects.visible_to(coord).get(date=data.PARIS_DATE)
    said = Announcement.objects.visible_to(german).get(meeting=paris, nation__code="DEU")
    before = meeting_report(actor=coord, meeting_id=paris.pk).totals.delivered
    links.package_link_announcement(actor=german, package_id=package.pk, announcement_id=said.pk)
    assert meeting_report(actor=coord, meeting_id=paris.pk).totals.delivered == before + Decimal(100_000_000)
    assert not line_list(actor=french).filter(pk=hidden.pk).exists()
    assert line_list(actor=french).filter(pk=line.pk).exists()


# --- the bulk loader's checks ---------------------------------------------------------------------------------


def _package(actor: Any, **marking: Any) -> Package:
    return services.package_create(actor=actor, title="Bulk test", date=date(2025, 6, 2), source="stock", **marking)


def _plan(item_type: ItemType, *steps: StepPlan, **spec: Any) -> LinePlan:
    return LinePlan(services.LineSpec(item_type_id=item_type.pk, quantity=10, value_amount=Decimal(1000), **spec),
                    steps)


@pytest.mark.parametrize("case", ["deliver before shipping", "a step before the one before", "a future step",
                                  "a line wider than its package"])
def test_the_bulk_loader_refuses_what_the_services_refuse(loaded: int, case: str) -> None:
    german = core_demo.actor("deu-donor")
    shells = ItemType.objects.get(name="155 mm DM121 HE projectile")
    day = date(2025, 7, 1)
    package = _package(german, releasability="REL_TO", rel_to=["UKR"])
    plan = {
        "deliver before shipping": _plan(shells, StepPlan("commit", day, german),
                                         StepPlan("deliver", day, german, units=5)),
        "a step before the one before": _plan(shells, StepPlan("commit", day, german),
                                              StepPlan("ship", day - timedelta(days=1), german, units=5)),
        "a future step": _plan(shells, StepPlan("commit", needs_demo.reference_date() + timedelta(days=1), german)),
        "a line wider than its package": _plan(shells, releasability="COALITION"),
    }[case]
    count = PledgeLine.objects.visible_to(german).count()
    with pytest.raises(ValidationFailed):
        lines_load(actor=german, lines={package.pk: [_plan(shells), plan]})
    assert PledgeLine.objects.visible_to(german).count() == count  # all or nothing


def test_the_bulk_loader_checks_who_takes_each_step(loaded: int) -> None:
    german, french, coord = (core_demo.actor(name) for name in ("deu-donor", "fra-donor", "coord"))
    need = requirement_list(actor=german).filter(status__in=("open", "partially_met"), releasability="PUBLIC")[0]
    item_type = ItemType.objects.filter(item_class=need.item_class).order_by("name")[0]
    day = date(2025, 7, 1)
    allocated = _plan(item_type, StepPlan("commit", day, german), StepPlan("allocate", day, coord,
                                                                           requirement_id=need.pk))
    loaded_lines = lines_load(actor=german, lines={_package(german).pk: [allocated]})
    assert (loaded_lines[0].status, loaded_lines[0].requirement_id) == ("allocated", need.pk)
    donor_allocates = _plan(item_type, StepPlan("commit", day, german),
                            StepPlan("allocate", day, german, requirement_id=need.pk))
    with pytest.raises(PermissionDenied):
        lines_load(actor=german, lines={_package(german).pk: [donor_allocates]})
    unseen = _plan(item_type, StepPlan("commit", day, german), StepPlan("allocate", day, coord,
                                                                        requirement_id=need.pk),
                   releasability="REL_TO", rel_to=["DEU"])
    with pytest.raises(PermissionDenied):  # the French coordinator may not see, let alone allocate, it
        lines_load(actor=german, lines={_package(german).pk: [unseen]})
    with pytest.raises(PermissionDenied):  # nor may a French donor officer commit a German line
        lines_load(actor=german, lines={_package(german).pk: [_plan(item_type, StepPlan("commit", day, french))]})
