"""The lot × month × job summary of validated hours (hours.models_summary.LotMonthHours): its check and
the reads that sum it. A lot-month has one row per job of its assignments: every read sums rows (grouped
by what it gives), none takes one row for a lot-month.

Why triggers rather than the application: entries are written by forms, the grid (bulk_create and
bulk_update), the import (bulk_create/bulk_update), the admin, validation (queryset.update()), deletions
(queryset.delete() too), and an assignment may move to another lot or modality. Signals miss the bulk
paths, and every future write path would have to remember the summary. A trigger runs inside the
statement that writes the entries, hence in its transaction, whatever wrote them.

The triggers and the rebuild are SQL, in hours.summary_sql; here: differences() (where the summary
and the entries disagree, `rebuild_summaries --check`) and the reads that sum the summary.
"""

import datetime
from decimal import Decimal
from functools import partial

from django.db.models import Case, Count, F, FilteredRelation, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Round

from clauses_site.months import first_of_month
from hours.models import HOURS, HoursEntry, Modality
from hours.models_summary import LotMonthHours
from hours.summary_sql import COLUMNS, install, installed, rebuild, uninstall

__all__ = ["differences", "install", "installed", "rebuild", "recomputed", "stored", "uninstall"]

ZERO = Decimal(0)

# --- the figures as they should be ---------------------------------------------------------------------

_FORMATION = Q(assignment__modality=Modality.TRAINING)


def _total(expression):
    return Round(Coalesce(Sum(expression, output_field=HOURS), Value(ZERO)), 2, output_field=HOURS)


def recomputed():
    """{(lot id, month, job): {entries, hours, formation_hours, training_hours}}: the validated entries
    grouped by lot, month and job, by the ORM (the check of what the triggers and rebuild() write)."""
    worked = Case(When(_FORMATION, then=Value(ZERO)), default=F("hours"), output_field=HOURS)
    formation = Case(When(_FORMATION, then=F("hours")), default=Value(ZERO), output_field=HOURS)
    rows = (
        HoursEntry.objects.validated()
        .order_by()
        .values("assignment__lot", "month", "assignment__job")
        # names apart from the fields: F("hours") must read the field, not an annotation of that name
        .annotate(_n=Count("pk"), _w=_total(worked), _f=_total(formation), _t=_total(F("training_hours")))
    )
    return {
        (r["assignment__lot"], r["month"], r["assignment__job"]): dict(
            zip(COLUMNS, (r["_n"], r["_w"], r["_f"], r["_t"]), strict=True)
        )
        for r in rows
    }


def stored():
    """{(lot id, month, job): {entries, hours, formation_hours, training_hours}}: the summary as it is."""
    rows = LotMonthHours.objects.order_by().values("lot", "month", "job", *COLUMNS)
    return {(r.pop("lot"), r.pop("month"), r.pop("job")): r for r in rows}


def differences():
    """[(lot id, month, stored row or None, recomputed row or None)] where they differ, sorted; a row
    names its job ({"job": …, "entries": …, …})."""
    have, want = stored(), recomputed()
    keys = sorted(k for k in have.keys() | want.keys() if have.get(k) != want.get(k))

    def named(row, job):
        return None if row is None else {"job": job, **row}

    return [
        (lot, month, named(have.get((lot, month, job)), job), named(want.get((lot, month, job)), job))
        for lot, month, job in keys
    ]


# --- reads: the hour figures of lots, markets and buyers -----------------------------------------------

#: From an entry to a lot, market or buyer (hours.queries' paths), and from a summary row to the same.
PATHS = {
    "assignment__lot": "lot",
    "assignment__lot__market": "lot__market",
    "assignment__lot__market__buyer": "lot__market__buyer",
}


def _formation_and_training(prefix):
    return F(f"{prefix}formation_hours") + F(f"{prefix}training_hours")


