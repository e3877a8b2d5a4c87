"""Trainings and the lot's hours.

A training that names a lot and the company credited may have its trainees' hours recorded on that lot:
for one trainee, an assignment of modality « Formation » (lot, company credited, the person, the funder —
or the company — as employer, contract « Autre », the training's dates) and one draft HoursEntry per
month of the training holding training hours only (hours worked: 0), the trainee's hours shared among
the months in proportion to the training's days in each. They are then validated like any hours, and
hours/queries.py counts them for the lot where its clause counts training (Clause.training_counts);
there is no other way of counting them.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from clauses_site.months import add_months, first_of_month, months_between
from hours.models import ContractType, HoursEntry, Modality
from partnerships.models import Trainee
from partnerships.needs import HireTerms, new_assignment, save_new_assignment

TWO_PLACES = Decimal("0.01")


def split_by_month(start, end, hours):
    """[(month, hours)]: `hours` shared among the months of [start, end] in proportion to the days in each
    (to the hundredth; the last month takes the rounding remainder)."""
    end = end or start
    total_days = (end - start).days + 1
    months = months_between(start, end)
    shares = []
    given = Decimal(0)
    for index, month in enumerate(months):
        first = max(start, month)
        last = min(end, add_months(month, 1) - datetime.timedelta(days=1))
        if index == len(months) - 1:
            share = Decimal(hours) - given
        else:
            days = (last - first).days + 1
            share = (Decimal(hours) * days / total_days).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        given += share
        shares.append((first_of_month(month), share))
    return shares


def why_not_recordable(trainee):
    """Why this trainee's hours cannot be recorded on a lot (a French sentence), or None."""
    training = trainee.training
    if trainee.hours_assignment_id:
        return "Les heures de formation de cette personne sont déjà reportées sur le lot."
    if not training.lot_id or not training.company_id:
        return "La formation n'indique pas le lot préparé ni l'entreprise créditée."
    if trainee.outcome == Trainee.Outcome.DROPPED and trainee.hours_attended is None:
        return "Abandon : indiquez d'abord les heures suivies."
    if not trainee.hours:
        return "Aucune heure de formation à reporter."
    return None


def record_training_hours(trainee, user=None):
    """Create the « Formation » assignment and its monthly draft entries for one trainee (all or nothing);
    returns the assignment. Raises ValidationError with a French message."""
    reason = why_not_recordable(trainee)
    if reason:
        raise ValidationError(reason)
    training = trainee.training
    terms = HireTerms(
        starts_on=training.starts_on,
        ends_on=training.ends_on or training.starts_on,
        contract_type=ContractType.OTHER,
        modality=Modality.TRAINING,
        employer=training.funder or training.company,
        job=f"Formation : {training.title}",
        notes="Créée depuis la formation (heures de formation des stagiaires).",
    )
    assignment = new_assignment(trainee.participant_id, training.lot_id, training.company_id, terms)
    entries = [
        HoursEntry(
            month=month,
            hours=Decimal(0),
            training_hours=share,
            status=HoursEntry.Status.DRAFT,
            source=HoursEntry.Source.MANUAL,
            entered_by=user,
        )
        for month, share in split_by_month(assignment.starts_on, assignment.ends_on, trainee.hours)
    ]

    def link(assignment):
        for entry in entries:
            entry.assignment = assignment
            entry.save()  # one per month of a short training; save() keeps the history
        trainee.hours_assignment = assignment
        trainee.save(update_fields=["hours_assignment"])

    return save_new_assignment(
        assignment,
        link,
        "Cette personne a déjà une mise à l'emploi identique sur ce lot (même employeur, même début).",
    )


def training_counts_on_lot(training):
    """Whether the lot's clause counts training hours (None when there is no lot or no clause)."""
    if not training.lot_id:
        return None
    clause = getattr(training.lot, "clause", None)
    return None if clause is None else clause.training_counts


def trainings_of(person):
    """A participant's trainings, for their page: 1 query."""
    return (
        Trainee.objects.filter(participant=person)
        .select_related(
            "training__body", "training__funder", "training__lot__market", "hired_assignment__lot"
        )
        .order_by("-training__starts_on", "pk")
    )
