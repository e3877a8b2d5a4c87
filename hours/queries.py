"""The one way of counting insertion hours. Every page, export, dashboard and bilan calls these.

Rules (domain.md):
- only validated entries count;
- an entry's worked hours count, except those of a "Formation" assignment on a clause that does not
  count training; its training hours count only where the clause says so;
- a period [start, end] takes the entries whose month lies in it; "to date" takes every month up to end.
Aggregates are subqueries (one per figure) so that owed and done hours never multiply each other
through joins, and each list runs a constant number of queries. The hours of lots, markets and buyers
are read from the lot × month summary of validated hours (hours.summary, kept exact by the database):
one index range scan of it per row, never the entries.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from clauses_site.months import add_months, first_of_month
from hours import summary
from hours.models import HOURS, HoursEntry, Modality, siae_hour_equivalent
from markets.models import Award, Clause

ZERO = Decimal(0)
_TRAINING_COUNTS = Q(assignment__lot__clause__training_counts=True)

#: The hours an entry contributes to its clause.
COUNTED_HOURS = Case(
    When(Q(assignment__modality=Modality.TRAINING) & ~_TRAINING_COUNTS, then=Value(ZERO)),
    default=F("hours"),
    output_field=HOURS,
) + Case(When(_TRAINING_COUNTS, then=F("training_hours")), default=Value(ZERO), output_field=HOURS)


#: The training part of an entry: its training hours, and the hours of a "Formation" assignment.
_TRAINING_PART = F("training_hours") + Case(
    When(assignment__modality=Modality.TRAINING, then=F("hours")), default=Value(ZERO), output_field=HOURS
)

#: The training an entry contributes to its clause: the part of COUNTED_HOURS that is training (« dont
#: formation »). Never more than COUNTED_HOURS.
COUNTED_TRAINING = Case(When(_TRAINING_COUNTS, then=_TRAINING_PART), default=Value(ZERO), output_field=HOURS)

#: The training an entry records on a clause that does not count it (« formation non comptée »): not in
#: COUNTED_HOURS. COUNTED_HOURS + UNCOUNTED_TRAINING = hours + training_hours, for every entry.
UNCOUNTED_TRAINING = Case(
    When(_TRAINING_COUNTS, then=Value(ZERO)), default=_TRAINING_PART, output_field=HOURS
)


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


#: The figures the *_with_hours functions annotate; a list page asks only for those it shows
#: (each is one correlated subquery per row). training_hours: every validated training hour recorded
#: (bilan-json.md), counted or not.
FIGURES = ("hours_done", "hours_done_to_date", "training_hours", "people")
#: Figures given only when asked for: training_counted, the training included in hours_done (« dont
#: formation », never more than hours_done), and training_not_counted, the training recorded on clauses
#: that do not count it (« formation non comptée », not in hours_done).
TRAINING_SPLIT = ("training_counted", "training_not_counted")


def _annotate(queryset, path, start, end, figures=FIGURES):
    unknown = set(figures) - set(FIGURES) - set(TRAINING_SPLIT)
    if unknown:
        raise ValueError(f"unknown figures: {sorted(unknown)}")
    builders = {
        "hours_done": lambda: _sum_by(path, start, end),
        "hours_done_to_date": lambda: _sum_by(path, start, end, to_date=True),
        "training_hours": lambda: _sum_by(path, start, end, expression=F("training_hours")),
        "training_counted": lambda: _sum_by(path, start, end, expression=COUNTED_TRAINING),
        "training_not_counted": lambda: _sum_by(path, start, end, expression=UNCOUNTED_TRAINING),
        "people": lambda: _count_people_by(path, start, end),
    }
    if path in summary.PATHS:  # lots, markets, buyers: their hours from the lot × month summary
        builders.update(summary.builders(path, start, end))
    return queryset.annotate(**{name: builders[name]() for name in figures})


def lots_with_hours(lots, start=None, end=None, figures=FIGURES):
    """Lots annotated with hours_required, hours_done (in the period), hours_done_to_date (up to its end),
    training_hours and people (distinct participants with counted hours in the period)."""
    return _annotate(with_hours_required(lots), "assignment__lot", start, end, figures)


def with_hours_required(lots):
    """Lots annotated with hours_required: their clause's hours owed, 0 without a clause."""
    return lots.annotate(hours_required=Coalesce("clause__hours_required", Value(ZERO), output_field=HOURS))


