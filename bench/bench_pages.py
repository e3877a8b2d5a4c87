#!/usr/bin/env python
"""Server-side time and SQL queries of the list, detail and grid pages on the demo data (issue 4).
Not a test.

    .venv/bin/python bench/bench_pages.py                 # the database of CLAUSES_VAR_DIR / DATABASE_URL
    .venv/bin/python bench/bench_pages.py --seed          # seed the demo data first if the database is empty
    .venv/bin/python bench/bench_pages.py --runs 20 --only grille
    .venv/bin/python bench/bench_pages.py --fresh         # a new SQLite db in a temporary CLAUSES_VAR_DIR
                                                          # (migrate + seed_demo), removed at the end

Each page is requested through Django's test client (the whole request: middleware, view, template),
once to warm up, then --runs times (default 20); the script prints the page, its SQL queries and the
median time in ms — wall clock, and the processor time of this process (on a shared machine the wall
clock also counts the others' work) — against the targets of issue 4: lists and details < 150 ms and
≤ 15 queries; the grid of the busiest lot and month saved in < 300 ms. Writes (the grid's save) happen
inside a transaction that is rolled back: the demo data is left as it was.

Add a page: append to `pages()` below — (label, method, url, data, target ms[, max queries]).
Issue 7 adds the home dashboard (< 300 ms) and the pipeline (< 200 ms), each ≤ 30 queries.

National scale (issue 14), on PostgreSQL only:

    scripts/with-postgres .venv/bin/python bench/bench_pages.py --scale national
    DATABASE_URL=postgres://…/clauses .venv/bin/python bench/bench_pages.py --scale national --runs 10

uses two databases of the cluster of DATABASE_URL: its own (the national data, `seed_demo --scale
national`) and `<its name>_demo` (created if missing; `seed_demo`). Each is migrated and seeded once when
it has no data (kept afterwards: a second run measures at once). Each scale is measured in its own process
(this script with --json), one after the other in the same run; the table shows, per page, the SQL queries,
median and p95 (of --runs, default 10) at both scales and the ratio, against the budgets of issue 14:
every list and detail page ≤ 300 ms p95; the dashboard and the bilan preview of the busiest buyer ≤ 500 ms;
the grid of the biggest lot-month ≤ 500 ms to display and to save. The load of the machine (uptime) is
printed at the start and the end. --out FILE writes the table there too (default with --scale national:
bench/results/pages-national.txt).
"""

import argparse
import json
import os
import statistics
import sys
import time
from decimal import Decimal

from pages_national import load, run_national
from setup_django import ROOT, django_setup  # puts the repository on sys.path

LIST_MS, GRID_SAVE_MS, MAX_QUERIES = 150, 300, 15
DASHBOARD_MS, PIPELINE_MS, DASHBOARD_QUERIES = 300, 200, 30  # issue 7


class Rollback(Exception):
    pass


def busiest_lot_month():
    """The lot and month with the most assignments active (the largest grid)."""
    from django.db.models import Count

    from hours.models import HoursEntry

    row = (
        HoursEntry.objects.order_by()
        .values("assignment__lot", "month")
        .annotate(n=Count("pk"))
        .order_by("-n", "-month")
        .first()
    )
    return row["assignment__lot"], row["month"], row["n"]


