"""The lot × month summary of validated hours gains the assignment's job (lot × month × job), so that the
dashboard's forecast reads the hours done by lot and job from it instead of the entries: the job in the
unique key, triggers that group by it and fire on a job changed, the summary rebuilt."""

from django.db import migrations, models


def install_and_fill(apps, schema_editor):
    """The triggers of the new grain (on SQLite installed after the last migration, as in 0004) and the
    summary recomputed from the entries at that grain."""
    from hours import summary_sql as summary

    if schema_editor.connection.vendor == "postgresql":
        summary.install(schema_editor.connection)
    summary.rebuild(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":  # its rows all new: statistics for the planner
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {summary.TABLE}")


def uninstall_and_empty(apps, schema_editor):
    """Back to 0007: the triggers out and the summary emptied (a lot-month's rows, one per job, would break
    the unique (lot, month) put back); the code of 0007 installs its triggers and rebuilds after migrate."""
    from hours import summary_sql as summary

    summary.uninstall(schema_editor.connection)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {summary.TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("hours", "0007_assignment_start_id_index"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="lotmonthhours", name="lot_month_hours_unique"),
        migrations.AddField(
            model_name="lotmonthhours",
            name="job",
            field=models.CharField(blank=True, default="", max_length=150, verbose_name="poste"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="lotmonthhours",
            constraint=models.UniqueConstraint(
                fields=("lot", "month", "job"), name="lot_month_job_hours_unique"
            ),
        ),
        migrations.AlterModelOptions(
            name="lotmonthhours",
            options={
                "verbose_name": "heures validées d'un lot, d'un mois et d'un poste",
                "verbose_name_plural": "heures validées par lot, par mois et par poste",
            },
        ),
        migrations.RunPython(install_and_fill, uninstall_and_empty, elidable=False),
    ]
