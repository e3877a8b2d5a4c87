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
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from clauses_site.months import add_months, first_of_month, last_of_month, month_index, month_span
from clauses_site.text import normalize
from companies.models import Contact
from hours import queries, summary
from hours.models import Assignment, active_in_month
from markets.models import Award, Lot, Stage
from reporting import charts, indicators

ZERO = Decimal(0)
CENTS = Decimal("0.01")

#: At risk, rule 1: done below this share of the expected pro rata (strictly).
RISK_PRO_RATA = queries.LAG_THRESHOLD  # 0.8
#: At risk, rule 2: ending within this many calendar months (inclusive)…
RISK_END_MONTHS = 3
#: …with more than this share of the hours still owed (strictly).
RISK_REMAINING_SHARE = Decimal("0.2")
#: Months of the forecast of hours still owed.
FORECAST_MONTHS = 12
#: Lots listed on the home page under « Réalisation » (the full list is one click away).
REALISATION_ROWS = 10
#: Lots at risk listed on the home page (the most behind in hours first; the full list is one click away).
AT_RISK_ROWS = 8
UNSPECIFIED_TRADE = "Non précisé"


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
class Trade:
    name: str
    by_month: tuple  # hours per month of the forecast window
    total: Decimal


@dataclass(frozen=True)
class Forecast:
    months: tuple  # first days
    by_month: tuple  # hours per month
    trades: tuple  # of Trade, largest first
    total: Decimal
    lots: int  # lots contributing

    def quarters(self):
        """The window in groups of three months: [(first month, last month)], and each trade's hours per
        group: [(trade, (h1, h2, h3, h4))] (for a compact table)."""
        groups = [(i, min(i + 3, len(self.months))) for i in range(0, len(self.months), 3)]
        spans = [(self.months[a], self.months[b - 1]) for a, b in groups]
        rows = [(t, tuple(sum(t.by_month[a:b], ZERO) for a, b in groups)) for t in self.trades]
        return spans, rows


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


def in_execution(selection, on):
    """Lots in execution on `on` within the selection (a queryset)."""
    return (
        selection.lots()
        .with_clause()
        .running_on(on)
        .filter(market__archived=False)
        .exclude(market__stage=Stage.DROPPED)
    )


#: Columns of a lot row (the rest of the lot and market is not shown).
LOT_ROW_FIELDS = (
    "id", "market_id", "number", "number_key", "title", "starts_on", "ends_on",
    "market__id", "market__reference", "market__title", "market__buyer_id", "market__facilitator_id",
    "market__buyer__id", "market__buyer__name",
    "market__facilitator__id", "market__facilitator__first_name", "market__facilitator__last_name",
    "market__facilitator__username",
)  # fmt: skip


def realisation(selection, on, holders=True, today=None):
    """Every lot in execution with its progress (expected to the end of expected_through(on, today)) and
    risk flags, sorted by lag: 1 query, and 3 more for the holders and their contacts (with_holders)
    unless holders=False."""
    lots = (
        queries.lots_with_hours_to_date(in_execution(selection, on), on)
        .select_related("market__buyer", "market__facilitator")
        .only(*LOT_ROW_FIELDS)
    )
    rows = []
    for lot in lots:
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


def headline(selection, on, lot_rows, today=None):
    start, end = selection.start, selection.end
    ly_start, ly_end = selection.last_year()
    period = queries.counted_entries(start, end).filter(selection.entries_q())
    lots_q = selection.market_filter("lot__market__")  # the hours: from the lot × month summary
    hours_done = summary.total_hours(lots_q, start, end)
    compared_from, compared_to = compared_months(selection, today)
    if compared_to is None:
        hours_compared = hours_last_year = ZERO
    else:
        hours_compared = summary.total_hours(lots_q, compared_from, compared_to)
        last_year = add_months(compared_from, -12), add_months(compared_to, -12)
        hours_last_year = summary.total_hours(lots_q, *last_year)
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


def month_series(selection, on):
    """Counted hours per month of the year of `on` and of the year before (one query of the summary)."""
    year = on.year
    first = datetime.date(year - 1, 1, 1)
    lots_q = selection.market_filter("lot__market__")
    found = summary.hours_by_month(lots_q, first, datetime.date(year, 12, 31))
    months = tuple(datetime.date(year, m, 1) for m in range(1, 13))
    return MonthSeries(
        year=year,
        months=months,
        this_year=tuple(found.get(m, ZERO) for m in months),
        last_year=tuple(found.get(m.replace(year=year - 1), ZERO) for m in months),
    )


def _spread(total, count):
    """`total` in `count` parts to the cent, the rounding left in the last part (the sum is exact)."""
    if count <= 0:
        return []
    part = (total / count).quantize(CENTS, rounding=ROUND_DOWN)
    return [part] * (count - 1) + [total - part * (count - 1)]


