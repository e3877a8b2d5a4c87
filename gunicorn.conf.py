"""gunicorn's settings, read from the directory it starts in (the checkout: README's command).

timeout: the long work no longer runs in a request. A tracking-sheet import (its reading and its
confirmation, up to 87 s at 200 000 rows), the annotated workbook of a refused file (~30 s for 50 000
rows, two minutes at 200 000), the tracking-sheet export (200 000 entries, ~20 s), a list's xlsx export
over 5 000 rows and the grouped bilans zip are jobs of the task worker (`manage.py db_worker`, jobs/):
the request that starts one answers at once. The longest that still run in their request: the PDF bilan
of the busiest buyer (4,9 s at the national scale, 2 578 125 entries, on a loaded 2-core machine:
bench/results/bilan_floor.txt), the save of a 1 100-person grid (under 3 s), a list's export of at
most 5 000 rows (openpyxl, ~4 800 rows a second: about a second). 60 s leaves them a wide margin and is
twice CLAUSES_STATEMENT_TIMEOUT_SECONDS (30 s): a runaway query is cancelled by PostgreSQL, and the user
gets the French error page, before gunicorn kills the worker. The reverse proxy's read timeout must
allow as much (nginx: proxy_read_timeout 60s)."""

timeout = 60
graceful_timeout = 30
