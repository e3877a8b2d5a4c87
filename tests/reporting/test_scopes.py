"""reporting/scopes.py: the period shortcuts across a year's end, and the dates a person types."""

import datetime

import pytest

from reporting import scopes

D = datetime.date


@pytest.mark.parametrize(
    "name,today,period",
    [
        ("last_month", D(2026, 1, 15), (D(2025, 12, 1), D(2025, 12, 31))),
        ("last_month", D(2024, 3, 31), (D(2024, 2, 1), D(2024, 2, 29))),
        ("last_quarter", D(2026, 1, 15), (D(2025, 10, 1), D(2025, 12, 31))),
        ("last_quarter", D(2026, 12, 31), (D(2026, 7, 1), D(2026, 9, 30))),
    ],
)
def test_shortcuts_across_a_year_end_and_february(name, today, period):
    assert scopes.shortcut_period(name, today) == period


def test_typed_dates():
    assert scopes.parse_date("2024-02-29", "de début") == D(2024, 2, 29)
    assert scopes.parse_date("29/02/2024", "de début") == D(2024, 2, 29)
    assert scopes.parse_date("2024-02", "de fin", end=True) == D(2024, 2, 29)
    with pytest.raises(scopes.ScopeError) as error:
        scopes.parse_date("2025-02-29", "de fin (--to)")
    assert str(error.value) == "Date de fin (--to) invalide : « 2025-02-29 » (attendu AAAA-MM-JJ)."
