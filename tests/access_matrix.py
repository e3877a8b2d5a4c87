"""The role × URL × expected-status matrix, gathered from every app's tests/<app>/access.py.

Each access.py defines:
- MATRIX: {url_name: {None: status, READER: status, FACILITATOR: status, MANAGER: status}}
  (None is the anonymous visitor; GET requests);
- URL_KWARGS: {url_name: callable() -> kwargs}, building the objects a URL with arguments needs.
A URL of the project missing from the matrix fails tests/site/test_access.py.
"""

from importlib import import_module

from tests.access_shapes import ROLES

MODULES = [
    "tests.site.access",
    "tests.markets.access",
    "tests.companies.access",
    "tests.participants.access",
    "tests.hours.access",
    "tests.reporting.access",
]

MATRIX = {}
URL_KWARGS = {}
for name in MODULES:
    try:
        module = import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        continue
    for url_name in module.MATRIX:
        assert url_name not in MATRIX, f"{url_name} listed twice in the access matrix"
    MATRIX.update(module.MATRIX)
    URL_KWARGS.update(getattr(module, "URL_KWARGS", {}))


def cases():
    """(role, url_name, status) triples for pytest.mark.parametrize."""
    return [(role, url_name, expected[role]) for url_name, expected in MATRIX.items() for role in ROLES]
