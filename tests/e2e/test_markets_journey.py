"""Journeys through markets: open a lot from the market list and see its progress; create a clause and
watch the hours owed computed while typing."""

import datetime
from decimal import Decimal

from playwright.sync_api import expect

from tests.companies.factories import CompanyFactory
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, LotFactory, MarketFactory


def test_open_a_lot_from_the_market_list_and_see_its_progress(login, live_server, transactional_db):
    market = MarketFactory(
        buyer=BuyerFactory(name="Communauté Urbaine de Dunkerque"),
        reference="CUD-2025-014",
        title="Groupe scolaire Lamartine",
    )
    MarketFactory(reference="AUTRE-1", title="Voirie du port")
    lot = LotFactory(market=market, number="3", title="Peinture intérieure")
    ClauseFactory(lot=lot)  # 833,33 h
    company = CompanyFactory(name="Bâti Nord")
    AwardFactory(lot=lot, company=company)
    assignment = AssignmentFactory(lot=lot, company=company)
    for month in (3, 4):
        HoursEntryFactory(assignment=assignment, month=datetime.date(2025, month, 1), hours=Decimal("150"))

    page = login(UserFactory(username="claire", facilitator=True))
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Marchés").click()
    expect(page.get_by_role("heading", name="Marchés")).to_be_visible()
    filters = page.get_by_role("search", name="Filtres")
    filters.get_by_label("Recherche").fill("lamartine")
    filters.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 résultat")
    assert "q=lamartine" in page.url  # the filter is in the URL: the list can be bookmarked
    page.get_by_role("link", name="CUD-2025-014").click()
    expect(page.get_by_role("heading", name="CUD-2025-014 — Groupe scolaire Lamartine")).to_be_visible()
    page.get_by_role("link", name="Lot 3 — Peinture intérieure").click()
    expect(page.get_by_role("heading", name="Lot 3 — Peinture intérieure")).to_be_visible()
    bar = page.get_by_role("progressbar", name="Avancement du lot")
    expect(bar).to_have_attribute("aria-valuenow", "36.0")
    expect(bar).to_contain_text("36,0 %")
    expect(page.get_by_test_id("progress").first).to_contain_text("300,00 h réalisées sur 833,33 h dues")


def test_create_a_clause_and_see_the_hours_computed_live(login, live_server, transactional_db):
    lot = LotFactory(number="2", title="Maçonnerie", amount=Decimal("1000000"))
    page = login(UserFactory(username="claire", facilitator=True))
    page.goto(f"{live_server.url}/marches/lots/{lot.pk}/")
    page.get_by_role("link", name="Ajouter la clause").click()
    expect(page.get_by_role("heading", name="Clause sociale — Lot 2 — Maçonnerie")).to_be_visible()
    preview = page.locator("#apercu-heures")
    page.get_by_label("Coût horaire chargé (€/h)").fill("30")
    page.get_by_label("Part de main-d'œuvre (%)", exact=True).fill("50")
    page.get_by_label("Taux d'insertion (%)").fill("5")
    expect(preview.get_by_test_id("heures-dues-clause")).to_have_text("833,33 h")
    expect(preview).to_contain_text("1 000 000,00 € (montant du lot) × 50 % × 5 % ÷ 30,00 €/h = 833,33 h")
    # The buyer's number wins; both stay visible.
    page.get_by_label("Heures fixées par l'acheteur").fill("900,5")
    expect(preview.get_by_test_id("heures-dues-clause")).to_have_text("900,50 h")
    expect(preview.get_by_test_id("heures-calculees")).to_have_text("833,33 h")
    page.get_by_label("Heures fixées par l'acheteur").fill("")
    expect(preview.get_by_test_id("heures-dues-clause")).to_have_text("833,33 h")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Clause enregistrée : 833,33 h dues")
    expect(page.get_by_test_id("heures-dues-clause")).to_have_text("833,33 h")