def _split(total, weights):
    """{key: share of total} in proportion to weights (equal when all are 0), exact to the cent."""
    keys = sorted(weights)
    if not keys:
        return {}
    weight_sum = sum(weights.values(), ZERO)
    if weight_sum <= 0:
        weights, weight_sum = dict.fromkeys(keys, Decimal(1)), Decimal(len(keys))
    parts = {k: (total * weights[k] / weight_sum).quantize(CENTS, rounding=ROUND_DOWN) for k in keys}
    parts[keys[-1]] += total - sum(parts.values(), ZERO)
    return parts


def forecast(selection, on, months=FORECAST_MONTHS):
    """Hours still owed over the next `months` months, by month and by trade (3 queries; 2 when no lot owing
    has two trades)."""
    window = month_span(on, months)
    window_end = last_of_month(window[-1])
    lots = (
        selection.lots()
        .with_clause()
        .filter(starts_on__isnull=False, starts_on__lte=window_end, market__archived=False)
        .exclude(market__stage=Stage.DROPPED)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=window[0]))
    )
    lots = list(queries.lots_with_hours_to_date(lots, on).only("pk", "title", "starts_on", "ends_on"))
    window_first, window_last = month_index(window[0]), month_index(window[-1])

    def months_owed(lot):
        """(remaining hours, first and last month index of the lot's remaining months) or None."""
        remaining = max(lot.hours_required - lot.hours_done_to_date, ZERO)
        first = max(window_first, month_index(lot.starts_on))
        last = month_index(lot.ends_on) if lot.ends_on else window_last
        if not remaining or last < first or first > window_last:
            return None
        return remaining, first, last

    owing = sorted(((lot, owed) for lot in lots if (owed := months_owed(lot))), key=lambda pair: pair[0].pk)
    jobs_of_lot = defaultdict(set)
    assignments = Assignment.objects.filter(lot__in=[lot.pk for lot, _ in owing]).order_by()
    for lot_id, job in assignments.values_list("lot", "job").distinct():
        jobs_of_lot[lot_id].add(job)

    def key_of(name):
        return normalize(name) or normalize(UNSPECIFIED_TRADE)

    def name_of(lot, job):
        return job if job.strip() else lot.title

    # Each lot's jobs (in a fixed order) and their trade keys, normalised once.
    trade_keys = {
        lot.pk: {job: key_of(name_of(lot, job)) for job in sorted(jobs_of_lot.get(lot.pk, ()))}
        for lot, _ in owing
    }
    # The hours done by job weigh a lot's remaining hours between its trades: read only for the lots with
    # two trades or more (one trade takes them all, whatever its weight).
    shared = [pk for pk, keys in trade_keys.items() if len(set(keys.values())) > 1]
    entries = queries.counted_entries(None, on).filter(assignment__lot__in=shared)
    done_by_job = queries.hours_by_fields(entries, "assignment__lot", "assignment__job")

    labels = {}  # trade key -> first spelling met

    def label(key, name):
        labels.setdefault(
            key, (name.strip()[:1].upper() + name.strip()[1:]) if name.strip() else UNSPECIFIED_TRADE
        )
        return key

    def trade_key(name):
        return label(key_of(name), name)

    by_trade = defaultdict(lambda: [ZERO] * months)
    for lot, (remaining, first, last) in owing:
        parts = _spread(remaining, last - first + 1)  # every remaining month of the lot, to the cent
        shown = range(first, min(last, window_last) + 1)
        weights = defaultdict(lambda: ZERO)
        for job, key in trade_keys[lot.pk].items():
            weights[label(key, name_of(lot, job))] += done_by_job.get((lot.pk, job), ZERO)
        if not weights:
            weights[trade_key(lot.title)] = ZERO
        splits = {}  # at most two distinct monthly amounts: the even part and the last month's
        for month in shown:
            hours = parts[month - first]
            if hours not in splits:
                splits[hours] = _split(hours, dict(weights))
            for key, part in splits[hours].items():
                by_trade[key][month - window_first] += part
    contributing = len(owing)
    trades = sorted(
        (Trade(labels[key], tuple(values), sum(values, ZERO)) for key, values in by_trade.items()),
        key=lambda t: (-t.total, normalize(t.name)),
    )
    by_month = tuple(sum((t.by_month[i] for t in trades), ZERO) for i in range(months))
    return Forecast(tuple(window), by_month, tuple(trades), sum(by_month, ZERO), contributing)


def build(selection=None, today=None):
    today = today or timezone.localdate()
    selection = selection or Selection.default(today)
    on = min(selection.end, today)
    rows = realisation(selection, on, holders=False, today=today)
    # Holders and contacts of the rows the home page shows only (the full lists fetch their own).
    at_risk = [r for r in rows if r.at_risk]
    shown = {r.lot.pk for r in (*at_risk[:AT_RISK_ROWS], *rows[:REALISATION_ROWS])}
    rows = with_holders(rows, only=shown)
    return Dashboard(
        selection=selection,
        today=today,
        on=on,
        expected_through=queries.expected_through(on, today),
        headline=headline(selection, on, rows, today),
        months=month_series(selection, on),
        realisation=rows,
        at_risk=tuple(r for r in rows if r.at_risk),
        forecast=forecast(selection, on),
    )