def lots_with_hours_to_date(lots, end):
    """Lots annotated with hours_required and hours_done_to_date (counted hours of every month up to end)
    only: what lot_progress needs, without the period's other figures (dashboards): one grouped join of
    the lot × month summary (hours.summary.lots_with_hours_to_date, which says what may be chained)."""
    return summary.lots_with_hours_to_date(lots, end)


def hours_to_date_by_lot(lots, end):
    """{lot id: hours_done_to_date} of lots_with_hours_to_date, read apart from the lots (one GROUP BY of
    the summary; a lot without validated hours is absent: 0)."""
    return summary.hours_to_date_by_lot(lots, end)


def hours_to_date_by_lot_and_job(lots, end):
    """({lot id: hours_done_to_date}, {(lot id, job): counted hours up to end}) of the lots, from ONE
    GROUP BY of the lot × month × job summary (the lots' totals are their jobs added up): for lots that
    several lists read (reporting.dashboard's realisation and forecast). Absent: 0."""
    by_job = summary.hours_by_lot_and_job(lots, end)
    return summary.totals_by_lot(by_job), by_job


def companies_with_hours(companies, start=None, end=None, figures=FIGURES):
    """Companies annotated with hours_committed (what they owe through their awards: award_share, the
    same figure as the bilans) and hours done as the company credited."""
    committed = (
        Award.objects.filter(company=OuterRef("pk"))
        .annotate(share=award_share())
        .order_by()
        .values("company")
        .annotate(total=Sum("share"))
        .values("total")
    )
    companies = companies.annotate(
        hours_committed=Coalesce(Subquery(committed, output_field=HOURS), Value(ZERO), output_field=HOURS)
    )
    return _annotate(companies, "assignment__company", start, end, figures)


def _hours_required_by(path):
    """A subquery: the hours owed by the clauses whose `path` (from Clause) is the outer row."""
    required = (
        Clause.objects.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(total=Sum("hours_required"))
        .values("total")
    )
    return Coalesce(Subquery(required, output_field=HOURS), Value(ZERO), output_field=HOURS)


def markets_with_hours(markets, start=None, end=None, figures=FIGURES):
    markets = markets.annotate(hours_required=_hours_required_by("lot__market"))
    return _annotate(markets, "assignment__lot__market", start, end, figures)


def buyers_with_hours(buyers, start=None, end=None, figures=FIGURES):
    buyers = buyers.annotate(hours_required=_hours_required_by("lot__market__buyer"))
    return _annotate(buyers, "assignment__lot__market__buyer", start, end, figures)


def assignments_with_hours(assignments, start=None, end=None, figures=FIGURES):
    return _annotate(assignments, "assignment", start, end, figures)


def siae_hours(purchases):
    """Hour equivalent of a queryset of SIAE purchases (already filtered), as one aggregate."""
    return purchases.aggregate(total=Coalesce(Sum(siae_hour_equivalent(), output_field=HOURS), Value(ZERO)))[
        "total"
    ]


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


def last_collected_month(today=None):
    """The last month whose hours are collected (its first day): the latest month that ended at least
    CLAUSES_COLLECTION_LAG_MONTHS whole months before `today` (default: today). A month's hours reach the
    team during the following month: with the default lag of 1, on 1/12 as on 31/12/2026, October 2026
    (November's hours arrive during December); on 1/01/2027, November 2026."""
    today = today or timezone.localdate()
    lag = max(int(getattr(settings, "CLAUSES_COLLECTION_LAG_MONTHS", 1)), 0)
    return add_months(first_of_month(today), -(lag + 1))


