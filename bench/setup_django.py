"""What every benchmark script does first: the repository on sys.path, then Django set up like the tests
(production settings, DEBUG off, no secret needed). Imported by the scripts of bench/ as
`from setup_django import ROOT, django_setup` (their own folder is on sys.path)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses_site.settings")
    for name, value in {"SECRET_KEY": "bench", "DEBUG": "0", "CLAUSES_TESTING": "1"}.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the pages' test client, Playwright
    import django

    django.setup()
