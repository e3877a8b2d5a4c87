"""Recruitment needs: proposing people, turning a chosen proposal into an assignment in one step, and
the needs to come by month and trade."""

import datetime
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Count, F, Min, Q, Sum, When
from django.db.models.functions import TruncMonth

from clauses_site.months import add_months, first_of_month
from companies.models import Company
from hours.models import Assignment, ContractType, Modality
from partnerships.models import Proposal, RecruitmentNeed

#: The modality and contract type an employer usually means (suggested in the hiring form).
MODALITY_BY_EMPLOYER_KIND = {
    Company.Kind.ETTI: (Modality.ETTI, ContractType.TEMP),
    Company.Kind.AI: (Modality.AI, ContractType.OTHER),
    Company.Kind.GEIQ: (Modality.GEIQ, ContractType.PROFESSIONALISATION),
    Company.Kind.ETT: (Modality.ETT, ContractType.TEMP),
}
DEFAULT_MODALITY = (Modality.DIRECT_HIRE, ContractType.CDD)


def suggested_terms(employer):
    """(modality, contract type) usually meant when `employer` employs the person."""
    kind = employer.kind if employer is not None else None
    return MODALITY_BY_EMPLOYER_KIND.get(kind, DEFAULT_MODALITY)


def suggested_end(need, starts_on):
    """The start plus the need's duration in months (the day before), or None."""
    if not need.duration_months or not starts_on:
        return None
    return add_months(starts_on, need.duration_months) - datetime.timedelta(days=1)


def refresh_status(need):
    """Status after a proposal changed: filled when every position has a retained person; candidates
    proposed when an identified need gets its first proposal. A cancelled need stays cancelled."""
    if need.status == RecruitmentNeed.Status.CANCELLED:
        return
    retained = need.proposals.filter(state=Proposal.State.RETAINED).count()
    if retained >= need.positions:
        status = RecruitmentNeed.Status.FILLED
    elif need.proposals.exists():
        status = RecruitmentNeed.Status.PROPOSED
    else:
        status = RecruitmentNeed.Status.IDENTIFIED
    if status != need.status:
        need.status = status
        need.save(update_fields=["status", "updated_at"])


def closed_reason(need):
    """Why nobody can be proposed for (or hired on) this need any more, or None."""
    if need.status == RecruitmentNeed.Status.CANCELLED:
        return "Ce besoin est annulé."
    if need.status == RecruitmentNeed.Status.FILLED:
        return "Tous les postes de ce besoin sont pourvus."
    return None


def propose(need, participant, comment="", user=None):
    """Add a person to the short list of a need (one transaction)."""
    reason = closed_reason(need)
    if reason:
        raise ValidationError(reason)
    with transaction.atomic():
        proposal = Proposal(need=need, participant=participant, comment=comment, proposed_by=user)
        proposal.full_clean()
        proposal.save()
        refresh_status(need)
    return proposal


@dataclass
class HireTerms:
    starts_on: datetime.date
    contract_type: str
    modality: str
    employer: Company | None = None
    ends_on: datetime.date | None = None
    job: str = ""
    notes: str = ""
    errors: dict = field(default_factory=dict)


def hire(proposal, terms, user=None):
    """Turn a proposal into an assignment in one step: the assignment (lot, company and job of the need,
    the person proposed, the employer — by default the company —, modality, contract, dates), the
    proposal retained and linked to it, the need filled once all its positions are. All or nothing.
    Raises ValidationError (field → French message) when the assignment is not valid."""
    need = proposal.need
    if proposal.state == Proposal.State.RETAINED and proposal.assignment_id:
        raise ValidationError("Cette proposition a déjà donné lieu à une mise à l'emploi.")
    reason = closed_reason(need)
    if reason:
        raise ValidationError(reason)
    terms = replace(terms, employer=terms.employer or need.company, job=terms.job or need.job)
    assignment = new_assignment(proposal.participant_id, need.lot_id, need.company_id, terms)

    def retain(assignment):
        proposal.state = Proposal.State.RETAINED
        proposal.assignment = assignment
        proposal.save(update_fields=["state", "assignment"])
        refresh_status(need)

    return save_new_assignment(
        assignment,
        retain,
        "Cette personne a déjà ce contrat sur ce lot (même employeur, même type, même début).",
    )


