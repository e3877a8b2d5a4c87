#!/usr/bin/env python
"""Benchmark of the hostile tracking sheets of issue 11 (tests/hours/hostile.py), at the sizes measured
in the issue, with the default limits. Not a test.

    .venv/bin/python bench/bench_hostile.py
    .venv/bin/python bench/bench_hostile.py --only huge_row,zip_bomb

Each file is built once (in this process), then imported twice (run_import, dry run: what the upload page
does) in its own process, so that its peak memory is its own: VmHWM of that process (Python, Django
and openpyxl included, about 70 MB before anything is read) and the peak of Python's allocations during
the import (tracemalloc). Targets: peak < 300 MB and time < 5 s for each, and the file refused.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEAK_MB = 300
SECONDS = 5


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses_site.settings")
    for name, value in {"SECRET_KEY": "bench", "DEBUG": "0", "CLAUSES_TESTING": "1"}.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


def peak_rss_mb():
    """The process's peak resident memory since its exec (VmHWM: ru_maxrss would count the pages of the
    parent that built the files, inherited through fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path):
    """(seconds, peak RSS, tracemalloc peak MB, refusal) of a dry-run import of `path`, in this process:
    timed without tracemalloc (which slows allocations several times), then again traced."""
    import tracemalloc

    django_setup()
    from hours.suivi import run_import

    began = time.monotonic()
    report = run_import(path, dry_run=True)
    seconds = time.monotonic() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = peak_rss_mb()
    tracemalloc.start()
    run_import(path, dry_run=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "traced_mb": peak / 1024 / 1024,
        "fatal": report.fatal,
        "errors": report.error_count,
        "rss_mb": rss,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help="comma-separated names of the corpus")
    parser.add_argument("--measure", help="(internal) the file to import")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    django_setup()
    from tests.hours import hostile

    names = args.only.split(",") if args.only else list(hostile.CORPUS)
    work = Path(tempfile.mkdtemp(prefix="clauses-hostile-"))
    env = dict(os.environ, SECRET_KEY="bench", DEBUG="0", CLAUSES_TESTING="1")
    rows, failed = [], False
    for name in names:
        path = work / f"{name}.xlsx"
        path.write_bytes(hostile.CORPUS[name][1]())
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        if out.returncode:
            print(out.stderr[-2000:], file=sys.stderr)
            rows.append((name, path.stat().st_size, None))
            failed = True
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        ok = result["fatal"] and result["rss_mb"] < PEAK_MB and result["seconds"] < SECONDS
        failed |= not ok
        rows.append((name, path.stat().st_size, result))
        path.unlink()
    print(f"{'file':<20} {'size':>10} {'time':>8} {'peak RSS':>9} {'traced':>8}  refusal")
    for name, size, result in rows:
        size_text = f"{size / 1024:,.1f} Ko".replace(",", "\u202f").replace(".", ",")
        if result is None:
            print(f"{name:<20} {size_text:>10}  crashed")
            continue
        print(
            f"{name:<20} {size_text:>10} {result['seconds']:>7.2f}s {result['rss_mb']:>6.0f} Mo "
            f"{result['traced_mb']:>5.1f} Mo  {result['fatal'] or '(not refused!)'}"
        )
    print(f"targets: refused, peak < {PEAK_MB} MB, time < {SECONDS} s — {'MISSED' if failed else 'all met'}")
    work.rmdir()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