def pages(ctx):
    """(label, method, url, data, target ms[, max queries]). data: None, or a callable(run) -> POST dict."""
    from django.urls import reverse

    grid = reverse("hours:grid") + f"?mois={ctx['month']:%Y-%m}&lot={ctx['lot']}"

    def detail(label, url_name, key):
        """A record's page: the record of ctx[key]."""
        return label, "get", reverse(url_name, args=[ctx[key]]), None, LIST_MS

    yield "Participants (liste)", "get", reverse("participants:participant_list"), None, LIST_MS
    yield (
        "Participants (liste filtrée)",
        "get",
        reverse("participants:participant_list") + "?q=ma&sex=F",
        None,
        LIST_MS,
    )
    yield detail("Participant (fiche)", "participants:participant_detail", "person")
    yield "Heures saisies (liste)", "get", reverse("hours:entry_list"), None, LIST_MS
    yield (
        "Heures saisies (liste filtrée)",
        "get",
        reverse("hours:entry_list") + "?status=brouillon",
        None,
        LIST_MS,
    )
    yield "Mises à l'emploi (liste)", "get", reverse("hours:assignment_list"), None, LIST_MS
    yield detail("Mise à l'emploi (fiche)", "hours:assignment_detail", "assignment")
    yield detail("Heures du mois (fiche + historique)", "hours:entry_detail", "entry")
    yield "Recherche", "get", reverse("search") + "?q=dunkerque", None, LIST_MS
    yield (
        "Saisie des heures (choix du lot)",
        "get",
        reverse("hours:grid") + f"?mois={ctx['month']:%Y-%m}",
        None,
        LIST_MS,
    )
    yield "Grille du lot-mois le plus chargé — affichage", "get", grid, None, LIST_MS
    yield (
        "Grille du lot-mois le plus chargé — enregistrement",
        "post",
        grid,
        ctx["grid_post"],
        GRID_SAVE_MS,
    )
    yield "Tableau de bord (accueil)", "get", reverse("home"), None, DASHBOARD_MS, DASHBOARD_QUERIES
    yield "Pipeline des marchés", "get", reverse("markets:pipeline"), None, PIPELINE_MS, DASHBOARD_QUERIES
    start, end = ctx["bilan_year"]
    yield (
        f"Bilan (aperçu), donneur d'ordre le plus actif, {start:%Y}",
        "get",
        reverse("reporting:bilan_form") + f"?scope=buyer&id={ctx['bilan_buyer']}&start={start}&end={end}",
        None,
        1000,  # issue 6: figures < 0,5 s; the page also renders them
        DASHBOARD_QUERIES,
    )
    # Buyers, markets, lots, companies (markets/views.py, companies/views.py).
    market_list, lot_list = reverse("markets:market_list"), reverse("markets:lot_list")
    company_list = reverse("companies:company_list")
    yield "Marchés (liste)", "get", market_list, None, LIST_MS
    yield (
        "Marchés (liste ?q=dunkerque, tri heures dues)",
        "get",
        market_list + "?q=dunkerque&sort=-hours_required",
        None,
        LIST_MS,
    )
    yield (
        "Marchés (liste ?étape=exécution, page 2)",
        "get",
        market_list + "?stage=execution&page=2",
        None,
        LIST_MS,
    )
    yield "Lots (liste)", "get", lot_list, None, LIST_MS
    yield (
        "Lots (liste avec clause, tri réalisées)",
        "get",
        lot_list + "?with_clause=true&sort=-hours_done",
        None,
        LIST_MS,
    )
    yield "Donneurs d'ordre (liste)", "get", reverse("markets:buyer_list"), None, LIST_MS
    yield "Entreprises (liste)", "get", company_list, None, LIST_MS
    yield "Entreprises (liste ?q=nord)", "get", company_list + "?q=nord", None, LIST_MS
    yield "Marchés (export xlsx, tout)", "get", market_list + "?export=xlsx", None, 1000
    yield "Entreprises (export xlsx, tout)", "get", company_list + "?export=xlsx", None, 1000
    yield detail("Marché (fiche, le plus de lots)", "markets:market_detail", "market")
    yield detail("Lot (fiche, le plus chargé)", "markets:lot_detail", "lot")
    yield detail("Marché (fiche, celui du lot le plus chargé)", "markets:market_detail", "busy_market")
    yield detail(
        "Entreprise (fiche, le plus de mises à l'emploi)", "companies:company_detail", "busy_company"
    )
    yield detail("Entreprise (fiche, le plus de lots)", "companies:company_detail", "company")
    yield detail("Donneur d'ordre (fiche, le plus de marchés)", "markets:buyer_detail", "buyer")
    yield "Marché (formulaire)", "get", reverse("markets:market_update", args=[ctx["market"]]), None, LIST_MS
    if ctx["clause"]:
        yield (
            "Clause (formulaire)",
            "get",
            reverse("markets:clause_update", args=[ctx["clause"]]),
            None,
            LIST_MS,
        )
    yield (
        "Clause (calcul en direct)",
        "get",
        reverse("markets:clause_preview", args=[ctx["lot"]])
        + "?labour_share=50&insertion_rate=5&hourly_cost=30",
        None,
        LIST_MS,
    )
    yield (
        "Autocomplétion (entreprise ?q=ba)",
        "get",
        reverse("autocomplete", args=["company"]) + "?q=ba",
        None,
        LIST_MS,
    )
    yield (
        "Autocomplétion (lot ?q=2025)",
        "get",
        reverse("autocomplete", args=["lot"]) + "?q=2025",
        None,
        LIST_MS,
    )


