"""The counting functions against hand-computed numbers."""

import datetime
from decimal import Decimal

import pytest

from companies.models import Company
from hours import queries
from hours.models import Modality
from markets.models import Buyer, Lot, Market
from tests.companies.factories import CompanyFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory
from tests.participants.factories import ParticipantFactory

D = Decimal
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)


@pytest.fixture
def data(db):
    """Lot A (833,33 h owed by formula) and lot B (stated 100 h, training counts), one company each."""
    company_a, company_b = CompanyFactory(name="Bati Nord"), CompanyFactory(name="Voirie Flandre")
    lot_a = ClauseFactory().lot
    lot_b = ClauseFactory(stated_hours=D(100), training_counts=True, lot__market=lot_a.market).lot
    AwardFactory(lot=lot_a, company=company_a, hours_committed=D("833.33"))
    AwardFactory(lot=lot_b, company=company_b, hours_committed=D(100))
    elodie, karim = ParticipantFactory(first_name="Élodie"), ParticipantFactory(first_name="Karim")
    a1 = AssignmentFactory(participant=elodie, lot=lot_a, company=company_a)
    a2 = AssignmentFactory(participant=karim, lot=lot_a, company=company_a, contract_type="interim")
    b1 = AssignmentFactory(participant=elodie, lot=lot_b, company=company_b)
    b_training = AssignmentFactory(
        participant=karim, lot=lot_b, company=company_b, modality=Modality.TRAINING, contract_type="autre"
    )
    a_training = AssignmentFactory(
        participant=karim, lot=lot_a, company=company_a, modality=Modality.TRAINING, contract_type="autre"
    )
    HoursEntryFactory(assignment=a1, month=datetime.date(2025, 1, 1), hours=D("151.67"), training_hours=D(7))
    HoursEntryFactory(assignment=a1, month=datetime.date(2025, 2, 1), hours=D("120.50"))
    HoursEntryFactory(assignment=a1, month=datetime.date(2025, 7, 1), hours=D("100"))  # after the period
    HoursEntryFactory(
        assignment=a1, month=datetime.date(2025, 3, 1), hours=D("99"), draft=True
    )  # not counted
    HoursEntryFactory(assignment=a2, month=datetime.date(2025, 3, 1), hours=D("35.25"))
    HoursEntryFactory(assignment=a_training, month=datetime.date(2025, 3, 1), hours=D(14))  # training: no
    HoursEntryFactory(assignment=b1, month=datetime.date(2025, 4, 1), hours=D(10), training_hours=D(3))
    HoursEntryFactory(assignment=b_training, month=datetime.date(2025, 5, 1), hours=D(21))  # training: yes
    return {"lot_a": lot_a, "lot_b": lot_b, "a": company_a, "b": company_b}


def test_lots_with_hours(data):
    lots = {lot.pk: lot for lot in queries.lots_with_hours(Lot.objects.all(), START, END)}
    a, b = lots[data["lot_a"].pk], lots[data["lot_b"].pk]
    assert a.hours_required == D("833.33")
    assert a.hours_done == D("307.42")  # 151,67 + 120,50 + 35,25; not the draft, the training, July
    assert a.hours_done_to_date == D("307.42")
    assert a.people == 2
    assert b.hours_required == D(100)
    assert b.hours_done == D(34)  # 10 + 3 training + 21 training assignment
    assert b.training_hours == D(3)


def test_to_date_counts_months_before_the_period(data):
    lots = {
        lot.pk: lot
        for lot in queries.lots_with_hours(
            Lot.objects.all(), datetime.date(2025, 7, 1), END.replace(month=12, day=31)
        )
    }
    a = lots[data["lot_a"].pk]
    assert a.hours_done == D(100)
    assert a.hours_done_to_date == D("407.42")


def test_companies_markets_buyers(data):
    companies = {c.pk: c for c in queries.companies_with_hours(Company.objects.all(), START, END)}
    assert companies[data["a"].pk].hours_committed == D("833.33")
    assert companies[data["a"].pk].hours_done == D("307.42")
    assert companies[data["b"].pk].hours_done == D(34)
    market = queries.markets_with_hours(Market.objects.all(), START, END).get()
    assert (market.hours_required, market.hours_done, market.people) == (D("933.33"), D("341.42"), 2)
    buyer = queries.buyers_with_hours(Buyer.objects.all(), START, END).get()
    assert (buyer.hours_required, buyer.hours_done) == (D("933.33"), D("341.42"))


def test_constant_queries(data, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(queries.lots_with_hours(Lot.objects.all(), START, END))


def test_progress_and_lag():
    lot_start, lot_end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    # 6 of 12 months elapsed on 30/06: 50 % of 1 200 h expected = 600 h; 480 h is exactly 80 %: not late.
    p = queries.progress(D(1200), D(480), lot_start, lot_end, datetime.date(2025, 6, 30))
    assert p.expected == D("600.00") and p.rate == D("0.4000") and not p.lagging
    assert queries.progress(D(1200), D("479.99"), lot_start, lot_end, datetime.date(2025, 6, 30)).lagging
    assert queries.expected_hours(D(1200), lot_start, lot_end, datetime.date(2024, 12, 31)) == D(0)
    assert queries.expected_hours(D(1200), lot_start, lot_end, datetime.date(2026, 3, 1)) == D(1200)
    assert queries.completion_rate(D(10), D(0)) == D(0)
    assert queries.completion_rate(D(1300), D(1200)) == D("1.0833")


def test_companies_owe_their_award_share(db):
    """A holder without a commitment owes what the lot's other companies leave (the bilans' rule)."""
    lot = ClauseFactory().lot  # 833,33 h
    holder, sub = CompanyFactory(name="Titulaire"), CompanyFactory(name="Sous-traitant")
    AwardFactory(lot=lot, company=holder)
    AwardFactory(lot=lot, company=sub, role="soustraitant", hours_committed=D(100))
    owed = {c.name: c.hours_committed for c in queries.companies_with_hours(Company.objects.all())}
    assert owed == {"Titulaire": D("733.33"), "Sous-traitant": D(100)}
