"""Coverage on a hand-built case: what counts (committed and later, visible lines), what does not (announced,
cancelled, a line released to another nation), per requirement, per area and per coalition, and bounded queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shieldwall.core.actor import Actor
from shieldwall.needs import coverage
from shieldwall.needs.selectors import RequirementFilters

pytestmark = pytest.mark.django_db


def test_requirement_coverage_for_a_french_viewer(case: dict[str, Any], fra_officer: Actor) -> None:
    row = coverage.requirement_coverage_one(actor=fra_officer, requirement_id=case["shells"].pk)
    assert row is not None
    assert (row.required_qty, row.required_value) == (1000, Decimal("4000000.00"))
    assert (row.committed_qty, row.committed_value) == (753, Decimal("2801000.00"))
    assert (row.allocated_qty, row.allocated_value) == (453, Decimal("1751000.00"))
    assert (row.delivered_qty, row.delivered_value) == (151, Decimal("550333.33"))
    assert (row.pct_committed, row.pct_allocated, row.pct_delivered) == (
        Decimal("75.3"), Decimal("45.3"), Decimal("15.1"))


def test_the_rel_to_line_counts_for_the_nations_it_is_released_to(case: dict[str, Any], ukr_desk: Actor) -> None:
    row = coverage.requirement_coverage_one(actor=ukr_desk, requirement_id=case["shells"].pk)
    assert row is not None
    assert (row.committed_qty, row.allocated_qty, row.allocated_value) == (1153, 853, Decimal("3351000.00"))


def test_area_and_coalition_rows(case: dict[str, Any], fra_officer: Actor) -> None:
    areas = {r.label: r for r in coverage.area_coverage(actor=fra_officer)}
    assert set(areas) == {"Artillery", "Air defence"}
    art = areas["Artillery"]
    assert (art.requirements, art.unpriced) == (2, 0)
    assert art.required_value == Decimal("5000000.00")  # 1000 × 4,000 + 400 × 2,500
    assert art.committed_value == Decimal("3051000.00")
    assert art.allocated_value == Decimal("1751000.00")
    assert art.delivered_value == Decimal("550333.33")
    assert art.pct_allocated == Decimal("35.0")
    air = areas["Air defence"]
    assert (air.requirements, air.unpriced, air.required_value, air.pct_committed) == (1, 1, Decimal("0.00"), None)
    coalitions = {r.label: r for r in coverage.coalition_coverage(actor=fra_officer)}
    assert coalitions["Artillery Capability Coalition"].committed_value == Decimal("3051000.00")
    assert coalitions["No capability coalition"].requirements == 1
    total = coverage.totals(list(areas.values()))
    assert (total.requirements, total.required_value) == (3, Decimal("5000000.00"))


def test_filters_apply_to_coverage(case: dict[str, Any], fra_officer: Actor) -> None:
    rows = coverage.area_coverage(actor=fra_officer, filters=RequirementFilters(priority=2))
    assert [(r.label, r.requirements, r.committed_value) for r in rows] == [("Artillery", 1, Decimal("250000.00"))]


def test_page_is_prioritised_and_bounded(case: dict[str, Any], fra_officer: Actor,
                                         django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(5):  # count, the page's ids, their values, REL TO nations, line sums
        page = coverage.requirement_coverage_page(actor=fra_officer, per_page=2)
        titles = [r.title for r in page.object_list]
    assert titles == ["155 mm for the east", "IRIS-T reloads"]
    assert page.paginator.num_pages == 2