def _top(model, related):
    """The pk of the record with the most `related` rows (its page is the heaviest)."""
    from django.db.models import Count

    return model.objects.annotate(n=Count(related)).order_by("-n", "pk").values_list("pk", flat=True).first()


def fresh_database():
    """--fresh: a new SQLite database in a temporary CLAUSES_VAR_DIR, migrated and seeded (demo scale)."""
    import tempfile

    folder = tempfile.TemporaryDirectory(prefix="clauses-bench-")
    os.environ.update(
        CLAUSES_VAR_DIR=folder.name,
        DATABASE_URL="",
        DEBUG="0",
        CLAUSES_TESTING="1",
        ALLOWED_HOSTS="testserver",
    )
    os.environ.setdefault("SECRET_KEY", "bench-pages")
    return folder


def percentile(values, share):
    """The `share` quantile of the values, interpolated between the two nearest (p95 of 10: 0,55 of the
    way from the 9th to the 10th)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(share * 100) - 1]


def busiest_buyer_year():
    """(buyer pk, (1 January, 31 December)) of the last whole year holding validated hours, the buyer with the
    most validated hours that year (the heaviest bilan)."""
    import datetime

    from django.db.models import Max, Sum

    from hours.models import HoursEntry

    last = HoursEntry.objects.validated().aggregate(last=Max("month"))["last"]
    year = last.year - 1 if last.month < 12 else last.year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    row = (
        HoursEntry.objects.validated()
        .in_period(start, end)
        .order_by()
        .values("assignment__lot__market__buyer")
        .annotate(n=Sum("hours"))
        .order_by("-n", "assignment__lot__market__buyer")
        .first()
    )
    return row["assignment__lot__market__buyer"], (start, end)


def build_context():
    from companies.models import Company
    from hours import grid as grid_module
    from hours.models import HoursEntry
    from markets.models import Buyer, Clause, Lot, Market

    lot, month, _ = busiest_lot_month()
    rows = list(grid_module.grid_assignments(month, lot=lot))
    entry = HoursEntry.objects.order_by("-updated_at", "pk").first()

    def grid_post(run):
        """As static/js/grid.js posts it (one field « cellules »): the values every row was rendered with
        (read now, outside the timing) and every cell changed, with values that change at each run (so
        that each save writes)."""
        shown, _ = grid_module.build_rows(month, grid_module.grid_assignments(month, lot=lot))
        cells = {}
        for n, row in enumerate(shown):
            hours, training = (grid_module.format_hours(v) for v in grid_module.stored_cells(row.entry))
            cells[f"oh{row.key}"], cells[f"ot{row.key}"] = hours, training
            cells[f"h{row.key}"] = f"{Decimal(100 + n % 50) + Decimal(run) / 100}".replace(".", ",")
            cells[f"t{row.key}"] = "7" if n % 4 == 0 else ""
        return {"cellules": json.dumps(cells)}

    bilan_buyer, bilan_year = busiest_buyer_year()
    return {
        "lot": lot,
        "month": month,
        "rows": len(rows),
        "grid_post": grid_post,
        "person": rows[0].participant_id,
        "assignment": rows[0].pk,
        "entry": entry.pk,
        "market": _top(Market, "lots"),
        "company": _top(Company, "awards"),
        "busy_market": Lot.objects.filter(pk=lot).values_list("market_id", flat=True).get(),
        "busy_company": _top(Company, "credited_assignments"),
        "buyer": _top(Buyer, "markets"),
        "clause": Clause.objects.filter(lot_id=lot).values_list("pk", flat=True).first(),
        "bilan_buyer": bilan_buyer,
        "bilan_year": bilan_year,
    }


def measure_pages(args):
    """Every page of pages() (or those --only names): [{label, method, queries, median, p95, cpu, target,
    max_queries}], times in ms. Writes are rolled back."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hours.models import HoursEntry

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Signed in by force_login, without a TOTP device: the manager's two-factor requirement (DEBUG=0)
    # would answer every page with a redirect to « Double authentification », as the tests' conftest says.
    settings.CLAUSES_REQUIRE_2FA = False
    ctx = build_context()
    client = Client()
    client.force_login(User.objects.get(username="responsable"))
    results = []
    for label, method, url, data, target, *limit in pages(ctx):
        max_queries = limit[0] if limit else MAX_QUERIES
        if args.only and args.only.lower() not in label.lower():
            continue
        times, cpu_times, queries = [], [], None
        try:
            with transaction.atomic():
                if method == "post":
                    # The worst case: every row editable (drafts), every cell changed at each save.
                    HoursEntry.objects.filter(assignment__lot=ctx["lot"], month=ctx["month"]).update(
                        status=HoursEntry.Status.DRAFT, validated_by=None, validated_at=None
                    )
                for run in range(args.runs + 1):
                    payload = data(run) if callable(data) else None
                    with CaptureQueriesContext(connection) as captured:
                        start, cpu = time.perf_counter(), time.process_time()
                        response = client.post(url, payload) if method == "post" else client.get(url)
                        elapsed = (time.perf_counter() - start) * 1000
                        cpu = (time.process_time() - cpu) * 1000
                    if response.status_code != (302 if method == "post" else 200):
                        where = response.get("Location", "")
                        sys.exit(f"{label} : statut {response.status_code} {where} ({url})")
                    if response.status_code == 200 and method == "post":
                        sys.exit(f"{label} : le formulaire a été refusé ({url})")
                    if run:  # the first run warms the caches up
                        times.append(elapsed)
                        cpu_times.append(cpu)
                    queries = len(captured.captured_queries)
                raise Rollback
        except Rollback:
            pass
        results.append(
            {
                "label": label,
                "method": method,
                "queries": queries,
                "median": statistics.median(times),
                "p95": percentile(times, 0.95),
                "cpu": statistics.median(cpu_times),
                "target": target,
                "max_queries": max_queries,
            }
        )
    return ctx, results


