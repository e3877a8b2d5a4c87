"""LotMonthHours: the validated hours of each lot, month and job, kept exact by the database itself.

Triggers on the entries and assignments tables (migrations 0004 and 0008, one set per database vendor)
update it in the statement that writes the entries, whatever the write path: forms, the grid's bulk
saves, the import, the admin, validation, queryset.update()/delete(), an assignment moved to another
lot, modality or job. hours.summary_sql.rebuild() recomputes it from the entries (tests, `rebuild_summaries`).
"""

from decimal import Decimal

from django.db import models
from django.db.models.signals import post_migrate, pre_migrate

from hours import summary_sql
from markets.models import Lot

ZERO = Decimal(0)


class LotMonthHours(models.Model):
    """The validated entries of one lot and one month whose assignments hold one job (Assignment.job, as
    spelt, "" for none), summed. A row exists while the lot has at least one validated entry that month
    for that job (entries > 0). A lot-month has one row per job: a figure of a lot or a month sums its
    rows (the reads of hours.summary do), never takes one row for the lot-month. The columns keep apart
    what the clause decides at read time (Clause.training_counts), so that changing a clause changes
    nothing here:

    - hours: worked hours of the assignments other than « Formation »;
    - formation_hours: worked hours of the « Formation » assignments (Modality.TRAINING);
    - training_hours: training hours (HoursEntry.training_hours), every modality.

    Counted hours (hours.queries.COUNTED_HOURS) = hours, + formation_hours + training_hours when the
    lot's clause counts training (hours.summary.counted_hours()).
    """

    lot = models.ForeignKey(
        Lot,
        on_delete=models.CASCADE,
        related_name="month_hours",
        verbose_name="lot",
        db_index=False,  # the unique (lot, month, job) index serves
    )
    month = models.DateField("mois")
    job = models.CharField("poste", max_length=150, blank=True)  # Assignment.job
    # not Positive: PostgreSQL checks a CHECK constraint on the row an upsert proposes (a negative delta)
    entries = models.IntegerField("saisies validées")
    hours = models.DecimalField("heures travaillées (hors formation)", max_digits=14, decimal_places=2)
    formation_hours = models.DecimalField(
        "heures travaillées des mises à l'emploi « Formation »", max_digits=14, decimal_places=2
    )
    training_hours = models.DecimalField("heures de formation", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "heures validées d'un lot, d'un mois et d'un poste"
        verbose_name_plural = "heures validées par lot, par mois et par poste"
        constraints = [
            models.UniqueConstraint(fields=["lot", "month", "job"], name="lot_month_job_hours_unique"),
        ]

    def __str__(self):
        return f"{self.lot_id} — {self.month:%m/%Y} — {self.job or 'sans poste'} : {self.hours} h"


pre_migrate.connect(summary_sql.drop_before_migrate, dispatch_uid="hours.lot_month_hours.drop")
post_migrate.connect(summary_sql.install_after_migrate, dispatch_uid="hours.lot_month_hours.install")
