"""The access rule: SQL filter and in-memory check agree with the rule as written, for random records and actors."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.coalition import services
from shieldwall.coalition.models import Meeting, Nation
from shieldwall.core.access import can, is_releasable, releasable_q
from shieldwall.core.actor import Actor
from shieldwall.core.errors import PermissionDenied, ValidationFailed
from shieldwall.core.markings import Classification, Releasability
from shieldwall.core.scoping import UnscopedQueryError

CODES = ["FRA", "GBR", "DEU", "UKR", "JPN"]


def rule(actor: Actor, *, classification: int, releasability: str, originator: str, rel_to: set[str]) -> bool:
    """The rule exactly as DESIGN.md §2 states it, independently of the implementation."""
    if classification > actor.clearance:
        return False
    if releasability == "PUBLIC":
        return True
    if actor.nation_code is None:
        return False
    if actor.nation_code == originator:
        return True
    if releasability == "REL_TO":
        return actor.nation_code in rel_to
    return actor.is_member


record_st = st.fixed_dictionaries({
    "classification": st.integers(0, 2),
    "releasability": st.sampled_from(["PUBLIC", "COALITION", "REL_TO"]),
    "originator": st.sampled_from(CODES[:4]),
    "rel_to": st.sets(st.sampled_from(CODES), min_size=1, max_size=3),
})
actor_st = st.tuples(st.sampled_from([*CODES, None]), st.integers(0, 3))


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(record_st, min_size=1, max_size=6), actors=st.lists(actor_st, min_size=1, max_size=4))
def test_sql_filter_and_object_check_match_the_rule(nations: dict[str, Nation], records: list[dict],
                                                     actors: list[tuple[str | None, int]]) -> None:
    ids = {}
    for spec in records:
        meeting = Meeting.unscoped.create(title="m", date=date(2025, 1, 1), classification=spec["classification"],
                                          releasability=spec["releasability"],
                                          originator=nations[spec["originator"]])
        if spec["releasability"] == "REL_TO":
            meeting.rel_to.set([nations[c] for c in spec["rel_to"]])
        ids[meeting.pk] = spec
    for code, clearance in actors:
        nation = nations.get(code) if code else None
        actor = Actor(user_id=1, username="t", nation_id=nation.pk if nation else None, nation_code=code,
                      clearance=Classification(clearance), is_member=code in {"FRA", "GBR", "DEU", "UKR"})
        expected = {pk for pk, spec in ids.items() if rule(actor, **spec)}
        visible = set(Meeting.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
        assert visible == expected
        for meeting in Meeting.unscoped.filter(pk__in=ids):
            assert is_releasable(actor, meeting) == (meeting.pk in expected)
    Meeting.unscoped.filter(pk__in=ids).delete()


def test_unscoped_queries_refuse_to_run(marked_meetings: dict[str, Meeting], fra_officer: Actor) -> None:
    with pytest.raises(UnscopedQueryError):
        list(Meeting.objects.all())
    with pytest.raises(UnscopedQueryError):
        Meeting.objects.count()
    with pytest.raises(UnscopedQueryError):
        Meeting.objects.filter(title="x").exists()
    with pytest.raises(UnscopedQueryError):
        Nation.objects.filter(id__in=Meeting.objects.values("originator_id")).count()
    assert Meeting.objects.visible_to(fra_officer).count() == 5


def test_releasable_q_needs_an_actor() -> None:
    with pytest.raises(TypeError):
        releasable_q(None, Meeting)  # type: ignore[arg-type]


def test_interested_nation_does_not_see_coalition_records(marked_meetings: dict[str, Meeting],
                                                          jpn_observer: Actor) -> None:
    titles = set(Meeting.objects.visible_to(jpn_observer).values_list("title", flat=True))
    assert titles == {"Public press conference"}


def test_anonymous_sees_public_unclassified_only(marked_meetings: dict[str, Meeting]) -> None:
    titles = set(Meeting.objects.visible_to(Actor.anonymous()).values_list("title", flat=True))
    assert titles == {"Public press conference"}


def test_write_rules_fail_closed(marked_meetings: dict[str, Meeting], fra_officer: Actor, coord: Actor,
                                 gbr_analyst: Actor) -> None:
    meeting = marked_meetings["coalition"]
    assert can(coord, "change", meeting)
    assert not can(fra_officer, "change", meeting)
    assert not can(gbr_analyst, "delete", meeting)
    assert not can(Actor.anonymous(), "create", Meeting)
    assert not can(coord, "frobnicate", object)  # type: ignore[arg-type]


def test_a_write_cannot_take_a_record_out_of_its_authors_sight(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("pol-coord", "POL", ["coordinator"], Classification.RESTRICTED)
    actor = Actor.for_user(user)
    with pytest.raises(ValidationFailed) as err:
        services.meeting_create(actor=actor, title="Above my clearance", date=date(2025, 1, 1),
                                classification=Classification.CONFIDENTIAL, releasability="COALITION")
    assert "releasability" in err.value.errors
    assert not Meeting.unscoped.filter(title="Above my clearance").exists()


def test_classification_above_the_ceiling_is_refused(coord: Actor, settings: object) -> None:
    settings.MAX_CLASSIFICATION = "RESTRICTED"  # type: ignore[attr-defined]
    with pytest.raises(ValidationFailed) as err:
        services.meeting_create(actor=coord, title="Too high", date=date(2025, 1, 1),
                                classification=Classification.CONFIDENTIAL, releasability="COALITION")
    assert "classification" in err.value.errors
    assert "ceiling" in err.value.errors["classification"][0]


def test_donor_cannot_create_meetings(fra_officer: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.meeting_create(actor=fra_officer, title="No", date=date(2025, 1, 1))


def test_rel_to_requires_nations_and_known_codes(coord: Actor) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.meeting_create(actor=coord, title="x", date=date(2025, 1, 1), releasability=Releasability.REL_TO)
    assert "rel_to" in err.value.errors
    with pytest.raises(ValidationFailed) as err:
        services.meeting_create(actor=coord, title="x", date=date(2025, 1, 1), releasability="REL_TO",
                                rel_to=["FRA", "XXX"])
    assert "XXX" in err.value.errors["rel_to"][0]
    assert not Meeting.objects.visible_to(coord).filter(title="x").exists()


def test_the_optimiser_reads_every_releasability_up_to_the_ceiling_and_writes_nothing(
        marked_meetings: dict[str, Meeting]) -> None:
    from shieldwall.core.access import optimiser_actor

    optimiser = optimiser_actor()
    assert optimiser.clearance == Classification.SECRET  # the test deployment's ceiling
    assert Meeting.objects.visible_to(optimiser).count() == len(marked_meetings)
    assert all(is_releasable(optimiser, m) for m in marked_meetings.values())
    assert not can(optimiser, "change", marked_meetings["coalition"])
    assert not can(optimiser, "create", Meeting)
    # An ordinary system actor still sees PUBLIC records only.
    assert set(Meeting.objects.visible_to(Actor.system()).values_list("title", flat=True)) == {
        "Public press conference"}
