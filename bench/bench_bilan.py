#!/usr/bin/env python
"""Benchmark of the bilans (issue 6) on the demo data. Not a test.

    .venv/bin/python bench/bench_bilan.py                 # the database of CLAUSES_VAR_DIR / DATABASE_URL
    .venv/bin/python bench/bench_bilan.py --seed          # seed the demo data first if the database is empty
    .venv/bin/python bench/bench_bilan.py --runs 7
    scripts/with-postgres sh -c '.venv/bin/python manage.py migrate -v0 &&
                                 .venv/bin/python bench/bench_bilan.py --seed'
    # national scale (~2,4 M entries, a few minutes of seeding):
    scripts/with-postgres sh -c '.venv/bin/python manage.py migrate -v0 &&
        .venv/bin/python manage.py seed_demo --scale national && .venv/bin/python bench/bench_bilan.py'

Takes the busiest buyer (most validated hours) over the demo's three years (first to last month with
validated hours) and prints, as the median of several runs:
- the floor: ONE hand-written SQL query giving the buyer's totals (hours done, to date, training, people,
  contracts, people by sex), measured alternately with the buyer's indicators in the same run, and their
  ratio (issue 14 item 6: target ≤ 3×); the script checks that both give the same totals;
- the indicators' query count for each scope (target ≤ 25) and their time;
- the JSON of that buyer's bilan (indicators + JSON, target < 0.5 s);
- the PDF of that buyer's bilan (indicators + WeasyPrint, target < 1.5 s; < 5 s on national data, from
  1 000 000 validated entries), its size and page count, and
  its parts: the indicators, the HTML (templates, charts) and WeasyPrint (layout and PDF);
- the xlsx, for information.
"""

import argparse
import os
import statistics
import sys
import time

from setup_django import django_setup  # puts the repository on sys.path

TARGETS = {"queries": 25, "json": 0.5, "pdf": 1.5, "ratio": 3.0}
#: From this many validated entries the data is national (seed_demo --scale national: ~2,4 M), where the
#: busiest buyer's PDF (~15 pages, ~170 lots and companies) has its own target (issue 14 item 6).
NATIONAL_ENTRIES = 1_000_000
NATIONAL_PDF = 5.0


def median_time(function, runs):
    """Median wall time and median CPU time of this process (the machine may be shared: CPU time
    is what the work costs, wall time what a user waits)."""
    walls, cpus = [], []
    result = None
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return (statistics.median(walls), statistics.median(cpus)), result


FLOOR_SQL = """
SELECT
  SUM(CASE WHEN e.month >= %(start)s THEN {counted} ELSE 0 END),
  SUM({counted}),
  SUM(CASE WHEN e.month >= %(start)s THEN e.training_hours ELSE 0 END),
  COUNT(DISTINCT CASE WHEN e.month >= %(start)s THEN a.participant_id END),
  COUNT(DISTINCT CASE WHEN e.month >= %(start)s THEN a.id END),
  COUNT(DISTINCT CASE WHEN e.month >= %(start)s AND p.sex = 'F' THEN p.id END),
  COUNT(DISTINCT CASE WHEN e.month >= %(start)s AND p.sex = 'H' THEN p.id END)
FROM {entry} e
JOIN {assignment} a ON a.id = e.assignment_id
JOIN {participant} p ON p.id = a.participant_id
JOIN {lot} l ON l.id = a.lot_id
JOIN {market} m ON m.id = l.market_id
LEFT JOIN {clause} c ON c.lot_id = l.id
WHERE e.status = %(validated)s AND e.month <= %(end)s AND m.buyer_id = %(buyer)s
"""
# hours.queries.COUNTED_HOURS: a « Formation » assignment's hours count only if the clause counts training
COUNTED = (
    "(CASE WHEN a.modality = %(training)s AND COALESCE(c.training_counts, %(no)s) = %(no)s THEN 0 "
    "ELSE e.hours END + CASE WHEN COALESCE(c.training_counts, %(no)s) = %(yes)s THEN e.training_hours "
    "ELSE 0 END)"
)


