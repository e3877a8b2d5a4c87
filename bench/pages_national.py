"""bench_pages.py --scale national: the demo and the national data measured side by side in two databases
of one PostgreSQL cluster, one process each, against the budgets of issue 14 (see bench_pages.py)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from setup_django import ROOT

# Issue 14, national scale, p95: lists and details; the dashboard and the bilan preview; the grid.
NATIONAL_PAGE_MS, NATIONAL_DASHBOARD_MS, NATIONAL_GRID_MS = 300, 500, 500


def load():
    one, five, fifteen = os.getloadavg()
    return f"charge {one:.2f} / {five:.2f} / {fifteen:.2f} (1, 5, 15 min ; {os.cpu_count()} cœurs)"


def national_budget(label, method):
    """The p95 budget of issue 14 for a page (ms), None for the pages it sets none (the xlsx exports, which
    issue 14 moves off the request)."""
    if "export" in label:
        return None
    if "Grille du lot-mois" in label:
        return NATIONAL_GRID_MS
    if label.startswith(("Tableau de bord", "Bilan")):
        return NATIONAL_DASHBOARD_MS
    return NATIONAL_PAGE_MS


# --- --scale national: two databases of one PostgreSQL cluster, one process each ------------------------


def database_url(url, name):
    """DATABASE_URL with another database name (postgres://user@host/NAME?params)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def ensure_seeded(url, scale, env):
    """Create the database if missing, migrate it, seed it when it holds no data (`seed_demo`, with
    --scale national for the national one)."""
    from urllib.parse import urlsplit

    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = database_url(url, "postgres")
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"  base {name} créée", flush=True)
    env = {**env, "DATABASE_URL": url}
    manage = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    status = subprocess.run(
        [*manage, "seed_demo", "--status"], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    if status != "seeded":
        print(f"  {name} : seed_demo --scale {scale}…", flush=True)
        started = time.perf_counter()
        subprocess.run([*manage, "seed_demo", "--scale", scale], env=env, check=True, cwd=ROOT)
        print(f"  {name} : données créées en {time.perf_counter() - started:.0f} s", flush=True)


def run_national(args):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "--scale national mesure sur PostgreSQL : DATABASE_URL=postgres://… ou "
            "scripts/with-postgres .venv/bin/python bench/bench_pages.py --scale national"
        )
    from urllib.parse import urlsplit

    name = urlsplit(url).path.lstrip("/")
    env = {
        **os.environ,
        "DEBUG": "0",
        "CLAUSES_TESTING": "1",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench"),
    }
    scales = {"demo": database_url(url, f"{name}_demo"), "national": url}
    lines = [f"bench/bench_pages.py --scale national — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"]
    lines.append(f"Début : {load()}")
    print(lines[-1], flush=True)
    measured, headers = {}, {}
    for scale, scale_url in scales.items():
        ensure_seeded(scale_url, scale, env)
        command = [sys.executable, str(ROOT / "bench" / "bench_pages.py"), "--json", "--runs", str(args.runs)]
        if args.only:
            command += ["--only", args.only]
        out = subprocess.run(
            command, env={**env, "DATABASE_URL": scale_url}, check=True, capture_output=True, text=True
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        headers[scale], measured[scale] = data["database"], data["pages"]
        print(f"  {scale} mesurée ({load()})", flush=True)
    lines.append(f"Fin des mesures : {load()}")
    for scale in scales:
        lines.append(f"{scale:<9}{headers[scale]}")
    lines.append(
        f"{args.runs} exécutions par page après une de chauffe (client de test de Django : middleware, vue, "
        "gabarit) ; temps en ms, horloge murale (la machine est partagée)."
    )
    lines.append("")
    head = (
        f"{'page':<58} {'req.':>5} {'démo méd.':>9} {'p95':>7}  {'req.':>5} {'nat. méd.':>9} {'p95':>7} "
        f"{'ratio':>6}  budget p95"
    )
    lines += [head, "-" * len(head)]
    demo = {r["label"]: r for r in measured["demo"]}
    failures = 0
    for r in measured["national"]:
        d = demo.get(r["label"])
        budget = national_budget(r["label"], r["method"])
        if budget is None:
            verdict = "(hors budget)"
        else:
            ok = r["p95"] <= budget
            failures += not ok
            verdict = f"≤ {budget} ms {'ok' if ok else 'DÉPASSÉ'}"
        demo_cells = (
            f"{d['queries']:>5} {d['median']:>9.1f} {d['p95']:>7.1f}" if d else f"{'':>5} {'':>9} {'':>7}"
        )
        ratio = f"{r['median'] / d['median']:>5.1f}×" if d and d["median"] else ""
        lines.append(
            f"{r['label']:<58} {demo_cells}  {r['queries']:>5} {r['median']:>9.1f} {r['p95']:>7.1f} "
            f"{ratio:>6}  {verdict}"
        )
    lines.append("")
    lines.append(
        f"{failures} page(s) au-delà du budget." if failures else "Toutes les pages dans leur budget."
    )
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    out = Path(args.out or ROOT / "bench" / "results" / "pages-national.txt")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"Tableau écrit dans {out}")
    return failures
