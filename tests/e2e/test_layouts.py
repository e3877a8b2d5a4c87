"""Layouts at 390 px (a phone), 768 px (a tablet) and 1366 px (the team's laptops), issue 15 item 4: no
page scrolls sideways — the dashboard, the lists, each kind of detail page, the pipeline, the bilan
preview, the grid — and, on a phone, the grid keeps its header row and its « Personne » column in view
with its buttons below the rows, the pipeline's columns snap one by one, « À relancer » subjects keep their
words whole. One browser context per width; small hand-built data with long names, as the demo has."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from markets.models import BuyerContact, Stage
from tests.companies.factories import CompanyFactory, ContactFactory
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, MarketFactory
from tests.participants.factories import ParticipantFactory
from tests.partnerships.factories import JournalEntryFactory

D = Decimal
WIDTHS = {390: 844, 768: 1024, 1366: 900}
BUYER = "Centre hospitalier maritime de Zuydcoote — direction des services techniques"
TITLE = "Réhabilitation thermique et mise en accessibilité du groupe scolaire Lamartine, restaurant compris"


@pytest.fixture
def data(transactional_db):
    """A buyer with a long name and address, a market in execution with one lot, its company and four
    people with hours in June 2025 (the grid), markets in every stage of the pipeline, two follow-ups."""
    manager = UserFactory(
        username="nadia", first_name="Marie-Christine", last_name="Vandenbussche-Delattre", manager=True
    )
    buyer = BuyerFactory(name=BUYER)
    BuyerContact.objects.create(
        buyer=buyer,
        name="Anne-Sophie Vanhoutte",
        role="Responsable de la commande publique",
        phone="03 28 59 96 65",
        email="anne-sophie.vanhoutte-delattre@ch-maritime-zuydcoote.fr",
    )
    market = MarketFactory(
        buyer=buyer, reference="CHZ-2025-014", title=TITLE, facilitator=manager, stage=Stage.EXECUTION
    )
    lot = ClauseFactory(
        lot__market=market, lot__number="12", lot__title="Plâtrerie — isolation", stated_hours=D(10440)
    ).lot
    company = CompanyFactory(name="Entreprise Générale du Bâtiment et des Travaux Publics du Littoral")
    ContactFactory(company=company, email="conduite-de-travaux.littoral@egbtp-dunkerque.fr")
    AwardFactory(lot=lot, company=company)
    people = []
    for last in ("Vandenbussche", "Benali", "Teerlynck", "Deschodt"):
        person = ParticipantFactory(last_name=last, first_name="Marie-Élodie")
        people.append(person)
        assignment = AssignmentFactory(participant=person, lot=lot, company=company)
        for month in (3, 4, 5):
            HoursEntryFactory(assignment=assignment, month=datetime.date(2025, month, 1), hours=D("91.50"))
    for n, stage in enumerate(Stage):
        MarketFactory(
            buyer=buyer,
            reference=f"VDK-2027-{n:03}",
            title=TITLE,
            stage=stage,
            facilitator=manager,
            starts_on=None,
            ends_on=None,
        )
    for subject in ("Comité de suivi des clauses — Centre hospitalier maritime de Zuydcoote", "Relance"):
        JournalEntryFactory(
            subject=subject, date=datetime.date(2026, 8, 1), follow_up_on=datetime.date(2026, 9, 1)
        )
    return {
        "manager": manager,
        "buyer": buyer,
        "market": market,
        "lot": lot,
        "company": company,
        "people": people,
    }


def pages(d):
    """(name, path) of the pages of issue 15 item 4."""
    bilan = f"scope=buyer&id={d['buyer'].pk}&start=2025-01-01&end=2025-12-31"
    return [
        ("tableau de bord", reverse("home")),
        ("marchés", reverse("markets:market_list")),
        ("lots", reverse("markets:lot_list")),
        ("entreprises", reverse("companies:company_list")),
        ("participants", reverse("participants:participant_list")),
        ("heures", reverse("hours:entry_list")),
        ("marché", d["market"].get_absolute_url()),
        ("lot", d["lot"].get_absolute_url()),
        ("donneur d'ordre", d["buyer"].get_absolute_url()),
        ("entreprise", d["company"].get_absolute_url()),
        ("participant", d["people"][0].get_absolute_url()),
        ("pipeline", reverse("markets:pipeline")),
        ("bilan", f"{reverse('reporting:bilan_form')}?{bilan}"),
        ("grille", f"{reverse('hours:grid')}?mois=2025-06&lot={d['lot'].pk}"),
        ("à relancer", reverse("partnerships:journal_follow_ups")),
    ]


def new_page(browser, live_server, user, width):
    context = browser.new_context(
        viewport={"width": width, "height": WIDTHS[width]}, locale="fr-FR", timezone_id="Europe/Paris"
    )
    page = context.new_page()
    sign_in(page, live_server.url, user)
    page.wait_for_url(f"{live_server.url}/")
    return context, page


@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_page_scrolls_sideways(browser, live_server, data, width):
    context, page = new_page(browser, live_server, data["manager"], width)
    wide = {}
    for name, path in pages(data):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, name
        page.wait_for_load_state("networkidle")
        document = page.evaluate("document.documentElement.scrollWidth")
        if document > page.evaluate("window.innerWidth"):
            wide[name] = document
    context.close()
    assert wide == {}  # page name -> its width, wider than the screen


def test_the_grid_on_a_phone(browser, live_server, data):
    """Scrolled sideways to the month's cells, the names stay in view; scrolled down, the header row
    stays; the buttons sit under the rows (they no longer cover them)."""
    context, page = new_page(browser, live_server, data["manager"], 390)
    page.goto(f"{live_server.url}{reverse('hours:grid')}?mois=2025-06&lot={data['lot'].pk}")
    box = page.locator(".grid-form .table-responsive")
    first = page.get_by_label("Heures travaillées — DESCHODT Marie-Élodie")  # rows in name order
    first.focus()
    assert box.evaluate("b => b.scrollLeft") > 0  # the cells are beyond the screen's width
    name = page.locator("#grid-body th").first
    header = page.locator(".grid-table thead th").first
    cell = first.bounding_box()
    held = name.bounding_box()
    assert held["x"] >= 0 and held["x"] + held["width"] <= cell["x"]  # name in view, left of the cell
    box.evaluate("b => { b.scrollTop = b.scrollHeight; }")
    top = box.bounding_box()["y"]
    assert abs(header.bounding_box()["y"] - top) < 2  # the header row stays at the top of the box
    last_row = page.locator("#grid-body tr").last.bounding_box()
    actions = page.locator(".grid-actions").bounding_box()
    assert actions["y"] >= last_row["y"] + last_row["height"]  # below the rows, not over them
    assert page.locator(".grid-actions").evaluate("a => getComputedStyle(a).position") == "static"
    context.close()


def test_the_pipeline_and_the_follow_ups_on_a_phone(browser, live_server, data):
    context, page = new_page(browser, live_server, data["manager"], 390)
    page.goto(f"{live_server.url}{reverse('markets:pipeline')}")
    columns = page.locator(".pipeline-columns")
    assert columns.evaluate("c => getComputedStyle(c).scrollSnapType") == "x mandatory"
    column = page.locator(".pipeline-column").first.bounding_box()
    assert 0.75 * 390 < column["width"] < 390  # one stage at a time, the next one's edge in view
    reference = page.locator(".pipeline-meta .text-truncate").first
    assert reference.evaluate("r => r.scrollWidth <= r.clientWidth")  # « VDK-2027-000 », not « VDK-2027-0… »
    page.goto(f"{live_server.url}/")
    item = page.get_by_test_id("relances").get_by_role("listitem").filter(has_text="Zuydcoote")
    text = item.locator(".follow-up-text").bounding_box()
    # The subject has the item's whole width below the date and the button (it had 62 px beside them,
    # one word or less a line).
    assert text["width"] > 0.85 * item.bounding_box()["width"]
    context.close()


def test_choosing_a_buyer_does_not_move_the_filters(browser, live_server, data):
    """The buyer's long name stays on one line, focused or not: the stage checkboxes under it do not move
    when the field loses the focus, so the first click on one ticks it (it used to fall beside it)."""
    context, page = new_page(browser, live_server, data["manager"], 1366)
    page.goto(f"{live_server.url}{reverse('markets:market_list')}")
    field = page.locator(".ts-wrapper")
    height = field.bounding_box()["height"]
    with page.expect_response(lambda response: response.url.endswith("?q=")):  # the choices on focus
        page.get_by_role("combobox", name="Donneur d'ordre").click()
    # Choose once the search has answered: an answer arriving after the choice opens the list again.
    with page.expect_response(lambda response: "q=zuydcoote" in response.url):
        page.keyboard.type("zuydcoote")
    page.get_by_role("option", name=BUYER).click()
    assert field.bounding_box()["height"] == height
    stage = page.get_by_role("checkbox", name="Repéré")
    stage.click()
    assert stage.is_checked()
    assert field.bounding_box()["height"] == height
    context.close()


def test_a_list_on_a_phone_shows_its_rows_first(browser, live_server, data):
    """The filters fold under « Filtres » (open when a filter is on): the first rows are on the first
    screen, their first column held while the row scrolls sideways."""
    context, page = new_page(browser, live_server, data["manager"], 390)
    page.goto(f"{live_server.url}{reverse('markets:market_list')}")
    search = page.get_by_label("Recherche", exact=True)
    expect(search).to_be_hidden()
    row = page.get_by_role("link", name="CHZ-2025-014").bounding_box()
    assert row["y"] + row["height"] < WIDTHS[390]  # on the first screen
    page.locator(".list-table .table-responsive").evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    assert page.get_by_role("link", name="CHZ-2025-014").bounding_box()["x"] == row["x"]  # held
    page.locator(".list-filters summary").click()
    expect(search).to_be_visible()
    page.goto(f"{live_server.url}{reverse('markets:market_list')}?stage=execution")
    expect(search).to_be_visible()  # a filter is on: the panel is open
    context.close()
