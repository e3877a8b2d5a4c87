"""« Last year at the same date » compares the same months on both sides (issue 12 item 3).

On 02/12/2026 the period 01/01 → 02/12/2026 holds the hours of January to November (November's partly
in); last year's same period, 01/01 → 02/12/2025, took the whole of December 2025: −45 % for no reason.
Both sides now stop at the last collected month (hours.queries.expected_through: October 2026 on
02/12/2026): janv.–oct. 2026 against janv.–oct. 2025."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from reporting import dashboard
from reporting.dashboard import Selection
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import ClauseFactory, MarketFactory

D = Decimal
TODAY = datetime.date(2026, 12, 2)


def month(year, m):
    return datetime.date(year, m, 1)


@pytest.fixture
def hours(db):
    """100 h a month in January → October 2025 and 500 h in November and December 2025 (2 000 h in
    2025); 110 h a month in January → October 2026, 40 h of November 2026 already in."""
    m = MarketFactory(starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2027, 12, 31))
    lot = ClauseFactory(lot__market=m, lot__number="1", stated_hours=D(5000)).lot
    a = AssignmentFactory(lot=lot, starts_on=datetime.date(2025, 1, 6), ends_on=None)
    for m_ in range(1, 13):
        HoursEntryFactory(assignment=a, month=month(2025, m_), hours=D(100) if m_ <= 10 else D(500))
    for m_ in range(1, 11):
        HoursEntryFactory(assignment=a, month=month(2026, m_), hours=D(110))
    HoursEntryFactory(assignment=a, month=month(2026, 11), hours=D(40))
    return lot


def test_same_months_on_both_sides(hours):
    h = dashboard.build(Selection(datetime.date(2026, 1, 1), TODAY), today=TODAY).headline
    assert h.hours_done == D(1140)  # every hour of the period, November's 40 h included
    assert (h.compared_from, h.compared_to) == (month(2026, 1), month(2026, 10))
    assert h.hours_compared == D(1100) and h.hours_done_last_year == D(1000)  # not 2 000 h
    assert h.hours_change == D("0.1000")  # +10 % (before: 1 140 ÷ 2 000 − 1 = −43 %)
    assert h.comparison_label == "janv.–oct. 2026 contre janv.–oct. 2025"


def test_a_period_ending_in_the_past_compares_up_to_its_own_end(hours):
    # ?au=2025-12-01 seen on 02/12/2026: December 2025 is collected, the period's months are compared.
    h = dashboard.build(
        Selection(datetime.date(2025, 1, 1), datetime.date(2025, 12, 1)), today=TODAY
    ).headline
    assert (h.compared_from, h.compared_to) == (month(2025, 1), month(2025, 12))
    assert h.hours_compared == D(2000) and h.hours_done_last_year == D(0) and h.hours_change is None
    assert h.comparison_label == "janv.–déc. 2025 contre janv.–déc. 2024"


def test_a_period_across_years_and_one_not_collected_yet(hours):
    h = dashboard.build(Selection(datetime.date(2025, 11, 1), TODAY), today=TODAY).headline
    assert h.comparison_label == "nov. 2025–oct. 2026 contre nov. 2024–oct. 2025"
    assert h.hours_compared == D(2100) and h.hours_done_last_year == D(1000)  # 500 + 500 + 1 100 / 1 000
    # Only November and December 2026: nothing collected yet, nothing compared.
    h = dashboard.build(Selection(datetime.date(2026, 11, 1), TODAY), today=TODAY).headline
    assert h.compared_to is None and h.comparison_label is None and h.hours_change is None
    assert h.hours_done == D(40)


def test_the_page_says_which_months(client, manager, hours, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    client.force_login(manager)
    html = unescape(client.get(reverse("home")).content.decode())
    shown = re.sub(r"\n\s*", " ", html.split('data-testid="hours-comparison">')[1].split("</p>")[0])
    assert shown == (
        "janv.–oct. 2026 contre janv.–oct. 2025 : 1\xa0100\xa0h contre 1\xa0000\xa0h "
        '<span class="fw-semibold trend-up">(+10,0\xa0%)</span>'
    )
    assert "2025 à même date : 2\xa0000\xa0h" not in html  # before: the whole of December 2025
    html = unescape(client.get(reverse("home"), {"du": "2026-11-01", "au": "2026-12-02"}).content.decode())
    assert "Comparaison avec 2025 : aucun mois de la période n'est encore collecté." in html
