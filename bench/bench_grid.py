#!/usr/bin/env python
"""Display and save time of the monthly grid of one big lot-month (issue 14 item 2). Not a test.

    .venv/bin/python bench/bench_grid.py                       # a new SQLite database, removed at the end
    scripts/with-postgres .venv/bin/python bench/bench_grid.py  # a throwaway PostgreSQL cluster
    .venv/bin/python bench/bench_grid.py --rows 1100 --runs 10

Builds, in a new database (migrated here; DATABASE_URL when set, else SQLite in a temporary folder), one
lot with --rows people at work in June 2025, each with validated hours in March–May (the grid's reference
months) and a draft for June (every row editable: the worst case). Then, through Django's test client
(middleware, view, template), as a facilitator:

- the display of the grid (GET);
- a save as the page's JavaScript posts it (static/js/grid.js: one field « cellules », JSON of the
  values rendered and of the cells changed): 10 cells changed, then every cell changed;
- a save as a browser without JavaScript posts it (four fields a row), which Django refuses over
  DATA_UPLOAD_MAX_NUMBER_FIELDS (HTTP 400, TooManyFieldsSent) for a big grid; --no-field-limit lifts
  the limit to measure what such a save costs (and what a save cost before « cellules »).

Each is run once to warm up, then --runs times; the script prints median and p95 (wall clock and this
process' CPU), the SQL queries of one run and the size of the page.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal

from setup_django import django_setup

JUNE = datetime.date(2025, 6, 1)
REFERENCE = [datetime.date(2025, m, 1) for m in (3, 4, 5)]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build(rows):
    """The lot, its people, their assignments and entries (bulk inserts); returns (lot, facilitator)."""
    from django.utils import timezone

    from hours.models import HoursEntry
    from tests.companies.factories import CompanyFactory
    from tests.factories import UserFactory
    from tests.hours.factories import people_at_work
    from tests.markets.factories import AwardFactory, ClauseFactory

    user = UserFactory(username="bench-saisie", first_name="Nadia", last_name="Bench", facilitator=True)
    lot = ClauseFactory(stated=True, stated_hours=Decimal(200_000)).lot
    company = CompanyFactory(name="Bâti Flandre")
    AwardFactory(lot=lot, company=company)
    assignments = people_at_work(lot, company, rows)
    now = timezone.now()
    entries = []
    for n, a in enumerate(assignments):
        for month in REFERENCE:
            entries.append(
                HoursEntry(
                    assignment=a,
                    month=month,
                    hours=Decimal(140 + n % 20),
                    status=HoursEntry.Status.VALIDATED,
                    validated_by=user,
                    validated_at=now,
                )
            )
        entries.append(HoursEntry(assignment=a, month=JUNE, hours=Decimal(100 + n % 50)))
    HoursEntry.objects.bulk_create(entries, batch_size=2000)
    return lot, user


def cells_now(lot):
    """{assignment pk: (hours, training)} as the grid shows them (the originals a page holds)."""
    from hours import grid

    rows, _ = grid.build_rows(JUNE, grid.grid_assignments(JUNE, lot=lot))
    return {row.key: tuple(grid.format_hours(v) for v in grid.stored_cells(row.entry)) for row in rows}


def payload(lot, run, changed, compact):
    """What a page rendered now posts when `changed` rows (the first ones) get new hours."""
    originals = cells_now(lot)
    cells = {}
    for n, (pk, (hours, training)) in enumerate(originals.items()):
        cells[f"oh{pk}"], cells[f"ot{pk}"] = hours, training
        if n < changed:
            cells[f"h{pk}"] = f"{100 + n % 50 + run / 100:.2f}".replace(".", ",")
        elif not compact:  # a browser posts every input
            cells[f"h{pk}"], cells[f"t{pk}"] = hours, training
    return {"cellules": json.dumps(cells)} if compact else cells


def measure(client, method, url, data=None, runs=10):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpus, status, size, queries = [], [], None, 0, 0
    for run in range(runs + 1):
        body = data(run) if callable(data) else data
        with CaptureQueriesContext(connection) as captured:
            start, cpu = time.perf_counter(), time.process_time()
            response = client.post(url, body) if method == "post" else client.get(url)
            elapsed, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
        if method == "get" and response.status_code != 200:
            sys.exit(f"{url} : statut {response.status_code} {response.get('Location', '')}")
        status, size, queries = response.status_code, len(response.content), len(captured.captured_queries)
        if run:
            times.append(elapsed)
            cpus.append(cpu)
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "cpu": statistics.median(cpus),
        "status": status,
        "size": size,
        "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1100)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--no-field-limit",
        action="store_true",
        help="DATA_UPLOAD_MAX_NUMBER_FIELDS off: what a save by fields would cost if it were not refused",
    )
    args = parser.parse_args()
    folder = None
    if not os.environ.get("DATABASE_URL"):
        folder = tempfile.TemporaryDirectory(prefix="clauses-bench-grid-")
        os.environ.update(CLAUSES_VAR_DIR=folder.name, DATABASE_URL="")
    django_setup()
    import logging

    logging.getLogger("django.security").disabled = True  # the refused save (400) is expected
    logging.getLogger("django.request").disabled = True
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.no_field_limit:
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = None
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    lot, user = build(args.rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Base : {connection.vendor} ; {args.rows} lignes construites en {time.perf_counter() - start:.1f} s."
    )
    client = Client()
    client.force_login(user)
    url = reverse("hours:grid") + f"?mois={JUNE:%Y-%m}&lot={lot.pk}"
    print(
        f"Grille de juin 2025, {args.rows} lignes ; médiane et p95 de {args.runs} (après une de chauffe).\n"
    )
    print(f"{'mesure':<52} {'statut':>6} {'requêtes':>8} {'médiane':>8} {'p95':>8} {'CPU':>7} {'page':>9}")
    scenarios = [
        ("affichage", "get", None),
        ("enregistrement JS, 10 cellules modifiées", "post", lambda run: payload(lot, run, 10, True)),
        (
            "enregistrement JS, toutes les cellules modifiées",
            "post",
            lambda run: payload(lot, run, args.rows, True),
        ),
        ("enregistrement sans JS, 10 cellules modifiées", "post", lambda run: payload(lot, run, 10, False)),
        (
            "enregistrement sans JS, toutes les cellules modifiées",
            "post",
            lambda run: payload(lot, run, args.rows, False),
        ),
    ]
    for label, method, data in scenarios:
        result = measure(client, method, url, data, args.runs)
        size = f"{result['size'] / 1024:.0f} Kio" if method == "get" else ""
        print(
            f"{label:<52} {result['status']:>6} {result['queries']:>8} {result['median']:>6.0f} ms "
            f"{result['p95']:>5.0f} ms {result['cpu']:>4.0f} ms {size:>9}"
        )
    if folder is not None:
        folder.cleanup()


if __name__ == "__main__":
    sys.exit(main())
