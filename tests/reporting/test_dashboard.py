"""The home dashboard's figures, asserted on hand-built data: the bilan data set (tests/reporting/dataset.py,
so that the dashboard and the bilans are seen to agree), and small data sets for the « at risk » rule at
its boundaries and for the forecast by trade."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from markets.models import Market, Stage
from reporting import dashboard, indicators
from reporting.dashboard import Selection
from tests.companies.factories import ContactFactory, SectorFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import ClauseFactory, MarketFactory
from tests.reporting.dataset import END, START

D = Decimal


def month(year, m):
    return datetime.date(year, m, 1)


# --- the bilan data set, seen on 30/06/2025 ---------------------------------------------------------------


@pytest.fixture
def board(bilan_data):
    return dashboard.build(Selection(START, END), today=END)


def test_headline_figures(bilan_data, board):
    h = board.headline
    # 151,67 + 120,50 (A1) + 35,25 + 80 (A2) + 65 (A4, training counts) + 10 (A7) + 200 (A8) + 100,50 (A9)
    assert h.hours_done == D("762.92")
    assert h.hours_done == indicators.for_territory(START, END).hours_done  # the bilan's figure
    assert h.hours_done_last_year == D(0) and h.hours_change is None
    # Lots in execution on 30/06/2025: CUD-1 (833,33 h), VGS-1 (350 h), VGS-2 (150 h).
    assert h.lots_in_execution == 3
    assert h.owed == D("1333.33")
    assert h.done_to_date == D("687.92")  # 387,42 + 300,50 + 0
    assert h.remaining == D("645.41")
    assert h.completion_rate == D("0.5159")
    assert h.people_at_work == 7  # P1 P2 P3 P4 P5 P6 P7 have an assignment running in June (not A5)
    assert (h.new_assignments, h.new_assignments_last_year) == (6, 0)  # A1 A2 A3 A6 A8 A9
    # The bilan's outcome rule: P1's CDI at the end; P2 and P5 ended otherwise; P3 at 6 months.
    assert (h.positive_outcomes, h.people_with_outcome, h.positive_at_six_months) == (1, 3, 1)


def test_headline_agrees_with_the_buyer_bilan(bilan_data):
    selection = Selection(START, END, buyer=bilan_data.vgs)
    board = dashboard.build(selection, today=END)
    assert board.headline.hours_done == D("300.50")
    assert board.headline.hours_done == indicators.for_buyer(bilan_data.vgs, START, END).hours_done
    assert board.headline.owed == D(500) and board.headline.lots_in_execution == 2
    assert board.headline.people_at_work == 2  # P4 (A8), P5 (A9)


def test_hours_by_month_this_year_and_last(board):
    series = board.months
    assert series.year == 2025
    assert series.this_year[:7] == (D("216.67"), D("130.50"), D("35.25"), D(240), D(100), D("40.50"), D(130))
    assert series.this_year[7:] == (D(0),) * 5
    assert series.last_year == (D(0),) * 10 + (D(50), D(40))


def test_realisation_sorted_by_lag_and_at_risk(bilan_data, board):
    lots = bilan_data.lots
    assert [r.lot.pk for r in board.realisation] == [lots.vgs2.pk, lots.cud1.pk, lots.vgs1.pk]
    vgs2, cud1, vgs1 = board.realisation
    # Seen on 30/06/2025, expected runs to the end of April 2025 (the last collected month: May's hours
    # arrive in June): VGS-2 150 h × 4/12 (01→12/2025), CUD-1 833,33 h × 4/12, VGS-1 350 h × 2/12
    # (03/2025 → 02/2026). (Before: to the end of June, 75 / 416,67 / 116,67 h.)
    assert board.expected_through == month(2025, 4)
    assert (vgs2.progress.expected, vgs2.progress.done, vgs2.lag) == (D(50), D(0), D(50))
    assert (cud1.progress.expected, cud1.progress.done, cud1.lag) == (D("277.78"), D("387.42"), D("-109.64"))
    assert (vgs1.progress.expected, vgs1.lag) == (D("58.33"), D("-242.17"))
    assert vgs2.progress.expected_through == month(2025, 4)
    assert [r.lot.pk for r in board.at_risk] == [lots.vgs2.pk]
    assert vgs2.behind and not vgs2.ending
    assert vgs2.holder == bilan_data.couleurs and vgs2.contact is None


def test_forecast_of_the_bilan_data_set(board):
    f = board.forecast
    assert f.months[0] == month(2025, 6) and f.months[-1] == month(2026, 5) and len(f.months) == 12
    # CUD-1: 445,91 h over June → December (63,70 × 6 + 63,71); VGS-1: 49,50 h over June → February
    # (5,50 a month); VGS-2 (no assignment: its title): 150 h over June → December (21,42 × 6 + 21,48).
    assert f.total == D("645.41") and f.lots == 3
    assert [(t.name, t.total) for t in f.trades] == [("Maçon", D("495.41")), ("Clôtures", D(150))]
    assert f.by_month[0] == D("90.62") and f.by_month[6] == D("90.69")
    assert f.by_month[7:] == (D("5.50"), D("5.50"), D(0), D(0), D(0))


# --- the « at risk » rule at its boundaries -----------------------------------------------------------------

ON = datetime.date(2026, 10, 15)  # + 3 months = 15/01/2027


def lot_with(reference, starts_on, ends_on, owed, done, facilitator=None, **market):
    m = MarketFactory(
        reference=reference, starts_on=starts_on, ends_on=ends_on, facilitator=facilitator, **market
    )
    lot = ClauseFactory(lot__market=m, lot__number="1", stated_hours=D(owed)).lot
    if done:
        a = AssignmentFactory(lot=lot, starts_on=starts_on, ends_on=None)
        left, when = D(done), starts_on.replace(day=1)
        while left > 0:  # at most 700 h a month
            HoursEntryFactory(assignment=a, month=when, hours=min(left, D(700)))
            left -= min(left, D(700))
            when = (when + datetime.timedelta(days=32)).replace(day=1)
    return lot


@pytest.fixture
def boundaries(db):
    jan = datetime.date(2026, 1, 1)
    # Rule 1, « behind »: 2 400 h over 24 months (01/2026 → 12/2027); on 15/10/2026 the last collected
    # month is August (September's hours arrive in October): 8 months, 800 h expected, 80 % = 640 h.
    far = datetime.date(2027, 12, 31)
    lots = {
        "at_80": lot_with("B-80", jan, far, 2400, "640"),
        "below_80": lot_with("B-79", jan, far, 2400, "639.99"),
        # Rule 2, « ending »: 1 000 h over 01/2026 → 01/2027 (13 months, 615,38 h expected on ON:
        # never behind with 700 h done or more).
        "ends_in_3_months_20_owed": lot_with("E-20", jan, datetime.date(2027, 1, 15), 1000, "800"),
        "ends_in_3_months_over_20": lot_with("E-21", jan, datetime.date(2027, 1, 15), 1000, "799.99"),
        "ends_a_day_later": lot_with("E-LATE", jan, datetime.date(2027, 1, 16), 1000, "700"),
        "ended_yesterday": lot_with("E-DONE", jan, datetime.date(2026, 10, 14), 1000, "0"),
        "ends_today": lot_with("E-TODAY", datetime.date(2026, 8, 1), ON, 1000, "900"),
    }
    return lots


def test_at_risk_boundaries(boundaries):
    board = dashboard.build(Selection(datetime.date(2026, 1, 1), ON), today=ON)
    rows = {r.lot.market.reference: r for r in board.realisation}
    assert "E-DONE" not in rows  # ended: not in execution any more
    assert rows["B-80"].progress.expected == D(800)
    assert not rows["B-80"].behind and not rows["B-80"].at_risk  # exactly 80 %: not at risk
    assert rows["B-79"].behind and rows["B-79"].at_risk  # 79,999 %: at risk
    assert rows["E-20"].remaining_share == D("0.2")
    assert not rows["E-20"].ending and not rows["E-20"].behind  # exactly 20 % owed: not at risk
    assert rows["E-21"].ending and not rows["E-21"].behind  # 20,001 % owed, ends in 3 months: at risk
    assert not rows["E-LATE"].ending and not rows["E-LATE"].at_risk  # 3 months and a day
    assert not rows["E-TODAY"].ending  # 10 % owed on its last day: not at risk (10 % ≤ 20 %)
    assert sorted(r.lot.market.reference for r in board.at_risk) == ["B-79", "E-21"]


def test_rules_directly():
    from hours.queries import progress

    p = progress(D(1000), D("799.99"), datetime.date(2026, 1, 1), datetime.date(2027, 1, 15), ON)
    assert dashboard.is_ending(p, datetime.date(2027, 1, 15), ON)
    assert not dashboard.is_ending(p, datetime.date(2027, 1, 16), ON)
    assert not dashboard.is_ending(p, datetime.date(2026, 10, 14), ON)  # already ended
    # 30/11 + 3 months = 28/02 (no 30 February).
    end_nov = datetime.date(2026, 11, 30)
    p2 = progress(D(100), D(0), datetime.date(2026, 11, 1), datetime.date(2027, 2, 28), end_nov)
    assert dashboard.is_ending(p2, datetime.date(2027, 2, 28), end_nov)
    assert not dashboard.is_ending(p2, datetime.date(2027, 3, 1), end_nov)


# --- the forecast by trade ----------------------------------------------------------------------------------


def test_forecast_split_by_trade(db):
    on = datetime.date(2026, 3, 10)
    m = MarketFactory(starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31))
    # Lot 1: 1 000 h owed, 500 done by masons (« Maçon », « maçon ») and coffreurs: 400 / 100.
    lot1 = ClauseFactory(lot__market=m, lot__number="1", stated_hours=D(1000)).lot
    for job, hours in [("Maçon", 300), (" maçon", 100), ("Coffreur", 100)]:
        a = AssignmentFactory(lot=lot1, job=job, starts_on=datetime.date(2026, 1, 5), ends_on=None)
        HoursEntryFactory(assignment=a, month=month(2026, 2), hours=D(hours))
    # Lot 2: 300 h owed from 06/2026 to 08/2026, a painter and a plasterer hired, no hours yet.
    lot2 = ClauseFactory(
        lot__market=m, lot__number="2", lot__title="Peinture", stated_hours=D(300),
        lot__starts_on=datetime.date(2026, 6, 1), lot__ends_on=datetime.date(2026, 8, 31),
    ).lot  # fmt: skip
    AssignmentFactory(lot=lot2, job="Peintre", starts_on=datetime.date(2026, 6, 1), ends_on=None)
    AssignmentFactory(lot=lot2, job="Plaquiste", starts_on=datetime.date(2026, 6, 1), ends_on=None)
    # Lot 3: starts in 2027: outside the window. Lot 4: a dropped market: left out.
    ClauseFactory(lot__market=m, lot__number="3", lot__starts_on=datetime.date(2027, 4, 1), lot__ends_on=None)
    dropped = MarketFactory(stage=Stage.DROPPED, starts_on=datetime.date(2026, 1, 1), ends_on=None)
    ClauseFactory(lot__market=dropped, lot__number="1")

    f = dashboard.forecast(Selection(datetime.date(2026, 1, 1), on), on)
    # Lot 1: 500 h over March → December (50 h a month), 80 % masons, 20 % coffreurs.
    # Lot 2: 300 h over June → August (100 h a month), 50 h each to painters and plasterers.
    trades = {t.name: t for t in f.trades}
    assert set(trades) == {"Maçon", "Coffreur", "Peintre", "Plaquiste"}
    assert trades["Maçon"].total == D(400) and trades["Maçon"].by_month[0] == D(40)
    assert trades["Coffreur"].total == D(100) and trades["Coffreur"].by_month[9] == D(10)
    assert trades["Peintre"].by_month[3:6] == (D(50), D(50), D(50)) and trades["Peintre"].total == D(150)
    assert trades["Plaquiste"].total == D(150)
    assert [t.name for t in f.trades] == ["Maçon", "Peintre", "Plaquiste", "Coffreur"]
    assert f.by_month[:7] == (D(50), D(50), D(50), D(150), D(150), D(150), D(50))
    assert f.total == D(800) and f.lots == 2


def test_a_lot_of_one_trade_takes_all_its_hours(db, django_assert_num_queries):
    """Two spellings of one trade: one trade takes all the lot's hours, whatever their weights; 3 queries
    (the lots' hours to date and by job in one read of the summary, the lots, their jobs)."""
    on = datetime.date(2026, 3, 10)
    m = MarketFactory(starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31))
    lot = ClauseFactory(lot__market=m, lot__number="1", stated_hours=D(1000)).lot
    for job, hours in [("Maçon", 300), (" maçon", 200)]:
        a = AssignmentFactory(lot=lot, job=job, starts_on=datetime.date(2026, 1, 5), ends_on=None)
        HoursEntryFactory(assignment=a, month=month(2026, 2), hours=D(hours))
    with django_assert_num_queries(3):
        f = dashboard.forecast(Selection(datetime.date(2026, 1, 1), on), on)
    assert [(t.name, t.total, t.by_month[0]) for t in f.trades] == [("Maçon", D(500), D(50))]
    assert f.total == D(500) and f.lots == 1


