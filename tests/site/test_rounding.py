"""One rounding rule (issue 12, item 5): half up to the precision shown, on the page, in the xlsx cell
(its value and its number format) and in the bilan PDF. Before, the page cut the extra digits
(Django's number_format): a completion rate of 0,7795 read 77,9 % on the lot list and 78,0 % in the
spreadsheet of the same list, which rounds 0.7795 with its « 0.0% » format."""

import datetime
import io
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses_site import exports, formatting
from clauses_site.exports import Column
from clauses_site.roles import FACILITATOR
from reporting import bilan, indicators
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.markets.factories import AwardFactory, BuyerFactory, ClauseFactory, LotFactory, MarketFactory
from tests.reporting.test_documents import pdf_text

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


@pytest.fixture
def lots():
    """Two lots owing 1 000 h: 779,50 h done (0,7795: half up 78,0 %, cut 77,9 %) and 778,50 h done
    (0,7785: half up 77,9 %, cut and half-even 77,8 %)."""
    market = MarketFactory(buyer=BuyerFactory(name="Ville de Bourbourg"), reference="BOU-2025-001")
    made = {}
    for number, done in (("1", ("400", "379.50")), ("2", ("400", "378.50"))):
        lot = LotFactory(market=market, number=number, title=f"Lot {number}")
        ClauseFactory(lot=lot, stated=True)  # 1 000 h
        award = AwardFactory(lot=lot)
        a = AssignmentFactory(lot=lot, company=award.company)
        for month, hours in zip((datetime.date(2025, 3, 1), datetime.date(2025, 4, 1)), done, strict=True):
            HoursEntryFactory(assignment=a, month=month, hours=D(hours))
        made[number] = lot
    return made


def test_formatting_rounds_half_up_to_the_places_shown():
    assert formatting.percent(D("0.7795")) == "78,0\xa0%"
    assert formatting.percent(D("0.7785")) == "77,9\xa0%"
    assert formatting.percent(D("0.77949")) == "77,9\xa0%"
    assert formatting.hours(D("0.125")) == "0,13"
    assert formatting.hours(D("2.675")) == "2,68"  # as a float, 2.675 is 2.67499…: rounded from its text
    assert formatting.hours(D("1234.565"), 1).replace("\xa0", " ").replace("\u202f", " ") == "1 234,6"


def test_the_lot_list_and_its_xlsx_show_the_same_rates(client_for, lots):
    client = client_for(FACILITATOR)
    url = reverse("markets:lot_list")
    html = unescape(client.get(url, {"sort": "lot"}).content.decode()).replace("\xa0", " ")
    rows = html.split("<tbody", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]
    shown = {("779,50" in row, "778,50" in row): row for row in rows}
    assert "78,0 %" in shown[(True, False)] and "77,9 %" in shown[(False, True)]

    sheet = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx"}).content)).active
    table = list(sheet.iter_rows())
    column = [c.value for c in table[0]].index("Réalisation")
    done = [c.value for c in table[0]].index("Heures réalisées")
    cells = {row[done].value: row[column] for row in table[1:]}
    # The cell holds the figure shown (78,0 % = 0.780), in the format that shows it with one decimal.
    assert (cells[779.5].value, cells[779.5].number_format) == (0.78, "0.0%")
    assert (cells[778.5].value, cells[778.5].number_format) == (0.779, "0.0%")


def test_the_bilan_pdf_and_xlsx_show_the_same_rates(lots, tmp_path):
    figures = indicators.for_buyer(lots["1"].market.buyer, START, END)
    assert [line.progress.rate for line in figures.lots] == [D("0.7795"), D("0.7785")]
    text = pdf_text(bilan.render_pdf(figures), tmp_path, layout=True)
    line_1 = next(line for line in text.splitlines() if "779,50" in line)
    line_2 = next(line for line in text.splitlines() if "778,50" in line)
    assert "78,0 %" in line_1 and "77,9 %" in line_2
    assert "77,8 %" not in text

    workbook = load_workbook(io.BytesIO(bilan.render_xlsx(figures)))
    rates = [
        (cell.value, cell.number_format)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.number_format == "0.0%" and cell.value is not None
    ]
    assert (0.78, "0.0%") in rates and (0.779, "0.0%") in rates
    assert 0.7795 not in [value for value, _ in rates] and 0.7785 not in [value for value, _ in rates]


def test_every_writer_stores_the_rounded_value():
    columns = [Column("Taux", lambda r: r[0], kind="rate"), Column("Heures", lambda r: r[1], kind="hours")]
    rows = [(D("0.7795"), D("2.675")), (0.7785, 1.005)]
    stream = io.BytesIO()
    exports.write_xlsx_stream(stream, columns, rows)
    fast = [[c.value for c in row] for row in load_workbook(stream).active.iter_rows(min_row=2)]
    stream = io.BytesIO()
    exports.write_xlsx(stream, columns, rows)
    slow = [[c.value for c in row] for row in load_workbook(stream).active.iter_rows(min_row=2)]
    assert fast == slow == [[0.78, 2.68], [0.779, 1.01]]
    text = io.StringIO()
    exports.write_csv(text, columns, rows)
    assert text.getvalue().splitlines()[1:] == ["0,780;2,68", "0,779;1,01"]


def test_short_figures_round_half_up_too():
    from clauses_site.templatetags.figures import hours_short, money_short, share_of

    assert money_short(D("2450000")).replace("\xa0", " ") == "2,5 M€"  # half-even would say 2,4
    assert hours_short(D("12345.50")).replace("\xa0", " ").replace("\u202f", " ") == "12 346"
    assert share_of(D("779.50"), D("1000")) == "78.0"  # a CSS width: with a dot
