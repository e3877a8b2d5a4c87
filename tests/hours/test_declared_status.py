"""The « déclarée » status (issue 16: hours a company declared in its space): neither validated nor a
team's draft, counted nowhere (figures, the lot × month summary) until validated; « pending » (to
validate) with the drafts wherever the team's screens count what waits for validation."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from hours import grid, queries
from hours.models import HoursEntry, LotMonthHours
from markets.models import Lot
from tests.factories import UserFactory
from tests.hours.factories import AssignmentFactory, HoursEntryFactory

MARCH = datetime.date(2025, 3, 1)


def test_declared_entries_are_pending_never_validated_nor_drafts(db):
    a = AssignmentFactory()
    validated = HoursEntryFactory(assignment=a, month=MARCH, hours=Decimal(10))
    draft = HoursEntryFactory(assignment=a, month=datetime.date(2025, 4, 1), hours=Decimal(20), draft=True)
    declared = HoursEntryFactory(
        assignment=a, month=datetime.date(2025, 5, 1), hours=Decimal(30), declared=True
    )
    entries = HoursEntry.objects
    assert list(entries.validated()) == [validated]
    assert list(entries.drafts()) == [draft]
    assert list(entries.declared()) == [declared]
    assert list(entries.pending()) == [draft, declared]
    assert not declared.is_validated
    lot = Lot.objects.filter(pk=a.lot_id)
    assert queries.lots_with_hours(lot, MARCH, datetime.date(2025, 12, 31)).get().hours_done == Decimal(10)
    assert list(LotMonthHours.objects.values_list("month", "hours")) == [(MARCH, Decimal("10.00"))]
    assert grid.lots_to_enter(datetime.date(2025, 5, 1))[0].entered == 1  # entered, to validate
    assert grid.lots_to_enter(datetime.date(2025, 5, 1))[0].validated == 0


def test_a_declared_entry_needs_no_validation_date_a_validated_one_does(db):
    HoursEntryFactory(declared=True)  # no validated_at: allowed
    with transaction.atomic(), pytest.raises(IntegrityError):
        HoursEntryFactory(month=datetime.date(2025, 4, 1), validated_at=None)


def test_validating_a_declared_entry_counts_it_and_the_team_s_correction_keeps_it_declared(db):
    entry = HoursEntryFactory(hours=Decimal(30), declared=True)
    facilitator = UserFactory(username="sophie")
    rows, _ = grid.build_rows(MARCH, grid.grid_assignments(MARCH, lot=entry.assignment.lot))
    assert rows[0].editable
    grid.save_rows(MARCH, rows, {entry.assignment_id: (Decimal(32), None)}, facilitator)
    entry.refresh_from_db()
    assert (entry.hours, entry.status, entry.entered_by) == (Decimal(32), "declaree", facilitator)
    assert not LotMonthHours.objects.exists()
    assert grid.validate_entries([entry], facilitator) == 1
    entry.refresh_from_db()
    assert (entry.status, entry.validated_by) == ("validee", facilitator)
    assert list(LotMonthHours.objects.values_list("hours", flat=True)) == [Decimal("32.00")]


def test_pending_is_every_status_but_validated(db):
    """pending() names its statuses (for the index): a status added later must be placed in it or out."""
    assignment = AssignmentFactory()
    for n, status in enumerate(HoursEntry.Status):
        HoursEntryFactory(
            assignment=assignment, month=datetime.date(2025, n + 1, 1), status=status, validated_by=None
        )
    assert set(HoursEntry.objects.pending().values_list("status", flat=True)) == set(HoursEntry.Status) - {
        HoursEntry.Status.VALIDATED
    }
