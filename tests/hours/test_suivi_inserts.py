"""hours/suivi/inserts.py writes what bulk_create and simple-history's bulk_create_with_history write,
column for column, history included (on SQLite and on PostgreSQL: scripts/with-postgres, where the rows
go by COPY)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from companies.models import Company
from hours.models import Assignment, HoursEntry
from hours.suivi.inserts import Same, insert, insert_columns_with_history, insert_with_history
from participants.models import Participant
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 12, 17, 30, 12, 345678, tzinfo=datetime.UTC)


def entries(assignment, user):
    stamp = {"status": HoursEntry.Status.VALIDATED, "validated_by": user, "validated_at": NOW}
    return [
        HoursEntry(
            assignment=assignment,
            month=datetime.date(2025, month, 1),
            hours=Decimal("151.67") if month % 2 else Decimal("7"),
            training_hours=Decimal("0.50") * month,
            source=HoursEntry.Source.IMPORT,
            source_file="suivi.xlsx",
            entered_by=user,
            **stamp,
        )
        for month in range(1, 13)
    ]


def without(rows, *names):
    return [{k: v for k, v in row.items() if k not in names} for row in rows]


def test_entries_and_their_history_are_written_as_bulk_create_writes_them():
    user = UserFactory(username="nadia")
    ours, django = AssignmentFactory(), AssignmentFactory()
    history = {
        "default_user": user,
        "default_change_reason": "Import du tableau de suivi x.xlsx",
        "default_date": NOW,
    }
    written = insert_with_history(entries(ours, user), HoursEntry, batch_size=5, **history)
    bulk_create_with_history(entries(django, user), HoursEntry, batch_size=5, **history)
    assert [e.pk for e in written] == list(
        HoursEntry.objects.filter(assignment=ours).order_by("pk").values_list("pk", flat=True)
    )
    assert all(not e._state.adding for e in written)
    volatile = ("id", "assignment_id", "created_at", "updated_at")
    mine = list(HoursEntry.objects.filter(assignment=ours).order_by("month").values())
    theirs = list(HoursEntry.objects.filter(assignment=django).order_by("month").values())
    assert without(mine, *volatile) == without(theirs, *volatile)
    assert mine[0]["hours"] == Decimal("151.67") and mine[0]["validated_at"] == NOW
    volatile += ("history_id",)
    mine = list(HoursEntry.history.filter(assignment_id=ours.pk).order_by("month").values())
    theirs = list(HoursEntry.history.filter(assignment_id=django.pk).order_by("month").values())
    assert len(mine) == 12 and without(mine, *volatile) == without(theirs, *volatile)
    assert mine[0]["history_type"] == "+" and mine[0]["history_user_id"] == user.pk
    assert {row["id"] for row in mine} == {e.pk for e in written}


def test_a_new_record_saved_first_gives_its_key_to_those_that_point_to_it():
    """An entry built with an unsaved assignment gets its assignment_id once the assignment is inserted,
    as bulk_create does."""
    model = AssignmentFactory()
    person = Participant.objects.get(pk=model.participant_id)
    assignment = Assignment(
        participant=person,
        lot=model.lot,
        company=model.company,
        employer=model.company,
        modality=model.modality,
        contract_type=model.contract_type,
        starts_on=model.starts_on + datetime.timedelta(days=1),
    )
    entry = HoursEntry(assignment=assignment, month=assignment.starts_on.replace(day=1), hours=Decimal("20"))
    insert_with_history([assignment], Assignment, default_date=timezone.now())
    insert(HoursEntry, [entry])
    assert HoursEntry.objects.get(pk=entry.pk).assignment_id == assignment.pk
    assert Assignment.history.filter(id=assignment.pk, history_type="+").count() == 1


def test_an_instance_pointing_to_an_unsaved_one_is_refused():
    assignment = Assignment()
    with pytest.raises(ValueError, match="is not saved"):
        insert(HoursEntry, [HoursEntry(assignment=assignment, month=datetime.date(2025, 1, 1), hours=1)])


def test_an_entry_the_file_changes_keeps_a_whole_history_row():
    """The plan reads the entries as values; the entries it changes are fetched whole before the update,
    so that their « ~ » history row holds every field, as the first one."""
    import io

    from hours.suivi import run_import
    from tests.hours.suivi import line, workbook

    assert run_import(io.BytesIO(workbook([line()])), file_name="mars.xlsx").imported
    report = run_import(io.BytesIO(workbook([line(hours=100)])), file_name="mars-corrigé.xlsx")
    assert report.imported and report.counts["entries"].updated == 1
    entry = HoursEntry.objects.get()
    first, change = HoursEntry.history.filter(id=entry.pk).order_by("history_id")
    assert (first.history_type, change.history_type) == ("+", "~")
    assert change.hours == Decimal("100.00") and first.hours == Decimal("151.67")
    assert change.training_hours == entry.training_hours == Decimal("14.00")
    assert (change.assignment_id, change.month, change.created_at) == (
        entry.assignment_id,
        entry.month,
        entry.created_at,
    )
    assert change.source_file == "mars-corrigé.xlsx" and change.status == HoursEntry.Status.VALIDATED


def test_entries_given_column_wise_are_written_as_their_instances_are():
    """insert_columns_with_history (the import's new entries, without instances) writes the rows and the
    history rows insert_with_history writes for the same entries as instances."""
    user = UserFactory(username="nadia")
    ours, instances = AssignmentFactory(), AssignmentFactory()
    history = {"default_user": user, "default_change_reason": "Import", "default_date": NOW}
    insert_with_history(entries(instances, user), HoursEntry, batch_size=5, **history)
    given = entries(ours, user)
    columns = {
        "assignment_id": [ours.pk] * len(given),
        "month": [e.month for e in given],
        "hours": [e.hours for e in given],
        "training_hours": [e.training_hours for e in given],
        "status": Same(HoursEntry.Status.VALIDATED),
        "validated_by_id": Same(user.pk),
        "validated_at": Same(NOW),
        "source": Same(HoursEntry.Source.IMPORT),
        "source_file": Same("suivi.xlsx"),
        "entered_by_id": Same(user.pk),
    }
    ids = insert_columns_with_history(HoursEntry, columns, len(given), batch_size=5, **history)
    assert ids == list(HoursEntry.objects.filter(assignment=ours).order_by("pk").values_list("pk", flat=True))
    volatile = ("id", "assignment_id", "created_at", "updated_at")
    mine = list(HoursEntry.objects.filter(assignment=ours).order_by("month").values())
    theirs = list(HoursEntry.objects.filter(assignment=instances).order_by("month").values())
    assert len(mine) == 12 and without(mine, *volatile) == without(theirs, *volatile)
    assert mine[0]["created_at"] == mine[-1]["created_at"]  # one moment for all
    volatile += ("history_id",)
    mine = list(HoursEntry.history.filter(assignment_id=ours.pk).order_by("month").values())
    theirs = list(HoursEntry.history.filter(assignment_id=instances.pk).order_by("month").values())
    assert len(mine) == 12 and without(mine, *volatile) == without(theirs, *volatile)
    assert {row["id"] for row in mine} == set(ids)


def test_texts_are_written_as_given_whatever_their_characters():
    """Tabs, line breaks, backslashes and « \\N » are data, not COPY's separators or its NULL."""
    names = ["A\tB", "C\nD", "E\\F", "G\r\nH", "\\N", "", "Élodie « x »"]
    written = insert(Company, [Company(name=name, kind=Company.Kind.ORDINARY) for name in names])
    assert [Company.objects.get(pk=c.pk).name for c in written] == names
    assert Company.objects.get(pk=written[-2].pk).siret == ""


def test_columns_must_be_as_long_as_the_records_and_name_fields():
    with pytest.raises(ValueError, match="2 values for 3 records"):
        insert_columns_with_history(HoursEntry, {"month": [datetime.date(2025, 1, 1)] * 2}, 3)
    with pytest.raises(ValueError, match="no such fields"):
        insert_columns_with_history(HoursEntry, {"assignment": [1]}, 1)