def explain_pages(args):
    """--explain TAG: each page requested once; the EXPLAIN (ANALYZE, BUFFERS) of its slowest SQL query
    written to bench/results/explain/<page>.<TAG>.txt (PostgreSQL), with the page's query count."""
    import re
    import unicodedata

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.CLAUSES_REQUIRE_2FA = False
    ctx = build_context()
    client = Client()
    client.force_login(User.objects.get(username="responsable"))
    folder = ROOT / "bench" / "results" / "explain"
    folder.mkdir(parents=True, exist_ok=True)
    for label, method, url, data, *_ in pages(ctx):
        if (args.only and args.only.lower() not in label.lower()) or "export" in label:
            continue
        try:
            with transaction.atomic():
                client.get(url) if method == "get" else client.post(url, data(0))  # warm up
                with CaptureQueriesContext(connection) as captured:
                    client.get(url) if method == "get" else client.post(url, data(1))
                raise Rollback
        except Rollback:
            pass
        queries = []
        for q in captured.captured_queries:
            sql = q["sql"].lstrip()
            if sql.upper().startswith("DECLARE"):  # a server-side cursor (iterator()): its SELECT
                sql = sql.split(" FOR ", 1)[1]
            if sql.upper().startswith(("SELECT", "WITH")):
                queries.append({**q, "sql": sql})
        slowest = max(queries, key=lambda q: float(q["time"]))
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        slug = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")[:60]
        target = folder / f"{slug}.{args.explain}.txt"
        target.write_text(
            f"{label} — {url}\n{describe_database(ctx)}\n{len(captured.captured_queries)} requêtes ; la plus "
            f"lente ({float(slowest['time']) * 1000:.1f} ms dans la page) :\n\n{slowest['sql']}\n\n{plan}\n"
        )
        print(f"{label:<58} {float(slowest['time']) * 1000:>9.1f} ms  {target.relative_to(ROOT)}")