def test_the_weights_by_job_are_the_summary_s(db):
    """The hours done by job that weigh a lot's trades are read from the lot × month × job summary (the
    entries are not read again): one more hour of coffreur in the summary moves the split."""
    from hours.models import LotMonthHours

    on = datetime.date(2026, 3, 10)
    m = MarketFactory(starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31))
    lot = ClauseFactory(lot__market=m, lot__number="1", stated_hours=D(1000)).lot
    for job, hours in [("Maçon", 300), ("Coffreur", 100)]:
        a = AssignmentFactory(lot=lot, job=job, starts_on=datetime.date(2026, 1, 5), ends_on=None)
        HoursEntryFactory(assignment=a, month=month(2026, 2), hours=D(hours))
    selection = Selection(datetime.date(2026, 1, 1), on)
    # 600 h over March → December, 3/4 masons
    assert {t.name: t.total for t in dashboard.forecast(selection, on).trades} == {
        "Maçon": D(450),
        "Coffreur": D(150),
    }
    LotMonthHours.objects.filter(lot=lot, job="Coffreur").update(hours=D(300))  # a summary gone wrong
    # the lot's hours to date from the summary too: 1 000 − 600 = 400 h left, half each
    assert {t.name: t.total for t in dashboard.forecast(selection, on).trades} == {
        "Maçon": D(200),
        "Coffreur": D(200),
    }


