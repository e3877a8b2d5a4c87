"""At 1366 × 900 (the team's laptops), the markets and lots lists fit the screen: no sideways scrolling,
the last column (« Réalisation ») in view, long titles cut with « … » and whole in their tooltip."""

import pytest

from tests.companies.factories import SectorFactory
from tests.factories import UserFactory
from tests.markets.factories import BuyerFactory, ClauseFactory, MarketFactory

TITLE = "Réhabilitation thermique et mise en accessibilité du groupe scolaire Lamartine, restaurant compris"


@pytest.mark.parametrize("path", ["/marches/", "/marches/lots/"])
def test_lists_fit_a_1366_px_screen(login, live_server, transactional_db, page, path):
    claire = UserFactory(
        username="claire", first_name="Marie-Christine", last_name="Vandenbussche-Delattre", facilitator=True
    )
    buyer = BuyerFactory(name="Centre communal d'action sociale de Dunkerque — direction du patrimoine")
    sector = SectorFactory(name="Travaux publics et voirie — réseaux divers")
    for n in range(12):
        market = MarketFactory(
            buyer=buyer, reference=f"CCAS-2025-{n:03}", title=TITLE, sector=sector, facilitator=claire
        )
        ClauseFactory(lot__market=market, lot__title="Signalisation — marquage au sol et équipements")
    page.set_viewport_size({"width": 1366, "height": 900})
    login(claire)
    page.goto(f"{live_server.url}{path}")
    table = page.locator(".list-table .table-responsive")
    assert table.evaluate("t => t.scrollWidth - t.clientWidth") <= 0
    last = page.locator(".list-table thead th").last.bounding_box()
    assert last["x"] + last["width"] <= 1366
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    title = page.locator("td.cell-long").first
    assert title.get_attribute("title")  # the whole text of a cut cell
    assert title.evaluate("td => td.scrollWidth > td.clientWidth")  # it is cut (« … »)
