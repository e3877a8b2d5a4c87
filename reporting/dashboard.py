"""The manager's home dashboard: headline figures, hours by month, the realisation of the lots in
execution, the lots at risk, and the hours still owed over the next twelve months by month and by trade.

    dashboard.build(Selection(start, end, buyer=…, facilitator=…, sector=…), today=date)

Hours are counted by hours/queries.py (validated entries, COUNTED_HOURS), outcomes by
reporting/indicators.py: a figure here equals the same figure of a bilan over the same lots and period.
`today` is a parameter (default timezone.localdate()) so that tests are exact.

Definitions (where the issue was silent)
- The period [start, end] defaults to 1 January of this year → today; « last year » is the same
  period one year earlier (29/02 → 28/02). The reference day `on` is the period's end, or today when
  the end is later: lots in execution, progress, risk, people at work and the forecast are taken on it.
- Collected months: a month's hours reach the team during the following month(s), so expected hours
  and the comparison with last year stop at the end of hours.queries.expected_through(on, today): the
  month of `on`, never later than the last collected month (CLAUSES_COLLECTION_LAG_MONTHS, default 1:
  October 2026 on 02/12/2026). « Heures réalisées » itself counts every validated hour of the period.
- Last year's hours compare like with like: the period's months from the month of `start` to that
  month (janv.–oct. 2026) against the same months a year earlier (janv.–oct. 2025), not the whole of
  December 2025 against two days of December 2026. No comparison when no month of the period is
  collected yet.
- Selection: buyer, facilitator (Market.facilitator) and sector (Market.sector) restrict the lots
  (through their market), hence the hours (through the entries' lots), the assignments and the people.
- Lots in execution: lots with a clause, of a market neither archived nor dropped, running on `on`
  (started on or before it, ending on or after it or without an end: LotQuerySet.running_on).
- Hours owed by lots in execution: their clauses' hours; done: counted hours up to `on`;
  completion: done ÷ owed (hours.queries.completion_rate).
- People at work this month: distinct participants with an assignment active in the month of `on`
  (started before the month ends, not ended before it starts) on the selected lots.
- New assignments: assignments starting in the period (and in last year's period).
- Positive outcomes: indicators' rule — people counted in the period (validated hours) with a
  positive outcome at the end of their contract dated in the period (positive_at_end).
- Realisation is sorted by lag: expected (to the end of the collected month) minus done (hours), the
  largest first; lots without dates (no expected hours) last.
- At risk (RISK_* constants), a lot in execution is at risk when EITHER
    1. « behind »: done < 80 % of the expected pro rata (hours.queries.progress: `lagging`, strict:
       exactly 80 % is not at risk; a lot with nothing expected yet is never behind); OR
    2. « ending »: it ends within 3 months — on ≤ ends_on ≤ on + 3 months (calendar months, inclusive:
       ending exactly 3 months after `on` is within) — with MORE than 20 % of its hours still owed
       (owed − done > 20 % × owed, strict: exactly 20 % still owed is not at risk).
  The company shown is the lot's holder (« titulaire », the first by name when several), its first
  contact by name, and the market's facilitator. build() fetches holders and contacts for the rows the
  home page shows only (the first AT_RISK_ROWS lots at risk and REALISATION_ROWS lots);
  realisation() fetches them for every row.
- Forecast of hours still owed over the next 12 months (the month of `on` and the 11 after): every lot
  with a clause, a start date and hours still owed, of a market neither archived nor dropped, that
  runs during those months (lots starting later in the window included: that is when recruitment
  must be ready). What it still owes (owed − done to `on`, never below 0) is spread evenly over its
  remaining months (from the month of `on`, or its start month if later, to its end month; without an
  end date: to the end of the window); the months inside the window are shown.
  Trades: a lot's remaining hours are split across the jobs (Assignment.job) of its assignments in
  proportion to the hours they did; equally between its jobs when none did hours yet; a lot with no
  assignment (or an assignment with no job) counts under its title (Lot.title), « Non précisé » without.
  Jobs spelt alike (case, accents, spaces) are one trade.
"""

