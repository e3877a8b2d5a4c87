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
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal

from setup_django import django_setup  # puts the repository on sys.path

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
    yield "Participants (liste)", "get", reverse("participants:participant_list"), None, LIST_MS
    yield (
        "Participants (liste filtrée)",
        "get",
        reverse("participants:participant_list") + "?q=ma&sex=F",
        None,
        LIST_MS,
    )
    yield (
        "Participant (fiche)",
        "get",
        reverse("participants:participant_detail", args=[ctx["person"]]),
        None,
        LIST_MS,
    )
    yield "Heures saisies (liste)", "get", reverse("hours:entry_list"), None, LIST_MS
    yield (
        "Heures saisies (liste filtrée)",
        "get",
        reverse("hours:entry_list") + "?status=brouillon",
        None,
        LIST_MS,
    )
    yield "Mises à l'emploi (liste)", "get", reverse("hours:assignment_list"), None, LIST_MS
    yield (
        "Mise à l'emploi (fiche)",
        "get",
        reverse("hours:assignment_detail", args=[ctx["assignment"]]),
        None,
        LIST_MS,
    )
    yield (
        "Heures du mois (fiche + historique)",
        "get",
        reverse("hours:entry_detail", args=[ctx["entry"]]),
        None,
        LIST_MS,
    )
    yield "Recherche", "get", reverse("search") + "?q=dunkerque", None, LIST_MS
    yield (
        "Saisie des heures (choix du lot)",
        "get",
        reverse("hours:grid") + f"?mois={ctx['month']:%Y-%m}",
        None,
        LIST_MS,
    )
    yield f"Grille du lot le plus chargé ({ctx['rows']} lignes) — affichage", "get", grid, None, LIST_MS
    yield (
        f"Grille du lot le plus chargé ({ctx['rows']} lignes) — enregistrement",
        "post",
        grid,
        ctx["grid_post"],
        GRID_SAVE_MS,
    )
    yield "Tableau de bord (accueil)", "get", reverse("home"), None, DASHBOARD_MS, DASHBOARD_QUERIES
    yield "Pipeline des marchés", "get", reverse("markets:pipeline"), None, PIPELINE_MS, DASHBOARD_QUERIES
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
    yield (
        "Marché (fiche, le plus de lots)",
        "get",
        reverse("markets:market_detail", args=[ctx["market"]]),
        None,
        LIST_MS,
    )
    yield (
        "Lot (fiche, le plus chargé)",
        "get",
        reverse("markets:lot_detail", args=[ctx["lot"]]),
        None,
        LIST_MS,
    )
    yield (
        "Entreprise (fiche, le plus de lots)",
        "get",
        reverse("companies:company_detail", args=[ctx["company"]]),
        None,
        LIST_MS,
    )
    yield (
        "Donneur d'ordre (fiche, le plus de marchés)",
        "get",
        reverse("markets:buyer_detail", args=[ctx["buyer"]]),
        None,
        LIST_MS,
    )
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


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", action="store_true", help="run seed_demo first when there is no data")
    parser.add_argument("--only", default="", help="only the pages whose label contains this text")
    parser.add_argument(
        "--fresh", action="store_true", help="a new SQLite db (migrate + seed_demo), then removed"
    )
    args = parser.parse_args()
    fresh = fresh_database() if args.fresh else None
    django_setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        args.seed = True

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from companies.models import Company
    from hours import grid as grid_module
    from hours.models import Assignment, HoursEntry
    from markets.models import Buyer, Clause, Market

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not HoursEntry.objects.exists():
        if not args.seed:
            sys.exit("Pas de données : lancez d'abord `manage.py seed_demo` (ou ce script avec --seed).")
        call_command("seed_demo")

    lot, month, _ = busiest_lot_month()
    rows = list(grid_module.grid_assignments(month, lot=lot))
    entry = HoursEntry.objects.order_by("-updated_at", "pk").first()

    def grid_post(run):
        """Every cell of the grid, with values that change at each run (so that each save writes)."""
        data = {}
        for n, a in enumerate(rows):
            data[f"h{a.pk}"] = f"{Decimal(100 + n) + Decimal(run) / 100}".replace(".", ",")
            data[f"t{a.pk}"] = "7" if n % 4 == 0 else ""
        return data

    ctx = {
        "lot": lot,
        "month": month,
        "rows": len(rows),
        "grid_post": grid_post,
        "person": rows[0].participant_id,
        "assignment": rows[0].pk,
        "entry": entry.pk,
        "market": _top(Market, "lots"),
        "company": _top(Company, "awards"),
        "buyer": _top(Buyer, "markets"),
        "clause": Clause.objects.filter(lot_id=lot).values_list("pk", flat=True).first(),
    }
    client = Client()
    client.force_login(User.objects.get(username="responsable"))

    print(
        f"Base : {connection.vendor} — {HoursEntry.objects.count():,} heures du mois, "
        f"{Assignment.objects.count():,} mises à l'emploi".replace(",", " ")
    )
    print(f"Lot le plus chargé : n° {lot}, {grid_module.month_label(month)} ({len(rows)} lignes).")
    print(f"Médiane de {args.runs} exécutions (après une de chauffe).\n")
    print(f"{'page':<58} {'requêtes':>8} {'médiane ms':>11} {'dont CPU':>9}  cible")
    failures = 0
    for label, method, url, data, target, *limit in pages(ctx):
        max_queries = limit[0] if limit else MAX_QUERIES
        if args.only and args.only.lower() not in label.lower():
            continue
        times, cpu_times, queries = [], [], None
        try:
            with transaction.atomic():
                if method == "post":
                    # The worst case: every row editable (drafts), every cell changed at each save.
                    HoursEntry.objects.filter(assignment__in=rows, month=month).update(
                        status=HoursEntry.Status.DRAFT, validated_by=None, validated_at=None
                    )
                for run in range(args.runs + 1):
                    payload = data(run) if callable(data) else None
                    with CaptureQueriesContext(connection) as captured:
                        start, cpu = time.perf_counter(), time.process_time()
                        response = client.post(url, payload) if method == "post" else client.get(url)
                        elapsed = (time.perf_counter() - start) * 1000
                        cpu = (time.process_time() - cpu) * 1000
                    if response.status_code not in (200, 302):
                        sys.exit(f"{label} : statut {response.status_code} ({url})")
                    if response.status_code == 200 and method == "post":
                        sys.exit(f"{label} : le formulaire a été refusé ({url})")
                    if run:  # the first run warms the caches up
                        times.append(elapsed)
                        cpu_times.append(cpu)
                    queries = len(captured.captured_queries)
                raise Rollback
        except Rollback:
            pass
        median, cpu_median = statistics.median(times), statistics.median(cpu_times)
        ok = median < target and (method == "post" or queries <= max_queries)
        failures += not ok
        limits = f"< {target} ms" + ("" if method == "post" else f", ≤ {max_queries} req.")
        verdict = f"{limits} {'ok' if ok else 'DÉPASSÉ'}"
        print(f"{label:<58} {queries:>8} {median:>11.1f} {cpu_median:>9.1f}  {verdict}")
    if fresh:
        connection.close()
        fresh.cleanup()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
