"""clauses_site.months: the one month arithmetic of the project."""

import datetime

from clauses_site.months import add_months, last_of_month, month_index, month_label, parse_date, parse_month

D = datetime.date


def test_add_months_clamps_the_day_to_a_shorter_month():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2028, 2, 29), 12) == D(2029, 2, 28)
    assert add_months(D(2028, 2, 29), -1) == D(2028, 1, 29)
    assert add_months(D(2025, 1, 1), -1) == D(2024, 12, 1)
    assert add_months(D(2025, 1, 1), 25) == D(2027, 2, 1)


def test_last_of_month_and_index():
    assert last_of_month(D(2028, 2, 3)) == D(2028, 2, 29)
    assert last_of_month(D(2025, 12, 31)) == D(2025, 12, 31)
    assert month_index(D(2026, 3, 15)) - month_index(D(2025, 11, 1)) == 4


def test_labels_and_parsing():
    assert month_label(D(2025, 3, 1)) == "mars 2025"
    assert month_label(D(2025, 3, 1), short=True) == "03/25"
    assert parse_month("3/2025") == parse_month("2025-03-01") == D(2025, 3, 1)
    assert parse_month("13/2025") is None
    assert parse_date("14/03/2025") == parse_date("2025-03-14") == D(2025, 3, 14)
    assert parse_date("2025-02") == D(2025, 2, 1)
    assert parse_date("2028-02", end=True) == D(2028, 2, 29)
    assert parse_date("demain") is None
