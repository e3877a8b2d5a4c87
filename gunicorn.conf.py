"""gunicorn's settings, read from the directory it starts in (the checkout: README's command).

timeout: a tracking-sheet import runs inside its request (no task queue). With the import's limits
(CLAUSES_IMPORT_MAX_ROWS = 200 000 rows, CLAUSES_MAX_UPLOAD_MB = 20 MB) the longest measured on SQLite
(bench/bench_import.py --rows 200000, a shared 2-core machine) is the confirmation of 200 000 new rows,
87 s, and its preview (a dry run) 44 s; gunicorn's default (30 s) would kill the worker. The reverse
proxy's read timeout must allow as much (nginx: proxy_read_timeout 180s)."""

timeout = 180
graceful_timeout = 30
