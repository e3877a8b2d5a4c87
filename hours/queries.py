"""The one way of counting insertion hours. Every page, export, dashboard and bilan calls these.

Rules (domain.md):
- only validated entries count;
- an entry's worked hours count, except those of a "Formation" assignment on a clause that does not
  count training; its training hours count only where the clause says so;
- a period [start, end] takes the entries whose month lies in it; "to date" takes every month up to end.
Aggregates are subqueries (one per figure) so that owed and done hours never multiply each other
through joins, and each list runs a constant number of queries.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from hours.models import HoursEntry, Modality, first_of_month
from markets.models import Award, Clause

ZERO = Decimal(0)
HOURS = DecimalField(max_digits=14, decimal_places=2)
_TRAINING_COUNTS = Q(assignment__lot__clause__training_counts=True)

#: The hours an entry contributes to its clause.
COUNTED_HOURS = Case(
    When(Q(assignment__modality=Modality.TRAINING) & ~_TRAINING_COUNTS, then=Value(ZERO)),
    default=F("hours"),
    output_field=HOURS,
) + Case(When(_TRAINING_COUNTS, then=F("training_hours")), default=Value(ZERO), output_field=HOURS)


def counted_entries(start=None, end=None, to_date=False):
    """Validated entries of the period (or up to its end when to_date, or all when no end)."""
    entries = HoursEntry.objects.validated()
    if end is not None and (to_date or start is None):
        return entries.until(end)
    if start is not None:
        return entries.in_period(start, end or datetime.date.max)
    return entries


def _sum_by(path, start=None, end=None, to_date=False, expression=COUNTED_HOURS):
    """A subquery: the sum of `expression` over the counted entries whose `path` is the outer row."""
    entries = counted_entries(start, end, to_date).filter(**{path: OuterRef("pk")})
    summed = entries.order_by().values(path).annotate(total=Sum(expression, output_field=HOURS))
    summed = summed.values("total")
    return Coalesce(Subquery(summed, output_field=HOURS), Value(ZERO), output_field=HOURS)


def _count_people_by(path, start=None, end=None):
    entries = counted_entries(start, end).filter(**{path: OuterRef("pk")})
    counted = (
        entries.order_by()
        .values(path)
        .annotate(n=Count("assignment__participant", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted), Value(0))


def _annotate(queryset, path, start, end):
    return queryset.annotate(
        hours_done=_sum_by(path, start, end),
        hours_done_to_date=_sum_by(path, start, end, to_date=True),
        training_hours=_sum_by(path, start, end, expression=F("training_hours")),
        people=_count_people_by(path, start, end),
    )


def lots_with_hours(lots, start=None, end=None):
    """Lots annotated with hours_required, hours_done (in the period), hours_done_to_date (up to its end),
    training_hours and people (distinct participants with counted hours in the period)."""
    lots = lots.annotate(hours_required=Coalesce("clause__hours_required", Value(ZERO), output_field=HOURS))
    return _annotate(lots, "assignment__lot", start, end)


def companies_with_hours(companies, start=None, end=None):
    """Companies annotated with hours_committed (their awards' share of lots' hours) and hours done as
    the company credited."""
    committed = (
        Award.objects.filter(company=OuterRef("pk"))
        .order_by()
        .values("company")
        .annotate(total=Sum("hours_committed"))
        .values("total")
    )
    companies = companies.annotate(
        hours_committed=Coalesce(Subquery(committed, output_field=HOURS), Value(ZERO), output_field=HOURS)
    )
    return _annotate(companies, "assignment__company", start, end)


def markets_with_hours(markets, start=None, end=None):
    required = (
        Clause.objects.filter(lot__market=OuterRef("pk"))
        .order_by()
        .values("lot__market")
        .annotate(total=Sum("hours_required"))
        .values("total")
    )
    markets = markets.annotate(
        hours_required=Coalesce(Subquery(required, output_field=HOURS), Value(ZERO), output_field=HOURS)
    )
    return _annotate(markets, "assignment__lot__market", start, end)


def buyers_with_hours(buyers, start=None, end=None):
    required = (
        Clause.objects.filter(lot__market__buyer=OuterRef("pk"))
        .order_by()
        .values("lot__market__buyer")
        .annotate(total=Sum("hours_required"))
        .values("total")
    )
    buyers = buyers.annotate(
        hours_required=Coalesce(Subquery(required, output_field=HOURS), Value(ZERO), output_field=HOURS)
    )
    return _annotate(buyers, "assignment__lot__market__buyer", start, end)


def assignments_with_hours(assignments, start=None, end=None):
    return _annotate(assignments, "assignment", start, end)


def total_hours(entries):
    """Counted hours of a queryset of entries (already filtered), as one aggregate."""
    return entries.aggregate(total=Coalesce(Sum(COUNTED_HOURS, output_field=HOURS), Value(ZERO)))["total"]


def people_count(entries):
    return entries.aggregate(n=Count("assignment__participant", distinct=True))["n"]


# --- progress: pure arithmetic on figures already fetched ----------------------------------------------

RATE_PLACES = Decimal("0.0001")
LAG_THRESHOLD = Decimal("0.8")


def completion_rate(done, required):
    """done ÷ required (not capped at 1); 0 when nothing is owed."""
    if not required:
        return Decimal(0)
    return (Decimal(done) / Decimal(required)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def elapsed_share(starts_on, ends_on, on):
    """Share of an execution period elapsed on a date, from 0 (before start) to 1 (after end).
    Counted in months, as hours are: the month of `on` counts as elapsed when it has begun."""
    if not starts_on or not ends_on:
        return None
    first = first_of_month(starts_on)
    last = first_of_month(ends_on)
    total = (last.year - first.year) * 12 + last.month - first.month + 1
    elapsed = (on.year - first.year) * 12 + on.month - first.month + 1
    return min(max(Decimal(elapsed) / Decimal(total), Decimal(0)), Decimal(1))


def expected_hours(required, starts_on, ends_on, on):
    """Hours a lot should have produced by `on`, pro rata of its execution period."""
    share = elapsed_share(starts_on, ends_on, on)
    if share is None:
        return None
    return (Decimal(required) * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Progress:
    required: Decimal
    done: Decimal
    expected: Decimal | None
    rate: Decimal
    lagging: bool

    @property
    def remaining(self):
        return max(self.required - self.done, Decimal(0))

    def percent(self, value):
        """value as a percentage of required, for progress bars (capped at 100)."""
        if not self.required or value is None:
            return 0
        return min(float(value / self.required * 100), 100.0)


def progress(required, done, starts_on, ends_on, on):
    """Owed / done / expected-to-date and the lag flag (done below 80 % of the expected pro rata)."""
    expected = expected_hours(required, starts_on, ends_on, on)
    lagging = bool(expected) and Decimal(done) < expected * LAG_THRESHOLD
    return Progress(Decimal(required), Decimal(done), expected, completion_rate(done, required), lagging)


def lot_progress(lot, on):
    """Progress of a lot annotated by lots_with_hours (hours done to date)."""
    return progress(lot.hours_required, lot.hours_done_to_date, lot.starts_on, lot.ends_on, on)
