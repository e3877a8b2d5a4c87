#!/usr/bin/env python
"""Benchmark of the lot × month summary (hours.summary, issue 14): the lots' progress query (hours done
to date per lot in execution, what the dashboard's realisation and forecast and lot_progress read)
from the entries (one correlated SUM per lot, the way before) and from the summary (one grouped join),
on PostgreSQL, with and without planner statistics. Not a test.

    scripts/with-postgres sh -c '.venv/bin/python manage.py migrate -v0 &&
                                 .venv/bin/python bench/bench_summary.py --entries 300000'

Builds its own data in an empty database (ORM bulk_create for the few thousand lots, people and
assignments, then one INSERT … SELECT generate_series for the entries — the triggers run on it), and
prints, as medians of --runs runs: the build, the query before and after, before ANALYZE (the state
of a database right after a large import) and after, and what the triggers cost a 1 100-cell
validation (a bulk_update). EXPLAIN (ANALYZE, BUFFERS) of each query goes to bench/results/.
"""

import argparse
import datetime
import statistics
import time
from decimal import Decimal

from setup_django import ROOT, django_setup  # puts the repository on sys.path

RESULTS = ROOT / "bench" / "results"
TODAY = datetime.date(2026, 6, 15)
TIMEOUT_S = 120


def median(function, runs):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def keyed(model, objects):
    """Objects of a KeyedModel written in bulk, with the keys save() would compute."""
    for instance in objects:
        instance.compute_keys()
    return model.objects.bulk_create(objects, batch_size=5000)


