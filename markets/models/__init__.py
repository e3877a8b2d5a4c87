"""Public buyers, their operations and markets (contracts), lots, insertion clauses and awards;
the pipeline of markets that could carry a clause. One module per part, as pretix's base/models/
(import from markets.models):

- buyers.py: Buyer, BuyerContact, Operation;
- markets.py: Market, the Stage of its pipeline, StageMove and StageChange, ClauseType;
- lots.py: Lot, Clause (the hours owed and how they are obtained: Clause.explain()), Award.
"""

from markets.models.buyers import BUYER_NAME_TAKEN, Buyer, BuyerContact, BuyerQuerySet, Operation
from markets.models.lots import (
    FRACTION,
    LOT_NUMBER_TAKEN,
    TWO_PLACES,
    Award,
    Clause,
    Lot,
    LotQuerySet,
    fr_number,
    hours_from_formula,
)
from markets.models.markets import (
    ENDS_BEFORE_START,
    ClauseType,
    Market,
    MarketQuerySet,
    Stage,
    StageChange,
    StageMove,
    check_period,
    ends_after_start,
)

__all__ = [
    "BUYER_NAME_TAKEN",
    "ENDS_BEFORE_START",
    "FRACTION",
    "LOT_NUMBER_TAKEN",
    "TWO_PLACES",
    "Award",
    "Buyer",
    "BuyerContact",
    "BuyerQuerySet",
    "Clause",
    "ClauseType",
    "Lot",
    "LotQuerySet",
    "Market",
    "MarketQuerySet",
    "Operation",
    "Stage",
    "StageChange",
    "StageMove",
    "check_period",
    "ends_after_start",
    "fr_number",
    "hours_from_formula",
]
