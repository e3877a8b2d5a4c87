"""The lot × month summary of validated hours (hours.models_summary.LotMonthHours): its check and the
reads that sum it.

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
    """{(lot id, month): {entries, hours, formation_hours, training_hours}}: the validated entries grouped
    by lot and month, by the ORM (the check of what the triggers and rebuild() write)."""
    worked = Case(When(_FORMATION, then=Value(ZERO)), default=F("hours"), output_field=HOURS)
    formation = Case(When(_FORMATION, then=F("hours")), default=Value(ZERO), output_field=HOURS)
    rows = (
        HoursEntry.objects.validated()
        .order_by()
        .values("assignment__lot", "month")
        # names apart from the fields: F("hours") must read the field, not an annotation of that name
        .annotate(_n=Count("pk"), _w=_total(worked), _f=_total(formation), _t=_total(F("training_hours")))
    )
    return {
        (r["assignment__lot"], r["month"]): dict(
            zip(COLUMNS, (r["_n"], r["_w"], r["_f"], r["_t"]), strict=True)
        )
        for r in rows
    }


def stored():
    """{(lot id, month): {entries, hours, formation_hours, training_hours}}: the summary as it is."""
    rows = LotMonthHours.objects.order_by().values("lot", "month", *COLUMNS)
    return {(r.pop("lot"), r.pop("month")): r for r in rows}


def differences():
    """[(lot id, month, stored row or None, recomputed row or None)] where they differ, sorted."""
    have, want = stored(), recomputed()
    keys = sorted(k for k in have.keys() | want.keys() if have.get(k) != want.get(k))
    return [(lot, month, have.get((lot, month)), want.get((lot, month))) for lot, month in keys]


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
    if lots.query.order_by or not lots.query.default_ordering:  # else the model's ordering, as given
        annotated = annotated.order_by(*lots.query.order_by)
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
