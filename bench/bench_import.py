#!/usr/bin/env python
"""Benchmark of the tracking-sheet import and export (issues 5 and 14). Not a test.

    .venv/bin/python bench/bench_import.py                 # SQLite, then PostgreSQL (scripts/with-postgres)
    .venv/bin/python bench/bench_import.py --sqlite-only --no-export
    .venv/bin/python bench/bench_import.py --rows 5000 --export-rows 20000   # a quick run

Steps, each in its own process so that its peak memory (ru_maxrss) is its own:
1. generate a deterministic file of N rows (default 50,000) (inline strings, as the export writes them:
   slower to read than Excel's shared strings);
2. the floor, in the same run: the bare parse of the file by python-calamine (what the import reads
   with) and by openpyxl's read-only mode (what it read with before issue 14), every value of every row;
3. import it into an empty database (migrated first);
4. import it again (everything must be unchanged, nothing written);
5. unless --no-export, add entries until the database holds E validated entries (default 200,000),
   then export them all.
Targets (issue 14): the import ≤ 3 × the calamine parse, the re-import ≤ 2 ×, peak ≤ 300 MB; export of
200,000 entries < 30 s, flat memory. Each line shows the wall-clock time, the CPU time of the Python
process (on a shared machine the wall clock also counts the waits for a busy CPU; the database server's
own CPU is not in it) and the peak resident memory of the phase's process; the ratios are of wall-clock
times, and of the CPU times of the work alone (Django's start excluded; less sensitive to the load).
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from setup_django import ROOT, django_setup

TARGETS = {"export": 30}  # seconds
RATIOS = {"import": 3, "reimport": 2}  # at most × the bare calamine parse
PEAK_MB = 300


def _n(number):
    return f"{number:,.0f}".replace(",", "\u202f")


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------------------------------
# The generated file


COMMUNES = [
    "Dunkerque",
    "Grande-Synthe",
    "Coudekerque-Branche",
    "Saint-Pol-sur-Mer",
    "Téteghem",
    "Gravelines",
]
FIRST = ["Élodie", "Karim", "Sandrine", "Mehdi", "Aurélie", "Kevin", "Zoé", "Loïc", "Fatoumata", "Rémi"]
LAST = ["Dupont", "Hochart", "Ramdani", "Bécue", "Lemaire", "Goossens", "Delattre", "Verhaeghe", "Lefebvre"]
MODALITIES = [
    ("Embauche directe", None),
    ("Mise à disposition ETTI", "ETTI Intérim {n}"),
    ("Mise à disposition GEIQ", "GEIQ BTP {n}"),
    ("Mise à disposition AI", "AI Services {n}"),
]
CONTRACTS = ["CDD", "CDI", "CDDI", "Intérim", "Apprentissage", "Contrat de professionnalisation"]
PUBLICS = ["DELD", "RSA", "DELD; RSA", "Jeune -26", "Senior 50+", "RQTH; PLIE", "QPV", ""]


def generate(path, rows, seed=42):
    """~10 months per assignment; people, lots and companies drawn from fixed pools."""
    import datetime

    from clauses_site.exports import Column, write_xlsx_stream
    from clauses_site.text import with_luhn_digit
    from hours.suivi import COLUMNS

    rnd = random.Random(seed)
    lines = []
    n_assignments = max(rows // 10, 1)
    n_lots = max(n_assignments // 20, 1)
    n_companies = max(n_lots // 2, 1)
    companies = [
        (f"Entreprise {i} SAS", with_luhn_digit(f"{700000000 + i:09d}0001")) for i in range(n_companies)
    ]
    lots = []
    for i in range(n_lots):
        buyer = f"Acheteur public {i % 40}"
        lots.append((buyer, f"M-{i // 3:05d}", f"Marché de travaux {i // 3}", str(i % 3 + 1), 500 + 10 * i))
    written = 0
    a = 0
    while written < rows:
        buyer, ref, title, lot, planned = lots[a % n_lots]
        company, siret = companies[a % n_companies]
        modality, employer = MODALITIES[a % len(MODALITIES)]
        person = a // 2  # two assignments per person
        last = f"{LAST[person % len(LAST)]}{person}"
        first = FIRST[person % len(FIRST)]
        birth = datetime.date(1960 + person % 40, 1 + person % 12, 1 + person % 28)
        start = datetime.date(2020 + a % 5, 1 + a % 12, 1 + a % 27)
        months = min(10, rows - written)
        end_month = start.month + months - 1
        end = datetime.date(start.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 28)
        for m in range(months):
            month_index = start.month + m - 1
            month = datetime.date(start.year + month_index // 12, month_index % 12 + 1, 1)
            lines.append(
                [
                    buyer,
                    "",
                    ref,
                    title,
                    lot,
                    "Lot " + lot,
                    planned,
                    company,
                    siret,
                    employer.format(n=a % 7) if employer else None,
                    modality,
                    last,
                    first,
                    birth,
                    "F" if person % 2 else "H",
                    COMMUNES[person % len(COMMUNES)],
                    "oui" if person % 3 == 0 else "non",
                    ["infra 3", "3", "4", "5+"][person % 4],
                    PUBLICS[person % len(PUBLICS)],
                    "PLIE",
                    CONTRACTS[a % len(CONTRACTS)],
                    "Maçon",
                    start,
                    end,
                    f"{month:%m/%Y}",
                    round(rnd.uniform(7, 160), 2),
                    rnd.choice([None, 3.5, 7, 14]),
                ]
            )
            written += 1
        a += 1
    kinds = {
        "birth_date": "date",
        "start": "date",
        "end": "date",
        "hours": "hours",
        "training_hours": "hours",
    }
    columns = [
        Column(c.title, lambda row, i=i: row[i], kinds.get(c.key, "text"), c.width)
        for i, c in enumerate(COLUMNS)
    ]
    with open(path, "wb") as stream:
        write_xlsx_stream(stream, columns, lines, sheet_title="Heures")


# --------------------------------------------------------------------------------------------------
# Phases (each run in a child process)


def phase_generate(args):
    django_setup()
    began, began_cpu = time.monotonic(), time.process_time()
    generate(args.file, args.rows)
    return {
        "seconds": time.monotonic() - began,
        "work_cpu": time.process_time() - began_cpu,
        "size_mb": Path(args.file).stat().st_size / 1e6,
    }


def _bare_parse(open_rows):
    """Time open_rows() -> (workbook, its sheet's rows) and the reading of every value of every row."""
    began, began_cpu = time.monotonic(), time.process_time()
    workbook, rows = open_rows()
    values = sum(len(row) for row in rows)
    workbook.close()
    return {
        "seconds": time.monotonic() - began,
        "work_cpu": time.process_time() - began_cpu,
        "values": values,
    }


def phase_calamine(args):
    """The bare parse by python-calamine: every value of every row, nothing checked, nothing kept."""
    from python_calamine import CalamineWorkbook

    def open_rows():
        workbook = CalamineWorkbook.from_path(args.file)
        return workbook, workbook.get_sheet_by_name("Heures").iter_rows()

    return _bare_parse(open_rows)


def phase_openpyxl(args):
    """The bare parse by openpyxl's read-only mode, cached values of formulas (data_only)."""
    from openpyxl import load_workbook

    def open_rows():
        workbook = load_workbook(args.file, read_only=True, data_only=True)
        return workbook, workbook["Heures"].iter_rows(values_only=True)

    return _bare_parse(open_rows)


def phase_import(args):
    django_setup()
    from hours.suivi import run_import

    began, began_cpu = time.monotonic(), time.process_time()
    report = run_import(args.file)
    seconds, work_cpu = time.monotonic() - began, time.process_time() - began_cpu
    assert report.imported and not report.errors, "\n".join(report.lines()[:40])
    return {
        "seconds": seconds,
        "work_cpu": work_cpu,
        "rows": report.rows_read,
        "created": report.counts["entries"].created,
        "updated": report.counts["entries"].updated,
        "unchanged": report.counts["entries"].unchanged,
        "changes": report.changes,
    }


def phase_fill(args):
    """Add validated entries (later months of the existing assignments) up to args.export_rows."""
    django_setup()
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from hours.models import Assignment, HoursEntry

    began, began_cpu = time.monotonic(), time.process_time()
    missing = args.export_rows - HoursEntry.objects.count()
    now = timezone.now()
    ids = list(Assignment.objects.values_list("pk", flat=True))
    batch, added, year = [], 0, 2030
    with transaction.atomic():
        while added < missing:
            for month in range(1, 13):
                for pk in ids:
                    if added >= missing:
                        break
                    batch.append(
                        HoursEntry(
                            assignment_id=pk,
                            month=datetime.date(year, month, 1),
                            hours=7,
                            status=HoursEntry.Status.VALIDATED,
                            validated_at=now,
                        )
                    )
                    added += 1
                    if len(batch) == 5000:
                        HoursEntry.objects.bulk_create(batch)
                        batch = []
            year += 1
        HoursEntry.objects.bulk_create(batch)
    return {
        "seconds": time.monotonic() - began,
        "work_cpu": time.process_time() - began_cpu,
        "entries": HoursEntry.objects.count(),
    }


def phase_export(args):
    django_setup()
    from hours.models import HoursEntry
    from hours.suivi import write_suivi

    entries = HoursEntry.objects.validated().count()
    began, began_cpu = time.monotonic(), time.process_time()
    with open(args.output, "wb") as stream:
        write_suivi(stream)
    return {
        "seconds": time.monotonic() - began,
        "work_cpu": time.process_time() - began_cpu,
        "entries": entries,
        "size_mb": Path(args.output).stat().st_size / 1e6,
    }


PHASES = {
    "generate": phase_generate,
    "calamine": phase_calamine,
    "openpyxl": phase_openpyxl,
    "import": phase_import,
    "fill": phase_fill,
    "export": phase_export,
}


def child(name, args, env):
    command = [
        sys.executable,
        __file__,
        "--phase",
        name,
        "--file",
        args.file,
        "--rows",
        str(args.rows),
        "--export-rows",
        str(args.export_rows),
        "--output",
        args.output,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"phase {name} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_on(database, args, env):
    print(f"\n== {database} ==", flush=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    results = {}
    phases = [
        ("calamine", "calamine"),
        ("openpyxl", "openpyxl"),
        ("import", "import"),
        ("reimport", "import"),
    ]
    if not args.no_export:
        phases += [("fill", "fill"), ("export", "export")]
    for label, phase in phases:
        r = child(phase, args, env)
        results[label] = r
        line = f"{label:<9} {r['seconds']:7.1f} s (CPU {r.get('cpu', 0):5.1f} s)   pic {r['peak_mb']:4.0f} Mo"
        if label in ("calamine", "openpyxl"):
            line += f"   analyse seule : {_n(r['values'])} valeurs"
        if label == "openpyxl":
            line += f"   {r['seconds'] / results['calamine']['seconds']:.1f} × calamine"
        if "rows" in r:
            line += f"   {_n(r['rows'] / r['seconds'])} lignes/s"
            line += (
                f"   créées {_n(r['created'])}, modifiées {_n(r['updated'])}, inchangées {_n(r['unchanged'])}"
            )
        if label == "export":
            line += f"   {_n(r['entries'] / r['seconds'])} heures/s   {_n(r['entries'])} heures"
            line += f"   {r['size_mb']:.1f} Mo"
        if label == "fill":
            line += f"   (préparation, non mesurée : {_n(r['entries'])} heures en base)"
        target = TARGETS.get(label)
        if target:
            ok = r["seconds"] < target
            line += f"   {'OK' if ok else 'HORS CIBLE'} (< {target} s)"
        if label in RATIOS:
            floor = results["calamine"]
            ratio = r["seconds"] / floor["seconds"]
            cpu_ratio = r["work_cpu"] / max(floor["work_cpu"], 1e-9)
            ok = ratio <= RATIOS[label] and r["peak_mb"] <= PEAK_MB
            line += f"\n{'':<9} {ratio:7.2f} × l'analyse calamine (CPU {cpu_ratio:.2f} ×), "
            line += f"{r['seconds'] / results['openpyxl']['seconds']:.2f} × openpyxl"
            line += f"   {'OK' if ok else 'HORS CIBLE'} (≤ {RATIOS[label]} ×, ≤ {PEAK_MB} Mo)"
        print(line, flush=True)
    if results["reimport"]["changes"] or results["reimport"]["created"] or results["reimport"]["updated"]:
        raise SystemExit("la réimportation a modifié des données !")
    return results


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--export-rows", type=int, default=200_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--no-export", action="store_true", help="import and re-import only")
    parser.add_argument("--current-database", action="store_true", help="(internal) the DATABASE_URL set")
    parser.add_argument("--phase", choices=sorted(PHASES), help="(internal)")
    parser.add_argument("--file")
    parser.add_argument("--output")
    args = parser.parse_args()

    if args.phase:
        result = PHASES[args.phase](args)
        result["peak_mb"] = peak_mb()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["cpu"] = usage.ru_utime + usage.ru_stime  # this process only (not the database server)
        print(json.dumps(result))
        return

    work = Path(tempfile.mkdtemp(prefix="clauses-bench-"))
    args.file = args.file or str(work / f"suivi-{args.rows}.xlsx")
    args.output = args.output or str(work / "export.xlsx")
    env = dict(os.environ, SECRET_KEY=os.environ.get("SECRET_KEY", "bench"), DEBUG="0", CLAUSES_TESTING="1")
    if not Path(args.file).exists():
        g = child("generate", args, env)
        size, seconds = g["size_mb"], g["seconds"]
        print(f"Fichier généré : {args.file} ({_n(args.rows)} lignes, {size:.1f} Mo, {seconds:.1f} s)")

    if args.current_database:
        run_on("PostgreSQL" if env.get("DATABASE_URL") else "SQLite", args, env)
        return
    sqlite_env = dict(env, DATABASE_URL="", CLAUSES_VAR_DIR=str(work / "sqlite"))
    run_on("SQLite", args, sqlite_env)
    if not args.sqlite_only:
        command = [
            str(ROOT / "scripts" / "with-postgres"),
            sys.executable,
            __file__,
            "--current-database",
            "--rows",
            str(args.rows),
            "--export-rows",
            str(args.export_rows),
            "--file",
            args.file,
            "--output",
            args.output,
            *(["--no-export"] if args.no_export else []),
        ]
        subprocess.run(command, env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