def expected_through(on, today=None):
    """The month up to the end of which hours are expected on `on` (its first day): the month of `on`,
    but never later than the last collected month (last_collected_month(today)). The one definition of
    « attendu à fin <mois> » for the dashboard, the lot, market and company pages, the bilans."""
    return min(first_of_month(on), last_collected_month(today))


def elapsed_share(starts_on, ends_on, through):
    """Share of an execution period elapsed at the end of the month of `through`, from 0 (it ends before
    the first month) to 1 (the last month is elapsed). Counted in whole months, as hours are."""
    if not starts_on or not ends_on:
        return None
    first = first_of_month(starts_on)
    last = first_of_month(ends_on)
    total = (last.year - first.year) * 12 + last.month - first.month + 1
    elapsed = (through.year - first.year) * 12 + through.month - first.month + 1
    return min(max(Decimal(elapsed) / Decimal(total), Decimal(0)), Decimal(1))


def expected_hours(required, starts_on, ends_on, on, today=None):
    """Hours a lot should have produced by `on`, pro rata of its execution months up to the end of
    expected_through(on, today): a month whose hours are not collected yet expects nothing."""
    share = elapsed_share(starts_on, ends_on, expected_through(on, today))
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
    #: The month `expected` runs to the end of (« attendu à fin octobre 2026 »), None when not known.
    expected_through: datetime.date | None = None

    @property
    def remaining(self):
        return max(self.required - self.done, Decimal(0))

    def percent(self, value):
        """value as a percentage of required, for progress bars (capped at 100)."""
        if not self.required or value is None:
            return 0
        return min(float(value / self.required * 100), 100.0)


def progress(required, done, starts_on, ends_on, on, today=None):
    """Owed / done / expected-to-date and the lag flag (done below 80 % of the expected pro rata)."""
    expected = expected_hours(required, starts_on, ends_on, on, today)
    lagging = bool(expected) and Decimal(done) < expected * LAG_THRESHOLD
    return Progress(
        Decimal(required),
        Decimal(done),
        expected,
        completion_rate(done, required),
        lagging,
        expected_through(on, today),
    )


def lot_progress(lot, on, today=None):
    """Progress of a lot annotated by lots_with_hours (hours done to date)."""
    return progress(lot.hours_required, lot.hours_done_to_date, lot.starts_on, lot.ends_on, on, today)


# --- bilans: hours credited to a company, a company's share of a lot, breakdowns of entries ---------------
# (added for reporting/indicators.py; same rules as above: validated entries, COUNTED_HOURS)


def award_share():
    """The hours a company owes on a lot through its award (an expression on Award): its commitment
    when stated; for the holder (titulaire) without one, what the lot owes minus the commitments of the
    lot's other companies (never below 0); 0 for a co- or subcontractor without a commitment."""
    others = (
        Award.objects.filter(lot=OuterRef("lot"))
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("lot")
        .annotate(total=Sum("hours_committed"))
        .values("total")
    )
    remainder = Coalesce("lot__clause__hours_required", Value(ZERO), output_field=HOURS) - Coalesce(
        Subquery(others, output_field=HOURS), Value(ZERO), output_field=HOURS
    )
    return Case(
        When(hours_committed__isnull=False, then=F("hours_committed")),
        When(Q(role=Award.Role.HOLDER) & Q(lot__clause__isnull=False), then=Greatest(remainder, Value(ZERO))),
        default=Value(ZERO),
        output_field=HOURS,
    )


def _sum_where(group, where, start=None, end=None, to_date=False, expression=COUNTED_HOURS):
    """Like _sum_by, for entries matching `where` (a Q holding the OuterRefs); `group` lists the paths
    that the OuterRefs fix (one group per outer row)."""
    entries = counted_entries(start, end, to_date).filter(where)
    summed = entries.order_by().values(*group).annotate(total=Sum(expression, output_field=HOURS))
    return Coalesce(Subquery(summed.values("total"), output_field=HOURS), Value(ZERO), output_field=HOURS)


