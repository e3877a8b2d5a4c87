"""Screens of participants: list, detail (eligibility, assignments, hours by month, outcomes), forms.
Personal data: every view requires sees_people (the read-only role gets 403)."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy
from django.utils.functional import cached_property

from clauses_site import roles
from clauses_site.editing import RecordCreateView, RecordDeleteView, RecordUpdateView, records_of
from clauses_site.listing import FilteredListView
from hours import queries
from hours.models import Assignment, HoursEntry
from participants.filters import ParticipantFilter
from participants.forms import COMMUNES, PRESCRIBERS, OutcomeForm, ParticipantForm
from participants.models import AccessLog, Outcome, Participant
from participants.tables import EXPORT_COLUMNS, ParticipantTable

PEOPLE = staticmethod(roles.sees_people)


def participants_for(user):
    """The participants a user may see: all of them for the team, none for the read-only role (403)."""
    roles.require(roles.sees_people, user)
    return Participant.objects.all()


def participant_for(user, pk):
    return get_object_or_404(participants_for(user), pk=pk)


class ParticipantList(FilteredListView):
    permission = PEOPLE
    title = "Participants"
    filterset_class = ParticipantFilter
    table_class = ParticipantTable
    export_filename = "participants.xlsx"
    export_sheet = "Participants"
    export_columns = EXPORT_COLUMNS
    create_url_name = "participants:participant_create"
    create_label = "Nouveau participant"
    template_name = "participants/participant_list.html"  # + « Données personnelles » for the manager

    def get_queryset(self):
        # The contracts counted by a subquery per row, not a join grouped by participant: the page's 50
        # rows are counted once sorted (PostgreSQL evaluates it after the sort and limit), and the list's
        # count is a plain count of participants (the grouped join cost ~0,8 s with 78 000 people).
        contracts = Assignment.objects.filter(participant=OuterRef("pk")).order_by().values("participant")
        return (
            participants_for(self.request.user)
            .annotate(assignment_count=Coalesce(Subquery(contracts.annotate(n=Count("pk")).values("n")), 0))
            .prefetch_related("criteria")
            .order_by("last_name", "first_name", "pk")
        )


def participant_detail(request, pk):
    person = participant_for(request.user, pk)
    AccessLog.record(request.user, person, AccessLog.Action.PAGE)
    assignments = queries.assignments_with_hours(person.assignments.visible_to(request.user)).order_by(
        "-starts_on", "pk"
    )
    entries = (
        HoursEntry.objects.filter(assignment__participant=person)
        .select_related("assignment__lot__market", "assignment__company")
        .order_by("-month", "assignment__starts_on")
    )
    context = {
        "person": person,
        "criteria": person.criteria.all(),
        "assignments": assignments,
        "entries": entries,
        "hours_done": queries.total_hours(
            HoursEntry.objects.validated().filter(assignment__participant=person)
        ),
        "outcomes": person.outcomes.all(),
    }
    return render(request, "participants/participant_detail.html", context)


def outcomes_for(user):
    roles.require(roles.sees_people, user)
    return Outcome.objects.select_related("participant")


class PeopleOnly:
    """Personal data: the team only (403 for the read-only role)."""

    permission = PEOPLE


class ParticipantRecord(PeopleOnly, records_of(Participant, participants_for)):
    pass


class OutcomeRecord(PeopleOnly, records_of(Outcome, outcomes_for)):
    pass


class ParticipantFormMixin(ParticipantRecord):
    form_class = ParticipantForm
    success_message = "Participant enregistré : {object}."
    template_name = "participants/participant_form.html"

    def get_context_data(self, **kwargs):  # suggestions while typing
        return super().get_context_data(communes=COMMUNES, prescribers=PRESCRIBERS, **kwargs)


class ParticipantCreate(ParticipantFormMixin, RecordCreateView):
    title = "Nouveau participant"


class ParticipantUpdate(ParticipantFormMixin, RecordUpdateView):
    def get_title(self):
        return f"Modifier {self.object}"


class ParticipantDelete(ParticipantRecord, RecordDeleteView):
    hours_path = "assignment__participant"
    success_message = "Participant supprimé : {object}."
    success_url = reverse_lazy("participants:participant_list")


class OutcomeFormMixin(OutcomeRecord):
    form_class = OutcomeForm
    success_message = "Sortie enregistrée : {object}."


class OutcomeCreate(OutcomeFormMixin, RecordCreateView):
    @cached_property
    def person(self):
        return participant_for(self.request.user, self.kwargs["pk"])

    def get_title(self):
        return f"Nouvelle sortie de {self.person}"

    def get_cancel_url(self):
        return self.person.get_absolute_url()

    def get_initial(self):
        initial = super().get_initial()
        last_end = self.person.assignments.order_by("-ends_on").values_list("ends_on", flat=True).first()
        if last_end:
            initial["date"] = last_end
        return initial

    def save_object(self, form):
        outcome = form.save(commit=False)
        outcome.participant = self.person
        outcome.save()
        return outcome


class OutcomeUpdate(OutcomeFormMixin, RecordUpdateView):
    def get_title(self):
        return f"Modifier la sortie de {self.object.participant}"


class OutcomeDelete(OutcomeRecord, RecordDeleteView):
    success_message = "Sortie supprimée : {object}."

    def get_success_url(self):
        return self.object.get_absolute_url()  # the person's page