def new_assignment(person_id, lot_id, company_id, terms):
    """The assignment of a person on a lot, credited to a company, on `terms` (HireTerms): validated (the
    dates, and the identity: same person, lot, employer, contract, start), not saved."""
    assignment = Assignment(
        participant_id=person_id,
        lot_id=lot_id,
        company_id=company_id,
        employer=terms.employer,
        modality=terms.modality,
        contract_type=terms.contract_type,
        job=terms.job[:150],
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        notes=terms.notes,
    )
    assignment.full_clean()
    return assignment


def save_new_assignment(assignment, then, duplicate):
    """Save `assignment` and do `then(assignment)`, all or nothing; an identical assignment saved in the
    meantime (the database's unique constraint) raises ValidationError(duplicate)."""
    try:
        with transaction.atomic():
            assignment.save()
            then(assignment)
    except IntegrityError as error:
        raise ValidationError(duplicate) from error
    return assignment


def set_state(proposal, state):
    """Refuse (or re-propose) a proposal; a retained one keeps its assignment (delete it in hours)."""
    if proposal.assignment_id and state != Proposal.State.RETAINED:
        raise ValidationError(
            "Cette proposition a donné lieu à une mise à l'emploi : modifiez ou supprimez d'abord celle-ci."
        )
    with transaction.atomic():
        proposal.state = state
        proposal.save(update_fields=["state"])
        refresh_status(proposal.need)


# --- needs to come -----------------------------------------------------------------------------------------

UNDATED = "à préciser"


def trade_expression():
    """The trade a need is grouped under: its ROME code when given, else its job (accents and case
    ignored, i.e. its search key)."""
    return Case(
        When(rome_code="", then=F("search_text")),
        default=F("rome_code"),
        output_field=CharField(),
    )


def upcoming(needs, start_month, months=None):
    """Open needs starting from `start_month` (and the undated ones), for the « Besoins à venir »
    page: (rows, summary). rows are the needs ordered by month; summary is one dict per month and trade
    with the positions and needs counted by the database:
    {"month": date|None, "trade": key, "job": a label, "rome_code": str, "positions": n, "needs": n}."""
    start = first_of_month(start_month)
    selected = needs.open().filter(Q(expected_start__gte=start) | Q(expected_start__isnull=True))
    if months:
        end = add_months(start, months)
        selected = selected.exclude(expected_start__gte=end)
    summary = (
        selected.annotate(month=TruncMonth("expected_start"), trade=trade_expression())
        .order_by()
        .values("month", "trade")
        .annotate(
            positions=Sum("positions"),
            needs=Count("pk"),
            job=Min("job"),
            rome_code=Min("rome_code"),
            first_start=Min("expected_start"),
        )
        .order_by(F("month").asc(nulls_last=True), "job")
    )
    rows = selected.select_related("lot__market__buyer", "company").order_by(
        F("expected_start").asc(nulls_last=True), "job", "pk"
    )
    return rows, [_month_of(row) for row in summary]


def _month_of(row):
    month = row["month"]
    if isinstance(month, datetime.datetime):  # TruncMonth of a DateField is a date; be safe on backends
        month = month.date()
    row["month"] = month
    return row


def group_by_month(summary):
    """[(month or None, [rows…], positions)] from upcoming()'s summary, in order."""
    groups = []
    for row in summary:
        if not groups or groups[-1][0] != row["month"]:
            groups.append((row["month"], [], 0))
        month, rows, total = groups[-1]
        rows.append(row)
        groups[-1] = (month, rows, total + row["positions"])
    return groups


def proposals_of(person):
    """The needs a participant was proposed for, for their page: 1 query."""
    return (
        Proposal.objects.filter(participant=person)
        .select_related("need__company", "need__lot__market", "assignment")
        .order_by("-proposed_at", "-pk")
    )