import datetime
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from clauses_site.months import add_months, first_of_month
from companies.models import Contact
from hours import queries, summary
from hours.models import Assignment, active_in_month
from markets.models import Award, Lot, Stage
from reporting import charts, indicators
from reporting.forecast import FORECAST_MONTHS, Forecast, owed_hours

ZERO = Decimal(0)
CENTS = Decimal("0.01")

#: At risk, rule 1: done below this share of the expected pro rata (strictly).
RISK_PRO_RATA = queries.LAG_THRESHOLD  # 0.8
#: At risk, rule 2: ending within this many calendar months (inclusive)…
RISK_END_MONTHS = 3
#: …with more than this share of the hours still owed (strictly).
RISK_REMAINING_SHARE = Decimal("0.2")
#: Lots listed on the home page under « Réalisation » (the full list is one click away).
REALISATION_ROWS = 10
#: Lots at risk listed on the home page (the most behind in hours first; the full list is one click away).
AT_RISK_ROWS = 8


@dataclass(frozen=True)
class Selection:
    """What the dashboard is filtered on (GET parameters of the home page)."""

    start: datetime.date
    end: datetime.date
    buyer: object = None  # markets.Buyer
    facilitator: object = None  # auth.User
    sector: object = None  # companies.Sector

    @classmethod
    def default(cls, today):
        return cls(datetime.date(today.year, 1, 1), today)

    def market_filter(self, prefix=""):
        """Q on a model reaching Market through `prefix` (« market__ », « assignment__lot__market__ »)."""
        q = Q()
        if self.buyer is not None:
            q &= Q(**{f"{prefix}buyer": self.buyer})
        if self.facilitator is not None:
            q &= Q(**{f"{prefix}facilitator": self.facilitator})
        if self.sector is not None:
            q &= Q(**{f"{prefix}sector": self.sector})
        return q

    def lots(self):
        return Lot.objects.filter(self.market_filter("market__"))

    def entries_q(self):
        return self.market_filter("assignment__lot__market__")

    def last_year(self):
        return add_months(self.start, -12), add_months(self.end, -12)

    @property
    def is_filtered(self):
        return any(x is not None for x in (self.buyer, self.facilitator, self.sector))


# --- results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    hours_done: Decimal  # every counted hour of the period
    hours_done_last_year: Decimal  # the compared months a year earlier (0 without compared months)
    owed: Decimal  # by the lots in execution
    done_to_date: Decimal  # by the lots in execution, up to `on`
    completion_rate: Decimal
    lots_in_execution: int
    people_at_work: int
    new_assignments: int
    new_assignments_last_year: int
    positive_outcomes: int  # people, at the end of their contract
    people_with_outcome: int
    positive_at_six_months: int
    #: The months compared with last year: the period's months up to the last collected one (first
    #: days), (None, None) when none is collected yet; and the counted hours of those months.
    compared_from: datetime.date | None = None
    compared_to: datetime.date | None = None
    hours_compared: Decimal = ZERO

    @property
    def remaining(self):
        return max(self.owed - self.done_to_date, ZERO)

    @property
    def hours_change(self):
        """The compared months' hours ÷ the same months' last year − 1 (a fraction), None when last year
        had no hours in them (or no month is compared)."""
        if not self.hours_done_last_year or self.compared_to is None:
            return None
        return (self.hours_compared / self.hours_done_last_year - 1).quantize(
            Decimal("0.0001"), ROUND_HALF_UP
        )

    @property
    def comparison_label(self):
        """« janv.–oct. 2026 contre janv.–oct. 2025 », None without compared months."""
        if self.compared_to is None:
            return None
        return f"{months_label(self.compared_from, self.compared_to)} contre " + months_label(
            *self.compared_months_last_year
        )

    @property
    def compared_months_last_year(self):
        """(first, last) months a year earlier, (None, None) without compared months."""
        if self.compared_to is None:
            return None, None
        return add_months(self.compared_from, -12), add_months(self.compared_to, -12)