def describe_database(ctx):
    from django.db import connection

    from hours import grid as grid_module
    from hours.models import Assignment, HoursEntry

    if connection.vendor == "postgresql":  # the planner's estimate: no scan of 2,5 million rows
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relname IN (%s, %s)",
                [HoursEntry._meta.db_table, Assignment._meta.db_table],
            )
            counts = dict(cursor.fetchall())
        entries, assignments = counts[HoursEntry._meta.db_table], counts[Assignment._meta.db_table]
    else:
        entries, assignments = HoursEntry.objects.count(), Assignment.objects.count()
    return (
        f"Base : {connection.vendor} — {entries:,} heures du mois, {assignments:,} mises à l'emploi ; "
        f"lot-mois le plus chargé : lot n° {ctx['lot']}, {grid_module.month_label(ctx['month'])} "
        f"({ctx['rows']} lignes)"
    ).replace(",", " ")


def run_default(args):
    """One database (CLAUSES_VAR_DIR / DATABASE_URL): the targets of issues 4 and 7 (medians)."""
    ctx, results = measure_pages(args)
    print(describe_database(ctx))
    print(f"Médiane de {args.runs} exécutions (après une de chauffe) ; {load()}.\n")
    print(f"{'page':<58} {'requêtes':>8} {'médiane ms':>11} {'p95 ms':>8} {'dont CPU':>9}  cible")
    failures = 0
    for r in results:
        ok = r["median"] < r["target"] and (r["method"] == "post" or r["queries"] <= r["max_queries"])
        failures += not ok
        limits = f"< {r['target']} ms" + ("" if r["method"] == "post" else f", ≤ {r['max_queries']} req.")
        print(
            f"{r['label']:<58} {r['queries']:>8} {r['median']:>11.1f} {r['p95']:>8.1f} {r['cpu']:>9.1f}  "
            f"{limits} {'ok' if ok else 'DÉPASSÉ'}"
        )
    return failures


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=None, help="runs per page (20; 10 with --scale national)")
    parser.add_argument("--seed", action="store_true", help="run seed_demo first when there is no data")
    parser.add_argument("--only", default="", help="only the pages whose label contains this text")
    parser.add_argument(
        "--fresh", action="store_true", help="a new SQLite db (migrate + seed_demo), then removed"
    )
    parser.add_argument(
        "--scale",
        choices=["demo", "national"],
        default="demo",
        help="national: the demo and the national data side by side on PostgreSQL (see above)",
    )
    parser.add_argument("--out", default="", help="--scale national: where to write the table")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one scale, for run_national
    parser.add_argument(
        "--explain",
        default="",
        metavar="TAG",
        help="EXPLAIN (ANALYZE, BUFFERS) of each page's slowest query in bench/results/explain/*.TAG.txt",
    )
    args = parser.parse_args()
    if args.runs is None:
        args.runs = 10 if args.scale == "national" or args.json else 20
    if args.scale == "national":
        sys.exit(1 if run_national(args) else 0)
    fresh = fresh_database() if args.fresh else None
    django_setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        args.seed = True

    from django.core.management import call_command
    from django.db import connection

    from hours.models import HoursEntry

    if not HoursEntry.objects.exists():
        if not args.seed:
            sys.exit("Pas de données : lancez d'abord `manage.py seed_demo` (ou ce script avec --seed).")
        call_command("seed_demo")
    if args.explain:
        explain_pages(args)
        return
    if args.json:
        ctx, results = measure_pages(args)
        print(json.dumps({"database": describe_database(ctx), "pages": results}))
        return
    failures = run_default(args)
    if fresh:
        connection.close()
        fresh.cleanup()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
