#!/usr/bin/env python
"""Layout check of the busiest buyer's bilan on the demo data (issue 12, item 8). Not a test.

    .venv/bin/python bench/bench_pdf_layout.py --seed            # seed the demo data if the database is empty
    .venv/bin/python bench/bench_pdf_layout.py --year 2025 --png /tmp/bilan   # and its pages as PNG (70 dpi)
    .venv/bin/python bench/bench_pdf_layout.py --all-scopes      # also a company, a market, the territory

Takes the buyer with the most validated hours in the year, renders its bilan of that year as the
application does (reporting.bilan.render_pdf) and runs the checker of tests/pdf_layout.py on it:
words overlapping, words outside the text area, a unit cut from its figure, a heading alone at a
page foot. Prints the problems (none expected), the page count and the rendering time (median).
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from setup_django import django_setup  # puts the repository on sys.path


def check(name, data, png_dir=None, **kwargs):
    from tests import pdf_layout

    pages = pdf_layout.read_pages(data)
    kwargs.setdefault("margins", pdf_layout.BILAN_MARGINS)
    kwargs.setdefault("headings", pdf_layout.BILAN_HEADINGS)
    found = pdf_layout.problems(data, **kwargs)
    print(f"{name} : {len(pages)} pages, {len(found)} problème(s)")
    for problem in found:
        print("   ", problem)
    if png_dir:
        png_dir.mkdir(parents=True, exist_ok=True)
        pdf = png_dir / f"{name}.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(png_dir / name)], check=True)
        print(f"    pages en PNG : {png_dir}/{name}-*.png")
    return found


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", action="store_true", help="run seed_demo first when there is no data")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--png", type=Path, help="write the PDFs and their pages (pdftoppm -r 70) here")
    parser.add_argument("--all-scopes", action="store_true", help="also a company, a market, the territory")
    parser.add_argument(
        "--other-pdfs",
        action="store_true",
        help="also the ESS brochure and the Club ESS list (demo's manager)",
    )
    args = parser.parse_args()
    django_setup()

    from django.core.management import call_command

    from hours import queries
    from hours.models import HoursEntry
    from markets.models import Buyer
    from reporting import bilan, indicators

    if not HoursEntry.objects.validated().exists():
        if not args.seed:
            sys.exit("Pas de données : lancez d'abord `manage.py seed_demo` (ou ce script avec --seed).")
        call_command("seed_demo")
    start, end = datetime.date(args.year, 1, 1), datetime.date(args.year, 12, 31)
    buyer = queries.buyers_with_hours(Buyer.objects.all(), start, end).order_by("-hours_done").first()
    print(f"Donneur d'ordre le plus actif en {args.year} : {buyer.name}")

    figures = indicators.for_buyer(buyer, start, end)
    bilan.render_pdf(figures)  # warm WeasyPrint's fonts once, as a running server would be
    walls = []
    for _ in range(args.runs):
        began = time.perf_counter()
        data = bilan.render_pdf(indicators.for_buyer(buyer, start, end))
        walls.append(time.perf_counter() - began)
    print(
        f"PDF : {statistics.median(walls):.2f} s (médiane de {args.runs}, charge {os.getloadavg()[0]:.1f}), "
        f"{len(figures.lots)} lots, {len(figures.companies)} entreprises"
    )
    found = check("bilan-acheteur", data, args.png)
    if args.all_scopes:
        from companies.models import Company

        company = Company.objects.get(pk=figures.companies[0].pk)
        market = buyer.markets.order_by("pk").first()
        for name, scope in (
            ("bilan-entreprise", company),
            ("bilan-marche", market),
            ("bilan-territoire", None),
        ):
            kind = name.split("-")[1].replace("entreprise", "company").replace("marche", "market")
            kind = kind.replace("territoire", "territory")
            data = bilan.render_pdf(indicators.for_scope(kind, scope, start, end))
            found += check(name, data, args.png)
    if args.other_pdfs:
        found += other_pdfs(args.png)
    sys.exit(1 if found else 0)


def other_pdfs(png_dir):
    """The brochure and the Club ESS list as the demo's manager downloads them."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from tests import pdf_layout

    settings.CLAUSES_REQUIRE_2FA = False  # force_login has no second factor (as in the tests)
    client = Client()
    client.force_login(get_user_model().objects.get(username="responsable"))
    responses = [
        client.get(reverse(name)) for name in ("partnerships:brochure_pdf", "markets:pipeline_upcoming_pdf")
    ]
    for response in responses:
        if response.status_code != 200 or response["Content-Type"] != "application/pdf":
            sys.exit(f"{response.request['PATH_INFO']} : réponse {response.status_code} sans PDF")
    brochure, upcoming = (response.content for response in responses)
    found = check(
        "plaquette-ess",
        brochure,
        png_dir,
        margins=pdf_layout.BROCHURE_MARGINS,
        first_page_margins=pdf_layout.BROCHURE_COVER_MARGINS,
        headings=(),
    )
    return found + check(
        "marches-a-venir", upcoming, png_dir, margins=pdf_layout.UPCOMING_MARGINS, headings=()
    )


if __name__ == "__main__":
    main()