def months_label(first, last):
    """« janv.–oct. 2026 », « nov. 2025–oct. 2026 », « oct. 2026 » (months by their first days)."""

    month = charts.month_name
    if first == last:
        return f"{month(last)} {last.year}"
    if first.year == last.year:
        return f"{month(first)}–{month(last)} {last.year}"
    return f"{month(first)} {first.year}–{month(last)} {last.year}"


@dataclass(frozen=True)
class LotRow:
    lot: object  # markets.Lot (market, buyer, facilitator, clause selected)
    progress: queries.Progress
    holder: object  # companies.Company or None
    contact: object  # companies.Contact or None
    behind: bool
    ending: bool

    @property
    def lot_label(self):
        """« Lot 3 », « Unique »: the lot as Lot.__str__ names it, without its title."""
        label = str(self.lot)
        return label[: -len(f" — {self.lot.title}")] if self.lot.title else label

    @property
    def lag(self):
        """Expected to date − done (hours; negative when ahead), None without dates."""
        if self.progress.expected is None:
            return None
        return self.progress.expected - self.progress.done

    @property
    def at_risk(self):
        return self.behind or self.ending

    @property
    def done_vs_expected(self):
        """Done ÷ expected to date (a fraction), None when nothing is expected yet."""
        if not self.progress.expected:
            return None
        return (self.progress.done / self.progress.expected).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def remaining_share(self):
        if not self.progress.required:
            return ZERO
        return (self.progress.remaining / self.progress.required).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthSeries:
    """Hours by month of the year of `on` and of the year before (12 values each)."""

    year: int
    months: tuple  # first days of the year's months
    this_year: tuple
    last_year: tuple

    @property
    def this_year_total(self):
        return sum(self.this_year, ZERO)

    @property
    def last_year_total(self):
        return sum(self.last_year, ZERO)


@dataclass(frozen=True)
class Dashboard:
    selection: Selection
    today: datetime.date
    on: datetime.date
    expected_through: datetime.date  # expected hours run to the end of this month (its first day)
    headline: Headline
    months: MonthSeries
    realisation: tuple  # of LotRow, sorted by lag
    at_risk: tuple  # of LotRow
    forecast: Forecast


# --- rules ------------------------------------------------------------------------------------------------


def is_ending(progress, ends_on, on):
    """Rule 2: ends within RISK_END_MONTHS (inclusive) with more than RISK_REMAINING_SHARE still owed."""
    if ends_on is None or not progress.required:
        return False
    ends_soon = on <= ends_on <= add_months(on, RISK_END_MONTHS)
    return ends_soon and progress.remaining > progress.required * RISK_REMAINING_SHARE


def is_behind(progress):
    """Rule 1: done below 80 % of the expected pro rata (hours.queries.progress's lag flag)."""
    return progress.lagging


def _lag_key(row):
    lag = row.lag
    return (lag is None, -(lag or ZERO), row.lot.ends_on or datetime.date.max, row.lot.pk)


# --- building ---------------------------------------------------------------------------------------------


def live_lots(selection):
    """The selection's lots with a clause, of a market neither archived nor dropped: those the realisation
    and the forecast choose from (a queryset)."""
    return selection.lots().with_clause().filter(market__archived=False).exclude(market__stage=Stage.DROPPED)


def in_execution(selection, on):
    """Lots in execution on `on` within the selection (a queryset)."""
    return live_lots(selection).running_on(on)


def hours_to_date(selection, on):
    """({lot id: counted hours up to `on`}, {(lot id, job): the same by job}) of the selection's live lots
    (absent: 0), one GROUP BY of the lot × month × job summary: read once by build() for the realisation
    (the lots' hours) and the forecast (theirs, and the weights of their trades)."""
    return queries.hours_to_date_by_lot_and_job(live_lots(selection), on)


