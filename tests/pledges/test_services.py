"""Pledge services: packages and co-funders, lines and their valuation and marking, allocation rules, splits,
updates by stage, deletion, the audit trail, the requirement refresh and the on-commit hook."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from shieldwall.coalition import services as coalition_services
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationFailed
from shieldwall.core.models import AuditEvent
from shieldwall.needs.models import Requirement
from shieldwall.pledges import hooks, selectors, services
from shieldwall.pledges.models import Package, PackageFunder, PledgeEvent
from shieldwall.pledges.services import FunderShare, LineSpec
from tests.pledges import factories

pytestmark = pytest.mark.django_db


def errors(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, list[str]]:
    return exc.value.errors


# --- packages and funders ------------------------------------------------------------------------------------


def test_single_donor_package_has_one_funder_with_share_one(fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer)
    funders = list(PackageFunder.objects.filter(package=package).values_list("nation__code", "share"))
    assert funders == [("FRA", Decimal("1.000000"))]
    assert package.originator.code == "FRA"
    event = AuditEvent.objects.filter(action="package.create", object_id=str(package.pk)).get()
    assert event.changes["funders"] == [None, {"FRA": "1"}]


def test_co_funded_package_records_each_share(fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer, funders=[FunderShare("FRA", Decimal("0.5")),
                                                      FunderShare("deu", Decimal("0.3")),
                                                      FunderShare("POL", Decimal("0.2"))])
    shares = dict(PackageFunder.objects.filter(package=package).values_list("nation__code", "share"))
    assert shares == {"FRA": Decimal("0.5"), "DEU": Decimal("0.3"), "POL": Decimal("0.2")}
    # A co-funder finds the package under its own code.
    found = selectors.package_list(actor=fra_officer, filters=selectors.PackageFilters(donor="POL"))
    assert [p.pk for p in found] == [package.pk]


@pytest.mark.parametrize(("funders", "message"), [
    ([("FRA", "0.5"), ("DEU", "0.4")], "the shares add up to 0.9, not exactly 1"),
    ([("FRA", "0.5"), ("DEU", "0.5000001")], "at most 6 decimal places"),
    ([("DEU", "1")], "your nation (FRA) originates the package, so it is the lead funder"),
    ([("FRA", "0.5"), ("FRA", "0.5")], "listed more than once: FRA"),
    ([("FRA", "0.5"), ("ZZZ", "0.5")], "unknown nation code(s): ZZZ"),
    ([("FRA", "1.5"), ("DEU", "-0.5")], "a share is more than 0 and at most 1"),
])
def test_funder_shares_must_add_up_to_exactly_one(fra_officer: Actor, cat: dict[str, Any],
                                                  funders: list[tuple[str, str]], message: str) -> None:
    before = Package.objects.visible_to(fra_officer).count()
    with pytest.raises(ValidationFailed) as exc:
        factories.package(fra_officer, funders=[FunderShare(c, Decimal(s)) for c, s in funders])
    assert any(message in m for m in errors(exc)["funders"]), errors(exc)
    assert Package.objects.visible_to(fra_officer).count() == before


def test_announcement_must_be_visible_and_by_a_funder(fra_officer: Actor, coord: Actor, gbr_coord: Actor,
                                                      cat: dict[str, Any], marked_meetings: dict[str, Any]) -> None:
    meeting = marked_meetings["coalition"]
    fra_said = coalition_services.announcement_create(actor=coord, meeting_id=meeting.pk, nation="FRA",
                                                      text="FRA will send shells")
    deu_said = coalition_services.announcement_create(actor=coord, meeting_id=meeting.pk, nation="DEU",
                                                      text="DEU will send tanks")
    hidden = coalition_services.announcement_create(
        actor=gbr_coord, meeting_id=marked_meetings["rel_gbr_ukr"].pk, nation="GBR", text="GBR only",
        classification=1, releasability="REL_TO", rel_to=["GBR", "UKR"])
    package = factories.package(fra_officer, announcement_id=fra_said.pk)
    assert package.announcement_id == fra_said.pk
    with pytest.raises(ValidationFailed) as exc:
        factories.package(fra_officer, announcement_id=deu_said.pk)
    assert "does not fund this package" in errors(exc)["announcement"][0]
    with pytest.raises(ValidationFailed) as exc:
        factories.package(fra_officer, announcement_id=hidden.pk)
    assert errors(exc)["announcement"] == [f"announcement {hidden.pk} not found"]
    # The meeting filter finds packages through visible announcements.
    found = selectors.package_list(actor=fra_officer, filters=selectors.PackageFilters(meeting_id=meeting.pk))
    assert [p.pk for p in found] == [package.pk]


def test_package_dated_in_the_future_is_refused(fra_officer: Actor, cat: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        factories.package(fra_officer, day=date(2999, 1, 1))
    assert "cannot be in the future" in errors(exc)["date"][0]


def test_only_donors_create_packages(coord: Actor, gbr_analyst: Actor, cat: dict[str, Any]) -> None:
    for actor in (coord, gbr_analyst):
        with pytest.raises(PermissionDenied):
            factories.package(actor)


def test_package_update_checks_version_funders_and_line_markings(fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer)
    factories.line(fra_officer, package, cat["m107"])
    shares = [FunderShare("FRA", Decimal("0.75")), FunderShare("DEU", Decimal("0.25"))]
    updated = services.package_update(actor=fra_officer, id=package.pk, expected_version=1, title="Renamed",
                                      funders=shares)
    assert (updated.title, updated.version) == ("Renamed", 2)
    event = AuditEvent.objects.filter(action="package.update").get()
    assert event.changes["funders"] == [{"FRA": "1"}, {"DEU": "0.25", "FRA": "0.75"}]
    with pytest.raises(PreconditionFailed):
        services.package_update(actor=fra_officer, id=package.pk, expected_version=1, title="Stale")
    # Narrowing the package below its line's COALITION marking would release the line further than the package.
    with pytest.raises(ValidationFailed) as exc:
        services.package_update(actor=fra_officer, id=package.pk, releasability="REL_TO", rel_to=["FRA", "UKR"])
    assert "1 line(s) of this package would be released further" in errors(exc)["releasability"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.package_update(actor=fra_officer, id=package.pk, source="financing")
    assert "financing package holds amounts of money only" in errors(exc)["source"][0]
    assert Package.objects.visible_to(fra_officer).get(pk=package.pk).releasability == "COALITION"


def test_package_delete_only_while_every_line_is_announced(fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer)
    line = factories.line(fra_officer, package, cat["m107"])
    services.line_commit(actor=fra_officer, line_id=line.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.package_delete(actor=fra_officer, id=package.pk)
    assert "1 line(s) of this package are past the announced stage" in errors(exc)["__all__"][0]
    other = factories.package(fra_officer, title="Draft")
    factories.line(fra_officer, other, cat["m107"])
    services.package_delete(actor=fra_officer, id=other.pk)
    assert not Package.objects.visible_to(fra_officer).filter(pk=other.pk).exists()
    assert list(AuditEvent.objects.filter(action__in=["pledgeline.delete", "package.delete"])
                .values_list("action", flat=True)) == ["pledgeline.delete", "package.delete"]


# --- lines -----------------------------------------------------------------------------------------------------


def test_line_is_valued_at_the_ecb_rate_and_takes_the_package_marking(fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer, classification=1, releasability="REL_TO", rel_to=["UKR", "GBR"])
    line = factories.line(fra_officer, package, cat["m107"], quantity=100, value="1000000.00", currency="usd",
                          value_date=date(2024, 3, 15))
    assert (line.currency, line.fx_rate, line.value_eur) == ("USD", Decimal("1.089200"), Decimal("918105.03"))
    assert (line.classification, line.releasability) == (1, "REL_TO")
    assert sorted(line.rel_to.values_list("code", flat=True)) == ["FRA", "GBR", "UKR"]
    assert line.originator_id == package.originator_id
    event = PledgeEvent.objects.get(line=line)
    assert (event.from_status, event.to_status, event.quantity, event.value_eur) == ("", "announced", 100,
                                                                                    Decimal("918105.03"))


def test_line_may_narrow_but_never_widen_its_package_marking(fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer, classification=1, releasability="COALITION")
    narrow = factories.line(fra_officer, package, cat["m107"], classification=2, releasability="REL_TO",
                            rel_to=["UKR"])
    assert (narrow.classification, sorted(narrow.rel_to.values_list("code", flat=True))) == (2, ["FRA", "UKR"])
    for kwargs in ({"classification": 0}, {"releasability": "PUBLIC"}):
        with pytest.raises(ValidationFailed) as exc:
            factories.line(fra_officer, package, cat["m107"], **kwargs)
        assert "cannot be released further than its package (RESTRICTED // REL TO COALITION)" in \
            errors(exc)["releasability"][0]


def test_financing_lines_are_money_and_other_lines_items(fra_officer: Actor, cat: dict[str, Any]) -> None:
    money = factories.package(fra_officer, source="financing")
    line = factories.line(fra_officer, money, None, quantity=1, value="250000000.00")
    assert (line.item_type_id, line.quantity, line.value_eur) == (None, 1, Decimal("250000000.00"))
    with pytest.raises(ValidationFailed) as exc:
        factories.line(fra_officer, money, None, quantity=2)
    assert errors(exc)["quantity"] == ["a financing line is one amount of money: its quantity is 1"]
    with pytest.raises(ValidationFailed) as exc:
        factories.line(fra_officer, money, cat["m107"], quantity=1)
    assert "leave the item type empty" in errors(exc)["item_type"][0]
    stock = factories.package(fra_officer)
    with pytest.raises(ValidationFailed) as exc:
        factories.line(fra_officer, stock, None)
    assert "choose the item type" in errors(exc)["item_type"][0]


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"currency": "XXX"}, "currency", "'XXX' is not a currency with ECB reference rates"),
    ({"value_date": date(2999, 1, 1)}, "value_date", "cannot be in the future"),
    ({"value_date": date(1990, 1, 1), "currency": "USD"}, "value_date", "no ECB rate for USD"),
    ({"value": "-1"}, "value_amount", "an amount of zero or more"),
    ({"restriction_flags": ["nope"]}, "restriction_flags", "unknown value(s) nope"),
    ({"excluded_uses": ["space"]}, "excluded_uses", "unknown value(s) space"),
])
def test_line_input_errors_name_the_field(fra_officer: Actor, fra_package: Package, cat: dict[str, Any],
                                          kwargs: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        factories.line(fra_officer, fra_package, cat["m107"], **kwargs)
    assert message in errors(exc)[field][0]


def test_lines_only_in_own_nations_packages(fra_officer: Actor, deu_officer: Actor, fra_package: Package,
                                            cat: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        factories.line(deu_officer, fra_package, cat["m107"])


def test_pledging_against_a_requirement(fra_officer: Actor, fra_package: Package, cat: dict[str, Any],
                                        ammo_need: Requirement, gbr_coord: Actor) -> None:
    line = factories.line(fra_officer, fra_package, cat["m107"], requirement_id=ammo_need.pk)
    assert (line.requirement_id, line.status) == (ammo_need.pk, "announced")
    guns = factories.requirement("UKR", cat["guns"], quantity=5)
    with pytest.raises(ValidationFailed) as exc:
        factories.line(fra_officer, fra_package, cat["m107"], requirement_id=guns.pk)
    assert errors(exc)["requirement"] == [
        f"155 mm M107 HE does not satisfy 155 mm self-propelled howitzer (requirement {guns.pk}); the catalogue "
        "lists which item types satisfy which classes"]
    # Compatibility rows widen what satisfies a class: the L15 fills a 'NATO 155 mm' requirement, the M107 not.
    nato = factories.requirement("UKR", cat["nato"], quantity=50)
    assert factories.line(fra_officer, fra_package, cat["l15"], requirement_id=nato.pk).requirement_id == nato.pk
    draft = factories.requirement("UKR", cat["ammo"], status="draft")
    with pytest.raises(ValidationFailed) as exc:
        factories.line(fra_officer, fra_package, cat["m107"], requirement_id=draft.pk)
    assert errors(exc)["requirement"] == [
        f"requirement {draft.pk} is draft; only open or partially met requirements take pledges"]
    hidden = factories.requirement("UKR", cat["ammo"], classification=1, releasability="REL_TO", rel_to=["GBR"])
    with pytest.raises(ValidationFailed) as exc:
        factories.line(fra_officer, fra_package, cat["m107"], requirement_id=hidden.pk)
    assert errors(exc)["requirement"] == [f"requirement {hidden.pk} not found"]


def test_allocation_rules(fra_officer: Actor, coord: Actor, fra_package: Package, cat: dict[str, Any],
                          ammo_need: Requirement) -> None:
    line = factories.line(fra_officer, fra_package, cat["m107"], quantity=40)
    with pytest.raises(ValidationFailed) as exc:
        services.line_allocate(actor=coord, line_id=line.pk, requirement_id=ammo_need.pk)
    assert errors(exc)["status"] == ["a announced line cannot become allocated; allowed next: committed, cancelled"]
    services.line_commit(actor=fra_officer, line_id=line.pk)
    guns = factories.requirement("UKR", cat["guns"], quantity=5)
    with pytest.raises(ValidationFailed) as exc:
        services.line_allocate(actor=coord, line_id=line.pk, requirement_id=guns.pk)
    assert "does not satisfy 155 mm self-propelled howitzer" in errors(exc)["requirement"][0]
    allocated = services.line_allocate(actor=coord, line_id=line.pk, requirement_id=ammo_need.pk)
    assert (allocated.status, allocated.requirement_id) == ("allocated", ammo_need.pk)
    ammo_need.refresh_from_db()
    assert ammo_need.status == "partially_met"  # 40 of 100 allocated, through needs.requirement_refresh_status
    event = AuditEvent.objects.filter(action="pledge_line.allocate").get()
    assert event.changes["status"] == ["committed", "allocated"]
    assert event.changes["requirement"] == [None, ammo_need.pk]
    assert event.actor_username == "coord"
    back = services.line_deallocate(actor=coord, line_id=line.pk)
    assert (back.status, back.requirement_id) == ("committed", None)
    ammo_need.refresh_from_db()
    assert ammo_need.status == "open"


def test_a_hidden_requirement_still_follows_a_line_its_donor_cancels(
        fra_officer: Actor, gbr_coord: Actor, fra_package: Package, cat: dict[str, Any]) -> None:
    # The coordinator allocates a French line to a requirement released to GBR only; France cannot see it.
    hidden = factories.requirement("UKR", cat["ammo"], quantity=40, classification=1, releasability="REL_TO",
                                   rel_to=["GBR"])
    line = factories.line(fra_officer, fra_package, cat["m107"], quantity=40)
    services.line_commit(actor=fra_officer, line_id=line.pk)
    services.line_allocate(actor=gbr_coord, line_id=line.pk, requirement_id=hidden.pk)
    hidden.refresh_from_db()
    assert hidden.status == "met"
    services.line_cancel(actor=fra_officer, line_id=line.pk, reason="stocks needed at home")
    hidden.refresh_from_db()
    assert hidden.status == "open"  # derived as Ukraine sees it, not skipped because France cannot
    event = AuditEvent.objects.filter(action="requirement.refresh_status", object_id=str(hidden.pk)).last()
    assert event is not None
    assert event.actor_username == f"status of requirement {hidden.pk}"  # not the French officer's name


def test_split_preserves_the_value_to_the_cent(fra_officer: Actor, coord: Actor, fra_package: Package,
                                               cat: dict[str, Any], ammo_need: Requirement) -> None:
    line = factories.line(fra_officer, fra_package, cat["m107"], quantity=3, value="100.00", currency="USD",
                          value_date=date(2024, 3, 15))
    assert line.value_eur == Decimal("91.81")
    services.line_commit(actor=fra_officer, line_id=line.pk)
    services.line_allocate(actor=coord, line_id=line.pk, requirement_id=ammo_need.pk)
    kept, new = services.line_split(actor=coord, line_id=line.pk, quantity=1)
    # 91.81 / 3 = 30.6033…: the new line takes 30.60, the line keeps the exact rest 61.21.
    assert (kept.quantity, kept.value_eur, new.quantity, new.value_eur) == (2, Decimal("61.21"), 1, Decimal("30.60"))
    assert kept.value_eur + new.value_eur == Decimal("91.81")
    assert kept.value_amount + new.value_amount == Decimal("100.00")
    assert (new.status, new.requirement_id, new.split_from_id, new.originator_id) == (
        "allocated", ammo_need.pk, line.pk, line.originator_id)
    assert sorted(new.rel_to.values_list("code", flat=True)) == []
    assert PledgeEvent.objects.get(line=new).note == f"split off line {line.pk}"
    with pytest.raises(ValidationFailed) as exc:
        services.line_split(actor=coord, line_id=new.pk, quantity=1)
    assert errors(exc)["quantity"] == ["cannot split off 1 of 1 units; split off none: the line has a single unit"]


def test_partial_shipments_and_deliveries(fra_officer: Actor, coord: Actor, ukr_desk: Actor, fra_package: Package,
                                          cat: dict[str, Any]) -> None:
    line = factories.line(fra_officer, fra_package, cat["m107"], quantity=10, value="1000.00",
                          effective_date=date(2025, 3, 1))
    services.line_commit(actor=fra_officer, line_id=line.pk, effective_date=date(2025, 3, 2))
    services.line_ship(actor=fra_officer, line_id=line.pk, quantity=4, effective_date=date(2025, 4, 1))
    with pytest.raises(ValidationFailed) as exc:
        services.line_deliver(actor=ukr_desk, line_id=line.pk, quantity=5)
    assert errors(exc)["quantity"] == ["cannot record 5 delivered: only 4 shipped units are not yet delivered"]
    services.line_deliver(actor=ukr_desk, line_id=line.pk, quantity=4, effective_date=date(2025, 4, 5))
    services.line_ship(actor=fra_officer, line_id=line.pk, quantity=6, effective_date=date(2025, 5, 1))
    done = services.line_deliver(actor=fra_officer, line_id=line.pk, quantity=6, effective_date=date(2025, 5, 3))
    assert (done.status, done.shipped_quantity, done.delivered_quantity) == ("delivered", 10, 10)
    steps = list(PledgeEvent.objects.filter(line=line).order_by("id").values_list(
        "to_status", "quantity", "value_eur", "effective_date", "recorded_by__username"))
    assert steps[-4:] == [
        ("shipped", 4, Decimal("400.00"), date(2025, 4, 1), "fra-donor"),
        ("delivered", 4, Decimal("400.00"), date(2025, 4, 5), "ukr-recipient"),  # dated, for these 4 units
        ("shipped", 6, Decimal("600.00"), date(2025, 5, 1), "fra-donor"),
        ("delivered", 6, Decimal("600.00"), date(2025, 5, 3), "fra-donor"),
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.line_cancel(actor=fra_officer, line_id=line.pk, reason="late")
    assert errors(exc)["status"] == ["a delivered line cannot become cancelled; allowed next: none (this is a final "
                                     "stage)"]


def test_cancel_records_the_reason(fra_officer: Actor, fra_package: Package, cat: dict[str, Any]) -> None:
    line = factories.line(fra_officer, fra_package, cat["m107"])
    with pytest.raises(ValidationFailed) as exc:
        services.line_cancel(actor=fra_officer, line_id=line.pk, reason="  ")
    assert errors(exc) == {"reason": ["give the reason for cancelling"]}
    cancelled = services.line_cancel(actor=fra_officer, line_id=line.pk, reason="stocks exhausted")
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "stocks exhausted")
    event = AuditEvent.objects.filter(action="pledge_line.cancel").get()
    assert event.changes["note"] == [None, "stocks exhausted"]


def test_update_depends_on_the_stage(fra_officer: Actor, fra_package: Package, cat: dict[str, Any]) -> None:
    line = factories.line(fra_officer, fra_package, cat["m107"], quantity=10, value="1000.00")
    changed = services.line_update(actor=fra_officer, id=line.pk, expected_version=1, quantity=12,
                                   value_amount=Decimal("1200.00"), currency="GBP", value_date=date(2024, 3, 16))
    assert (changed.quantity, changed.fx_rate, changed.value_eur) == (12, Decimal("0.854100"), Decimal("1404.99"))
    services.line_commit(actor=fra_officer, line_id=line.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.line_update(actor=fra_officer, id=line.pk, quantity=5, description="more")
    assert errors(exc) == {"quantity": ["fixed once the line is committed (it is committed); cancel it and pledge "
                                        "anew"]}
    assert services.line_update(actor=fra_officer, id=line.pk, description="more").description == "more"
    with pytest.raises(ValidationFailed) as exc:
        services.line_update(actor=fra_officer, id=line.pk, status="delivered")
    assert errors(exc) == {"status": ["this field cannot be changed"]}


def test_hidden_lines_are_not_found(fra_officer: Actor, gbr_coord: Actor, make_user: Any, cat: dict[str, Any]) -> None:
    gbr = Actor.for_user(make_user("gbr-donor", "GBR", ["donor"], 3))
    package = factories.package(gbr, classification=1, releasability="REL_TO", rel_to=["GBR", "UKR"])
    line = factories.line(gbr, package, cat["m107"])
    for call in (lambda: services.line_commit(actor=fra_officer, line_id=line.pk),
                 lambda: services.line_update(actor=fra_officer, id=line.pk, description="x"),
                 lambda: services.line_create(actor=fra_officer, package_id=package.pk, line=LineSpec()),
                 lambda: services.package_delete(actor=fra_officer, id=package.pk)):
        with pytest.raises(NotFound):
            call()
    # Visible but another nation's: forbidden, not hidden.
    other = factories.package(gbr)
    visible = factories.line(gbr, other, cat["m107"])
    with pytest.raises(PermissionDenied):
        services.line_commit(actor=fra_officer, line_id=visible.pk)


def test_hook_runs_once_committed(fra_officer: Actor, fra_package: Package, cat: dict[str, Any],
                                  monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> None:
    seen: list[list[int]] = []
    monkeypatch.setattr(hooks, "lines_changed", seen.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        line = factories.line(fra_officer, fra_package, cat["m107"])
    assert seen == []  # not inside the transaction
    for callback in callbacks:
        callback()
    assert seen == [[line.pk]]
    with django_capture_on_commit_callbacks(execute=True):
        services.line_commit(actor=fra_officer, line_id=line.pk)
    assert seen == [[line.pk], [line.pk]]


def test_totals_cover_only_visible_lines(fra_officer: Actor, coord: Actor, gbr_analyst: Actor, cat: dict[str, Any]
                                         ) -> None:
    public = factories.package(fra_officer, title="Public", releasability="PUBLIC")
    factories.line(fra_officer, public, cat["m107"], quantity=5, value="500.00")
    secret = factories.package(fra_officer, title="Confidential", classification=2)
    factories.line(fra_officer, secret, cat["m107"], quantity=7, value="700.00")
    assert selectors.line_totals(actor=coord).value_eur == Decimal("1200.00")
    analyst = selectors.line_totals(actor=gbr_analyst)  # RESTRICTED: the CONFIDENTIAL package is out of sight
    assert (analyst.lines, analyst.quantity, analyst.value_eur) == (1, 5, Decimal("500.00"))
    assert [(s.status, s.lines) for s in analyst.stages] == [("announced", 1)]
    listed = {p.title: p.value_eur for p in selectors.package_list(actor=gbr_analyst)}
    assert listed == {"Public": Decimal("500.00")}
    # A line takes its package's marking: the public sees the PUBLIC package's line, and only it.
    assert [line.releasability for line in selectors.line_list(actor=Actor.anonymous())] == ["PUBLIC"]
    assert selectors.line_totals(actor=Actor.anonymous()).value_eur == Decimal("500.00")
