"""Plans that cannot go wrong (issue 14, item 3): on a PostgreSQL database without statistics — rows
inserted in the test's own transaction, never analysed, their pg_statistic rows deleted when the
user may — the dashboard's and the lots' queries never run the hours entries table once per row of
something else: no Nested Loop whose inner side scans hours_hoursentry, no correlated SubPlan that
does. Such a plan is what ran for more than 15 minutes in the seed test of a PostgreSQL pass.

PostgreSQL only (SQLite has one planner shape); a few seconds."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hours import queries, summary
from hours.models import Assignment, ContractType, HoursEntry, Modality
from markets.models import Lot, Stage
from participants.models import Participant
from reporting import dashboard
from tests.companies.factories import CompanyFactory
from tests.markets.factories import ClauseFactory, MarketFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="plans: PostgreSQL only"),
]

ENTRIES = HoursEntry._meta.db_table
TODAY = datetime.date(2026, 6, 15)
LOTS, PEOPLE_PER_LOT, MONTHS = 24, 8, 18  # 192 assignments, 3 456 entries
HOUR_FIGURES = (
    "hours_done",
    "hours_done_to_date",
    "training_hours",
    "training_counted",
    "training_not_counted",
)


@pytest.fixture
def unanalysed():
    """Lots in execution with people and monthly hours, built in bulk inside the test's transaction
    (never analysed), and no statistics for the tables the queries read."""
    company = CompanyFactory()
    start = datetime.date(2025, 1, 1)
    lots = []
    for n in range(LOTS):
        market = MarketFactory(stage=Stage.EXECUTION, starts_on=start, ends_on=datetime.date(2026, 12, 31))
        lots.append(ClauseFactory(lot__market=market, training_counts=n % 2 == 0).lot)
    people = [
        Participant(last_name=f"Nom{i}", first_name="Élodie", birth_date=datetime.date(1987, 3, 12))
        for i in range(LOTS * PEOPLE_PER_LOT)
    ]
    for person in people:
        person.compute_keys()  # what save() does (KeyedModel)
    Participant.objects.bulk_create(people)
    contract = {
        "company": company,
        "employer": company,
        "contract_type": ContractType.CDD,
        "starts_on": start,
    }
    modalities = [Modality.TRAINING, *[Modality.DIRECT_HIRE] * 4]
    assignments = Assignment.objects.bulk_create(
        Assignment(
            participant=p, lot=lots[i % LOTS], modality=modalities[i % 5], job=f"Métier {i % 3}", **contract
        )
        for i, p in enumerate(people)
    )
    now = timezone.now()
    HoursEntry.objects.bulk_create(
        HoursEntry(
            assignment=a,
            month=datetime.date(2025 + m // 12, m % 12 + 1, 1),
            hours=Decimal("100.25"),
            training_hours=Decimal("3.50"),
            status=HoursEntry.Status.VALIDATED,
            validated_at=now,
        )
        for a in assignments
        for m in range(MONTHS)
    )
    tables = [ENTRIES, Assignment._meta.db_table, Lot._meta.db_table, "hours_lotmonthhours"]
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: may be refused
            cursor.execute("DELETE FROM pg_statistic WHERE starelid = ANY(%s::regclass[])", [tables])
    except Exception:  # noqa: BLE001 — not a superuser: never analysed is the worst state already
        pass
    return lots


def entries_run_per_row(node, inner=False):
    """The nodes of a plan (EXPLAIN FORMAT JSON's "Plan") that scan the entries table on the inner side
    of a Nested Loop or inside a correlated SubPlan: [(node type, the join or subplan above)]."""
    found = []
    if inner and node.get("Relation Name") == ENTRIES:
        found.append(node["Node Type"])
    for child in node.get("Plans", []):
        relationship = child.get("Parent Relationship")
        per_row = (
            node["Node Type"] == "Nested Loop" and relationship == "Inner"
        ) or relationship == "SubPlan"
        found += entries_run_per_row(child, inner or per_row)
    return found


def plans_of(run):
    """Run `run()` and EXPLAIN (FORMAT JSON) every SELECT it sent: [(sql, plan)]."""
    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plans.append((sql, (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]))
    return plans


def assert_no_entries_per_row(plans):
    bad = [(sql[:300], found) for sql, plan in plans if (found := entries_run_per_row(plan))]
    assert bad == []


def test_the_walk_finds_a_correlated_subquery_over_the_entries(unanalysed):
    """The check itself: the old way of counting (a correlated SUM over the entries per lot) is found."""
    done = (
        queries.counted_entries()
        .filter(assignment__lot=OuterRef("pk"))
        .order_by()
        .values("assignment__lot")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    plans = plans_of(lambda: list(Lot.objects.annotate(done=Subquery(done))))
    assert any(entries_run_per_row(plan) for _, plan in plans)


def test_the_dashboards_hours(unanalysed):
    """The dashboard's hour figures: realisation and forecast (the lots' progress), the headline's hours
    and the hours by month (from the summary). Its people figures (the outcomes of the people counted,
    reporting.indicators) are semi-joins driven by the outcomes, not hour sums: not asserted here."""
    selection = dashboard.Selection.default(TODAY)
    on = min(selection.end, TODAY)

    def run():
        dashboard.realisation(selection, on, today=TODAY)
        dashboard.forecast(selection, on)
        dashboard.month_series(selection, on)
        summary.total_hours(
            selection.market_filter("lot__market__"), selection.start, selection.end
        )  # headline

    plans = plans_of(run)
    assert len(plans) >= 5
    assert_no_entries_per_row(plans)


def test_the_lots_hours_and_progress(unanalysed):
    def run():
        lots = queries.lots_with_hours(Lot.objects.with_clause(), None, TODAY, figures=HOUR_FIGURES)
        [queries.lot_progress(lot, TODAY, TODAY) for lot in lots]
        list(queries.lots_with_hours_to_date(Lot.objects.with_clause(), TODAY))

    assert_no_entries_per_row(plans_of(run))
