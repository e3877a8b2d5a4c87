"""The demo data and its one command, seed_demo: the top floor of Clauses. It may import every app's
domain; no app imports it (tests and benchmarks may)."""
