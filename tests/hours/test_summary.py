"""hours.summary: the lot × month × job summary of validated hours (LotMonthHours) always equals the
GROUP BY of the entries recomputed, whatever wrote them: the grid, the entry form, the import, validation
and re-opening, queryset.update()/delete(), an entry's month or assignment changed, an assignment moved
to another lot, modality or job, a rolled-back transaction. Exact decimals; SQLite and PostgreSQL
(./test runs both; scripts/with-postgres for one file). Every check compares the summary with the
entries by lot, month AND job (summary.differences()), and the data sets hold two jobs on a lot."""

import datetime
import threading
import time
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F, Q

from hours import grid, queries, summary, summary_sql
from hours.forms import EntryForm
from hours.models import Assignment, HoursEntry, LotMonthHours, Modality
from hours.suivi import run_import
from markets.models import Buyer, Lot, Market
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.hours.suivi import as_file, line, workbook
from tests.markets.factories import AwardFactory, ClauseFactory

MARCH, APRIL, MAY = datetime.date(2025, 3, 1), datetime.date(2025, 4, 1), datetime.date(2025, 5, 1)
WHEN = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


def by_job():
    """{(lot id, month, job): (entries, hours, formation_hours, training_hours)} as stored — after checking
    that it equals the recomputed GROUP BY of the entries by lot, month and job."""
    assert summary.differences() == []
    return {
        (r.lot_id, r.month, r.job): (r.entries, r.hours, r.formation_hours, r.training_hours)
        for r in LotMonthHours.objects.all()
    }


def table():
    """{(lot id, month): (entries, hours, formation_hours, training_hours)}: by_job() (checked), the
    rows of a lot-month's jobs added up."""
    lot_months = {}
    for (lot, month, _job), values in by_job().items():
        before = lot_months.get((lot, month), (0, D(0), D(0), D(0)))
        lot_months[lot, month] = tuple(a + b for a, b in zip(before, values, strict=True))
    return lot_months


@pytest.fixture
def data():
    """Two lots (the second's clause counts training); on lot 1 a direct hire (« Maçon ») and a
    « Formation » assignment (« Coffreur »: two jobs on the lot); on lot 2 a direct hire (« Maçon »).
    Contracts cover January–December 2025."""
    one = ClauseFactory().lot
    two = ClauseFactory(training_counts=True).lot
    return {
        "one": one,
        "two": two,
        "hire": AssignmentFactory(lot=one),
        "formation": AssignmentFactory(lot=one, modality=Modality.TRAINING, job="Coffreur"),
        "other": AssignmentFactory(lot=two),
        "manager": UserFactory(manager=True),
    }


def test_factory_entries_and_drafts(data):
    hire, formation = data["hire"], data["formation"]
    HoursEntryFactory(assignment=hire, month=MARCH, hours=D("10.10"), training_hours=D("0.20"))
    HoursEntryFactory(assignment=formation, month=MARCH, hours=D("5.05"))
    HoursEntryFactory(assignment=formation, month=APRIL, hours=D("1.00"), draft=True)
    HoursEntryFactory(assignment=hire, month=APRIL, hours=D(0))  # validated, no hours: a row all the same
    assert table() == {
        (data["one"].pk, MARCH): (2, D("10.10"), D("5.05"), D("0.20")),
        (data["one"].pk, APRIL): (1, D("0.00"), D("0.00"), D("0.00")),
    }