def test_build_reads_each_figure_once(bilan_data, django_assert_num_queries):
    """build(): 9 queries whatever the data — the hours to date of every live lot by job (one GROUP BY of
    the summary, for the realisation and the forecast), the hours by month (one GROUP BY of the summary,
    for the headline's three totals and the month series), the lots in execution, the holders and their
    contacts (2), the assignments' counts, the outcomes (1), the forecast's lots and their jobs — and the
    same figures as each part read on its own."""
    selection = Selection(START, END)
    with django_assert_num_queries(9):
        board = dashboard.build(selection, today=END)
    on = board.on
    assert board.headline == dashboard.headline(selection, on, board.realisation, END)
    assert board.months == dashboard.month_series(selection, on)
    assert board.forecast == dashboard.forecast(selection, on)
    alone = dashboard.realisation(selection, on, today=END)
    assert [(r.lot.pk, r.progress, r.holder, r.contact) for r in alone] == [
        (r.lot.pk, r.progress, r.holder, r.contact) for r in board.realisation
    ]


# --- the page -----------------------------------------------------------------------------------------------


@pytest.fixture
def named(bilan_data):
    """The bilan data set with the names a reader must not see: a facilitator, a company contact."""
    claire = UserFactory(username="claire", first_name="Claire", last_name="Vasseur", facilitator=True)
    for market in (bilan_data.m1, bilan_data.m3):
        market.facilitator = claire
        market.save()
    ContactFactory(company=bilan_data.couleurs, name="Jean Dupuis", phone="03 28 11 22 33")
    return claire


