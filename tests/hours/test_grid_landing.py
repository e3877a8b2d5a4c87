"""The grid's landing page (issue 15 item 3): the lot opened last is the lot the chooser offers (remembered
in the session, else the lot of the user's last entries), « Lot suivant à saisir » names the first lot with
rows left to enter, and a row's id in the grid is written without a thousands separator."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from hours import grid
from hours.forms import GridForm
from hours.views_grid_rows import GridRows
from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory, MarketFactory

JUNE = datetime.date(2025, 6, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def lots():
    """Three lots with two people each in June 2025: A entered, B half entered, C not yet."""
    holder = CompanyFactory(name="Bâti Flandre")
    made = {}
    for reference, entered in (("A-1", 2), ("B-1", 1), ("C-1", 0)):
        lot = ClauseFactory(lot__market=MarketFactory(reference=reference), lot__number="1").lot
        AwardFactory(lot=lot, company=holder)
        for n in range(2):
            assignment = AssignmentFactory(lot=lot, company=holder)
            if n < entered:
                HoursEntryFactory(assignment=assignment, month=JUNE, draft=True)
        made[reference] = lot
    return made


@pytest.fixture
def claire():
    user = UserFactory(username="claire", facilitator=True)
    client = Client()
    client.force_login(user)
    return user, client


def landing(client):
    return client.get(reverse("hours:grid") + "?mois=2025-06&miens=0")


def chosen_lot(response):
    """The lot the chooser's field holds (its one selected option), as its label."""
    select = re.search(r'<select name="lot".*?</select>', response.content.decode(), re.S)[0]
    selected = re.findall(r'<option value="\d+" selected>([^<]*)</option>', select)
    return selected[0] if selected else None


def test_the_next_lot_to_enter_is_the_first_with_rows_left(lots):
    ordered = list(grid.lots_to_enter(JUNE))
    assert [lot.market.reference for lot in ordered] == ["B-1", "C-1", "A-1"]
    assert grid.next_lot_to_enter(ordered) == lots["B-1"]
    assert grid.next_lot_to_enter([lot for lot in ordered if lot.entered >= lot.active]) is None


def test_the_landing_page_links_the_next_lot_to_enter(lots, claire):
    _, client = claire
    html = landing(client).content.decode()
    link = re.search(r'<a href="([^"]*)" id="grid-next-lot"[^>]*>(.*?)</a>', html, re.S)
    assert link[1] == f"?mois=2025-06&amp;lot={lots['B-1'].pk}"
    assert "Lot suivant à saisir : B-1 — Lot 1" in link[2]


def test_the_lot_of_the_last_entries_then_the_lot_opened_last(lots, claire):
    user, client = claire
    assert chosen_lot(landing(client)) is None  # a first visit: nothing to offer
    assert grid.last_lot_entered(user) is None
    older = HoursEntryFactory(
        assignment=lots["C-1"].assignments.first(), month=datetime.date(2025, 5, 1), entered_by=user
    )
    HoursEntryFactory(
        assignment=lots["A-1"].assignments.first(), month=datetime.date(2025, 4, 1), entered_by=user
    )
    assert grid.last_lot_entered(user) == lots["A-1"]
    assert chosen_lot(landing(client)) == "A-1 — Lot 1 — Gros œuvre"
    older.hours = Decimal(12)
    older.save()  # changed last: C-1
    assert grid.last_lot_entered(user) == lots["C-1"]
    # A grid opened is remembered, before any entry: the lot the chooser offers next time.
    assert client.get(reverse("hours:grid") + f"?mois=2025-06&lot={lots['B-1'].pk}").status_code == 200
    assert chosen_lot(landing(client)) == "B-1 — Lot 1 — Gros œuvre"
    # A company's grid changes nothing; a lot deleted since falls back to the last entries.
    company = lots["A-1"].awards.first().company
    client.get(reverse("hours:grid") + f"?mois=2025-06&entreprise={company.pk}")
    assert chosen_lot(landing(client)) == "B-1 — Lot 1 — Gros œuvre"
    lots["B-1"].assignments.all().delete()
    lots["B-1"].delete()
    assert chosen_lot(landing(client)) == "C-1 — Lot 1 — Gros œuvre"


def test_the_landing_page_focuses_the_lot_field():
    client = Client()
    client.force_login(UserFactory(username="nadia", facilitator=True))
    page = landing(client).content.decode()
    assert 'data-grid-autofocus="id_lot"' in page
    assert "js/grid_choose.js" in page
    # The chooser of a grid page (collapsed) takes no focus.
    lot = ClauseFactory().lot
    assert (
        "data-grid-autofocus"
        not in client.get(reverse("hours:grid") + f"?mois=2025-06&lot={lot.pk}").content.decode()
    )


def test_a_row_id_over_999_has_no_thousands_separator():
    lot = ClauseFactory().lot
    assignment = AssignmentFactory(pk=1201, lot=lot)
    rows, _ = grid.build_rows(JUNE, grid.grid_assignments(JUNE, lot))
    html = GridRows(JUNE, datetime.date(2025, 6, 30), "/heures/saisie/").for_row(rows[0], GridForm(rows))
    assert '<tr data-row="1201" id="grid-row-1201"' in html
    assert assignment.pk == rows[0].key