def test_grid_save_validate_reopen_clear(data):
    hire, formation, manager = data["hire"], data["formation"], data["manager"]
    assignments = Assignment.objects.filter(pk__in=[hire.pk, formation.pk]).order_by("pk")
    rows, _ = grid.build_rows(MAY, assignments, lock=True)
    values = {hire.pk: (D("151.67"), D("7.50")), formation.pk: (D("35.25"), None)}
    result = grid.save_rows(MAY, rows, values, manager)
    assert result.created == 2
    assert table() == {}  # drafts count for nothing

    grid.validate_entries([r.entry for r in rows], manager)  # bulk_update of the status
    assert table() == {(data["one"].pk, MAY): (2, D("151.67"), D("35.25"), D("7.50"))}
    assert by_job() == {
        (data["one"].pk, MAY, "Maçon"): (1, D("151.67"), D("0.00"), D("7.50")),
        (data["one"].pk, MAY, "Coffreur"): (1, D("0.00"), D("35.25"), D("0.00")),
    }

    grid.reopen_entry(HoursEntry.objects.get(assignment=formation), manager, "erreur")
    assert table() == {(data["one"].pk, MAY): (1, D("151.67"), D("0.00"), D("7.50"))}

    rows, _ = grid.build_rows(MAY, assignments, lock=True)  # the re-opened draft changed, then cleared
    grid.save_rows(MAY, rows, {formation.pk: (D(12), None)}, manager)
    grid.validate_entries([rows[1].entry], manager)
    assert table() == {(data["one"].pk, MAY): (2, D("151.67"), D("12.00"), D("7.50"))}
    grid.reopen_entry(HoursEntry.objects.get(assignment=formation), manager, "erreur")
    rows, _ = grid.build_rows(MAY, assignments, lock=True)
    assert grid.save_rows(MAY, rows, {formation.pk: (None, None)}, manager).deleted == 1
    assert table() == {(data["one"].pk, MAY): (1, D("151.67"), D("0.00"), D("7.50"))}

    grid.delete_with_history([HoursEntry.objects.get(assignment=hire)])
    assert table() == {}


def test_entry_form_then_validation(data):
    form = EntryForm(
        data={"assignment": data["other"].pk, "month": "2025-04", "hours": "80,5", "training_hours": "3,25"}
    )
    assert form.is_valid(), form.errors
    entry = form.save()
    assert table() == {}
    entry.validate(data["manager"])
    entry.save()
    assert table() == {(data["two"].pk, APRIL): (1, D("80.50"), D("0.00"), D("3.25"))}

    entry.reopen()
    entry.save()
    form = EntryForm(instance=entry, data={"month": "2025-05", "hours": "70", "training_hours": ""})
    assert form.is_valid(), form.errors
    entry = form.save()
    entry.validate(data["manager"])
    entry.save()
    assert table() == {(data["two"].pk, MAY): (1, D("70.00"), D("0.00"), D("0.00"))}


def test_import_creates_updates_and_changes_the_modality():
    first = workbook(
        [line(month="03/2025", hours=151.67, training_hours=14), line(month="04/2025", hours=20)]
    )
    report = run_import(as_file(first), file_name="suivi.xlsx")  # user None: the system, validates
    assert not report.errors, report.errors
    lot = Assignment.objects.get().lot_id
    assert table() == {
        (lot, MARCH): (1, D("151.67"), D("0.00"), D("14.00")),
        (lot, APRIL): (1, D("20.00"), D("0.00"), D("14.00")),
    }
    # Hours replaced (bulk_update of the entries), then the contract becomes « Formation » (bulk_update
    # of the assignment): its hours move to the formation column.
    second = workbook([line(month="03/2025", hours=100, training_hours=0), line(month="04/2025", hours=20)])
    assert not run_import(as_file(second), file_name="suivi.xlsx").errors
    assert table()[(lot, MARCH)] == (1, D("100.00"), D("0.00"), D("0.00"))
    third = workbook(
        [line(month=m, modality="Formation", hours=20, training_hours=0) for m in ("03/2025", "04/2025")]
    )
    assert not run_import(as_file(third), file_name="suivi.xlsx").errors
    assert Assignment.objects.get().modality == Modality.TRAINING
    assert table() == {
        (lot, MARCH): (1, D("0.00"), D("20.00"), D("0.00")),
        (lot, APRIL): (1, D("0.00"), D("20.00"), D("0.00")),
    }
    # The job changed by the spreadsheet (bulk_update of the assignment): its rows move to the new job.
    fourth = workbook(
        [
            line(month=m, modality="Formation", job="Coffreur", hours=20, training_hours=0)
            for m in ("03/2025", "04/2025")
        ]
    )
    assert not run_import(as_file(fourth), file_name="suivi.xlsx").errors
    assert Assignment.objects.get().job == "Coffreur"
    assert by_job() == {
        (lot, MARCH, "Coffreur"): (1, D("0.00"), D("20.00"), D("0.00")),
        (lot, APRIL, "Coffreur"): (1, D("0.00"), D("20.00"), D("0.00")),
    }


