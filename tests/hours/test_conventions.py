"""How the hours app is put together: no import cycle between its modules (grimp, as
tests/site/test_import_direction.py)."""

import grimp
import pytest


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("hours", include_external_packages=False)


def test_no_import_cycle_between_hours_modules(graph):
    """hours.models computes siae_hour_equivalent itself: it no longer imports hours.queries (which imports
    it), even inside a function."""
    cycles = [
        (a, b)
        for a in sorted(graph.modules)
        for b in sorted(graph.modules)
        if a != b
        and graph.direct_import_exists(importer=a, imported=b)
        and graph.chain_exists(importer=b, imported=a)
    ]
    assert cycles == []
