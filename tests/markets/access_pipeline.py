from tests.access_shapes import POST_ONLY, READ_ALL

MATRIX = {
    "markets:pipeline": READ_ALL,
    "markets:pipeline_move": POST_ONLY,
    "markets:pipeline_upcoming": READ_ALL,
    "markets:pipeline_upcoming_pdf": READ_ALL,
    "markets:pipeline_upcoming_xlsx": READ_ALL,
}


def _market():
    from tests.markets.factories import MarketFactory

    return {"pk": MarketFactory().pk}


URL_KWARGS = {"markets:pipeline_move": _market}