def test_queryset_update_and_delete(data):
    one, two = data["one"].pk, data["two"].pk
    HoursEntryFactory(assignment=data["hire"], month=MARCH, hours=D("10.01"))
    HoursEntryFactory(assignment=data["hire"], month=APRIL, hours=D("20.02"), draft=True)
    HoursEntryFactory(assignment=data["other"], month=APRIL, hours=D("30.03"), training_hours=D("1.11"))
    HoursEntry.objects.update(hours=F("hours") + D("0.01"))
    assert table() == {
        (one, MARCH): (1, D("10.02"), D("0.00"), D("0.00")),
        (two, APRIL): (1, D("30.04"), D("0.00"), D("1.11")),
    }
    HoursEntry.objects.drafts().update(status=HoursEntry.Status.VALIDATED, validated_at=WHEN)
    assert table()[(one, APRIL)] == (1, D("20.03"), D("0.00"), D("0.00"))
    HoursEntry.objects.filter(month=APRIL).update(status=HoursEntry.Status.DRAFT, validated_at=None)
    assert table() == {(one, MARCH): (1, D("10.02"), D("0.00"), D("0.00"))}
    HoursEntry.objects.filter(status=HoursEntry.Status.VALIDATED).delete()
    assert table() == {}
    HoursEntry.objects.update(status=HoursEntry.Status.VALIDATED, validated_at=WHEN)
    assert len(table()) == 2
    HoursEntry.objects.all().delete()
    assert table() == {}


def test_entry_month_and_assignment_changed(data):
    one, two = data["one"].pk, data["two"].pk
    entry = HoursEntryFactory(
        assignment=data["hire"], month=MARCH, hours=D("12.34"), training_hours=D("1.00")
    )
    HoursEntryFactory(assignment=data["formation"], month=APRIL, hours=D("5.00"))
    entry.month = APRIL
    entry.save()
    assert table() == {(one, APRIL): (2, D("12.34"), D("5.00"), D("1.00"))}
    entry.assignment = data["other"]
    entry.save()
    assert table() == {
        (one, APRIL): (1, D("0.00"), D("5.00"), D("0.00")),
        (two, APRIL): (1, D("12.34"), D("0.00"), D("1.00")),
    }
    HoursEntry.objects.filter(pk=entry.pk).update(assignment=data["formation"], month=MARCH)
    assert table() == {
        (one, MARCH): (1, D("0.00"), D("12.34"), D("1.00")),
        (one, APRIL): (1, D("0.00"), D("5.00"), D("0.00")),
    }


def test_assignment_moved_to_another_lot_or_modality(data):
    one, two = data["one"].pk, data["two"].pk
    hire = data["hire"]
    HoursEntryFactory(assignment=hire, month=MARCH, hours=D("40.00"), training_hours=D("2.50"))
    HoursEntryFactory(assignment=hire, month=APRIL, hours=D("41.00"))
    HoursEntryFactory(assignment=hire, month=MAY, hours=D("42.00"), draft=True)
    HoursEntryFactory(assignment=data["other"], month=MARCH, hours=D("1.00"))
    hire.lot = data["two"]
    hire.save()  # the form's and the admin's way
    assert table() == {
        (two, MARCH): (2, D("41.00"), D("0.00"), D("2.50")),
        (two, APRIL): (1, D("41.00"), D("0.00"), D("0.00")),
    }
    Assignment.objects.filter(pk=hire.pk).update(modality=Modality.TRAINING)
    assert table() == {
        (two, MARCH): (2, D("1.00"), D("40.00"), D("2.50")),
        (two, APRIL): (1, D("0.00"), D("41.00"), D("0.00")),
    }
    Assignment.objects.filter(pk=hire.pk).update(lot=data["one"], modality=Modality.ETTI)
    assert table() == {
        (one, MARCH): (1, D("40.00"), D("0.00"), D("2.50")),
        (one, APRIL): (1, D("41.00"), D("0.00"), D("0.00")),
        (two, MARCH): (1, D("1.00"), D("0.00"), D("0.00")),
    }
    Assignment.objects.filter(pk=hire.pk).update(job="Peintre")  # the same lot-months, another job
    assert len(table()) == 3