def _count_people_where(group, where, start=None, end=None):
    entries = counted_entries(start, end).filter(where)
    counted = entries.order_by().values(*group).annotate(n=Count("assignment__participant", distinct=True))
    return Coalesce(Subquery(counted.values("n")), Value(0))


def _annotate_where(queryset, group, where, start, end):
    return queryset.annotate(
        hours_done=_sum_where(group, where, start, end),
        hours_done_to_date=_sum_where(group, where, start, end, to_date=True),
        training_hours=_sum_where(group, where, start, end, expression=F("training_hours")),
        people=_count_people_where(group, where, start, end),
    )


def lots_with_company_hours(lots, company, start=None, end=None):
    """Lots annotated as lots_with_hours does, but from the company's side: hours_required is the
    company's share of the lot (award_share; 0 without an award) and the hours are those credited to
    the company (Assignment.company) on the lot."""
    share = (
        Award.objects.filter(lot=OuterRef("pk"), company=company)
        .annotate(share=award_share())
        .values("share")[:1]
    )
    lots = lots.annotate(
        hours_required=Coalesce(Subquery(share, output_field=HOURS), Value(ZERO), output_field=HOURS)
    )
    where = Q(assignment__lot=OuterRef("pk")) & Q(assignment__company=company)
    return _annotate_where(lots, ["assignment__lot"], where, start, end)


def awards_with_hours(awards, start=None, end=None):
    """Awards annotated with hours_owed (award_share) and the hours credited to the award's company on
    the award's lot: hours_done, hours_done_to_date, training_hours, people."""
    where = Q(assignment__lot=OuterRef("lot")) & Q(assignment__company=OuterRef("company"))
    awards = awards.annotate(hours_owed=award_share())
    return _annotate_where(awards, ["assignment__lot", "assignment__company"], where, start, end)


def hours_by(entries, path):
    """Counted hours of (already filtered) entries per value of one field: {value: hours}, one query."""
    rows = entries.order_by().values(path).annotate(total=Sum(COUNTED_HOURS, output_field=HOURS))
    return {row[path]: row["total"] for row in rows}


def people_by(entries, path):
    """Distinct participants of (already filtered) entries per value of one field: {value: n}."""
    rows = entries.order_by().values(path).annotate(n=Count("assignment__participant", distinct=True))
    return {row[path]: row["n"] for row in rows}


def assignments_count(entries):
    """Distinct assignments of (already filtered) entries."""
    return entries.aggregate(n=Count("assignment", distinct=True))["n"]


def assignments_by(entries, path):
    """Distinct assignments of (already filtered) entries per value of one field: {value: n}."""
    rows = entries.order_by().values(path).annotate(n=Count("assignment", distinct=True))
    return {row[path]: row["n"] for row in rows}


def progress_over(required, done, expected, on=None, today=None):
    """Progress of a group of lots (a company's shares, a buyer's lots): `expected` is the sum of the
    parts' expected_hours on `on` (default: today) (None when no part has dates). Same lag rule as
    progress()."""
    lagging = bool(expected) and Decimal(done) < expected * LAG_THRESHOLD
    through = expected_through(on or today or timezone.localdate(), today)
    return Progress(
        Decimal(required), Decimal(done), expected, completion_rate(done, required), lagging, through
    )


def with_lot_progress(lots, on, today=None):
    """Attach its Progress on `on` to each lot (annotated with hours_required and hours_done_to_date:
    lots_with_hours, lots_with_hours_to_date); return the lots' expected total (None when no lot has
    dates), for progress_over."""
    expected_total = None
    for lot in lots:
        lot.progress = lot_progress(lot, on, today)
        if lot.progress.expected is not None:
            expected_total = (expected_total or ZERO) + lot.progress.expected
    return expected_total