def floor_query(buyer, start, end):
    """The buyer's totals from one hand-written query: (hours done, to date, training, people,
    contracts, women, men)."""
    from django.db import connection

    from hours.models import Assignment, HoursEntry, Modality
    from markets.models import Clause, Lot, Market
    from participants.models import Participant

    sql = FLOOR_SQL.format(
        counted=COUNTED,
        **{
            name: model._meta.db_table
            for name, model in (
                ("entry", HoursEntry),
                ("assignment", Assignment),
                ("participant", Participant),
                ("lot", Lot),
                ("market", Market),
                ("clause", Clause),
            )
        },
    )
    params = {
        "start": start.replace(day=1),
        "end": end,
        "buyer": buyer.pk,
        "validated": HoursEntry.Status.VALIDATED,
        "training": Modality.TRAINING,
        "yes": True,
        "no": False,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def same_totals(row, figures):
    from decimal import Decimal

    def h(value):
        return Decimal(value or 0).quantize(Decimal("0.01"))

    mine = (
        figures.hours_done,
        figures.hours_done_to_date,
        figures.training_hours,
        figures.people,
        figures.assignments,
        figures.by_sex["F"],
        figures.by_sex["H"],
    )
    theirs = (h(row[0]), h(row[1]), h(row[2]), *row[3:])
    return mine == theirs, mine, theirs


def alternately(first, second, runs):
    """Median wall and CPU times of two functions run one after the other, `runs` times each (a shared
    machine's load falls on both alike)."""
    times = {0: ([], []), 1: ([], [])}
    results = [None, None]
    for _ in range(runs):
        for i, function in enumerate((first, second)):
            start, cpu = time.perf_counter(), time.process_time()
            results[i] = function()
            times[i][0].append(time.perf_counter() - start)
            times[i][1].append(time.process_time() - cpu)
    medians = [(statistics.median(times[i][0]), statistics.median(times[i][1])) for i in (0, 1)]
    return medians, results


def pdf_pages(data):
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", action="store_true", help="run seed_demo first when there is no data")
    args = parser.parse_args()
    django_setup()

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min
    from django.test.utils import CaptureQueriesContext

    from clauses_site.months import last_of_month
    from hours import queries
    from hours.models import HoursEntry
    from markets.models import Buyer
    from reporting import bilan, indicators

    entries = HoursEntry.objects.validated()
    if not entries.exists():
        if not args.seed:
            sys.exit("Pas de données : lancez d'abord `manage.py seed_demo` (ou ce script avec --seed).")
        call_command("seed_demo")
    span = entries.aggregate(first=Min("month"), last=Max("month"))
    start, end = span["first"], last_of_month(span["last"])
    buyer = queries.buyers_with_hours(Buyer.objects.all(), start, end).order_by("-hours_done").first()
    count = entries.count()
    pdf_target = NATIONAL_PDF if count >= NATIONAL_ENTRIES else TARGETS["pdf"]
    print(f"Base : {connection.vendor} — {count:,} heures du mois validées".replace(",", " "))
    print(f"Période : {start:%d/%m/%Y} → {end:%d/%m/%Y} ; donneur d'ordre le plus actif : {buyer.name}")
    print(f"Médiane de {args.runs} exécutions ; charge de la machine : {os.getloadavg()[0]:.1f}.\n")

    figures = indicators.for_buyer(buyer, start, end)
    bilan.render_pdf(figures)  # warm WeasyPrint's fonts once, as a running server would be

    (floor, mine), (row, figures) = alternately(
        lambda: floor_query(buyer, start, end), lambda: indicators.for_buyer(buyer, start, end), args.runs
    )
    same, found, expected = same_totals(row, figures)
    ratio = mine[0] / floor[0]
    for name, (wall, cpu) in (("Plancher (une requête SQL écrite à la main)", floor), ("Indicateurs", mine)):
        print(f"{name:<44}: {wall * 1000:8.1f} ms réel, {cpu * 1000:6.1f} ms CPU")
    verdict = "OK" if ratio <= TARGETS["ratio"] else f"TROP (cible ≤ {TARGETS['ratio']:g}×)"
    print(f"Rapport indicateurs / plancher : {ratio:.2f}× — {verdict}")
    print(
        "Mêmes totaux (heures, à date, formation, personnes, contrats, F, H) : "
        + ("oui" if same else f"NON — indicateurs {found}, requête {expected}")
        + "\n"
    )

    results = []
    market = buyer.markets.order_by("pk").first()
    company_id = figures.companies[0].pk if figures.companies else None
    from companies.models import Company

    company = Company.objects.get(pk=company_id) if company_id else None
    for kind, obj in (("buyer", buyer), ("company", company), ("market", market), ("territory", None)):
        if kind != "territory" and obj is None:
            continue
        with CaptureQueriesContext(connection) as ctx:
            indicators.for_scope(kind, obj, start, end)
        seconds, _ = median_time(
            lambda kind=kind, obj=obj: indicators.for_scope(kind, obj, start, end), args.runs
        )
        results.append((f"indicateurs {kind}", f"{len(ctx.captured_queries)} requêtes", seconds, None))
    worst = max(int(r[1].split()[0]) for r in results)

    def json_bilan():
        return bilan.render_json(indicators.for_buyer(buyer, start, end))

    def pdf_bilan():
        return bilan.render_pdf(indicators.for_buyer(buyer, start, end))

    def xlsx_bilan():
        return bilan.render_xlsx(indicators.for_buyer(buyer, start, end))

    seconds, data = median_time(json_bilan, args.runs)
    results.append(
        ("JSON (donneur d'ordre)", f"{len(data):,} octets".replace(",", " "), seconds, TARGETS["json"])
    )
    seconds, data = median_time(pdf_bilan, args.runs)
    pages = pdf_pages(data)
    size = f"{len(data) // 1024} Ko, {pages} pages, {len(figures.lots)} lots, "
    size += f"{len(figures.companies)} entreprises"
    results.append(("PDF (donneur d'ordre)", size, seconds, pdf_target))
    # The PDF's parts: the figures once, the HTML (templates and charts), WeasyPrint (layout, PDF).
    with CaptureQueriesContext(connection) as ctx:
        html = bilan.render_html(figures)
    seconds, _ = median_time(lambda: bilan.render_html(figures), args.runs)
    results.append(("  dont HTML du PDF", f"{len(ctx.captured_queries)} requête(s)", seconds, None))
    seconds, _ = median_time(lambda: bilan.print_pdf(html), args.runs)
    results.append(("  dont WeasyPrint", f"{len(html) // 1024} Ko de HTML", seconds, None))
    seconds, data = median_time(xlsx_bilan, args.runs)
    results.append(("xlsx (donneur d'ordre)", f"{len(data) // 1024} Ko", seconds, None))

    print(f"{'':<26} {'réel':>9} {'CPU':>9}")
    for name, detail, (wall, cpu), target in results:
        verdict = "" if target is None else ("  OK" if wall < target else f"  TROP LENT (cible < {target} s)")
        print(f"{name:<26} {wall:7.3f} s {cpu:7.3f} s   {detail}{verdict}")
    verdict = "OK" if worst <= TARGETS["queries"] else f"TROP (cible ≤ {TARGETS['queries']})"
    print(f"\nRequêtes des indicateurs : au plus {worst} par périmètre — {verdict}")


if __name__ == "__main__":
    main()