def test_assignment_job_changed(data):
    """A job changed (save(), update(), bulk_update(), with the lot at once, several assignments in one
    statement, to and from no job): the assignment's validated entries leave the old job's rows (emptied
    rows deleted) and join the new one's, merged with another assignment's of that job."""
    one, two = data["one"].pk, data["two"].pk
    hire, formation = data["hire"], data["formation"]
    HoursEntryFactory(assignment=hire, month=MARCH, hours=D("40.00"), training_hours=D("2.50"))
    HoursEntryFactory(assignment=hire, month=APRIL, hours=D("41.00"))
    HoursEntryFactory(assignment=hire, month=MAY, hours=D("42.00"), draft=True)
    HoursEntryFactory(assignment=formation, month=MARCH, hours=D("5.00"))
    hire.job = "Peintre"
    hire.save()
    assert by_job() == {
        (one, MARCH, "Peintre"): (1, D("40.00"), D("0.00"), D("2.50")),
        (one, APRIL, "Peintre"): (1, D("41.00"), D("0.00"), D("0.00")),
        (one, MARCH, "Coffreur"): (1, D("0.00"), D("5.00"), D("0.00")),
    }
    Assignment.objects.filter(pk=hire.pk).update(job="Coffreur")  # into the other assignment's rows
    assert by_job() == {
        (one, MARCH, "Coffreur"): (2, D("40.00"), D("5.00"), D("2.50")),
        (one, APRIL, "Coffreur"): (1, D("41.00"), D("0.00"), D("0.00")),
    }
    hire.job = ""
    Assignment.objects.bulk_update([hire], ["job"])
    assert by_job() == {
        (one, MARCH, ""): (1, D("40.00"), D("0.00"), D("2.50")),
        (one, APRIL, ""): (1, D("41.00"), D("0.00"), D("0.00")),
        (one, MARCH, "Coffreur"): (1, D("0.00"), D("5.00"), D("0.00")),
    }
    Assignment.objects.filter(pk=hire.pk).update(job="Maçon", lot=data["two"])
    assert by_job() == {
        (two, MARCH, "Maçon"): (1, D("40.00"), D("0.00"), D("2.50")),
        (two, APRIL, "Maçon"): (1, D("41.00"), D("0.00"), D("0.00")),
        (one, MARCH, "Coffreur"): (1, D("0.00"), D("5.00"), D("0.00")),
    }
    Assignment.objects.filter(pk__in=[hire.pk, formation.pk]).update(job="Plaquiste")  # two at once
    assert by_job() == {
        (two, MARCH, "Plaquiste"): (1, D("40.00"), D("0.00"), D("2.50")),
        (two, APRIL, "Plaquiste"): (1, D("41.00"), D("0.00"), D("0.00")),
        (one, MARCH, "Plaquiste"): (1, D("0.00"), D("5.00"), D("0.00")),
    }
    Assignment.objects.filter(pk=hire.pk).update(notes="rien")  # neither lot, modality nor job: nothing
    assert len(by_job()) == 3


def test_rolled_back_with_the_entries(data):
    HoursEntryFactory(assignment=data["hire"], month=MARCH, hours=D("10.00"))
    before = table()
    with pytest.raises(RuntimeError), transaction.atomic():
        HoursEntryFactory(assignment=data["hire"], month=APRIL, hours=D("11.00"))
        HoursEntry.objects.filter(month=MARCH).update(hours=D(1))
        raise RuntimeError
    assert table() == before


def test_many_cells_in_one_statement_sum_exactly(data):
    """One bulk insert of a hundred cents-precise entries: the sum to the cent (SQLite keeps floats)."""
    people = [AssignmentFactory(lot=data["one"]) for _ in range(100)]
    HoursEntry.objects.bulk_create(
        HoursEntry(
            assignment=a,
            month=MARCH,
            hours=D("0.10"),
            training_hours=D("0.01"),
            status="validee",
            validated_at=WHEN,
        )
        for a in people
    )
    assert table() == {(data["one"].pk, MARCH): (100, D("10.00"), D("0.00"), D("1.00"))}
    HoursEntry.objects.filter(assignment__in=people[:99]).delete()
    assert table() == {(data["one"].pk, MARCH): (1, D("0.10"), D("0.00"), D("0.01"))}


