"""The bilans against their floor (issue 14 item 6): hours per lot and month from the lot × month summary
(the dashboard's), people and contracts from ONE aggregate of the entries, the PDF printed from figures
computed once, and the source of a lot's hours owed from markets' one rule (Clause.hours_source)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hours.models import HoursEntry
from hours.models_summary import LotMonthHours
from reporting import bilan, indicators
from tests.markets.factories import ClauseFactory
from tests.reporting.dataset import END, START
from tests.reporting.test_views import generate

pytestmark = pytest.mark.django_db
D = Decimal
ENTRIES_TABLE = HoursEntry._meta.db_table


def reading_the_entries(queries):
    return [q["sql"] for q in queries if f'"{ENTRIES_TABLE}"' in q["sql"] or f" {ENTRIES_TABLE} " in q["sql"]]


@pytest.mark.parametrize("kind", ["buyer", "market", "territory"])
def test_one_query_reads_the_entries_and_few_queries_in_all(bilan_data, kind):
    obj = {"buyer": bilan_data.cud, "market": bilan_data.lots.cud1.market, "territory": None}[kind]
    with CaptureQueriesContext(connection) as ctx:
        f = indicators.for_scope(kind, obj, START, END)
    assert f.people > 0
    assert len(reading_the_entries(ctx.captured_queries)) == 1
    assert len(ctx.captured_queries) == 10


def test_a_company_reads_the_entries_twice(bilan_data):
    """The summary has no company: its lots' hours come from the per-assignment aggregate, its months
    from one more GROUP BY of its entries."""
    with CaptureQueriesContext(connection) as ctx:
        indicators.for_company(bilan_data.bati, START, END)
    assert len(reading_the_entries(ctx.captured_queries)) == 2
    assert len(ctx.captured_queries) == 10


def test_lot_hours_are_the_summary_s(bilan_data):
    """The bilan's hours per lot and month are those of the lot × month summary, the figures of the
    dashboard: one more hour in the summary row of CUD-2025-001 lot 1 in 02/2025 shows in the lot's
    line, the buyer's totals and the month's bar (the people, from the entries, do not move)."""
    before = indicators.for_buyer(bilan_data.cud, START, END)
    # one of the lot-month's rows (the summary holds a row per job: adding to any one adds to the lot-month)
    row = LotMonthHours.objects.filter(lot=bilan_data.lots.cud1, month=datetime.date(2025, 2, 1)).earliest(
        "pk"
    )
    LotMonthHours.objects.filter(pk=row.pk).update(hours=row.hours + 1)
    after = indicators.for_buyer(bilan_data.cud, START, END)

    def lot1(f):
        return next(line for line in f.lots if line.pk == bilan_data.lots.cud1.pk)

    assert (lot1(after).hours_done, lot1(after).hours_done_to_date) == (
        lot1(before).hours_done + 1,
        lot1(before).hours_done_to_date + 1,
    )
    assert after.hours_done == before.hours_done + 1
    assert dict(after.hours_by_month)[datetime.date(2025, 2, 1)] == D("131.50")
    assert after.people == before.people


def test_a_clause_not_quantified_has_no_hours_source(bilan_data):
    """Neither a stated number nor a formula (« non chiffrée »): hours_source is None (Clause's one rule),
    not "formula"; the JSON keeps its keys and reads 0 h owed."""
    clause = ClauseFactory(
        lot__market=bilan_data.lots.cud1.market,
        lot__number="4",
        lot__title="Serrurerie",
        lot__starts_on=datetime.date(2025, 1, 1),
        lot__ends_on=datetime.date(2025, 12, 31),
        labour_share=None,
        insertion_rate=None,
        hourly_cost=None,
    )
    assert clause.hours_source is None and clause.explain()["owed"] is None
    f = indicators.for_buyer(bilan_data.cud, START, END)
    lines = {line.pk: line for line in f.lots}
    assert lines[clause.lot.pk].hours_source is None
    assert lines[bilan_data.lots.cud1.pk].hours_source == "formula"
    assert lines[bilan_data.lots.cud2.pk].hours_source == "stated"
    data = indicators.to_json(f)
    zero = dict.fromkeys(("hours_required", "hours_done", "hours_done_to_date"), 0.0)
    assert {"market": "CUD-2025-001", "lot": "4", **zero} in data["lots"]
    assert set(data["lots"][0]) == {"market", "lot", "hours_required", "hours_done", "hours_done_to_date"}


def test_the_pdf_runs_no_query_from_figures(bilan_data):
    """The PDF and its HTML print the figures they are given: no query, whatever the pages."""
    f = indicators.for_buyer(bilan_data.cud, START, END)
    with CaptureQueriesContext(connection) as ctx:
        html = bilan.render_html(f)
        data = bilan.print_pdf(html)
    assert data.startswith(b"%PDF")
    assert ctx.captured_queries == []


def test_generating_a_pdf_computes_the_figures_once(client, facilitator, bilan_data, monkeypatch):
    calls = []
    computed = indicators._figures

    def counting(*args, **kwargs):
        calls.append(args[0].kind)
        return computed(*args, **kwargs)

    monkeypatch.setattr(indicators, "_figures", counting)
    client.force_login(facilitator)
    response = generate(client, bilan_data)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert calls == ["buyer"]
