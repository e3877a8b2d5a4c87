"""A company's monthly declaration in its space (issue 16, item 3): which months it has to declare and
where each stands, the rows of a month's grid (the people it employs or is credited for on its clause
lots, nothing else), and its declared hours, shown apart (« en attente de validation »).

Declared hours are HoursEntry rows with status « déclarée » (source « déclaration de l'entreprise »),
written by hours.grid.save_rows(declared=True): every figure counts validated entries only
(hours/queries.py, the summary's triggers), so they count nowhere until a facilitator validates them."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from clauses_site.months import add_months, last_of_month, month_label
from hours import grid
from hours.models import Assignment, HoursEntry
from spaces.figures import SHOWN_STAGES

TO_DO, DECLARED, VALIDATED, NOTHING = "a_faire", "declaree", "validee", "rien"
STATUS_LABELS = {
    TO_DO: "à faire",
    DECLARED: "déclarée, en attente de validation",
    VALIDATED: "validée",
    NOTHING: "personne à déclarer",
}


def _of_company(assignments, company):
    """The company's assignments (credited or employer) on its clause lots of the markets shown."""
    return assignments.filter(
        Q(company=company) | Q(employer=company),
        lot__clause__isnull=False,
        lot__market__stage__in=SHOWN_STAGES,
    )


def assignments(company, month):
    """The rows of the company's grid for the month: hours.grid.grid_assignments (active in the month, or
    with an entry that month) restricted to the company's clause lots. The only rows a company's POST can
    write: any other key it posts is ignored (hours.forms.GridForm knows only these rows)."""
    return _of_company(grid.grid_assignments(month, company=company), company)


@dataclass
class MonthDue:
    month: datetime.date
    status: str
    rows: int

    @property
    def label(self):
        return month_label(self.month)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def url(self):
        return reverse("spaces:declaration", args=[self.month.year, self.month.month])


def months_due(company, today):
    """The months a company has to declare, newest first: the month being collected
    (hours.grid.collected_month) always, and the earlier months of its year with people at work on the
    company's clause lots and not every row validated. Each with its status: à faire (a row without
    hours), déclarée (every row entered, not all validated), validée, personne à déclarer. 2 queries."""
    collected = grid.collected_month(today)
    start = datetime.date(collected.year, 1, 1)
    rows = list(
        _of_company(Assignment.objects.all(), company)
        .filter(starts_on__lte=last_of_month(collected))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .values_list("pk", "starts_on", "ends_on")
    )
    statuses = {
        (assignment_id, month): status
        for assignment_id, month, status in HoursEntry.objects.filter(
            assignment_id__in=[pk for pk, _, _ in rows], month__gte=start, month__lte=collected
        ).values_list("assignment_id", "month", "status")
    }
    due, month = [], collected
    while month >= start:
        active = [
            pk
            for pk, starts, ends in rows
            if starts <= last_of_month(month) and (ends is None or ends >= month)
        ]
        found = [statuses.get((pk, month)) for pk in active]
        if not active:
            status = NOTHING
        elif all(s == HoursEntry.Status.VALIDATED for s in found):
            status = VALIDATED
        elif None in found:
            status = TO_DO
        else:
            status = DECLARED
        if month == collected or status in (TO_DO, DECLARED):
            due.append(MonthDue(month, status, len(active)))
        month = add_months(month, -1)
    return due