def test_rebuild_and_the_command(data):
    HoursEntryFactory(assignment=data["hire"], month=MARCH, hours=D("10.00"))
    HoursEntryFactory(assignment=data["other"], month=APRIL, hours=D("7.77"), training_hours=D("1.23"))
    expected = table()
    LotMonthHours.objects.filter(lot=data["one"]).update(hours=D(99))  # a summary gone wrong
    LotMonthHours.objects.filter(lot=data["two"]).delete()
    assert len(summary.differences()) == 2
    with pytest.raises(CommandError, match="diffère des heures saisies sur 2 ligne"):
        call_command("rebuild_summaries", "--check")
    call_command("rebuild_summaries")
    assert table() == expected
    call_command("rebuild_summaries", "--check")
    assert summary.rebuild() == 2


def test_triggers_put_back_after_migrate(data):
    """A trigger lost (SQLite drops them when a migration remakes a table): the next migrate puts them
    back and rebuilds what was written meanwhile."""
    summary.uninstall(connection)
    assert not summary.installed()
    HoursEntryFactory(assignment=data["hire"], month=MARCH, hours=D("10.00"))
    assert LotMonthHours.objects.count() == 0
    summary_sql.install_after_migrate(app_config=apps.get_app_config("hours"), using=connection.alias)
    assert summary.installed()
    assert table() == {(data["one"].pk, MARCH): (1, D("10.00"), D("0.00"), D("0.00"))}


def test_the_sql_names_what_the_models_name():
    assert LotMonthHours._meta.db_table == summary_sql.TABLE
    assert HoursEntry._meta.db_table == summary_sql.ENTRIES
    assert Assignment._meta.db_table == summary_sql.ASSIGNMENTS
    assert summary_sql.VALIDATED == HoursEntry.Status.VALIDATED
    assert summary_sql.FORMATION == Modality.TRAINING
    assert (
        tuple(f.name for f in LotMonthHours._meta.fields if f.name not in ("id", "lot", "month", "job"))
        == summary_sql.COLUMNS
    )


# --- reads: the same figures as hours.queries from the entries -----------------------------------------


@pytest.fixture
def worked(data):
    """Lot 1 (training not counted): a direct hire (« Maçon ») 100 h + 10 h of training in March, 50 h
    in May; a « Formation » assignment (« Coffreur ») 30 h in April. Lot 2 (training counted): a
    « Maçon » 20 h + 5 h of training in April, a « Formation » « Coffreur » 7 h in April; a draft 700 h.
    Lot 3: no clause, a « Maçon » 8 h in March."""
    HoursEntryFactory(assignment=data["hire"], month=MARCH, hours=D(100), training_hours=D(10))
    HoursEntryFactory(assignment=data["hire"], month=MAY, hours=D(50))
    HoursEntryFactory(assignment=data["formation"], month=APRIL, hours=D(30))
    HoursEntryFactory(assignment=data["other"], month=APRIL, hours=D(20), training_hours=D(5))
    HoursEntryFactory(assignment=data["other"], month=MAY, hours=D(700), draft=True)
    trainee = AssignmentFactory(lot=data["two"], modality=Modality.TRAINING, job="Coffreur")
    HoursEntryFactory(assignment=trainee, month=APRIL, hours=D(7))
    HoursEntryFactory(assignment=AssignmentFactory(), month=MARCH, hours=D(8))
    return data