def test_home_shows_the_dashboard(client, named, monkeypatch, django_assert_max_num_queries):
    import reporting.views_dashboard as views

    monkeypatch.setattr(views.timezone, "localdate", lambda: END)
    client.force_login(named)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("home"), {"du": "2025-01-01", "au": "2025-06-30"})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Tableau de bord" in html and 'data-testid="role"' in html
    assert "762,92" not in html  # headline figures are rounded…
    assert ">763\xa0h</a>" in html  # …and link to the list behind them
    assert "status=validee&period_du=2025-01-01&period_au=2025-06-30" in html
    assert html.count('data-testid="at-risk"') == 1
    assert "Jean Dupuis" in html and "Claire Vasseur" in html  # contact and facilitator of VGS-2
    assert "Voir les données" in html and "<svg" in html


def test_a_reader_sees_figures_but_no_names(client, reader, named, monkeypatch):
    import reporting.views_dashboard as views

    monkeypatch.setattr(views.timezone, "localdate", lambda: END)
    client.force_login(reader)
    html = unescape(client.get(reverse("home"), {"du": "2025-01-01", "au": "2025-06-30"}).content.decode())
    main = html.split("<main", 1)[1]
    assert ">763\xa0h<" in main and "Couleurs Littoral" in main  # figures and companies
    assert html.count('data-testid="at-risk"') == 1
    for name in ("Claire", "Vasseur", "Dupuis", "03 28 11 22 33", "Élodie", "Dupont", "facilitatrice="):
        assert name not in main, name
    assert "/heures/" not in main and "/participants/" not in main  # no link to lists of people
    # Hours and outcomes link to the territory's bilan of the period instead.
    assert main.count('href="/bilans/?scope=territory&start=2025-01-01&end=2025-06-30"') == 2
    lots = unescape(client.get(reverse("reporting:dashboard_lots")).content.decode()).split("<main", 1)[1]
    assert "Claire" not in lots and "Dupuis" not in lots


