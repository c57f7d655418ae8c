"""Calendar months, as the CRM suite counts them.

A month is represented by the date of its first day. The *last closed
month* of a day is the month before the day's own: the latest month whose
figures can no longer change by the calendar alone.
"""

from dateutil.relativedelta import relativedelta


def month_start(day):
    """First day of ``day``'s month."""
    return day.replace(day=1)


def add_months(day, months):
    """``day`` moved by ``months`` calendar months (negative: back)."""
    return day + relativedelta(months=months)


def last_closed_month(today):
    """First day of the month before ``today``'s."""
    return add_months(month_start(today), -1)


def month_number(day):
    """Months since year 0: consecutive months are consecutive numbers."""
    return day.year * 12 + day.month - 1


def month_count(first, last):
    """How many months from ``first``'s to ``last``'s, both included."""
    return month_number(last) - month_number(first) + 1