#: Columns of a lot row (the rest of the lot and market is not shown).
LOT_ROW_FIELDS = (
    "id", "market_id", "number", "number_key", "title", "starts_on", "ends_on",
    "market__id", "market__reference", "market__title", "market__buyer_id", "market__facilitator_id",
    "market__buyer__id", "market__buyer__name",
    "market__facilitator__id", "market__facilitator__first_name", "market__facilitator__last_name",
    "market__facilitator__username",
)  # fmt: skip


def realisation(selection, on, holders=True, today=None, done=None):
    """Every lot in execution with its progress (expected to the end of expected_through(on, today)) and
    risk flags, sorted by lag: 2 queries (1 when given `done`, hours_to_date's lots' hours), and 2 more for
    the holders and their contacts (with_holders) unless holders=False."""
    running = in_execution(selection, on)
    if done is None:
        done = queries.hours_to_date_by_lot(running, on)
    lots = (
        queries.with_hours_required(running)
        .select_related("market__buyer", "market__facilitator")
        .only(*LOT_ROW_FIELDS)
    )
    rows = []
    for lot in lots:
        lot.hours_done_to_date = done.get(lot.pk, ZERO)  # what lot_progress reads (lots_with_hours_to_date's)
        progress = queries.lot_progress(lot, on, today)
        rows.append(
            LotRow(
                lot=lot,
                progress=progress,
                holder=None,
                contact=None,
                behind=is_behind(progress),
                ending=is_ending(progress, lot.ends_on, on),
            )
        )
    rows = tuple(sorted(rows, key=_lag_key))
    return with_holders(rows) if holders else rows


def with_holders(rows, only=None):
    """The rows with their lot's holder (« titulaire », the first by name) and its first contact by name,
    fetched for the rows whose lot id is in `only` (all when None). 3 queries."""
    wanted = [r.lot for r in rows if only is None or r.lot.pk in only]
    contacts = Prefetch(
        "company__contacts", queryset=Contact.objects.only("id", "company_id", "name", "phone")
    )
    awards = (
        Award.objects.filter(role=Award.Role.HOLDER)
        .select_related("company")
        .only("id", "lot_id", "company_id", "company__id", "company__name", "company__name_key")
        .prefetch_related(contacts)
        .order_by("company__name_key", "pk")
    )
    prefetch_related_objects(wanted, Prefetch("awards", queryset=awards, to_attr="holders"))
    found = {lot.pk for lot in wanted}
    result = []
    for row in rows:
        if row.lot.pk not in found:
            result.append(row)
            continue
        holder = row.lot.holders[0].company if row.lot.holders else None
        people = list(holder.contacts.all()) if holder else []
        result.append(replace(row, holder=holder, contact=people[0] if people else None))
    return tuple(result)


def compared_months(selection, today=None):
    """The months of the period compared with last year: (first, last) first days, from the month of
    the period's start to expected_through(end, today); (None, None) when none is collected yet."""
    first = first_of_month(selection.start)
    last = queries.expected_through(selection.end, today)
    return (first, last) if last >= first else (None, None)


def hours_by_month(selection, on):
    """{month: counted hours} of the selection's lots, from the lot × month summary in one GROUP BY, over
    every month the headline and the month series read: the period, the compared months and those a
    year earlier (within the period and the year before it), the year of `on` and the year before."""
    first = min(first_of_month(add_months(selection.start, -12)), datetime.date(on.year - 1, 1, 1))
    last = max(selection.end, datetime.date(on.year, 12, 31))
    return summary.hours_by_month(selection.market_filter("lot__market__"), first, last)


