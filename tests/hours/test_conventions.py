"""How the hours app is put together: no import cycle between its modules (grimp, as
tests/site/test_import_direction.py)."""

import grimp
import pytest


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("hours", include_external_packages=False, cache_dir=None)  # a cache can be stale


def test_no_import_cycle_between_hours_modules(graph):
    """hours.models computes siae_hour_equivalent itself: it no longer imports hours.queries (which imports
    it), even inside a function."""
    cycles = [
        (a, b)
        for a in sorted(graph.modules)
        for b in sorted(graph.modules)
        if a != b
        and graph.direct_import_exists(importer=a, imported=b)
        and graph.chain_exists(importer=b, imported=a)
    ]
    assert cycles == []


def test_one_list_of_assignment_fields():
    """The admin, the assignment form, the grid's « add a person » form and the page's history name the
    same fields in the same order: hours.models.ASSIGNMENT_FIELDS, every editable field of the model but
    the notes."""
    from hours.admin import AssignmentAdmin
    from hours.forms import AssignmentForm, GridAddForm
    from hours.models import ASSIGNMENT_FIELDS, Assignment
    from hours.views import ASSIGNMENT_HISTORY_FIELDS

    editable = [f.name for f in Assignment._meta.concrete_fields if f.editable and not f.primary_key]
    assert [*ASSIGNMENT_FIELDS, "notes"] == [name for name in editable if name != "created_at"]
    assert AssignmentAdmin.fields == [*ASSIGNMENT_FIELDS, "notes"]
    assert AssignmentForm._meta.fields == [*ASSIGNMENT_FIELDS, "notes"]
    assert list(ASSIGNMENT_FIELDS) == ASSIGNMENT_HISTORY_FIELDS
    assert GridAddForm._meta.fields == list(ASSIGNMENT_FIELDS[1:])
    assert GridAddForm.field_order == [
        "participant",
        "new_last_name",
        "new_first_name",
        "new_birth_date",
        "new_sex",
        *ASSIGNMENT_FIELDS[1:],
    ]


@pytest.mark.django_db
def test_entries_are_indexed_by_status_and_month_and_by_assignment_and_month():
    """Issue 14: the validated entries of a period, and an assignment's months, read from an index."""
    from django.db import connection

    from hours.models import HoursEntry

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, HoursEntry._meta.db_table)
    indexes = {tuple(c["columns"]): c for c in found.values() if c["index"] or c["unique"]}
    assert ("status", "month") in indexes
    assert indexes[("assignment_id", "month")]["unique"]  # the constraint hours_one_entry_per_month