def build(entries, lots_count):
    from django.db import connection, transaction

    from companies.models import Company
    from hours.models import Assignment, ContractType, HoursEntry, Modality
    from markets.models import Buyer, Clause, Lot, Market, Stage
    from participants.models import Participant

    months = 12
    people = max(entries // months, 1)
    start = datetime.date(2025, 7, 1)
    with transaction.atomic():
        buyers = keyed(Buyer, [Buyer(name=f"Donneur {i}") for i in range(20)])
        markets = [
            Market(
                buyer=buyers[i % len(buyers)],
                reference=f"B-{i:05d}",
                title=f"Marché {i}",
                stage=Stage.EXECUTION,
                starts_on=datetime.date(2025, 1, 1),
                ends_on=datetime.date(2027, 12, 31),
            )
            for i in range(lots_count // 3)
        ]
        keyed(Market, markets)
        lots = [
            Lot(
                market=markets[i % len(markets)],
                number=str(i),
                title="Gros œuvre",
                amount=Decimal(1_000_000),
                starts_on=datetime.date(2025, 1, 1),
                ends_on=datetime.date(2027, 12, 31),
            )
            for i in range(lots_count)
        ]
        keyed(Lot, lots)
        Clause.objects.bulk_create(
            Clause(
                lot=lot, stated_hours=Decimal(5000), hours_required=Decimal(5000), training_counts=i % 2 == 0
            )
            for i, lot in enumerate(lots)
        )
        company = Company.objects.create(name="Bâti Bench")
        persons = [
            Participant(last_name=f"Nom{i}", first_name="Élodie", birth_date=datetime.date(1987, 3, 12))
            for i in range(people)
        ]
        keyed(Participant, persons)
        Assignment.objects.bulk_create(
            (
                Assignment(
                    participant=p,
                    lot=lots[i % len(lots)],
                    company=company,
                    employer=company,
                    modality=Modality.TRAINING if i % 7 == 0 else Modality.DIRECT_HIRE,
                    contract_type=ContractType.CDD,
                    job=f"Métier {i % 5}",
                    starts_on=start,
                )
                for i, p in enumerate(persons)
            ),
            batch_size=5000,
        )
    from hours import summary

    table, assignments = HoursEntry._meta.db_table, Assignment._meta.db_table
    timings = {}
    for triggers in (False, True):  # the same insert without the triggers first, rolled back
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if not triggers:
                summary.uninstall()
            inserted = _insert_entries(cursor, table, assignments, start, months)
            timings[triggers] = time.perf_counter() - started
            if not triggers:
                transaction.set_rollback(True)
    return inserted, timings


def _insert_entries(cursor, table, assignments, start, months):
    from django.utils import timezone

    now = timezone.now()
    cursor.execute(
        f"""INSERT INTO {table} (assignment_id, month, hours, training_hours, status, validated_at,
                source, source_file, created_at, updated_at)
            SELECT a.id, (%s::date + make_interval(months => m))::date,
                   ((a.id * 7 + m * 13) %% 15000) / 100.0 + 10, (m %% 3) * 1.25,
                   CASE WHEN (a.id + m) %% 10 = 0 THEN 'brouillon' ELSE 'validee' END,
                   CASE WHEN (a.id + m) %% 10 = 0 THEN NULL ELSE %s END, 'saisie', '', %s, %s
            FROM {assignments} a CROSS JOIN generate_series(0, {months - 1}) m""",
        [start, now, now, now],
    )
    return cursor.rowcount


def explain(sql, params, name, analyze=True):
    """EXPLAIN (ANALYZE, BUFFERS) into bench/results/summary_<name>.txt (the plan alone when the query
    does not end: analyze=False)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {'(ANALYZE, BUFFERS)' if analyze else ''} {sql}", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"summary_{name}.txt").write_text(
        f"-- {name}\n{sql % tuple(repr(p) for p in params)}\n\n{text}\n"
    )
    return next((line for line in text.splitlines() if "Execution Time" in line), "").strip()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--lots", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    from django.apps import apps
    from django.db import connection, transaction
    from django.db.models import Value
    from django.db.models.functions import Coalesce

    from hours import grid, queries, summary
    from hours.models import HOURS, HoursEntry
    from reporting import dashboard

    assert connection.vendor == "postgresql", "PostgreSQL only (scripts/with-postgres)"
    assert not HoursEntry.objects.exists(), "an empty database, please (it builds its own data)"
    # No ANALYZE behind our back: "nostats" stays the state of a database right after a large import.
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f'ALTER TABLE "{model._meta.db_table}" SET (autovacuum_enabled = false)')
    inserted, timings = build(args.entries, args.lots)
    print(
        f"{inserted} entries inserted by one INSERT … SELECT: {timings[True]:.1f} s with the triggers, "
        f"{timings[False]:.1f} s without"
    )
    print(f"summary: {summary.LotMonthHours.objects.count()} rows, exact: {summary.differences() == []}")

    lots = dashboard.in_execution(dashboard.Selection.default(TODAY), TODAY)

    def before():
        # the way before: one correlated SUM over the entries per lot (hours.queries._sum_by)
        annotated = lots.annotate(
            hours_required=Coalesce("clause__hours_required", Value(Decimal(0)), output_field=HOURS),
            hours_done_to_date=queries._sum_by("assignment__lot", None, TODAY, to_date=True),
        )
        return annotated

    def after():
        return summary.lots_with_hours_to_date(lots, TODAY)

    def figures(queryset):
        return {lot.pk: lot.hours_done_to_date for lot in queryset}

    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = '{TIMEOUT_S}s'")
    rows = []
    for state in ("nostats", "analyzed"):
        if state == "analyzed":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        results = {}
        for name, make in (("before", before), ("after", after)):
            try:
                with transaction.atomic():
                    seconds, found = median(lambda make=make: figures(make()), args.runs)
                sql, params = make().query.sql_with_params()
                line = explain(sql, params, f"lots_progress_{name}_{state}")
            except Exception as exc:  # noqa: BLE001 — a plan that never ends: cancelled by the timeout
                seconds, found, line = None, None, f"cancelled ({type(exc).__name__}) after {TIMEOUT_S} s"
                sql, params = make().query.sql_with_params()
                explain(sql, params, f"lots_progress_{name}_{state}", analyze=False)
            results[name] = found
            rows.append((state, name, seconds, line))
        same = results["before"] is None or results["before"] == results["after"]
        rows.append((state, "same figures", same, ""))

    print(f"\nlots' progress ({lots.count()} lots in execution), median of {args.runs}:")
    for state, name, seconds, line in rows:
        shown = f"{seconds * 1000:9.1f} ms" if isinstance(seconds, float) else f"{seconds!s:>12}"
        print(f"  {state:9} {name:12} {shown}   {line}")

    # What the triggers cost: validating 1 100 drafts (one bulk_update, with the history), rolled back;
    # triggers on and off alternately, median of 3 each.
    drafts = HoursEntry.objects.drafts().order_by("assignment__lot", "month", "pk")
    ids = list(drafts.values_list("pk", flat=True)[:1100])
    spent = {True: [], False: []}
    for _ in range(3):
        for installed in (True, False):
            with transaction.atomic():
                if not installed:
                    summary.uninstall()
                batch = list(HoursEntry.objects.filter(pk__in=ids))
                started = time.perf_counter()
                grid.validate_entries(batch, None)
                spent[installed].append(time.perf_counter() - started)
                transaction.set_rollback(True)
    for installed in (True, False):
        triggers = "on " if installed else "off"
        milliseconds = statistics.median(spent[installed]) * 1000
        print(
            f"validate {len(ids)} drafts (bulk_update + history), triggers {triggers}: {milliseconds:.0f} ms"
        )
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) in {RESULTS.relative_to(ROOT)}/summary_lots_progress_*.txt")


if __name__ == "__main__":
    main()