def counted_hours(prefix="", training_counts="lot__clause__training_counts"):
    """Expression: the counted hours of summary rows (reached through `prefix`) — hours.queries'
    COUNTED_HOURS summed: the worked hours, and when the lot's clause (`training_counts`: its path)
    counts training, the hours of « Formation » assignments and the training hours."""
    counts = Q(**{training_counts: True})
    return F(f"{prefix}hours") + Case(
        When(counts, then=_formation_and_training(prefix)), default=Value(ZERO), output_field=HOURS
    )


def counted_training(prefix="", training_counts="lot__clause__training_counts"):
    """hours.queries.COUNTED_TRAINING summed: the training part of counted_hours."""
    counts = Q(**{training_counts: True})
    return Case(When(counts, then=_formation_and_training(prefix)), default=Value(ZERO), output_field=HOURS)


def uncounted_training(prefix="", training_counts="lot__clause__training_counts"):
    """hours.queries.UNCOUNTED_TRAINING summed: the training of clauses that do not count it."""
    counts = Q(**{training_counts: True})
    return Case(When(counts, then=Value(ZERO)), default=_formation_and_training(prefix), output_field=HOURS)


#: hours.queries' figures (FIGURES and TRAINING_SPLIT) that the summary gives, by their expression.
EXPRESSIONS = {
    "hours_done": counted_hours,
    "hours_done_to_date": counted_hours,
    "training_hours": lambda: F("training_hours"),
    "training_counted": counted_training,
    "training_not_counted": uncounted_training,
}


def in_months(rows, start=None, end=None, to_date=False):
    """Summary rows of the months hours.queries.counted_entries(start, end, to_date) takes."""
    if end is not None and (to_date or start is None):
        return rows.filter(month__lte=end)
    if start is not None:
        return rows.filter(month__gte=first_of_month(start), month__lte=end or datetime.date.max)
    return rows


def sum_by(path, figure, start=None, end=None):
    """A subquery: `figure` (an EXPRESSIONS key) of the summary rows whose `path` (from LotMonthHours:
    "lot", "lot__market"…) is the outer row, for the months hours.queries counts it over. One index
    range scan of the summary per outer row (never the entries): exact whatever the outer queryset
    joins or filters afterwards."""
    rows = in_months(
        LotMonthHours.objects.filter(**{path: OuterRef("pk")}),
        start,
        end,
        to_date=figure == "hours_done_to_date",
    )
    summed = rows.order_by().values(path).annotate(total=Sum(EXPRESSIONS[figure](), output_field=HOURS))
    return Coalesce(Subquery(summed.values("total"), output_field=HOURS), Value(ZERO), output_field=HOURS)


def builders(path, start=None, end=None):
    """{figure: () -> expression} for hours.queries._annotate, for an entry path in PATHS."""
    return {figure: partial(sum_by, PATHS[path], figure, start, end) for figure in EXPRESSIONS}


def lots_with_hours_to_date(lots, end):
    """The lots (a queryset) annotated with hours_required (their clause's, 0 without) and
    hours_done_to_date (counted hours of every month up to `end`), from the summary in ONE grouped
    join — no subquery per lot. The lots are taken by their ids (lots.values("pk")), so that what the
    given queryset joins cannot multiply the sums; their ordering is kept. Chain only what joins no
    multi-valued relation afterwards (select_related, only, order_by, filters on the lot and market)."""
    done = FilteredRelation("month_hours", condition=Q(month_hours__month__lte=end))
    annotated = (
        lots.model.objects.filter(pk__in=lots.values("pk"))
        .annotate(_done=done)
        .annotate(
            hours_required=Coalesce("clause__hours_required", Value(ZERO), output_field=HOURS),
            hours_done_to_date=Coalesce(
                Sum(counted_hours("_done__", "clause__training_counts"), output_field=HOURS),
                Value(ZERO),
                output_field=HOURS,
            ),
        )
    )
    if lots.query.order_by or not lots.query.default_ordering:
        annotated = annotated.order_by(*lots.query.order_by)
    else:  # the model's ordering, named: Django leaves a model's Meta.ordering out of a GROUP BY query
        annotated = annotated.order_by(*lots.model._meta.ordering)
    return annotated


