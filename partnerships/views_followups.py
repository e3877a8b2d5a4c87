"""Screens of the outcomes to record: at the end of the contract and six months later. They list people
by name: never the read-only role (403). Each row records the outcome with one select and one button."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses_site import roles
from clauses_site.editing import url_is_local
from clauses_site.listing import FilteredListView
from hours.models import Assignment
from participants.models import Outcome
from partnerships import followups
from partnerships.filters import OutcomeDueFilter
from partnerships.forms import OutcomeRecordForm
from partnerships.tables import OutcomeDueTable

TIMINGS = {
    Outcome.Timing.END: "partnerships:outcomes_end",
    Outcome.Timing.SIX_MONTHS: "partnerships:outcomes_six_months",
}


def assignments_for(user):
    roles.require(roles.sees_people, user)
    return Assignment.objects.select_related("participant", "lot__market", "company", "employer")


class OutcomeDueList(FilteredListView):
    permission = staticmethod(roles.sees_people)
    template_name = "partnerships/outcomes_due.html"
    filterset_class = OutcomeDueFilter
    table_class = OutcomeDueTable
    timing = Outcome.Timing.SIX_MONTHS

    def get_queryset(self):
        today = timezone.localdate()
        return followups.due(self.timing, today, assignments_for(self.request.user))

    def get_table_kwargs(self):
        return {"timing": self.timing}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(
            timing=self.timing,
            timings=[(t, Outcome.Timing(t).label, reverse(name)) for t, name in TIMINGS.items()],
            today=today,
            can_edit=roles.can_edit(self.request.user),
        )
        if self.timing == Outcome.Timing.SIX_MONTHS:
            context["soon"] = followups.six_month_outcomes_soon(today).count()
        return context


class EndOutcomesDue(OutcomeDueList):
    title = "Sorties à renseigner — fin de contrat"
    intro = (
        "Les personnes dont le dernier contrat est terminé et dont la sortie en fin de contrat n'est pas "
        "enregistrée. La sortie est datée de la fin du contrat."
    )
    timing = Outcome.Timing.END


class SixMonthOutcomesDue(OutcomeDueList):
    title = "Suivis à 6 mois"
    intro = (
        "Six mois après la fin de leur dernier contrat, ce que sont devenues les personnes. "
        "La sortie est datée du jour où vous l'enregistrez."
    )
    timing = Outcome.Timing.SIX_MONTHS


@require_POST
def outcome_record(request, pk):
    """Record the outcome of one row (htmx: the row is replaced; otherwise back to the list)."""
    roles.require(roles.can_edit, request.user)
    assignment = get_object_or_404(assignments_for(request.user), pk=pk)
    form = OutcomeRecordForm(request.POST)
    htmx = request.headers.get("HX-Request") == "true"
    timing = request.POST.get("timing")
    back = request.POST.get("retour")
    back = back if url_is_local(back) else reverse(TIMINGS.get(timing, TIMINGS[Outcome.Timing.SIX_MONTHS]))
    outcome = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            outcome = followups.record_outcome(assignment, data["timing"], data["kind"], timezone.localdate())
        except ValidationError as error:
            form.add_error(None, error)
    if htmx:
        context = {"record": assignment, "form": form, "outcome": outcome, "timing": timing, "retour": back}
        return render(request, "partnerships/includes/outcome_row_result.html", context)
    if outcome is not None:
        messages.success(request, f"Sortie enregistrée pour {assignment.participant} : {outcome}.")
    else:
        errors = [e for errors in form.errors.values() for e in errors]
        messages.error(request, f"{assignment.participant} : {' '.join(errors)}")
    return redirect(back)
