"""The figures of the spaces, from hours/queries.py only (the one way of counting): a company's clause
lots (its awards: hours owed by the award, done, expected to date, remaining) and a buyer's markets and
lots (hours owed, done, expected to date, the companies' progress). Every function takes the user's
organisation: what it returns is that organisation's and nothing else's. No participant appears here."""

from decimal import Decimal

from hours.models import HoursEntry
from hours.queries import (
    awards_with_hours,
    hours_by,
    lot_progress,
    lots_with_hours_to_date,
    markets_with_hours,
    progress_over,
    with_award_progress,
    with_lot_progress,
)
from markets.models import Award, Lot, Market, Stage

#: The markets shown in the spaces: those awarded, under way or finished (the ones that have hours).
#: Markets still in the team's pipeline (spotted, studied…) are not shown in this slice.
SHOWN_STAGES = (Stage.AWARDED, Stage.EXECUTION, Stage.FINISHED)


def _overall(rows, required, done, expected_total):
    if not rows:
        return None
    return progress_over(
        sum((getattr(r, required) for r in rows), Decimal(0)),
        sum((getattr(r, done) for r in rows), Decimal(0)),
        expected_total,
    )


# --- a company ------------------------------------------------------------------------------------------


def company_awards(company):
    """The company's awards on lots with a clause (its clause lots) of the markets shown."""
    return Award.objects.filter(
        company=company, lot__clause__isnull=False, lot__market__stage__in=SHOWN_STAGES
    )


def company_lots(company, today):
    """(awards, overall): the company's clause lots with their Progress (award.progress: owed by the
    award, done to date, expected to date, remaining), and the whole of them — as the company's page."""
    awards = list(
        awards_with_hours(
            company_awards(company).select_related("lot__market__buyer", "lot__clause")
        ).order_by("-lot__market__starts_on", "lot__market__reference", "lot__number_key")
    )
    expected_total = with_award_progress(awards, today)
    _with_declared(company, awards)
    return awards, _overall(awards, "hours_owed", "hours_done_to_date", expected_total)


def _with_declared(company, awards):
    """award.declared: the hours the company declared on the award's lot, not validated yet (shown
    apart, « en attente de validation », never in a total). One query."""
    declared = declared_by_lot(company, [a.lot_id for a in awards])
    for award in awards:
        award.declared = declared.get(award.lot_id, Decimal(0))


def company_award(company, lot_pk, today):
    """The company's award on one of its clause lots, with its Progress; Award.DoesNotExist otherwise."""
    # lot__pk, not lot_id: an id beyond the column's range is no lot (lot_id=… raised OverflowError, a 500)
    award = awards_with_hours(
        company_awards(company).filter(lot__pk=lot_pk).select_related("lot__market__buyer", "lot__clause")
    ).get()
    with_award_progress([award], today)
    _with_declared(company, [award])
    return award


def declared_by_lot(company, lot_ids):
    """{lot id: hours declared by the company in its space and not validated yet}, counted as the
    figures count hours (hours.queries.COUNTED_HOURS), for the entries credited to it on those lots (its
    awards'): shown apart, « en attente de validation », never in a total. One query."""
    entries = HoursEntry.objects.declared().filter(assignment__company=company, assignment__lot__in=lot_ids)
    return hours_by(entries, "assignment__lot")


# --- a buyer --------------------------------------------------------------------------------------------


def buyer_markets_queryset(buyer):
    return Market.objects.filter(buyer=buyer, stage__in=SHOWN_STAGES)


def buyer_lots_queryset(buyer):
    return Lot.objects.filter(market__buyer=buyer, market__stage__in=SHOWN_STAGES)


def buyer_markets(buyer, today):
    """(markets, overall): the buyer's markets with hours owed and done (markets_with_hours) and each
    market's expected-to-date (the sum of its lots', lot_progress), and the whole of them."""
    markets = list(
        markets_with_hours(buyer_markets_queryset(buyer), figures=("hours_done_to_date",)).order_by(
            "-starts_on", "reference"
        )
    )
    lots = list(lots_with_hours_to_date(buyer_lots_queryset(buyer), today))
    with_lot_progress(lots, today)
    expected = {}
    for lot in lots:
        if lot.progress.expected is not None:
            expected[lot.market_id] = expected.get(lot.market_id, Decimal(0)) + lot.progress.expected
    for market in markets:
        market.progress = progress_over(
            market.hours_required, market.hours_done_to_date, expected.get(market.pk), today
        )
    expected_total = sum(expected.values(), Decimal(0)) if expected else None
    return markets, _overall(markets, "hours_required", "hours_done_to_date", expected_total)


def buyer_market(buyer, market_pk, today):
    """(market, lots, overall) for one of the buyer's markets; Market.DoesNotExist otherwise."""
    market = buyer_markets_queryset(buyer).get(pk=market_pk)
    lots = list(
        lots_with_hours_to_date(buyer_lots_queryset(buyer).filter(market=market), today)
        .select_related("clause")
        .order_by("number_key")
    )
    expected_total = with_lot_progress(lots, today)
    return market, lots, _overall(lots, "hours_required", "hours_done_to_date", expected_total)


def buyer_lot(buyer, lot_pk, today):
    """(lot, awards) for one of the buyer's lots: the lot's Progress and each company's (its award's
    share, hours done to date, expected); Lot.DoesNotExist otherwise."""
    lot = lots_with_hours_to_date(buyer_lots_queryset(buyer).filter(pk=lot_pk), today).select_related(
        "market", "clause"
    )
    lot = lot.get()
    lot.progress = lot_progress(lot, today)
    awards = list(
        awards_with_hours(Award.objects.filter(lot=lot).select_related("company", "lot")).order_by(
            "role", "company__name_key"
        )
    )
    with_award_progress(awards, today)
    return lot, awards
