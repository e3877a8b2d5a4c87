"""The planner resolves once the rows of one contract that differ only by their month and hours
(Planner.resolve): each row still gets its own errors and its own entry."""

import io
from decimal import Decimal

import pytest

from hours.models import HoursEntry
from hours.suivi import run_import
from tests.hours.suivi import line, workbook
from tests.markets.factories import BuyerFactory, ClauseFactory, LotFactory, MarketFactory

pytestmark = pytest.mark.django_db


def errors(report):
    return [(e.row, e.column, e.reason) for e in report.errors]


def test_every_row_of_a_contract_gets_its_own_entry_and_month_errors():
    rows = [
        line(month=m, end="2025-04-30", hours=h)
        for m, h in (("03/2025", 10), ("04/2025", 20), ("05/2025", 30))
    ]
    report = run_import(io.BytesIO(workbook(rows)), dry_run=True)
    assert errors(report) == [(4, "Mois", "mois hors du contrat (du 03/02/2025 au 30/04/2025)")]
    report = run_import(io.BytesIO(workbook(rows[:2] + [line(month="04/2025", end="2025-04-30", hours=5)])))
    assert errors(report) == [
        (4, "Mois", "ligne en double : même mise à l'emploi et même mois que la ligne 3"),
    ]
    report = run_import(io.BytesIO(workbook(rows[:2])))
    assert report.imported and report.counts["assignments"].created == 1
    assert sorted(HoursEntry.objects.values_list("hours", flat=True)) == [Decimal("10.00"), Decimal("20.00")]


def test_identical_rows_whose_first_has_an_error_each_get_it():
    """A row resolved with an error is not reused: the next rows of its contract are checked again."""
    lot = LotFactory(market=MarketFactory(buyer=BuyerFactory(name="CUD"), reference="M-1"), number="3")
    ClauseFactory(lot=lot, stated_hours=Decimal("1000"))
    base = {"buyer": "CUD", "market_ref": "M-1", "lot": "Lot 3", "planned_hours": 1200}
    report = run_import(io.BytesIO(workbook([line(month="03/2025", **base), line(month="04/2025", **base)])))
    reason = (
        "heures prévues différentes de celles du lot existant (1\u202f000,00 h) : "
        "corrigez la ligne ou la clause du lot"
    )
    assert errors(report) == [(2, "Heures prévues", reason), (3, "Heures prévues", reason)]


def test_an_entry_written_by_someone_else_meanwhile_refuses_the_file(monkeypatch):
    """Another import writes the same month between the plan and the writing: the database's unique
    constraint stops the insert (COPY on PostgreSQL, INSERT on SQLite), the import says so in French and
    writes nothing."""
    from hours.suivi import planner

    assert run_import(io.BytesIO(workbook([line(month="03/2025")]))).imported
    finish = planner.Planner.finish

    def finish_then_write(self):
        finish(self)
        first = HoursEntry.objects.get()
        HoursEntry.objects.create(assignment=first.assignment, month=first.month.replace(month=4), hours=1)

    monkeypatch.setattr(planner.Planner, "finish", finish_then_write)
    report = run_import(io.BytesIO(workbook([line(month="04/2025", hours=20), line(month="05/2025")])))
    assert not report.imported
    assert [(e.row, e.column) for e in report.errors] == [(1, "—")]
    assert report.errors[0].reason.startswith("l'enregistrement a échoué (modification simultanée ?)")
    # nothing of the import's: April is the other one's, May is not written
    assert sorted(HoursEntry.objects.values_list("month__month", "hours")) == [
        (3, Decimal("151.67")),
        (4, Decimal("1.00")),
    ]