def headline(selection, on, lot_rows, today=None, by_month=None):
    """The headline figures; the hours from `by_month` (hours_by_month's: build() reads it once for the
    headline and the month series), read when not given."""
    start, end = selection.start, selection.end
    ly_start, ly_end = selection.last_year()
    period = queries.counted_entries(start, end).filter(selection.entries_q())
    if by_month is None:
        by_month = hours_by_month(selection, on)
    hours_done = summary.total_of_months(by_month, start, end)
    compared_from, compared_to = compared_months(selection, today)
    if compared_to is None:
        hours_compared = hours_last_year = ZERO
    else:
        hours_compared = summary.total_of_months(by_month, compared_from, compared_to)
        last_year = add_months(compared_from, -12), add_months(compared_to, -12)
        hours_last_year = summary.total_of_months(by_month, *last_year)
    owed = sum((r.progress.required for r in lot_rows), ZERO)
    done = sum((r.progress.done for r in lot_rows), ZERO)

    assignments = Assignment.objects.filter(selection.market_filter("lot__market__"))
    counts = assignments.aggregate(
        at_work=Count("participant", distinct=True, filter=active_in_month(on)),
        new=Count("pk", filter=Q(starts_on__gte=start, starts_on__lte=end)),
        new_last_year=Count("pk", filter=Q(starts_on__gte=ly_start, starts_on__lte=ly_end)),
    )
    # The bilan's outcome rule (reporting.indicators), on the people counted in the period.
    outcomes = indicators.outcomes(period.values("assignment__participant"), start, end)
    return Headline(
        hours_done=hours_done,
        hours_done_last_year=hours_last_year,
        owed=owed,
        done_to_date=done,
        completion_rate=queries.completion_rate(done, owed),
        lots_in_execution=len(lot_rows),
        people_at_work=counts["at_work"],
        new_assignments=counts["new"],
        new_assignments_last_year=counts["new_last_year"],
        positive_outcomes=outcomes["positive_at_end"],
        people_with_outcome=outcomes["people_with_outcome_at_end"],
        positive_at_six_months=outcomes["positive_at_six_months"],
        compared_from=compared_from,
        compared_to=compared_to,
        hours_compared=hours_compared,
    )


def month_series(selection, on, by_month=None):
    """Counted hours per month of the year of `on` and of the year before, from `by_month`
    (hours_by_month's), read when not given (one query of the summary)."""
    year = on.year
    found = hours_by_month(selection, on) if by_month is None else by_month
    months = tuple(datetime.date(year, m, 1) for m in range(1, 13))
    return MonthSeries(
        year=year,
        months=months,
        this_year=tuple(found.get(m, ZERO) for m in months),
        last_year=tuple(found.get(m.replace(year=year - 1), ZERO) for m in months),
    )


def forecast(selection, on, months=FORECAST_MONTHS, hours_read=None):
    """Hours still owed over the next `months` months by month and by trade, of the selection's live lots
    (reporting.forecast.owed_hours: 3 queries, 2 when given `hours_read`, hours_to_date's)."""
    return owed_hours(live_lots(selection), on, months, hours_read)


def build(selection=None, today=None):
    today = today or timezone.localdate()
    selection = selection or Selection.default(today)
    on = min(selection.end, today)
    hours_read = hours_to_date(selection, on)  # the realisation's and the forecast's hours to date
    by_month = hours_by_month(selection, on)  # the headline's and the month series' hours
    rows = realisation(selection, on, holders=False, today=today, done=hours_read[0])
    # Holders and contacts of the rows the home page shows only (the full lists fetch their own).
    at_risk = [r for r in rows if r.at_risk]
    shown = {r.lot.pk for r in (*at_risk[:AT_RISK_ROWS], *rows[:REALISATION_ROWS])}
    rows = with_holders(rows, only=shown)
    return Dashboard(
        selection=selection,
        today=today,
        on=on,
        expected_through=queries.expected_through(on, today),
        headline=headline(selection, on, rows, today, by_month),
        months=month_series(selection, on, by_month),
        realisation=rows,
        at_risk=tuple(r for r in rows if r.at_risk),
        forecast=forecast(selection, on, hours_read=hours_read),
    )
