"""The pipeline of markets: counting per stage, the conversion table, the calendar of expected
publications, the markets to study and the « Marchés à venir » list for the Club ESS.

Decisions (the issue was silent):
- a market's estimated hours are its lots' clause hours (Clause.hours_required) as soon as one of its
  lots carries a clause, else Market.estimated_hours (its help text: « avant l'allotissement ; ensuite,
  les heures dues par les lots font foi »); its amount likewise: the sum of its lots' amounts when one
  is known, else Market.estimated_amount;
- archived markets are left out of every figure of this module;
- « reached a stage in a year » is counted from StageChange (one market counts once per stage even if
  it went back and forth); markets created directly at a later stage without a change do not count;
- a proposed clause is « accepted » when the market, after the day of its first move to « Clause
  proposée » of the year, moved (that day or later) to « intégrée au DCE » or a later stage;
  « refused » when it moved to « abandonné » instead; else it is pending;
- upcoming markets (calendar, Club ESS list) are those not yet published: stages repéré → DCE.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from clauses_site.months import add_months, first_of_month, month_span
from markets.models import Clause, ClauseType, Lot, Market, Stage, StageChange

ZERO = Decimal(0)
HOURS = DecimalField(max_digits=14, decimal_places=2)
MONEY = DecimalField(max_digits=16, decimal_places=2)

#: Stages of a market not yet published: the ones a clause can still be put into.
BEFORE_PUBLICATION = [Stage.SPOTTED, Stage.STUDY, Stage.PROPOSED, Stage.IN_TENDER_DOCS]
#: Stages of markets « to study » (per buyer).
TO_STUDY = [Stage.SPOTTED, Stage.STUDY]
#: Stages that mean a proposed clause was accepted by the buyer.
ACCEPTED = [Stage.IN_TENDER_DOCS, Stage.PUBLISHED, Stage.AWARDED, Stage.EXECUTION, Stage.FINISHED]
#: Cards shown per column of the board (the column's count and totals cover all its markets).
CARDS_PER_COLUMN = 8
#: Months of the calendar of expected publications.
CALENDAR_MONTHS = 6


def pipeline_hours():
    """Estimated insertion hours of a market (expression): its lots' clause hours, else its estimate."""
    lots_hours = (
        Clause.objects.filter(lot__market=OuterRef("pk"))
        .order_by()
        .values("lot__market")
        .annotate(total=Sum("hours_required"))
        .values("total")
    )
    return Coalesce(
        Subquery(lots_hours, output_field=HOURS), "estimated_hours", Value(ZERO), output_field=HOURS
    )


def pipeline_amount():
    """Amount of a market (expression): the sum of its lots' amounts when known, else its estimate."""
    lots_amount = (
        Lot.objects.filter(market=OuterRef("pk"), amount__isnull=False)
        .order_by()
        .values("market")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(lots_amount, output_field=MONEY), "estimated_amount", output_field=MONEY)


def pipeline_markets(markets=None):
    """Markets of the pipeline (not archived), annotated with pipeline_hours and pipeline_amount."""
    markets = Market.objects.all() if markets is None else markets
    return markets.filter(archived=False).annotate(
        pipeline_hours=pipeline_hours(), pipeline_amount=pipeline_amount()
    )


@dataclass
class Column:
    stage: str
    label: str
    count: int = 0
    amount: Decimal = ZERO
    hours: Decimal = ZERO
    cards: list = field(default_factory=list)

    @property
    def more(self):
        """Markets of the stage not shown as cards."""
        return max(self.count - len(self.cards), 0)


@dataclass
class Board:
    columns: list  # of Column, in Stage.pipeline() order
    dropped: Column

    @property
    def count(self):
        return sum(c.count for c in self.columns)

    @property
    def amount(self):
        return sum((c.amount for c in self.columns), ZERO)

    @property
    def hours(self):
        return sum((c.hours for c in self.columns), ZERO)


def stage_totals(markets=None):
    """{stage: (count, amount, hours)} of the pipeline's markets, in one query."""
    rows = (
        pipeline_markets(markets)
        .order_by()
        .values("stage")
        .annotate(
            n=Count("pk"),
            amount=Coalesce(Sum("pipeline_amount"), Value(ZERO), output_field=MONEY),
            hours=Coalesce(Sum("pipeline_hours"), Value(ZERO), output_field=HOURS),
        )
    )
    return {row["stage"]: (row["n"], row["amount"], row["hours"]) for row in rows}


def board(markets=None, cards_per_column=CARDS_PER_COLUMN):
    """The board: one column per stage of Stage.pipeline() and the dropped markets apart; each column
    holds its count, amount and hours, and its most recently moved markets as cards (two queries)."""
    totals = stage_totals(markets)
    columns = {stage: Column(stage, stage.label, *totals.get(stage, (0, ZERO, ZERO))) for stage in Stage}
    latest_first = [F("stage_reached_on").desc(), F("pk").desc()]
    # The first cards of each stage, chosen in SQL before their hours and amount are computed (those are
    # subqueries a market: for the shown cards only, not for every market of the pipeline).
    markets = Market.objects.all() if markets is None else markets
    first_cards = (
        markets.filter(archived=False)
        .annotate(position=Window(RowNumber(), partition_by=[F("stage")], order_by=latest_first))
        .filter(position__lte=cards_per_column)
        .values("pk")
    )
    cards = (
        pipeline_markets(Market.objects.filter(pk__in=first_cards))
        .select_related("buyer", "sector", "facilitator")
        .order_by(*latest_first)
    )
    for market in cards:
        columns[market.stage].cards.append(market)
    return Board([columns[s] for s in Stage.pipeline()], columns[Stage.DROPPED])