def test_figures_link_to_the_lists_holding_their_rows(client, named, bilan_data, monkeypatch):
    """Filtered by facilitator and sector, the hours, new assignments and people figures link to the
    hour-entries and assignments lists filtered the same way, and those lists hold exactly the rows
    counted."""
    import reporting.views_dashboard as views
    from hours import queries
    from hours.models import HoursEntry

    monkeypatch.setattr(views.timezone, "localdate", lambda: END)
    batiment, verts = SectorFactory(name="Bâtiment"), SectorFactory(name="Espaces verts")
    Market.objects.filter(pk=bilan_data.m1.pk).update(sector=batiment)  # CUD-2025-001, Claire's
    Market.objects.filter(pk=bilan_data.m3.pk).update(sector=verts)  # VGS-2025-003, Claire's
    client.force_login(named)
    response = client.get(
        reverse("home"),
        {"du": "2025-01-01", "au": "2025-06-30", "facilitatrice": named.pk, "secteur": batiment.pk},
    )
    h, links = response.context["h"], response.context["links"]
    ASSIGNMENTS, ENTRIES = reverse("hours:assignment_list"), reverse("hours:entry_list")
    markets = f"facilitator={named.pk}&sector={batiment.pk}"
    # New assignments on CUD-2025-001 in the period: A1 (06/01), A6 (01/01), A3 (03/02), A2 (14/03).
    assert h.new_assignments == 4
    assert links["new_assignments"] == f"{ASSIGNMENTS}?start_du=2025-01-01&start_au=2025-06-30&{markets}"
    html = unescape(response.content.decode())
    assert (
        f'href="{links["new_assignments"]}" title="Les mises à l\'emploi commencées sur la période">4</a>'
        in html
    )
    listed = client.get(links["new_assignments"]).context["table"].data
    assert sorted((a.participant.last_name, a.starts_on) for a in listed) == sorted(
        (p.last_name, d)
        for p, d in [
            (bilan_data.people[0], datetime.date(2025, 1, 6)),
            (bilan_data.people[5], datetime.date(2025, 1, 1)),
            (bilan_data.people[6], datetime.date(2025, 2, 3)),
            (bilan_data.people[1], datetime.date(2025, 3, 14)),
        ]
    )
    # Hours: A1 151,67 + 120,50, A2 35,25 + 80, A3 14 (counted 0), A4 60 (+5 training counted) = 452,42 h.
    assert h.hours_done == D("452.42")
    assert links["hours"] == (f"{ENTRIES}?status=validee&period_du=2025-01-01&period_au=2025-06-30&{markets}")
    entries = client.get(links["hours"]).context["table"].data
    assert len(entries) == 6
    assert queries.total_hours(HoursEntry.objects.filter(pk__in=[e.pk for e in entries])) == h.hours_done
    # People at work in June: the assignments running that month, filtered the same way.
    assert links["people"] == f"{ASSIGNMENTS}?period_du=2025-06-01&period_au=2025-06-30&{markets}"
    running = client.get(links["people"]).context["table"].data
    # P1 (A1), P2 (A2), P3 (A4), P6 (A6), P7 (A3): open-ended contracts on CUD-2025-001.
    assert sorted(a.participant.last_name for a in running) == sorted(
        bilan_data.people[i].last_name for i in (0, 1, 2, 5, 6)
    )
    assert h.people_at_work == 5
    # Sector alone: the same lists, without the facilitator.
    response = client.get(reverse("home"), {"du": "2025-01-01", "au": "2025-06-30", "secteur": verts.pk})
    links = response.context["links"]
    assert response.context["h"].new_assignments == 2  # A8, A9 on VGS-1
    assert links["new_assignments"].endswith(f"start_du=2025-01-01&start_au=2025-06-30&sector={verts.pk}")
    assert len(client.get(links["new_assignments"]).context["table"].data) == 2


