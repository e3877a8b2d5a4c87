"""Lists fit a 1366 px screen: long text on one line cut with « … » and its whole text as a tooltip
(clauses_site.listing.fit_long_text), short codes kept whole, a narrower filter panel."""

import re
from html import unescape

import pytest
from django.urls import reverse

from clauses_site.listing import fit_long_text
from markets.tables import MarketTable
from tests.markets.factories import BuyerFactory, MarketFactory

pytestmark = pytest.mark.django_db

LONG_TITLE = (
    "Réhabilitation thermique et mise en accessibilité du groupe scolaire Lamartine et de son restaurant "
    "scolaire"
)
BUYER = "Centre communal d'action sociale de Dunkerque"


def cells(html, css):
    """(title attribute, "" without one; text) of the cells with class `css`."""
    found = re.findall(rf'<td class="([^"]*\b{css}\b[^"]*)"(?: title="([^"]*)")?>(.*?)</td>', html, re.S)
    return [(unescape(title), unescape(re.sub(r"<[^>]+>", "", text))) for _, title, text in found]


def test_long_text_cells_carry_their_whole_text(client_for):
    MarketFactory(reference="CCAS-2025-001", title=LONG_TITLE, buyer=BuyerFactory(name=BUYER))
    MarketFactory(reference="CUD-2025-002", title="Voirie", buyer=BuyerFactory(name="CUD"))
    html = client_for("Facilitatrice").get(reverse("markets:market_list")).content.decode()
    # Title and buyer: one line (CSS .cell-long); the tooltip holds the whole title, even where the
    # table shortens it (MarketTable.render_title cuts at 70 characters); short text has no tooltip.
    assert sorted(cells(html, "cell-long")) == sorted(
        [
            (LONG_TITLE, LONG_TITLE[:69] + "…"),
            (BUYER, BUYER),
            ("", "Voirie"),
            ("", "CUD"),
        ]
    )
    # References are codes: kept on one line; numbers are left as they were.
    assert [text for _, text in cells(html, "text-nowrap")] == ["CCAS-2025-001", "CUD-2025-002"]
    assert 'class="num cell-long"' not in html
    # The filter panel is narrower from 1200 px on.
    assert '<aside class="col-lg-3 col-xl-2 list-filters"' in html
    assert '<div class="col-lg-9 col-xl-10 list-table">' in html


def test_the_table_class_is_not_changed():
    MarketFactory(title=LONG_TITLE)
    from markets.models import Market

    table = fit_long_text(MarketTable(Market.objects.all()))
    assert table.columns["title"].column.attrs["td"]["class"] == "cell-long"
    assert "td" not in MarketTable.base_columns["title"].attrs  # other tables of the class: unchanged
    assert "cell-long" not in str(MarketTable(Market.objects.all()).columns["title"].column.attrs)
