"""Expected-to-date runs to the end of the last collected month (issue 12 item 4).

A month's hours reach the team during the following month: on 02/12/2026 the last collected month is
October 2026 (CLAUSES_COLLECTION_LAG_MONTHS = 1), and a lot is expected to have produced its hours pro
rata of its execution months up to the end of October, not of December. One definition
(hours.queries.expected_through) for the dashboard, the at-risk list, the lot and company pages and the
bilans."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from hours import queries
from reporting import dashboard, indicators
from reporting.dashboard import Selection
from tests.companies.factories import CompanyFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory, MarketFactory

D = Decimal
TODAY = datetime.date(2026, 12, 2)
JAN, DEC = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
DEC_2027 = datetime.date(2027, 12, 31)


def month(year, m):
    return datetime.date(year, m, 1)


@pytest.mark.parametrize(
    ("today", "collected"),
    [
        (datetime.date(2026, 12, 1), month(2026, 10)),  # the 1st: November is not a whole month ago
        (TODAY, month(2026, 10)),
        (datetime.date(2026, 12, 31), month(2026, 10)),  # the last day: December has not ended
        (datetime.date(2027, 1, 1), month(2026, 11)),  # a new month: November is collected
        (datetime.date(2026, 3, 31), month(2026, 1)),  # 31/03: January (not February)
    ],
)
def test_last_collected_month_with_the_default_lag(today, collected):
    assert queries.last_collected_month(today) == collected


def test_the_lag_is_a_setting(settings):
    settings.CLAUSES_COLLECTION_LAG_MONTHS = 0
    assert queries.last_collected_month(TODAY) == month(2026, 11)
    settings.CLAUSES_COLLECTION_LAG_MONTHS = 2
    assert queries.last_collected_month(TODAY) == month(2026, 9)


def test_expected_through_is_the_month_of_on_never_after_the_collected_month():
    assert queries.expected_through(TODAY, TODAY) == month(2026, 10)
    assert queries.expected_through(DEC, TODAY) == month(2026, 10)  # a bilan of 2026, seen in December
    assert queries.expected_through(datetime.date(2025, 12, 31), TODAY) == month(2025, 12)  # a past bilan
    assert queries.expected_through(datetime.date(2026, 10, 15), TODAY) == month(2026, 10)


def test_expected_hours_boundaries():
    # 1 200 h over 01 → 12/2026: 10 of 12 months collected on 02/12 = 1 000 h (before: 1 200 h, December
    # counted as elapsed on its second day).
    assert queries.expected_hours(D(1200), JAN, DEC, TODAY, TODAY) == D(1000)
    # The first and the last day of December: the same 1 000 h.
    assert queries.expected_hours(
        D(1200), JAN, DEC, datetime.date(2026, 12, 1), datetime.date(2026, 12, 1)
    ) == D(1000)
    assert queries.expected_hours(D(1200), JAN, DEC, DEC, DEC) == D(1000)
    # On 01/01/2027 November is collected: 11 months, 1 100 h.
    jan_2027 = datetime.date(2027, 1, 1)
    assert queries.expected_hours(D(1200), JAN, DEC, jan_2027, jan_2027) == D(1100)
    # A lot starting last month (November) or this month expects nothing yet, and is not behind.
    nov = datetime.date(2026, 11, 1)
    assert queries.expected_hours(D(600), nov, datetime.date(2027, 4, 30), TODAY, TODAY) == D(0)
    assert queries.expected_hours(D(600), datetime.date(2026, 12, 1), DEC, TODAY, TODAY) == D(0)
    assert not queries.progress(D(600), D(0), nov, datetime.date(2027, 4, 30), TODAY, TODAY).lagging
    # A lot ending in the collected month, or before it, expects everything.
    assert queries.expected_hours(D(600), JAN, datetime.date(2026, 10, 31), TODAY, TODAY) == D(600)
    assert queries.expected_hours(D(600), JAN, datetime.date(2026, 9, 30), TODAY, TODAY) == D(600)
    # Ending in November (not collected yet): 10 of 11 months.
    assert queries.expected_hours(D(1100), JAN, datetime.date(2026, 11, 30), TODAY, TODAY) == D(1000)
    p = queries.progress(D(1200), D(800), JAN, DEC, TODAY, TODAY)
    assert (p.expected, p.lagging, p.expected_through) == (D(1000), False, month(2026, 10))


# --- the pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def today_is_2_december(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)


@pytest.fixture
def lots(db):
    """Two lots of 2 400 h over 01/2026 → 12/2027 (10 of 24 months collected: 1 000 h expected at the end
    of October, 80 % = 800 h), done: 850 h (not behind; before, 11 months: 1 100 h expected and behind
    under 880 h), 799 h (behind); and one of 600 h starting in November (nothing expected)."""
    company = CompanyFactory(name="Bâti Nord SAS")
    made = {}
    for reference, owed, starts_on, ends_on, done in [
        ("M-850", 2400, JAN, DEC_2027, (D(425), D(425))),
        ("M-799", 2400, JAN, DEC_2027, (D(400), D(399))),
        ("M-NOV", 600, datetime.date(2026, 11, 1), datetime.date(2027, 4, 30), ()),
    ]:
        m = MarketFactory(reference=reference, starts_on=starts_on, ends_on=ends_on)
        lot = ClauseFactory(lot__market=m, lot__number="1", stated_hours=D(owed)).lot
        AwardFactory(lot=lot, company=company)
        if done:
            a = AssignmentFactory(lot=lot, company=company, starts_on=starts_on, ends_on=None)
            for i, hours in enumerate(done):
                HoursEntryFactory(assignment=a, month=month(2026, 3 + i), hours=hours)
        made[reference] = lot
    made["company"] = company
    return made


def test_at_risk_on_2_december(lots):
    board = dashboard.build(Selection(JAN, TODAY), today=TODAY)
    assert board.expected_through == month(2026, 10)
    rows = {r.lot.market.reference: r for r in board.realisation}
    assert [rows[r].progress.expected for r in ("M-850", "M-799", "M-NOV")] == [D(1000), D(1000), D(0)]
    assert not rows["M-850"].behind  # 850 ≥ 800 (before: 850 < 960, « à risque »)
    assert rows["M-799"].behind and rows["M-799"].done_vs_expected == D("0.7990")
    assert not rows["M-NOV"].behind
    assert [r.lot.market.reference for r in board.at_risk] == ["M-799"]


def test_dashboard_and_at_risk_list_say_until_when(client, manager, lots, today_is_2_december):
    client.force_login(manager)
    html = unescape(client.get(reverse("home")).content.decode())
    assert html.count('data-testid="at-risk"') == 1
    assert "Réalisé / attendu à fin octobre 2026" in html
    assert "Moins de 80 % des heures attendues à fin octobre 2026" in html
    html = unescape(client.get(reverse("reporting:dashboard_lots"), {"risque": "1"}).content.decode())
    assert html.count('data-testid="lot-row"') == 1 and "M-799" in html and "M-850" not in html
    assert "Attendues à fin octobre 2026" in html
    assert "attendu à fin octobre 2026 1\xa0000,00 h" in html  # the bar's label


def test_lot_and_company_pages(client, manager, lots, today_is_2_december):
    client.force_login(manager)
    html = unescape(client.get(reverse("markets:lot_detail", args=[lots["M-850"].pk])).content.decode())
    assert "attendu à fin octobre 2026 : 1\xa0000,00 h" in html
    assert "En retard" not in html
    company = lots["company"]
    html = unescape(client.get(reverse("companies:company_detail", args=[company.pk])).content.decode())
    # The company's three awards: 1 000 + 1 000 + 0 h expected.
    assert "attendu à fin octobre 2026 : 2\xa0000,00 h" in html
    assert html.count("attendu à fin octobre 2026 : 1\xa0000,00 h") == 2


def test_bilan_of_the_year_in_progress(lots, today_is_2_december):
    f = indicators.for_market(lots["M-850"].market, JAN, DEC)
    assert f.progress.expected == D(1000) and f.progress.expected_through == month(2026, 10)
    assert not f.progress.lagging
    assert [line.progress.expected for line in f.lots] == [D(1000)]
    f = indicators.for_company(lots["company"], JAN, DEC)
    assert [line.progress.expected for line in f.companies] == [D(2000)]
    # A past year's bilan runs to its own end: 2025 is collected.
    assert queries.expected_through(datetime.date(2025, 12, 31)) == month(2025, 12)
