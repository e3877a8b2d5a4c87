"""The spaces (spaces/views.py: /espace/…). The external users are those of tests/spaces/factories.py
(the space's own company and buyer); the objects below are theirs, so that 200 means « my own »
(another organisation's: 404 in tests/spaces/test_isolation.py)."""

from tests.access_shapes import external

MATRIX = {
    "spaces:home": external(),
    "spaces:market": external(company=404),  # a market is a buyer's page
    "spaces:lot": external(),
}


def _own_lot():
    from tests.spaces.factories import own_lot

    return {"pk": own_lot().pk}


def _own_market():
    from tests.spaces.factories import own_lot

    return {"pk": own_lot().market_id}


URL_KWARGS = {
    "spaces:lot": _own_lot,
    "spaces:market": _own_market,
}
