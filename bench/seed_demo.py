#!/usr/bin/env python
"""Benchmark of `manage.py seed_demo` on an empty database (issue 3). Not a test.

    .venv/bin/python bench/seed_demo.py                     # demo scale, SQLite
    .venv/bin/python bench/seed_demo.py --postgres          # demo scale, SQLite then PostgreSQL
    .venv/bin/python bench/seed_demo.py --scale national --postgres-only   # ~2,5 million entries

Each run migrates a new empty database (a temporary SQLite file, or the throwaway cluster of
scripts/with-postgres), then times seed_demo in its own process: wall-clock seconds, the processor
seconds of that process (on a shared machine the wall clock also counts the others' work), and the
counts the command prints. Targets: demo scale under 30 s; national scale (demo.national: Dunkerque and
nine territories written in bulk) under 5 minutes on PostgreSQL.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TARGET_SECONDS = {"demo": 30, "national": 300}


def environment(var_dir):
    env = dict(os.environ, DEBUG="0", SECRET_KEY="bench", CLAUSES_TESTING="1", CLAUSES_VAR_DIR=var_dir)
    env.setdefault("DATABASE_URL", "")
    return env


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench(scale):
    with tempfile.TemporaryDirectory(prefix="clauses-bench-seed-") as var_dir:
        env = environment(var_dir)
        engine = "PostgreSQL" if env["DATABASE_URL"] else "SQLite"
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        cpu, started = cpu_of_children(), time.perf_counter()
        done = subprocess.run(
            [PYTHON, "manage.py", "seed_demo", "--scale", scale],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        seconds, cpu = time.perf_counter() - started, cpu_of_children() - cpu
    print(f"== seed_demo --scale {scale} on an empty {engine} database")
    print(done.stdout.rstrip())
    target = TARGET_SECONDS.get(scale)
    verdict = (
        ""
        if target is None
        else (f" (target < {target} s: " + ("ok" if seconds < target else "TOO SLOW") + ")")
    )
    print(f"   {seconds:.1f} s wall clock, {cpu:.1f} s processor{verdict}")
    load = os.getloadavg()[0]
    print(f"   load average when done: {load:.1f} on {os.cpu_count()} processors")
    return seconds


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=["demo", "national"], default="demo")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL cluster")
    parser.add_argument("--postgres-only", action="store_true", help="only on a throwaway PostgreSQL cluster")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:  # inside scripts/with-postgres: DATABASE_URL is set
        bench(args.scale)
        return
    os.environ["DATABASE_URL"] = ""
    if not args.postgres_only:
        bench(args.scale)
    if args.postgres or args.postgres_only:
        subprocess.run(
            [str(ROOT / "scripts" / "with-postgres"), PYTHON, __file__, "--scale", args.scale, "--inner"],
            cwd=ROOT,
            check=True,
        )


if __name__ == "__main__":
    sys.exit(main())