def test_lots_with_hours_to_date_as_from_the_entries(worked):
    one, two = worked["one"], worked["two"]
    lots = Lot.objects.filter(pk__in=[one.pk, two.pk]).order_by("-pk")
    got = [
        (lot.pk, lot.hours_required, lot.hours_done_to_date)
        for lot in summary.lots_with_hours_to_date(lots, APRIL)
    ]
    # lot 1: 100 (training and « Formation » not counted); lot 2: 20 + 5 + 7
    assert got == [(two.pk, D("833.33"), D("32.00")), (one.pk, D("833.33"), D("100.00"))]
    from_entries = lots.annotate(
        hours_required=F("clause__hours_required"),
        hours_done_to_date=queries._sum_by("assignment__lot", None, APRIL, to_date=True),
    )
    assert got == [(lot.pk, lot.hours_required, lot.hours_done_to_date) for lot in from_entries]
    # the lots' ids only: a join of the given queryset does not multiply the sums
    AwardFactory(lot=one), AwardFactory(lot=one)
    joined = Lot.objects.filter(pk=one.pk, awards__isnull=False)
    assert [lot.hours_done_to_date for lot in summary.lots_with_hours_to_date(joined, APRIL)] == [D("100.00")]


@pytest.mark.parametrize(
    "path,model",
    [
        ("assignment__lot", Lot),
        ("assignment__lot__market", Market),
        ("assignment__lot__market__buyer", Buyer),
    ],
)
@pytest.mark.parametrize("start,end", [(None, None), (APRIL, MAY), (MARCH, APRIL), (None, APRIL)])
def test_figures_as_from_the_entries(worked, path, model, start, end):
    figures = (
        "hours_done",
        "hours_done_to_date",
        "training_hours",
        "training_counted",
        "training_not_counted",
    )
    from_summary = {name: make() for name, make in summary.builders(path, start, end).items()}
    from_entries = {  # hours.queries' subqueries over the entries, as before the summary
        "hours_done": queries._sum_by(path, start, end),
        "hours_done_to_date": queries._sum_by(path, start, end, to_date=True),
        "training_hours": queries._sum_by(path, start, end, expression=F("training_hours")),
        "training_counted": queries._sum_by(path, start, end, expression=queries.COUNTED_TRAINING),
        "training_not_counted": queries._sum_by(path, start, end, expression=queries.UNCOUNTED_TRAINING),
    }
    got = {row.pk: tuple(getattr(row, f) for f in figures) for row in model.objects.annotate(**from_summary)}
    want = {row.pk: tuple(getattr(row, f) for f in figures) for row in model.objects.annotate(**from_entries)}
    assert got == want
    # and hours.queries reads them so (lots_with_hours, markets_with_hours, buyers_with_hours)
    annotated = queries._annotate(model.objects.all(), path, start, end, figures)
    assert {row.pk: tuple(getattr(row, f) for f in figures) for row in annotated} == want
    assert sum(g[0] for g in got.values()) == queries.total_hours(queries.counted_entries(start, end))


def test_hours_by_lot_and_job_as_from_the_entries(worked):
    """The forecast's weights: counted hours by lot and job up to a month, those of the entries."""
    one, two = worked["one"].pk, worked["two"].pk
    three = HoursEntry.objects.get(hours=8).assignment.lot_id
    got = summary.hours_by_lot_and_job([one, two, three], APRIL)
    # lot 1: the mason's 100 h of March (training and « Formation » not counted, May after APRIL), the
    # coffreur's 0; lot 2 (training counted): the mason's 20 + 5, the coffreur's 7 of « Formation »;
    # lot 3 (no clause): 8
    assert got == {
        (one, "Maçon"): D(100),
        (one, "Coffreur"): D(0),
        (two, "Maçon"): D(25),
        (two, "Coffreur"): D(7),
        (three, "Maçon"): D(8),
    }
    entries = queries.counted_entries(None, APRIL).filter(assignment__lot__in=[one, two, three])
    assert got == queries.hours_by_fields(entries, "assignment__lot", "assignment__job")
    assert summary.hours_by_lot_and_job([one], MAY) == {(one, "Maçon"): D(150), (one, "Coffreur"): D(0)}
    assert summary.hours_by_lot_and_job([two], datetime.date(2025, 3, 31)) == {}
    assert summary.hours_by_lot_and_job([], MAY) == {}


