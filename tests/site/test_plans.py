"""Plans that cannot go wrong (issue 14, item 3): on a PostgreSQL database without statistics — rows
inserted in the test's own transaction, never analysed, their pg_statistic rows deleted, pg_class in
each of the states TABLE_STATES names — the dashboard's and the lots' queries never read the hours
entries once per row of something else: no Nested Loop whose inner side, no correlated SubPlan that,
scans hours_hoursentry other than by the outer row's assignment. Such a plan is what ran for more than
15 minutes in the seed test of a PostgreSQL pass.

PostgreSQL only (SQLite has one planner shape); a few seconds."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
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


#: What pg_class says of the tables the test fills (reltuples, relpages), set by the fixture: so that the
#: plans do not depend on what earlier tests left there. Earlier tests' rolled-back rows grow the tables,
#: and autovacuum may then record them as empty (no row, many pages): a planner that believes a table
#: empty sees every index of it at the same cost and picks one by chance — that state is what failed
#: this test in CI, and no query shape is safe in it; the application ANALYZEs after its bulk writes
#: (seed_demo, the import, restore) so as never to be in it. The states tested: never analysed (the
#: planner estimates from the table's real size), a few rows, many rows.
TABLE_STATES = {"never analysed": (-1, 0), "a few rows": (10, 1), "many rows": (1_000_000, 10_000)}


@pytest.fixture(params=list(TABLE_STATES))
def unanalysed(request):
    """Lots in execution with people and monthly hours, built in bulk inside the test's transaction
    (never analysed), no statistics for the tables the queries read, and pg_class saying of them what
    TABLE_STATES says (rolled back with the test): the same plans whatever ran before."""
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
    except Exception:  # noqa: BLE001 — not a superuser: the state below cannot be set either
        pytest.skip("plans without statistics: the test database's user must be a superuser")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET reltuples = %s, relpages = %s WHERE oid = ANY(%s::regclass[])",
            [*TABLE_STATES[request.param], tables],
        )
    return lots


KEYED_ON_THE_ASSIGNMENT = "assignment_id = "


def keyed_on_the_outer_row(node):
    """A scan of the entries that reads only the entries of the outer row's assignment: an index scan
    whose condition is assignment_id = <outer value> (the index hours_one_entry_per_month), or a bitmap
    scan every index part of which is such a scan. A BitmapAnd with another index (status and month,
    month) is not: that part reads every entry of its range once per outer row."""
    if node["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
        return KEYED_ON_THE_ASSIGNMENT in node.get("Index Cond", "")
    if node["Node Type"] == "Bitmap Heap Scan" or node["Node Type"] in ("BitmapAnd", "BitmapOr"):
        return all(keyed_on_the_outer_row(child) for child in node.get("Plans", []))
    return False


def entries_run_per_row(node, inner=False):
    """The nodes of a plan (EXPLAIN FORMAT JSON's "Plan") that scan the entries table on the inner side
    of a Nested Loop or inside a correlated SubPlan without being keyed on the outer row's assignment:
    [node type]. Such a scan reads a range of entries that does not depend on the outer row again for
    every outer row — work in rows × entries."""
    found = []
    if inner and node.get("Relation Name") == ENTRIES and not keyed_on_the_outer_row(node):
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
    """The check itself, on a plan of the database: a correlated count per lot of the entries of the
    months since the lot started (a range of months, not the lot's own assignments) is found."""
    since = HoursEntry.objects.filter(month__gte=OuterRef("starts_on")).order_by().values("month")[:1]
    plans = plans_of(lambda: list(Lot.objects.annotate(first=Subquery(since))))
    assert any(entries_run_per_row(plan) for _, plan in plans)


def scan(kind, index=None, condition=None, children=()):
    """A plan node as EXPLAIN (FORMAT JSON) gives it: a Bitmap Index Scan names its index, not the table."""
    node = {"Node Type": kind}
    if kind in ("Bitmap Heap Scan", "Index Scan", "Index Only Scan", "Seq Scan"):
        node["Relation Name"] = ENTRIES
    if index:
        node.update({"Index Name": index, "Index Cond": condition})
    if children:
        node["Plans"] = [{**child, "Parent Relationship": "Member"} for child in children]
    return node


def nested_loop(inner):
    outer = {"Node Type": "Seq Scan", "Relation Name": "hours_assignment", "Parent Relationship": "Outer"}
    return {"Node Type": "Nested Loop", "Plans": [outer, {**inner, "Parent Relationship": "Inner"}]}


def test_the_walk_tells_a_scan_keyed_on_the_assignment_from_a_range_read_again():
    """The check itself, on hand-built plans: the entries of the outer row's assignment read on the
    inner side are fine; a BitmapAnd with the month range (what failed in CI), a scan of the month
    range filtered by assignment, a sequential scan are each found."""
    keyed = scan("Bitmap Index Scan", "hours_one_entry_per_month", "((assignment_id = hours_assignment.id))")
    by_month = scan("Bitmap Index Scan", "hours_entry_month_id", "((month <= '2026-06-15'::date))")
    assert entries_run_per_row(nested_loop(scan("Bitmap Heap Scan", children=[keyed]))) == []
    assert (
        entries_run_per_row(nested_loop({**keyed, "Node Type": "Index Scan", "Relation Name": ENTRIES})) == []
    )
    both = scan("BitmapAnd", children=[by_month, keyed])
    assert entries_run_per_row(nested_loop(scan("Bitmap Heap Scan", children=[both]))) == ["Bitmap Heap Scan"]
    month_range = {
        **by_month,
        "Node Type": "Index Scan",
        "Relation Name": ENTRIES,
        "Filter": "(assignment_id = hours_assignment.id)",
    }
    assert entries_run_per_row(nested_loop(month_range)) == ["Index Scan"]
    assert entries_run_per_row(nested_loop({"Node Type": "Seq Scan", "Relation Name": ENTRIES})) == [
        "Seq Scan"
    ]


def test_the_dashboards_hours(unanalysed):
    """The dashboard's hour figures: realisation and forecast (the lots' progress), the headline's hours
    and the hours by month (from the summary), each read on its own and as build() reads them: the
    lots' hours to date by job (one GROUP BY of the summary for the realisation and the forecast's
    weights) and the hours by month (one for the headline and the month series)."""
    selection = dashboard.Selection.default(TODAY)
    on = min(selection.end, TODAY)

    def run():
        dashboard.realisation(selection, on, today=TODAY)
        dashboard.forecast(selection, on)
        dashboard.month_series(selection, on)
        summary.total_hours(
            selection.market_filter("lot__market__"), selection.start, selection.end
        )  # headline
        dashboard.hours_to_date(selection, on)
        dashboard.hours_by_month(selection, on)

    plans = plans_of(run)
    assert len(plans) >= 7
    assert sum('"hours_lotmonthhours"."job"' in sql for sql, _ in plans) == 2  # the forecast's, build()'s
    assert_no_entries_per_row(plans)


def test_the_whole_dashboard(unanalysed):
    """Every query of build(), its people figures too: the outcomes of the people counted (a semi-join
    from the outcomes dated in the period to their people's validated entries, keyed on the assignment)
    and the assignments' counts."""
    plans = plans_of(lambda: dashboard.build(dashboard.Selection.default(TODAY), TODAY))
    assert len(plans) >= 7
    assert any("participants_outcome" in sql for sql, _ in plans)
    assert_no_entries_per_row(plans)


def test_the_lots_hours_and_progress(unanalysed):
    def run():
        lots = queries.lots_with_hours(Lot.objects.with_clause(), None, TODAY, figures=HOUR_FIGURES)
        [queries.lot_progress(lot, TODAY, TODAY) for lot in lots]
        list(queries.lots_with_hours_to_date(Lot.objects.with_clause(), TODAY))

    assert_no_entries_per_row(plans_of(run))
