"""Two organisations of each kind, hand-built (figures in tests/spaces/test_figures.py):

Buyer « Ville de Gravelines » (X): market GRV-1 (en exécution, 2025), lot 1 with a clause of 1 000 h
stated, awarded to Béton Côte d'Opale (A, holder, the rest of the lot: 700 h) and to Peintures du Nord
(B, co-contractor, 300 h committed); lot 2 with no clause, awarded to A. Market GRV-ETUDE (à l'étude):
not in the buyer's space.
Buyer « Communauté urbaine de Dunkerque » (Y): market CUD-1, lot 1 (clause, 500 h stated) awarded to B.

Hours (validated unless said): on X's lot 1, Anne DURAND for A: 100 h in March 2025, 50 h in April;
Karim BENALI for B: 80 h in March; a draft of 40 h for A in May (counted nowhere). On Y's lot 1, Karim for
B: 60 h in March.

Today is 15 July 2025 (the collection lag of 1 month: expected to the end of May, 5 months of 12)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from markets.models import Award, Stage
from tests.companies.factories import CompanyFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, LotFactory, MarketFactory
from tests.participants.factories import ParticipantFactory
from tests.spaces.factories import external_user

TODAY = datetime.date(2025, 7, 15)
PEOPLE_IDS = ("987654", "987655")
PEOPLE_WORDS = ("Durand", "DURAND", "Benali", "BENALI", "Anne", "Karim", *PEOPLE_IDS)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def world(db, today):
    x = BuyerFactory(name="Ville de Gravelines")
    y = BuyerFactory(name="Communauté urbaine de Dunkerque")
    a = CompanyFactory(name="Béton Côte d'Opale")
    b = CompanyFactory(name="Peintures du Nord")
    grv = MarketFactory(buyer=x, reference="GRV-1", title="Groupe scolaire")
    study = MarketFactory(buyer=x, reference="GRV-ETUDE", title="Piscine", stage=Stage.STUDY)
    cud = MarketFactory(buyer=y, reference="CUD-1", title="Voirie du port")
    x1 = LotFactory(market=grv, number="1", title="Gros œuvre")
    ClauseFactory(lot=x1, stated=True)
    x2 = LotFactory(market=grv, number="2", title="Menuiseries")  # no clause
    study_lot = LotFactory(market=study, number="1")
    ClauseFactory(lot=study_lot, stated=True)
    y1 = LotFactory(market=cud, number="1", title="Chaussée")
    ClauseFactory(lot=y1, stated_hours=Decimal(500))
    AwardFactory(lot=x1, company=a)
    AwardFactory(lot=x1, company=b, role=Award.Role.CO_CONTRACTOR, hours_committed=Decimal(300))
    AwardFactory(lot=x2, company=a)
    AwardFactory(lot=study_lot, company=a)
    AwardFactory(lot=y1, company=b)
    anne = ParticipantFactory(pk=int(PEOPLE_IDS[0]), last_name="Durand", first_name="Anne")
    karim = ParticipantFactory(pk=int(PEOPLE_IDS[1]), last_name="Benali", first_name="Karim")
    anne_a = AssignmentFactory(participant=anne, lot=x1, company=a)
    karim_b = AssignmentFactory(participant=karim, lot=x1, company=b)
    karim_y = AssignmentFactory(participant=karim, lot=y1, company=b)
    march, april, may = (datetime.date(2025, m, 1) for m in (3, 4, 5))
    HoursEntryFactory(assignment=anne_a, month=march, hours=Decimal(100))
    HoursEntryFactory(assignment=anne_a, month=april, hours=Decimal(50))
    HoursEntryFactory(assignment=anne_a, month=may, hours=Decimal(40), draft=True)
    HoursEntryFactory(assignment=karim_b, month=march, hours=Decimal(80))
    HoursEntryFactory(assignment=karim_y, month=march, hours=Decimal(60))
    return {
        "buyers": (x, y),
        "companies": (a, b),
        "markets": {"grv": grv, "study": study, "cud": cud},
        "lots": {"x1": x1, "x2": x2, "study": study_lot, "y1": y1},
        "users": {
            "a": external_user(a, username="a@beton.example"),
            "b": external_user(b, username="b@peintures.example"),
            "x": external_user(x, username="x@gravelines.example"),
            "y": external_user(y, username="y@cud.example"),
        },
    }


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> a client signed in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make