def with_award_progress(awards, on, today=None):
    """Attach its Progress on `on` to each award (annotated by awards_with_hours, its lot loaded): the
    hours the award owes against those its company did on the lot; return the expected total (None when
    no lot has dates), for progress_over."""
    expected_total = None
    for award in awards:
        lot = award.lot
        award.progress = progress(
            award.hours_owed, award.hours_done_to_date, lot.starts_on, lot.ends_on, on, today
        )
        if award.progress.expected is not None:
            expected_total = (expected_total or ZERO) + award.progress.expected
    return expected_total


def hours_by_fields(entries, *paths):
    """Counted hours of (already filtered) entries per combination of several fields:
    {(value1, value2, …): hours}, one query (hours_by for one field)."""
    rows = entries.order_by().values(*paths).annotate(total=Sum(COUNTED_HOURS, output_field=HOURS))
    return {tuple(row[p] for p in paths): row["total"] for row in rows}


def period_totals(entries, start):
    """One aggregate over (already filtered) entries counted up to a period's end — counted_entries(
    end=end, to_date=True) — : hours_done, training_hours, training_counted and training_not_counted
    (see TRAINING_SPLIT) of the months from `start`, and hours_done_to_date of them all."""
    in_period = Q(month__gte=first_of_month(start))
    return entries.aggregate(
        hours_done=Coalesce(Sum(COUNTED_HOURS, filter=in_period, output_field=HOURS), Value(ZERO)),
        hours_done_to_date=Coalesce(Sum(COUNTED_HOURS, output_field=HOURS), Value(ZERO)),
        # before training_hours: F("training_hours") below them must read the field, not that alias
        training_counted=Coalesce(Sum(COUNTED_TRAINING, filter=in_period, output_field=HOURS), Value(ZERO)),
        training_not_counted=Coalesce(
            Sum(UNCOUNTED_TRAINING, filter=in_period, output_field=HOURS), Value(ZERO)
        ),
        training_hours=Coalesce(Sum("training_hours", filter=in_period, output_field=HOURS), Value(ZERO)),
    )


def period_totals_by(entries, path, start):
    """period_totals per value of one field (a company: "assignment__company"), with people (distinct
    participants with entries from `start`), in one GROUP BY query — what _annotate gives a list of
    rows, without a correlated subquery per row:
    {value: {"hours_done", "hours_done_to_date", "training_hours", "people"}}."""
    in_period = Q(month__gte=first_of_month(start))
    rows = (
        entries.order_by()
        .values(path)
        .annotate(
            hours_done=Coalesce(Sum(COUNTED_HOURS, filter=in_period, output_field=HOURS), Value(ZERO)),
            hours_done_to_date=Coalesce(Sum(COUNTED_HOURS, output_field=HOURS), Value(ZERO)),
            training_hours=Coalesce(Sum("training_hours", filter=in_period, output_field=HOURS), Value(ZERO)),
            people=Count("assignment__participant", distinct=True, filter=in_period),
        )
    )
    return {row.pop(path): row for row in rows}


def declarations_by_company_month():
    """The companies' declarations waiting for the team (issue 16): declared entries by company credited
    and month, the oldest month first — [{month, company, company_name, lines, hours, training}]. One
    grouped query (the entries' status × month index)."""
    rows = (
        HoursEntry.objects.declared()
        .order_by()
        .values("month", "assignment__company", "assignment__company__name")
        .annotate(lines=Count("pk"), hours=Sum("hours"), training=Sum("training_hours"))
        .order_by("month", "assignment__company__name", "assignment__company")
    )
    return [
        {
            "month": r["month"],
            "company": r["assignment__company"],
            "company_name": r["assignment__company__name"],
            "lines": r["lines"],
            "hours": r["hours"],
            "training": r["training"],
        }
        for r in rows
    ]
