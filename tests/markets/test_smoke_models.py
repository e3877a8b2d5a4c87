from decimal import Decimal

import pytest

from tests.hours.factories import HoursEntryFactory
from tests.markets.factories import ClauseFactory


@pytest.mark.django_db
def test_formula_clause_owes_833_33_hours():
    clause = ClauseFactory()
    assert clause.hours_required == Decimal("833.33")
    assert clause.hours_source == "formula"


@pytest.mark.django_db
def test_factories_build_a_validated_entry():
    entry = HoursEntryFactory()
    assert entry.is_validated and entry.month.day == 1
