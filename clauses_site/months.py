"""Month arithmetic on dates (no dependency): months are the first day of the month in Clauses."""

import calendar
import datetime


def first_of_month(day):
    return day.replace(day=1)


def add_months(day, months):
    """The same day `months` later (or earlier), clamped to the end of a shorter month:
    31/01 + 1 → 28/02 (29/02 in a leap year); 30/11 + 3 → 28/02."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def month_span(first, count):
    """`count` months (first days) from the month of `first`."""
    start = first_of_month(first)
    return [add_months(start, i) for i in range(count)]


def months_between(start, end):
    """Months (first days) from the month of start to the month of end, both included."""
    start, end = first_of_month(start), first_of_month(end)
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    return month_span(start, max(count, 0))


def same_day_last_year(day):
    """29/02 → 28/02 of the year before."""
    return add_months(day, -12)


def year_start(day):
    return datetime.date(day.year, 1, 1)
