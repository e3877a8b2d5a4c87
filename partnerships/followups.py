"""Outcomes to record: at the end of an assignment and six months later (« suivi à 6 mois »).

Computed by a query, not stored: a follow-up is due for the assignment that ends a person's path on
the clauses (their latest assignment: no other one of theirs ends later or is still running), from its
end date (outcome at the end) or six months after it (outcome at six months), until the outcome is
recorded:
- at the end: an Outcome « En fin de contrat » of the person dated on or after the assignment's start;
- at six months: an Outcome « À 6 mois » of the person dated after the assignment's end.
Why no FollowUp model: the due list then follows every change of an assignment's end date (typed,
imported or corrected) and every outcome recorded elsewhere (the participant's page) with nothing to
keep in sync and no scheduler; the explicit record is the Outcome itself, which the bilans count.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from clauses_site.months import add_months
from hours.models import Assignment
from participants.models import Outcome

SIX_MONTHS = 6
SOON_DAYS = 30


def six_month_due_on(ends_on):
    """The day the six-month follow-up of an assignment ending on `ends_on` is due."""
    return add_months(ends_on, SIX_MONTHS)


def latest_end_for_six_months(today):
    """The latest end date whose six-month follow-up is due on `today` (month arithmetic clamps to the end
    of shorter months, so the threshold is searched around today − 6 months)."""
    day = add_months(today, -SIX_MONTHS)
    while six_month_due_on(day + datetime.timedelta(days=1)) <= today:
        day += datetime.timedelta(days=1)
    return day


def _superseded():
    """Another assignment of the same person ends later, is still running, or ends the same day with a
    greater id (so that one assignment per person and date is followed)."""
    later = Assignment.objects.filter(participant=OuterRef("participant")).exclude(pk=OuterRef("pk"))
    later = later.filter(
        Q(ends_on__isnull=True)
        | Q(ends_on__gt=OuterRef("ends_on"))
        | Q(ends_on=OuterRef("ends_on"), pk__gt=OuterRef("pk"))
    )
    return Exists(later)


def _end_recorded():
    return Exists(
        Outcome.objects.filter(
            participant=OuterRef("participant"), timing=Outcome.Timing.END, date__gte=OuterRef("starts_on")
        )
    )


def _six_months_recorded():
    return Exists(
        Outcome.objects.filter(
            participant=OuterRef("participant"),
            timing=Outcome.Timing.SIX_MONTHS,
            date__gt=OuterRef("ends_on"),
        )
    )


def ended_paths(assignments=None):
    """Assignments that end their person's path: ended (an end date) and not superseded."""
    assignments = Assignment.objects.all() if assignments is None else assignments
    return assignments.filter(ends_on__isnull=False).exclude(_superseded())


def end_outcomes_due(today, assignments=None):
    """Assignments ended before `today` whose outcome at the end is not recorded."""
    return ended_paths(assignments).filter(ends_on__lt=today).exclude(_end_recorded())


def six_month_outcomes_due(today, assignments=None):
    """Assignments whose six-month follow-up is due on `today` and not recorded."""
    threshold = latest_end_for_six_months(today)
    return ended_paths(assignments).filter(ends_on__lte=threshold).exclude(_six_months_recorded())


def due_counts(today, assignments=None):
    """(end_outcomes_due(today).count(), six_month_outcomes_due(today).count()) in one query: the ended
    paths are found once (both follow-ups are of paths ended before today), then each is checked for its
    two outcomes (at national scale 300 → 180 ms for the dashboard's two counts)."""
    threshold = latest_end_for_six_months(today)
    counts = (
        ended_paths(assignments)
        .filter(ends_on__lt=today)
        .annotate(end_recorded=_end_recorded(), six_recorded=_six_months_recorded())
        .aggregate(
            end=Count("pk", filter=Q(end_recorded=False)),
            six=Count("pk", filter=Q(six_recorded=False, ends_on__lte=threshold)),
        )
    )
    return counts["end"], counts["six"]


def six_month_outcomes_soon(today, days=SOON_DAYS, assignments=None):
    """Six-month follow-ups falling due in the next `days` days (for information)."""
    now = latest_end_for_six_months(today)
    later = latest_end_for_six_months(today + datetime.timedelta(days=days))
    return (
        ended_paths(assignments).filter(ends_on__gt=now, ends_on__lte=later).exclude(_six_months_recorded())
    )


def due(timing, today, assignments=None):
    if timing == Outcome.Timing.SIX_MONTHS:
        return six_month_outcomes_due(today, assignments)
    return end_outcomes_due(today, assignments)


def outcome_date(assignment, timing, today):
    """The date an outcome recorded from the follow-up list carries: the end of the contract for the
    outcome at the end; the day it is recorded (when the person was reached) for the one at six months."""
    return assignment.ends_on if timing == Outcome.Timing.END else today


def record_outcome(assignment, timing, kind, today, notes=""):
    """Record the outcome of a due follow-up (one transaction); refused when it is not due any more
    (recorded meanwhile, end date changed)."""
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().filter(pk=assignment.pk)
        if not due(timing, today, locked).exists():
            raise ValidationError("Ce suivi n'est plus à faire : la sortie a déjà été enregistrée.")
        outcome = Outcome(
            participant_id=assignment.participant_id,
            timing=timing,
            date=outcome_date(assignment, timing, today),
            kind=kind,
            notes=notes,
        )
        outcome.full_clean()
        outcome.save()
    return outcome
