"""Screens of trainings and their trainees. The read-only role sees trainings and counts of trainees,
never their names."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from clauses_site import roles
from clauses_site.editing import RecordCreateView, RecordDeleteView, RecordUpdateView, records_of
from clauses_site.listing import FilteredListView
from partnerships import trainings
from partnerships.filters import TrainingFilter
from partnerships.forms import TraineeForm, TrainingForm
from partnerships.models import Trainee, Training
from partnerships.tables import TRAINING_EXPORT_COLUMNS, TrainingTable


def trainings_for(user):
    return Training.objects.select_related("body", "funder", "company", "lot__market", "lot__clause")


def training_for(user, pk):
    return get_object_or_404(trainings_for(user), pk=pk)


def trainees_for(user):
    roles.require(roles.sees_people, user)
    return Trainee.objects.select_related("training__lot__market", "training__company", "participant")


def trainee_for(user, pk):
    return get_object_or_404(trainees_for(user), pk=pk)


TrainingRecord = records_of(Training, trainings_for)
TraineeRecord = records_of(Trainee, trainees_for)


class TrainingList(FilteredListView):
    title = "Formations"
    intro = "Les actions de formation qui préparent les personnes aux postes des chantiers."
    template_name = "partnerships/list_page.html"
    filterset_class = TrainingFilter
    table_class = TrainingTable
    export_columns = TRAINING_EXPORT_COLUMNS
    export_filename = "formations.xlsx"
    export_sheet = "Formations"
    create_url_name = "partnerships:training_create"
    create_label = "Nouvelle formation"

    def get_queryset(self):
        return trainings_for(self.request.user).with_counts().order_by("-starts_on", "pk")


def training_detail(request, pk):
    training = training_for(request.user, pk)
    trainees = Trainee.objects.filter(training=training)
    outcome_counts = dict(trainees.order_by().values_list("outcome").annotate(n=Count("pk")))
    counts = [(label, outcome_counts.get(value, 0)) for value, label in Trainee.Outcome.choices]
    total = sum(n for _, n in counts)
    context = {
        "training": training,
        "outcome_counts": counts,
        "trainee_total": total,
        "places_left": None if training.places is None else max(training.places - total, 0),
        "training_counts": trainings.training_counts_on_lot(training),
        "can_edit": roles.can_edit(request.user),
    }
    if roles.sees_people(request.user):
        context["trainees"] = trainees.select_related(
            "participant", "hired_assignment__lot__market", "hours_assignment"
        )
        context["recorded"] = trainees.filter(hours_assignment__isnull=False).count()
    return render(request, "partnerships/training_detail.html", context)


class TrainingFormMixin(TrainingRecord):
    form_class = TrainingForm
    success_message = "Formation enregistrée : {object}."


class TrainingCreate(TrainingFormMixin, RecordCreateView):
    title = "Nouvelle formation"
    cancel_url = "partnerships:training_list"


class TrainingUpdate(TrainingFormMixin, RecordUpdateView):
    def get_title(self):
        return f"Modifier « {self.object.title} »"


class TrainingDelete(TrainingRecord, RecordDeleteView):
    success_message = "Formation supprimée : {object}."
    success_url = reverse_lazy("partnerships:training_list")

    def refusal(self):
        recorded = self.object.trainees.filter(hours_assignment__isnull=False).count()
        if recorded:
            return (
                "Suppression impossible : les heures de formation de "
                f"{recorded} stagiaire{'s sont reportées' if recorded > 1 else ' sont reportées'} sur le lot."
            )
        return None


class TraineeFormMixin(TraineeRecord):
    form_class = TraineeForm
    permission = staticmethod(lambda user: roles.can_edit(user) and roles.sees_people(user))
    success_message = "Stagiaire enregistré(e) : {object}."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "training": self.training}

    def get_success_url(self):
        return self.training.get_absolute_url() + "#stagiaires"

    def get_cancel_url(self):
        return self.training.get_absolute_url()


class TraineeCreate(TraineeFormMixin, RecordCreateView):
    @cached_property
    def training(self):
        return training_for(self.request.user, self.kwargs["pk"])

    def get_title(self):
        return f"Inscrire une personne — {self.training.title}"

    def get_success_url(self):
        if "ajouter_autre" in self.request.POST:
            return reverse("partnerships:trainee_create", args=[self.training.pk])
        return super().get_success_url()


class TraineeUpdate(TraineeFormMixin, RecordUpdateView):
    @property
    def training(self):
        return self.object.training

    def get_title(self):
        return f"{self.object.participant} — {self.object.training.title}"


class TraineeDelete(TraineeRecord, RecordDeleteView):
    success_message = "Inscription retirée : {object}."

    def refusal(self):
        if self.object.hours_assignment_id:
            return (
                "Suppression impossible : ses heures de formation sont reportées sur le lot "
                "(supprimez d'abord la mise à l'emploi « Formation » et ses heures)."
            )
        return None

    def get_success_url(self):
        return self.object.get_absolute_url()  # the training's page


@require_POST
def trainee_hours(request, pk):
    """Record a trainee's training hours on the training's lot (« Formation » assignment, draft hours)."""
    roles.require(roles.can_edit, request.user)
    trainee = trainee_for(request.user, pk)
    try:
        assignment = trainings.record_training_hours(trainee, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        counts = trainings.training_counts_on_lot(trainee.training)
        note = (
            ""
            if counts
            else " La clause de ce lot ne compte pas la formation : ces heures n'y compteront pas."
        )
        messages.success(
            request,
            f"Heures de formation de {trainee.participant} reportées sur {assignment.lot} "
            f"(en brouillon, à valider dans la saisie des heures).{note}",
        )
    return redirect(trainee.get_absolute_url() + "#stagiaires")
