"""The term of a security agreement: its last day and the calendar years it covers (pure date arithmetic).

An agreement signed on 12 January 2024 for ten years runs until 11 January 2034, so its yearly obligations may
fall in 2024 … 2034 (the last year only partly); one signed on 1 January 2024 ends on 31 December 2033.
"""

from __future__ import annotations

from datetime import date, timedelta


def anniversary(day: date, years: int) -> date:
    """`day` moved `years` years on; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def last_day(signed: date, duration_years: int) -> date:
    return anniversary(signed, duration_years) - timedelta(days=1)


def term_years(signed: date, duration_years: int) -> range:
    """The calendar years in which the agreement is in force for at least one day."""
    return range(signed.year, last_day(signed, max(duration_years, 1)).year + 1)
