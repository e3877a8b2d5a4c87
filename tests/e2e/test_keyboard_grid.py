"""Issue 15 item 3: the grid reached in a handful of keystrokes from its landing page (/heures/saisie/),
counted from the page load until the grid of the chosen lot and month shows its rows: the lot's field has
the focus and holds the lot opened last (Enter: 1 keystroke), « Lot suivant à saisir » is just before it
(Shift+Tab, Enter: 2), another lot and month are typed (7), the « × » of the fields are no tab stops."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory, MarketFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.e2e


class Keys:
    """The keyboard of a page, counting every key pressed (a character typed is a key)."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key):
        self.page.keyboard.press(key)
        self.count += 1

    def type(self, text):
        self.page.keyboard.type(text)
        self.count += len(text)


def focused(page):
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


@pytest.fixture
def two_lots(transactional_db):
    """Claire entered every row of CUD-2025-014 for the month being collected (her last lot); VDK-2025-201
    has its rows still to enter (the next lot to enter)."""
    from hours.grid import collected_month

    claire = UserFactory(username="claire", first_name="Claire", facilitator=True)
    holder = CompanyFactory(name="Bâti Flandre")
    lots = {}
    for reference, names in (("CUD-2025-014", ("Aubry", "Benali")), ("VDK-2025-201", ("Caron", "Dumont"))):
        market = MarketFactory(reference=reference, title=f"Marché {reference}", facilitator=claire)
        lot = ClauseFactory(lot__market=market, lot__number="2").lot
        AwardFactory(lot=lot, company=holder)
        for name in names:
            person = ParticipantFactory(last_name=name, first_name="Élodie")
            AssignmentFactory(participant=person, lot=lot, company=holder, ends_on=None)
        lots[reference] = lot
    month = collected_month()
    for assignment in lots["CUD-2025-014"].assignments.all():
        HoursEntryFactory(assignment=assignment, month=month, draft=True, entered_by=claire)
    return claire, lots, month


def grid_heading(page, month):
    from clauses_site.months import month_label

    return page.get_by_role("heading", name=f"Saisie des heures — {month_label(month).capitalize()}")


def test_the_lot_opened_last_opens_with_one_keystroke(login, live_server, two_lots):
    claire, lots, month = two_lots
    page = login(claire)
    page.goto(f"{live_server.url}/heures/saisie/")
    keys = Keys(page)
    lot_field = page.get_by_role("combobox", name="Lot")
    expect(lot_field).to_be_focused()  # the first useful field, holding the lot of her last entries
    expect(page.locator(".grid-chooser .item")).to_have_text("CUD-2025-014 — Lot 2 — Gros œuvre")
    keys.press("Enter")
    expect(grid_heading(page, month)).to_be_visible()
    expect(page.locator("#grid-body tr")).to_have_count(2)
    expect(page.get_by_label("Heures travaillées — AUBRY Élodie")).to_be_visible()
    assert f"lot={lots['CUD-2025-014'].pk}" in page.url
    assert keys.count == 1


def test_the_next_lot_to_enter_is_two_keystrokes_away(login, live_server, two_lots):
    claire, lots, month = two_lots
    page = login(claire)
    page.goto(f"{live_server.url}/heures/saisie/")
    keys = Keys(page)
    expect(page.get_by_role("combobox", name="Lot")).to_be_focused()
    keys.press("Shift+Tab")
    expect(page.get_by_role("link", name=re.compile("Lot suivant à saisir : VDK-2025-201"))).to_be_focused()
    keys.press("Enter")
    expect(grid_heading(page, month)).to_be_visible()
    expect(page.locator("#grid-body tr")).to_have_count(2)
    expect(page.get_by_label("Heures travaillées — CARON Élodie")).to_be_focused()  # typing can start
    assert keys.count == 2
    # Opened once, it is the lot the landing page offers first.
    page.goto(f"{live_server.url}/heures/saisie/")
    expect(page.get_by_role("combobox", name="Lot")).to_be_focused()
    expect(page.locator(".grid-chooser .item")).to_have_text("VDK-2025-201 — Lot 2 — Gros œuvre")


def test_another_lot_and_month_in_at_most_8_keystrokes(login, live_server, two_lots):
    claire, lots, month = two_lots
    page = login(claire)
    page.goto(f"{live_server.url}/heures/saisie/")
    keys = Keys(page)
    expect(page.get_by_role("combobox", name="Lot")).to_be_focused()
    keys.type("VDK")
    # The server's answer: the one lot found, highlighted.
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    expect(page.locator(".ts-dropdown .option.active")).to_have_text(re.compile("VDK-2025-201"))
    keys.press("Enter")  # chooses the lot (the grid opens at the next Enter)
    expect(page.locator(".grid-chooser .item")).to_have_text("VDK-2025-201 — Lot 2 — Gros œuvre")
    assert "lot=" not in page.url
    keys.press("Tab")  # to the month: the « × » of the lot's field is no tab stop
    assert focused(page) == "id_mois"
    keys.press("ArrowDown")  # the month before
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    expect(page.locator("#id_mois")).to_have_value(f"{previous:%Y-%m}")
    keys.press("Enter")
    expect(grid_heading(page, previous)).to_be_visible()
    expect(page.locator("#grid-body tr")).to_have_count(2)
    assert f"lot={lots['VDK-2025-201'].pk}" in page.url and f"mois={previous:%Y-%m}" in page.url
    assert keys.count == 7  # was 42 (issue 15)
    assert keys.count <= 8


def test_a_click_on_the_focused_lot_field_opens_its_list(login, live_server, two_lots):
    """The list opens as one types (not on load, so that Enter keeps the lot shown), and on a click."""
    claire, lots, month = two_lots
    page = login(claire)
    page.goto(f"{live_server.url}/heures/saisie/")
    expect(page.get_by_role("combobox", name="Lot")).to_be_focused()
    expect(page.locator(".ts-dropdown").first).to_be_hidden()
    page.locator(".grid-chooser .ts-control").first.click()
    expect(page.get_by_role("option", name=re.compile("VDK-2025-201"))).to_be_visible()
