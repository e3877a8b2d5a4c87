"""Month arithmetic on dates (no dependency): months are the first day of the month in Clauses."""

import calendar
import datetime
import re


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


def last_of_month(day):
    """31/01 → 31/01; 10/02/2028 → 29/02/2028."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_index(day):
    """Months since year 0 (January 2025 → 24300): month differences are subtractions of indexes."""
    return day.year * 12 + day.month - 1


def from_month_index(index):
    """The first day of the month of `month_index` index."""
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, 1)


MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
SHORT_MONTH_NAMES = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def month_label(month, short=False):
    """« mars 2025 »; short: « 03/25 » (chart axes)."""
    if short:
        return f"{month.month:02d}/{month.year % 100:02d}"
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def parse_month(text):
    """« 2025-03 », « 2025-03-01 », « 03/2025 » or « 3/2025 » → date(2025, 3, 1); None if not a month."""
    text = (text or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if not match:
        return None
    a, b = match.groups()
    year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
    if not 1 <= month <= 12 or not 1900 <= year <= 2999:
        return None
    return datetime.date(year, month, 1)


def parse_date(text, end=False):
    """« 2025-03-14 » or « 14/03/2025 » → that day; a month alone (« 2025-03 ») → its first day, or its last
    with `end` (a period's bound). None when the text is none of these."""
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    try:
        month = datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        return None
    return last_of_month(month) if end else month