# --- conversion -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageReach:
    stage: str
    label: str
    this_year: int
    last_year: int


@dataclass(frozen=True)
class Proposals:
    year: int
    proposed: int
    accepted: int
    refused: int

    @property
    def pending(self):
        return self.proposed - self.accepted - self.refused

    @property
    def rate(self):
        """Accepted ÷ proposed (a fraction), None when nothing was proposed."""
        if not self.proposed:
            return None
        return (Decimal(self.accepted) / Decimal(self.proposed)).quantize(Decimal("0.0001"))


def reached_by_stage(year, markets=None):
    """How many markets reached each stage in `year` and in the year before (from StageChange)."""
    changes = StageChange.objects.filter(
        date__gte=datetime.date(year - 1, 1, 1), date__lte=datetime.date(year, 12, 31)
    )
    if markets is not None:
        changes = changes.filter(market__in=markets)
    changes = changes.filter(market__archived=False)
    rows = (
        changes.order_by()
        .values("stage")
        .annotate(
            this_year=Count("market", distinct=True, filter=Q(date__year=year)),
            last_year=Count("market", distinct=True, filter=Q(date__year=year - 1)),
        )
    )
    found = {row["stage"]: row for row in rows}
    return [
        StageReach(
            stage,
            stage.label,
            found.get(stage, {}).get("this_year", 0),
            found.get(stage, {}).get("last_year", 0),
        )
        for stage in Stage
    ]


def proposals(year, markets=None):
    """Clauses proposed in `year` and what became of them (see the module's docstring), one query."""
    first_proposal = (
        StageChange.objects.filter(market=OuterRef("pk"), stage=Stage.PROPOSED, date__year=year)
        .order_by("date", "pk")
        .values("date")[:1]
    )
    after = {"market": OuterRef("pk"), "date__gte": OuterRef("proposed_on")}
    markets = Market.objects.all() if markets is None else markets
    figures = (
        markets.filter(archived=False)
        .annotate(proposed_on=Subquery(first_proposal))
        .filter(proposed_on__isnull=False)
        .annotate(
            accepted=Exists(StageChange.objects.filter(stage__in=ACCEPTED, **after)),
            refused=Exists(StageChange.objects.filter(stage=Stage.DROPPED, **after)),
        )
        .aggregate(
            proposed=Count("pk"),
            accepted_n=Count("pk", filter=Q(accepted=True)),
            refused_n=Count("pk", filter=Q(accepted=False, refused=True)),
        )
    )
    return Proposals(year, figures["proposed"], figures["accepted_n"], figures["refused_n"])


# --- upcoming markets ---------------------------------------------------------------------------------------


def short_clause_type(code):
    """« Condition d'exécution (L2112-2) »: the label without the older article numbers."""
    if not code:
        return ""
    return f"{ClauseType(code).label.split(' (')[0]} ({code})"


def upcoming(markets=None, today=None):
    """Markets not yet published whose publication is expected this month or later, or not dated yet
    (dated ones first, by date): the « Marchés à venir » list for the Club ESS."""
    today = today or timezone.localdate()
    return (
        pipeline_markets(markets)
        .filter(stage__in=BEFORE_PUBLICATION)
        .filter(Q(expected_publication__isnull=True) | Q(expected_publication__gte=first_of_month(today)))
        .select_related("buyer", "sector")
        .order_by(F("expected_publication").asc(nulls_last=True), "buyer__name_key", "title")
    )


@dataclass(frozen=True)
class CalendarMonth:
    month: datetime.date
    markets: list

    @property
    def hours(self):
        return sum((m.pipeline_hours for m in self.markets), ZERO)


def publication_calendar(markets=None, today=None, months=CALENDAR_MONTHS):
    """The months from this one on, each with the not-yet-published markets expected then (one query)."""
    today = today or timezone.localdate()
    span = month_span(today, months)
    end = add_months(span[-1], 1) - datetime.timedelta(days=1)
    rows = (
        pipeline_markets(markets)
        .filter(stage__in=BEFORE_PUBLICATION, expected_publication__range=(span[0], end))
        .select_related("buyer", "sector")
        .order_by("expected_publication", "buyer__name_key", "title")
    )
    by_month = defaultdict(list)
    for market in rows:
        by_month[first_of_month(market.expected_publication)].append(market)
    return [CalendarMonth(month, by_month[month]) for month in span]


def to_study(markets=None):
    """Markets spotted or under study, by buyer then expected publication (one query; regroup by buyer)."""
    return (
        pipeline_markets(markets)
        .filter(stage__in=TO_STUDY)
        .select_related("buyer", "sector", "facilitator")
        .order_by("buyer__name_key", F("expected_publication").asc(nulls_last=True), "title")
    )
