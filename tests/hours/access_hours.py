"""The hours screens in the access matrix: they name people, so the read-only role gets 403 on all."""

import datetime

from tests.access_shapes import EDITORS_ONLY, MANAGER_ONLY, PEOPLE, POST_ONLY, everyone

MATRIX = {
    "hours:grid": EDITORS_ONLY,
    "hours:declarations": EDITORS_ONLY,  # the companies' declarations to validate
    "hours:grid_add": everyone(reader=403, facilitator=302, manager=302),  # no lot chosen: back to the grid
    "hours:entry_list": PEOPLE,
    "hours:entry_create": EDITORS_ONLY,
    "hours:entry_validate": POST_ONLY,
    "hours:entry_detail": PEOPLE,
    "hours:entry_update": EDITORS_ONLY,
    "hours:entry_delete": EDITORS_ONLY,
    "hours:entry_reopen": MANAGER_ONLY,  # facilitators too when CLAUSES_FACILITATORS_VALIDATE
    "hours:assignment_list": PEOPLE,
    "hours:assignment_create": EDITORS_ONLY,
    "hours:assignment_detail": PEOPLE,
    "hours:assignment_update": EDITORS_ONLY,
    "hours:assignment_delete": EDITORS_ONLY,
}


def _draft():
    from tests.hours.factories import HoursEntryFactory

    return {"pk": HoursEntryFactory(draft=True).pk}


def _validated():
    from tests.hours.factories import HoursEntryFactory

    return {"pk": HoursEntryFactory(month=datetime.date(2025, 4, 1)).pk}


def _assignment():
    from tests.hours.factories import AssignmentFactory

    return {"pk": AssignmentFactory().pk}


URL_KWARGS = {
    "hours:entry_detail": _draft,
    "hours:entry_update": _draft,
    "hours:entry_delete": _draft,
    "hours:entry_reopen": _validated,
    "hours:assignment_detail": _assignment,
    "hours:assignment_update": _assignment,
    "hours:assignment_delete": _assignment,
}
