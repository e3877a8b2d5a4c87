"""hours.summary: the lot × month summary of validated hours always equals the recomputed GROUP BY of
the entries, whatever wrote them (SQLite and PostgreSQL: ./test runs both)."""

import datetime
from decimal import Decimal as D

import pytest

from hours import summary
from hours.models import HoursEntry, LotMonthHours, Modality
from tests.hours.factories import AssignmentFactory, HoursEntryFactory

MARCH, APRIL = datetime.date(2025, 3, 1), datetime.date(2025, 4, 1)

pytestmark = pytest.mark.django_db


def assert_exact():
    assert summary.differences() == []


def test_smoke():
    a = AssignmentFactory()
    f = AssignmentFactory(lot=a.lot, modality=Modality.TRAINING)
    HoursEntryFactory(assignment=a, month=MARCH, hours=D("10.10"), training_hours=D("0.20"))
    HoursEntryFactory(assignment=f, month=MARCH, hours=D("5.05"))
    HoursEntryFactory(assignment=f, month=APRIL, hours=D("1.00"), draft=True)
    row = LotMonthHours.objects.get()
    assert (row.lot_id, row.month, row.entries) == (a.lot_id, MARCH, 2)
    assert (row.hours, row.formation_hours, row.training_hours) == (D("10.10"), D("5.05"), D("0.20"))
    assert_exact()
    HoursEntry.objects.update(status=HoursEntry.Status.VALIDATED, validated_at=datetime.datetime(2025, 5, 2, tzinfo=datetime.UTC))
    assert LotMonthHours.objects.count() == 2
    assert_exact()
    f.lot = AssignmentFactory().lot
    f.modality = Modality.DIRECT_HIRE
    f.save()
    assert LotMonthHours.objects.count() == 3
    assert_exact()
    HoursEntry.objects.all().delete()
    assert LotMonthHours.objects.count() == 0
