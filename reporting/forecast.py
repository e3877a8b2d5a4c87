"""The dashboard's forecast of the hours still owed over the next twelve months, by month and by trade
(the rules: reporting.dashboard's docstring, « Forecast of hours still owed »). Apart from
reporting.dashboard for its size; reporting.dashboard.forecast(selection, on) is the entry point."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import NamedTuple

from django.db.models import Q

from clauses_site.months import last_of_month, month_index, month_span
from clauses_site.text import normalize
from hours import queries
from hours.models import Assignment

ZERO = Decimal(0)
CENTS = Decimal("0.01")
#: Months of the forecast of hours still owed.
FORECAST_MONTHS = 12
UNSPECIFIED_TRADE = "Non précisé"


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


class _ForecastLot(NamedTuple):
    """What the forecast reads of a lot."""

    pk: int
    title: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    hours_required: Decimal
    hours_done_to_date: Decimal


def owed_hours(live, on, months=FORECAST_MONTHS, hours_read=None):
    """Hours still owed over the next `months` months by month and by trade, of the lots of `live` (a
    queryset: lots with a clause of live markets) that run in the window: 3 queries (2 when given
    `hours_read`: ({lot id: hours to date}, {(lot id, job): hours to date}) of those lots or more)."""
    window = month_span(on, months)
    window_end = last_of_month(window[-1])
    lots = live.filter(starts_on__isnull=False, starts_on__lte=window_end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=window[0])
    )
    read = queries.hours_to_date_by_lot_and_job(lots, on) if hours_read is None else hours_read
    done, done_by_job = read
    fields = [f for f in _ForecastLot._fields if f != "hours_done_to_date"]
    lots = [  # read only: rows, not model instances (thousands of lots nationally)
        _ForecastLot(**row, hours_done_to_date=done.get(row["pk"], ZERO))
        for row in queries.with_hours_required(lots).order_by().values(*fields)
    ]
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

    keys_of_names = {}  # a job spelt alike on many lots is normalised once

    def key_of(name):
        if name not in keys_of_names:
            keys_of_names[name] = normalize(name) or normalize(UNSPECIFIED_TRADE)
        return keys_of_names[name]

    def name_of(lot, job):
        return job if job.strip() else lot.title

    # Each lot's jobs (in a fixed order) and their trade keys, normalised once.
    trade_keys = {
        lot.pk: {job: key_of(name_of(lot, job)) for job in sorted(jobs_of_lot.get(lot.pk, ()))}
        for lot, _ in owing
    }

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
        weights = defaultdict(lambda: ZERO)  # the hours done by job weigh the lot's trades
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
