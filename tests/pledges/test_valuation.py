"""Valuation at the ECB reference rate of the value date: known rates, weekends, rounding, and parts of values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.pledges.valuation import ValuationError, ecb_rate, part_value, split_value, to_eur


def test_usd_on_15_march_2024_is_the_published_fixing() -> None:
    valuation = to_eur(Decimal("1000000.00"), "usd", date(2024, 3, 15))
    assert valuation.rate == Decimal("1.089200")
    assert valuation.rate_date == date(2024, 3, 15)
    assert valuation.currency == "USD"
    # 1,000,000 / 1.0892 = 918,105.0312…: half-up to the cent.
    assert valuation.eur == Decimal("918105.03")


@pytest.mark.parametrize("saturday_or_sunday", [date(2024, 3, 16), date(2024, 3, 17)])
def test_gbp_on_a_weekend_uses_fridays_rate(saturday_or_sunday: date) -> None:
    rate, rate_date = ecb_rate("GBP", saturday_or_sunday)
    assert (rate, rate_date) == (Decimal("0.854100"), date(2024, 3, 15))
    assert to_eur(Decimal("854100.00"), "GBP", saturday_or_sunday).eur == Decimal("1000000.00")


def test_target_holiday_uses_the_last_fixing_before_it() -> None:
    # 25 December 2024 has no fixing; 24 December's applies.
    assert ecb_rate("USD", date(2024, 12, 25)) == (Decimal("1.039500"), date(2024, 12, 24))


def test_eur_is_one_and_exact() -> None:
    valuation = to_eur(Decimal("12.345"), "EUR", date(2025, 1, 1))
    assert valuation.rate == Decimal(1)
    assert valuation.eur == Decimal("12.35")  # half-up: .345 → .35


def test_rounding_is_half_up_to_the_cent() -> None:
    # 162.03 JPY per EUR on 15 March 2024: 81.015 JPY is exactly 0.50 EUR.
    assert to_eur(Decimal("81.015"), "JPY", date(2024, 3, 15)).eur == Decimal("0.50")
    # 1.6203 JPY = 0.01 EUR exactly; 0.81015 JPY = 0.005 EUR → rounds half up to 0.01.
    assert to_eur(Decimal("0.81015"), "JPY", date(2024, 3, 15)).eur == Decimal("0.01")


@pytest.mark.parametrize(("amount", "currency", "day", "message"), [
    (Decimal("1"), "XXX", date(2024, 3, 15), "unknown currency"),
    (Decimal("1"), "USD", date(1990, 1, 1), "no ECB rate"),
    (Decimal("-1"), "USD", date(2024, 3, 15), "zero or more"),
])
def test_refusals_say_why(amount: Decimal, currency: str, day: date, message: str) -> None:
    with pytest.raises(ValuationError, match=message):
        to_eur(amount, currency, day)


def test_floats_are_refused() -> None:
    with pytest.raises(ValuationError, match="never float"):
        to_eur(1.5, "USD", date(2024, 3, 15))  # type: ignore[arg-type]


cents = st.decimals(min_value=0, max_value=Decimal("10") ** 12, places=2, allow_nan=False, allow_infinity=False)


@given(value=cents, whole=st.integers(min_value=1, max_value=10**6), data=st.data())
def test_split_value_adds_up_to_the_cent(value: Decimal, whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(min_value=0, max_value=whole))
    taken, kept = split_value(value, part, whole)
    assert taken + kept == value
    assert taken >= 0 and kept >= 0
    assert taken == taken.quantize(Decimal("0.01")) and kept == kept.quantize(Decimal("0.01"))
    assert abs(taken - value * part / whole) <= Decimal("0.005")
    assert part_value(value, whole, whole) == value and part_value(value, 0, whole) == 0


def test_part_value_refuses_parts_outside_the_whole() -> None:
    with pytest.raises(ValuationError):
        part_value(Decimal("10"), 3, 2)
