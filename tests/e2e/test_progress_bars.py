"""The « Avancement » column of the at-risk list and of the dashboard shows its bars (issue 12, item 6):
the one progress-bar component (templates/includes/progress_bar.html) with its style loaded on every
page (static/css/clauses.css). Before, the cells held the bilan's .pbar boxes, styled only by the
bilan's stylesheet: 0 px wide on screen."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, ClauseFactory, LotFactory, MarketFactory

pytestmark = pytest.mark.e2e


def lot_done(reference, hours):
    """A lot owing 1 000 h over 18 months around today, with `hours` done: far behind, so at risk."""
    today = timezone.localdate()
    start = datetime.date(today.year, 1, 1)
    market = MarketFactory(reference=reference, starts_on=start, ends_on=datetime.date(today.year + 1, 6, 30))
    lot = LotFactory(market=market)
    ClauseFactory(lot=lot, stated=True)
    award = AwardFactory(lot=lot)
    assignment = AssignmentFactory(lot=lot, company=award.company, starts_on=start, ends_on=None)
    HoursEntryFactory(assignment=assignment, month=datetime.date(today.year, 3, 1), hours=D(hours))
    return lot


def bar_shares(page):
    """{market reference: (bar width in px, bar width ÷ track width, text of the cell)} of the rows of the
    table whose column is « Avancement » (whatever the bar's markup: the bilan's .pbar boxes before)."""
    return page.evaluate(
        """() => {
        const table = [...document.querySelectorAll('table')].find(t => [...t.querySelectorAll('thead th')]
            .some(th => th.textContent.trim() === 'Avancement'));
        const heads = [...table.querySelectorAll('thead th')];
        const column = heads.findIndex(th => th.textContent.trim() === 'Avancement');
        return Object.fromEntries([...table.querySelectorAll('tbody tr')].map(row => {
            const cell = row.children[column];
            const bar = cell.querySelector('.progress-bar, .pbar-done');
            const box = bar.getBoundingClientRect();
            const track = bar.parentElement.getBoundingClientRect();
            const width = box.height > 0 ? box.width : 0;
            return [row.querySelector('a').textContent.split(' · ')[0].trim(),
                    [width, track.width ? width / track.width : 0, cell.textContent.trim()]];
        }));
    }"""
    )


@pytest.mark.parametrize("path", ["/bilans/tableau-de-bord/lots/?risque=1", "/"])
def test_the_progress_bars_have_a_width_proportional_to_the_rate(
    login, live_server, transactional_db, page, path
):
    lot_done("RISK-020", 200)  # 20,0 %
    lot_done("RISK-030", 300)  # 30,0 %
    login(UserFactory(username="claire", facilitator=True))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}{path}")
    shares = bar_shares(page)
    assert set(shares) == {"RISK-020", "RISK-030"}
    for reference, share in (("RISK-020", 0.20), ("RISK-030", 0.30)):
        width, ratio, rate = shares[reference]
        assert width > 0, reference
        assert abs(ratio - share) < 0.01, (reference, ratio)
        assert rate == f"{int(share * 100)},0\xa0%"  # the rate beside the bar, as elsewhere
    # 20 % and 30 % of the same track: the second bar is half as long again as the first.
    assert abs(shares["RISK-030"][0] / shares["RISK-020"][0] - 1.5) < 0.02
