"""The role × URL × expected-status matrix, gathered from every app's tests/<app>/access.py.

Each access.py defines:
- MATRIX: {url_name: {None: status, READER: status, FACILITATOR: status, MANAGER: status}}
  (None is the anonymous visitor; GET requests);
- URL_KWARGS: {url_name: callable() -> kwargs}, building the objects a URL with arguments needs.
A URL of the project missing from the matrix fails tests/site/test_access.py.
"""

from importlib import import_module
from pathlib import Path

from tests.access_shapes import ROLES

# Every tests/<app>/access*.py (one per area, so that parallel work does not collide in one file).
MODULES = sorted(
    ".".join(path.relative_to(Path(__file__).parent.parent).with_suffix("").parts)
    for path in Path(__file__).parent.glob("*/access*.py")
)

MATRIX = {}
URL_KWARGS = {}
for name in MODULES:
    module = import_module(name)
    for url_name in module.MATRIX:
        assert url_name not in MATRIX, f"{url_name} listed twice in the access matrix"
    MATRIX.update(module.MATRIX)
    URL_KWARGS.update(getattr(module, "URL_KWARGS", {}))


def cases():
    """(role, url_name, status) triples for pytest.mark.parametrize."""
    return [(role, url_name, expected[role]) for url_name, expected in MATRIX.items() for role in ROLES]