def test_filters_from_the_query_string(client, manager, bilan_data, monkeypatch):
    import reporting.views_dashboard as views

    monkeypatch.setattr(views.timezone, "localdate", lambda: END)
    client.force_login(manager)
    response = client.get(
        reverse("home"), {"du": "2025-01-01", "au": "2025-06-30", "acheteur": bilan_data.vgs.pk}
    )
    assert response.context["h"].hours_done == D("300.50")
    bad = client.get(reverse("home"), {"du": "2025-03-01", "au": "2025-01-01", "secteur": "x"})
    html = unescape(bad.content.decode())
    assert "La fin de la période précède son début." in html
    # « du » kept, « au » ignored (today), the unknown sector ignored.
    assert bad.context["selection"].start == datetime.date(2025, 3, 1)
    assert bad.context["selection"].end == datetime.date(2025, 6, 30)
    assert bad.context["selection"].sector is None


def test_realisation_page_lists_every_lot(client, facilitator, bilan_data, monkeypatch):
    import reporting.views_dashboard as views

    monkeypatch.setattr(views.timezone, "localdate", lambda: END)
    client.force_login(facilitator)
    html = client.get(
        reverse("reporting:dashboard_lots"), {"du": "2025-01-01", "au": "2025-06-30"}
    ).content.decode()
    assert html.count('data-testid="lot-row"') == 3
    risky = client.get(
        reverse("reporting:dashboard_lots"), {"au": "2025-06-30", "risque": "1"}
    ).content.decode()
    assert risky.count('data-testid="lot-row"') == 1


def test_the_light_annotation_agrees_with_lots_with_hours(bilan_data):
    from hours import queries
    from markets.models import Lot

    full = {
        lot.pk: (lot.hours_required, lot.hours_done_to_date)
        for lot in queries.lots_with_hours(Lot.objects.all(), None, END)
    }
    light = {
        lot.pk: (lot.hours_required, lot.hours_done_to_date)
        for lot in queries.lots_with_hours_to_date(Lot.objects.all(), END)
    }
    assert light == full and full[bilan_data.lots.cud1.pk] == (D("833.33"), D("387.42"))