def total_hours(lots_q=None, start=None, end=None, to_date=False):
    """Counted hours of the lots matching `lots_q` (a Q from LotMonthHours: "lot__market__buyer"…; all
    lots when None) in the months counted_entries(start, end, to_date) takes: one aggregate of the
    summary, the same figure as hours.queries.total_hours of those entries."""
    rows = in_months(LotMonthHours.objects.filter(lots_q or Q()), start, end, to_date)
    return rows.aggregate(total=Coalesce(Sum(counted_hours(), output_field=HOURS), Value(ZERO)))["total"]


def hours_by_month(lots_q=None, start=None, end=None):
    """{month: counted hours} of the lots matching `lots_q` (as total_hours), one GROUP BY of the
    summary: hours.queries.hours_by(entries, "month") of the same entries."""
    rows = in_months(LotMonthHours.objects.filter(lots_q or Q()), start, end).order_by().values("month")
    return {r["month"]: r["total"] for r in rows.annotate(total=Sum(counted_hours(), output_field=HOURS))}


def _to_date_by(lots, end, *fields):
    """{(field values…): counted hours of every month up to `end`} of the lots (ids or a queryset), one
    GROUP BY of their summary rows."""
    rows = in_months(LotMonthHours.objects.filter(lot__in=lots), end=end, to_date=True).order_by()
    summed = rows.values(*fields).annotate(total=Sum(counted_hours(), output_field=HOURS))
    return {tuple(r[f] for f in fields): r["total"] for r in summed}


def hours_to_date_by_lot(lots, end):
    """{lot id: counted hours of every month up to `end`} of the lots (ids or a queryset; a lot without
    validated hours is absent): the hours_done_to_date of lots_with_hours_to_date, read apart from the
    lots in one GROUP BY of the summary (for lots that several lists read)."""
    return {lot: total for (lot,), total in _to_date_by(lots, end, "lot").items()}


def hours_by_lot_and_job(lots, end):
    """{(lot id, job): counted hours} of the lots (ids or a queryset) in every month up to `end`, one
    GROUP BY of the summary: hours.queries.hours_by_fields(counted_entries(None, end) of those lots,
    "assignment__lot", "assignment__job"). A (lot, job) without validated entries is absent."""
    return _to_date_by(lots, end, "lot", "job")


def totals_by_lot(by_lot_and_job):
    """{lot id: hours} from hours_by_lot_and_job's {(lot id, job): hours}: each lot's jobs added up, the
    hours_to_date_by_lot of the same lots and month (one read for both figures)."""
    totals = {}
    for (lot, _job), hours in by_lot_and_job.items():
        totals[lot] = totals.get(lot, ZERO) + hours
    return totals


def total_of_months(by_month, start=None, end=None, to_date=False):
    """total_hours(…, start, end, to_date) from hours_by_month's {month: hours} of the same lots, read
    over months covering those counted_entries(start, end, to_date) takes (the caller's to ensure): the
    same figure, several periods from one read."""
    if end is not None and (to_date or start is None):
        first, last = datetime.date.min, end
    elif start is not None:
        first, last = first_of_month(start), end or datetime.date.max
    else:
        first, last = datetime.date.min, datetime.date.max
    return sum((hours for month, hours in by_month.items() if first <= month <= last), ZERO)


def validated_entries_by_lot(month):
    """{lot id: validated entries} of one month (the lots with none are absent), one GROUP BY of the
    summary's month."""
    rows = LotMonthHours.objects.filter(month=first_of_month(month)).order_by().values("lot")
    return {r["lot"]: r["n"] for r in rows.annotate(n=Sum("entries"))}