def test_hours_to_date_by_lot_as_lots_with_hours_to_date(worked):
    """The lots' hours to date read apart from the lots, and added up from their jobs: the figure
    lots_with_hours_to_date annotates (0 for a lot absent)."""
    lots = Lot.objects.all()
    want = {lot.pk: lot.hours_done_to_date for lot in summary.lots_with_hours_to_date(lots, APRIL)}
    assert sorted(v for v in want.values() if v) == [D(8), D(32), D(100)]
    for read in (
        summary.hours_to_date_by_lot(lots, APRIL),
        summary.totals_by_lot(summary.hours_by_lot_and_job(lots, APRIL)),
        queries.hours_to_date_by_lot_and_job(lots, APRIL)[0],
    ):
        assert {pk: read.get(pk, D(0)) for pk in want} == want


@pytest.mark.parametrize(
    "start,end,to_date",
    [
        (MARCH, APRIL, False),
        (datetime.date(2025, 4, 20), datetime.date(2025, 5, 3), False),
        (None, APRIL, True),
        (APRIL, MAY, True),
        (None, None, False),
    ],
)
def test_total_of_months_as_total_hours(worked, start, end, to_date):
    """Several periods' totals from one read of the hours by month covering them: total_hours's."""
    by_month = summary.hours_by_month(None, MARCH, MAY)
    assert by_month == {MARCH: D(108), APRIL: D(32), MAY: D(50)}
    assert summary.total_of_months(by_month, start, end, to_date) == summary.total_hours(
        None, start, end, to_date
    )


def test_validated_entries_by_lot_add_up_the_jobs(worked):
    """The grid's landing page: validated entries of a month by lot, every job of the lot added up."""
    one, two = worked["one"].pk, worked["two"].pk
    assert summary.validated_entries_by_lot(APRIL) == {one: 1, two: 2}  # lot 2: a mason and a coffreur
    assert summary.validated_entries_by_lot(datetime.date(2025, 5, 20)) == {one: 1}  # the draft not counted
    assert summary.validated_entries_by_lot(datetime.date(2025, 1, 1)) == {}


def test_total_and_by_month_as_from_the_entries(worked):
    one = Q(lot=worked["one"])
    assert summary.total_hours() == D(100 + 50 + 32 + 8)
    assert summary.total_hours(one, MARCH, APRIL) == D(100)
    assert summary.total_hours(None, None, APRIL, to_date=True) == D(100 + 32 + 8)
    assert summary.hours_by_month(None, MARCH, MAY) == {MARCH: D(108), APRIL: D(32), MAY: D(50)}
    entries = queries.counted_entries(MARCH, MAY)
    assert summary.hours_by_month(None, MARCH, MAY) == queries.hours_by(entries, "month")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_lot_month():
    """Two transactions at once on one lot-month that has no row yet (both insert it: the second waits
    for the first and adds to it), then both take their entry away at once (the row is left empty by
    the second and deleted): the summary stays exact."""
    first = AssignmentFactory()
    second = AssignmentFactory(lot=first.lot)
    barrier = threading.Barrier(2)
    errors = []

    def write(assignment, action):
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                if action == "insert":
                    HoursEntryFactory(assignment=assignment, month=MARCH, hours=D("10.01"))
                else:
                    HoursEntry.objects.filter(assignment=assignment).delete()
                time.sleep(0.2)  # both statements ran before either commits
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    for action in ("insert", "delete"):
        threads = [threading.Thread(target=write, args=(a, action)) for a in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        expected = (
            {(first.lot_id, MARCH): (2, D("20.02"), D("0.00"), D("0.00"))} if action == "insert" else {}
        )
        assert table() == expected


def test_lots_with_hours_to_date_keeps_the_order_given(worked):
    one, two = worked["one"], worked["two"]
    lots = Lot.objects.filter(pk__in=[one.pk, two.pk])
    given = [lot.pk for lot in lots]  # the model's ordering
    assert [lot.pk for lot in summary.lots_with_hours_to_date(lots, APRIL)] == given
    assert [lot.pk for lot in summary.lots_with_hours_to_date(lots.order_by("-pk"), APRIL)] == [
        two.pk,
        one.pk,
    ]
    assert [lot.pk for lot in summary.lots_with_hours_to_date(lots.order_by("pk"), APRIL)] == [one.pk, two.pk]
