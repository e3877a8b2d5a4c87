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

from decimal import Decimal

from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Round

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
