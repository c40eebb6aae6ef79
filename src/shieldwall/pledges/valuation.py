"""Valuation in EUR at the ECB reference rate of the value date (the `currencyconverter` package ships the
ECB history, so this works air-gapped). Money is Decimal throughout.

Rounding rules: the rate is the ECB's published figure (units of currency per 1 EUR, kept to 6 decimals);
the EUR value is amount ÷ rate rounded half-up to the cent. On a day without a fixing (weekends, TARGET
holidays) the last rate published before it applies, as the ECB recommends. A part of a value (the units
shipped, a line split in two) is value × part ÷ whole rounded half-up to the cent, and the rest is the exact
difference, so the parts always add up to the whole to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.000001")
MAX_LOOKBACK_DAYS = 10


class ValuationError(ValueError):
    """The amount cannot be valued (unknown currency, date outside the ECB history, bad amount)."""


@dataclass(frozen=True)
class Valuation:
    amount: Decimal
    currency: str
    value_date: date
    rate: Decimal  # units of `currency` per 1 EUR
    rate_date: date  # the ECB fixing used (the value date or the last one before it)
    eur: Decimal


@lru_cache(maxsize=1)
def _converter() -> Any:
    from currency_converter import CurrencyConverter

    return CurrencyConverter(decimal=True)


def currencies() -> list[str]:
    return sorted({"EUR", *_converter().currencies})


def ecb_rate(currency: str, on: date) -> tuple[Decimal, date]:
    """The ECB reference rate (currency per EUR) of `on`, or of the last fixing before it."""
    code = currency.upper()
    if code == "EUR":
        return Decimal(1), on
    conv = _converter()
    if code not in conv.currencies:
        raise ValuationError(f"unknown currency {currency!r}; the ECB publishes rates for {', '.join(currencies())}")
    first, last = conv.bounds[code]
    if not first <= on <= last + timedelta(days=MAX_LOOKBACK_DAYS):
        raise ValuationError(f"no ECB rate for {code} on {on}: the rates run from {first} to {last}")
    from currency_converter import RateNotFoundError

    for back in range(MAX_LOOKBACK_DAYS + 1):
        day = on - timedelta(days=back)
        try:
            rate = conv.convert(1, "EUR", code, date=day)
        except RateNotFoundError:  # a day without a fixing
            continue
        return Decimal(rate).quantize(RATE_PLACES, rounding=ROUND_HALF_UP), day
    raise ValuationError(f"no ECB rate for {code} within {MAX_LOOKBACK_DAYS} days before {on}")


def to_eur(amount: Decimal, currency: str, on: date) -> Valuation:
    if not isinstance(amount, Decimal):
        raise ValuationError("amounts are Decimal, never float")
    if amount < 0 or not amount.is_finite():
        raise ValuationError("an amount is a finite number of zero or more")
    rate, rate_date = ecb_rate(currency, on)
    eur = (amount / rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return Valuation(amount, currency.upper(), on, rate, rate_date, eur)


def part_value(value: Decimal, part: int, whole: int) -> Decimal:
    """The value of `part` of `whole` units, half-up to the cent."""
    if whole < 1 or not 0 <= part <= whole:
        raise ValuationError(f"a part is between 0 and {whole} units, got {part}")
    return (value * part / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def split_value(value: Decimal, part: int, whole: int) -> tuple[Decimal, Decimal]:
    """(value of `part` units, value of the rest): the first rounded to the cent, the second the exact rest."""
    taken = part_value(value, part, whole)
    return taken, value - taken
