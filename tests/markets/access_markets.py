"""Buyers, operations, markets, lots, clauses and awards (markets/views.py, markets/views_buyers.py)."""

from tests.access_shapes import EDITORS_ONLY, READ_ALL, everyone

# POST-only actions: the reader is refused before the method is looked at.
EDITORS_POST = everyone(reader=403, facilitator=405, manager=405)

MATRIX = {
    "markets:buyer_list": READ_ALL,
    "markets:buyer_detail": READ_ALL,
    "markets:buyer_create": EDITORS_ONLY,
    "markets:buyer_update": EDITORS_ONLY,
    "markets:buyer_delete": EDITORS_ONLY,
    "markets:buyer_archive": EDITORS_POST,
    "markets:operation_create": EDITORS_ONLY,
    "markets:operation_update": EDITORS_ONLY,
    "markets:operation_delete": EDITORS_ONLY,
    "markets:market_list": READ_ALL,
    "markets:market_detail": READ_ALL,
    "markets:market_create": EDITORS_ONLY,
    "markets:market_update": EDITORS_ONLY,
    "markets:market_delete": EDITORS_ONLY,
    "markets:market_archive": EDITORS_POST,
    "markets:lot_list": READ_ALL,
    "markets:lot_detail": READ_ALL,
    "markets:lot_create": EDITORS_ONLY,
    "markets:lot_update": EDITORS_ONLY,
    "markets:lot_delete": EDITORS_ONLY,
    "markets:clause_create": EDITORS_ONLY,
    "markets:clause_preview": EDITORS_ONLY,
    "markets:clause_update": EDITORS_ONLY,
    "markets:clause_delete": EDITORS_ONLY,
    "markets:award_create": EDITORS_ONLY,
    "markets:award_update": EDITORS_ONLY,
    "markets:award_delete": EDITORS_ONLY,
}


def _pk(factory_name, **kwargs):
    def build():
        from tests.markets import factories

        return {"pk": getattr(factories, factory_name)(**kwargs).pk}

    return build


def _lot_without_clause(key):
    def build():
        from tests.markets.factories import LotFactory

        return {key: LotFactory().pk}

    return build


def _buyer_pk():
    from tests.markets.factories import BuyerFactory

    return {"buyer_pk": BuyerFactory().pk}


def _market_pk():
    from tests.markets.factories import MarketFactory

    return {"market_pk": MarketFactory().pk}


URL_KWARGS = {
    "markets:buyer_detail": _pk("BuyerFactory"),
    "markets:buyer_update": _pk("BuyerFactory"),
    "markets:buyer_delete": _pk("BuyerFactory"),
    "markets:buyer_archive": _pk("BuyerFactory"),
    "markets:operation_create": _buyer_pk,
    "markets:operation_update": _pk("OperationFactory"),
    "markets:operation_delete": _pk("OperationFactory"),
    "markets:market_detail": _pk("MarketFactory"),
    "markets:market_update": _pk("MarketFactory"),
    "markets:market_delete": _pk("MarketFactory"),
    "markets:market_archive": _pk("MarketFactory"),
    "markets:lot_create": _market_pk,
    "markets:lot_detail": _pk("LotFactory"),
    "markets:lot_update": _pk("LotFactory"),
    "markets:lot_delete": _pk("LotFactory"),
    "markets:clause_create": _lot_without_clause("lot_pk"),
    "markets:clause_preview": _lot_without_clause("pk"),
    "markets:clause_update": _pk("ClauseFactory"),
    "markets:clause_delete": _pk("ClauseFactory"),
    "markets:award_create": _lot_without_clause("lot_pk"),
    "markets:award_update": _pk("AwardFactory"),
    "markets:award_delete": _pk("AwardFactory"),
}
