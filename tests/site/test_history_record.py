"""clauses_site.history.record_stored writes the history rows simple-history's bulk_history_create writes
for the same records (values as stored, user, date, reason, type), column for column, on SQLite and on
PostgreSQL (scripts/with-postgres)."""

import datetime
from decimal import Decimal

import pytest

from clauses_site.history import record_stored
from hours.models import HoursEntry
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 12, 17, 30, 12, 345678, tzinfo=datetime.UTC)


def entries(assignment, user):
    return HoursEntry.objects.bulk_create(
        HoursEntry(
            assignment=assignment,
            month=datetime.date(2025, month, 1),
            hours=Decimal("151.67") if month % 2 else Decimal("7"),
            training_hours=Decimal("0.50") * month,
            status=HoursEntry.Status.VALIDATED if month < 4 else HoursEntry.Status.DRAFT,
            validated_by=user if month < 4 else None,
            validated_at=NOW if month < 4 else None,
            source_file="suivi.xlsx" if month == 2 else "",
            entered_by=user,
        )
        for month in range(1, 8)
    )


def history_rows(assignment):
    rows = HoursEntry.history.filter(assignment=assignment).order_by("month").values()
    volatile = ("history_id", "id", "assignment_id", "created_at", "updated_at")  # stamped at bulk_create
    return [{k: v for k, v in row.items() if k not in volatile} for row in rows]


def test_the_rows_written_are_those_of_simple_history():
    user = UserFactory(username="nadia")
    ours, theirs = AssignmentFactory(), AssignmentFactory()
    written, expected = entries(ours, user), entries(theirs, user)
    # batch=3: several statements; the records given out of order are recorded in order of pk
    record_stored(
        HoursEntry, [e.pk for e in reversed(written)], user=user, date=NOW, reason="Validation", batch=3
    )
    HoursEntry.history.bulk_history_create(
        expected, update=True, default_user=user, default_date=NOW, default_change_reason="Validation"
    )
    mine = history_rows(ours)
    assert mine == history_rows(theirs)
    assert len(mine) == 7
    assert (mine[0]["hours"], mine[0]["history_type"], mine[0]["history_user_id"]) == (
        Decimal("151.67"),
        "~",
        user.pk,
    )
    assert mine[0]["history_date"] == NOW and mine[0]["history_change_reason"] == "Validation"
    stamps = HoursEntry.history.filter(assignment=ours).values_list("id", "created_at", "updated_at")
    assert set(stamps) == set(
        HoursEntry.objects.filter(assignment=ours).values_list("id", "created_at", "updated_at")
    )
    ids = HoursEntry.history.filter(assignment=ours).order_by("history_id").values_list("id", flat=True)
    assert list(ids) == sorted(e.pk for e in written)


def test_values_are_read_from_the_table_not_from_the_instances():
    user = UserFactory(username="nadia")
    entry = entries(AssignmentFactory(), user)[4]
    HoursEntry.objects.filter(pk=entry.pk).update(hours=Decimal("12.34"))
    record_stored(HoursEntry, [entry.pk], user=None, date=NOW)
    record = HoursEntry.history.get(id=entry.pk)
    assert (record.hours, record.history_user_id, record.history_change_reason) == (
        Decimal("12.34"),
        None,
        "",
    )


def test_a_historical_model_with_fields_not_copied_from_the_record_is_refused(monkeypatch):
    history = HoursEntry.history.model
    monkeypatch.setattr(history, "tracked_fields", [f for f in history.tracked_fields if f.name != "source"])
    with pytest.raises(ValueError, match="HistoricalHoursEntry: fields not copied from the record: source"):
        record_stored(HoursEntry, [1], user=None, date=NOW)
