"""Screens of hours: hour entries (validation, re-opening, history) and assignments; the monthly grid
is in views_grid.py."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses_site import roles
from clauses_site.editing import RecordCreateView, RecordDeleteView, RecordUpdateView, url_is_local
from clauses_site.history import versions
from clauses_site.listing import FilteredListView
from clauses_site.months import month_label, parse_month
from hours import grid, queries
from hours.filters import AssignmentFilter, EntryFilter
from hours.forms import AssignmentForm, EntryForm, ReopenForm
from hours.models import ASSIGNMENT_FIELDS, Assignment, HoursEntry
from hours.tables import (
    ASSIGNMENT_EXPORT_COLUMNS,
    ENTRY_EXPORT_COLUMNS,
    AssignmentTable,
    EntryTable,
)
from hours.views_grid import grid_url, int_param, plural

# --- hour entries ------------------------------------------------------------------------------------------

ENTRY_HISTORY_FIELDS = ["hours", "training_hours", "status", "validated_by", "source", "entered_by"]


def entries_for(user):
    """The hour entries a user may see; 403 for the read-only role."""
    roles.require(roles.sees_people, user)
    return HoursEntry.objects.visible_to(user)


def entry_for(user, pk):
    return get_object_or_404(entries_for(user), pk=pk)


class VisibleRecords:
    """Editing views: the records the user may see (the model's QuerySet.visible_to), 404 for the others."""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


def _return_url(request, default):
    """The local address of the `retour` parameter (posted or in the query string), else `default`."""
    target = request.POST.get("retour") or request.GET.get("retour")
    return target if url_is_local(target) else default


def entry_detail(request, pk):
    entry = entry_for(request.user, pk)
    a = entry.assignment
    context = {
        "entry": entry,
        "assignment": a,
        "versions": versions(entry, ENTRY_HISTORY_FIELDS),
        "grid_url": grid_url(entry.month, a.lot),
    }
    return render(request, "hours/entry_detail.html", context)


def entry_reopen(request, pk):
    """Back to draft, with a reason: recorded in the entry's history (who, when, why)."""
    roles.require(roles.can_validate, request.user)
    entry = entry_for(request.user, pk)
    back = _return_url(request, entry.get_absolute_url())
    if not entry.is_validated:
        messages.info(request, "Ces heures ne sont pas validées : elles sont déjà modifiables.")
        return redirect(back)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        grid.reopen_entry(entry, request.user, form.cleaned_data["reason"])
        messages.success(
            request,
            f"Heures de {month_label(entry.month)} de {entry.assignment.participant} rouvertes : "
            "elles sont de nouveau modifiables (brouillon).",
        )
        return redirect(back)
    return render(request, "hours/entry_reopen.html", {"entry": entry, "form": form, "back": back})


@require_POST
def entry_validate(request):
    """Validate the draft entries chosen (ids=…): from the entries list or an entry's page."""
    roles.require(roles.can_validate, request.user)
    ids = [i for i in (int_param(v) for v in request.POST.getlist("ids")) if i is not None]
    back = _return_url(request, reverse("hours:entry_list"))
    if not ids:
        messages.warning(request, "Cochez d'abord les lignes à valider.")
        return redirect(back)
    entries = list(HoursEntry.objects.pending().filter(pk__in=ids))
    count = grid.validate_entries(entries, request.user)
    skipped = len(set(ids)) - count
    text = f"{plural(count, 'saisie validée', 'saisies validées')}."
    if skipped:
        text += f" {plural(skipped, 'ligne était', 'lignes étaient')} déjà validée(s) ou introuvable(s)."
    messages.success(request, text)
    return redirect(back)


class EntryList(FilteredListView):
    permission = staticmethod(roles.sees_people)
    title = "Heures saisies"
    intro = "Une ligne par mise à l'emploi et par mois. Seules les heures validées comptent dans les bilans."
    template_name = "hours/entry_list.html"
    filterset_class = EntryFilter
    table_class = EntryTable
    export_filename = "heures.xlsx"
    export_sheet = "Heures"
    export_columns = ENTRY_EXPORT_COLUMNS
    create_url_name = "hours:entry_create"
    create_label = "Saisir des heures"
    count_limit = 10_000  # « plus de 10 000 résultats »: no count of millions of entries at each page

    def get_queryset(self):
        # The table replaces this order by its own (EntryTable: -month, then primary key), export included.
        return entries_for(self.request.user).order_by("-month", "assignment__participant__last_name", "pk")

    def get_table_kwargs(self):
        return {"exclude": () if roles.can_validate(self.request.user) else ("select",)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_validate"] = roles.can_validate(self.request.user)
        context["suivi_export_url"], context["suivi_export_title"] = self.suivi_export()
        return context

    def suivi_export(self):
        """The tracking sheet's export with the list's buyer and period (the filters it knows), and what
        it holds, for the button's tooltip."""
        form = self.filterset.form
        data = form.cleaned_data if form.is_valid() else {}
        buyer, period = data.get("buyer"), data.get("period")
        params, scope = {}, ["Les heures validées"]
        if buyer is not None:
            params["buyer"] = buyer.pk
            scope.append(f"de {buyer}")
        start, end = period or (None, None)
        if start:
            params["period_du"] = start.isoformat()
        if end:
            params["period_au"] = end.isoformat()
        if start and end:
            scope.append(f"de {start:%m/%Y} à {end:%m/%Y}")
        elif start or end:
            scope.append(f"à partir de {start:%m/%Y}" if start else f"jusqu'à {end:%m/%Y}")
        url = reverse("hours:export_suivi")
        title = " ".join(scope) + ", au format du tableau de suivi"
        return (f"{url}?{urlencode(params)}" if params else url), title


class EntryEditing:
    model = HoursEntry
    form_class = EntryForm


class EntryCreate(EntryEditing, RecordCreateView):
    title = "Saisir des heures"
    success_message = "Heures enregistrées (brouillon) : {object}."

    def get_initial(self):
        initial = super().get_initial()
        if assignment := int_param(self.request.GET.get("mise")):
            initial["assignment"] = assignment
        if month := parse_month(self.request.GET.get("mois")):
            initial["month"] = month
        return initial

    def save_object(self, form):
        entry = form.save(commit=False)
        entry.status = HoursEntry.Status.DRAFT
        entry.source = HoursEntry.Source.MANUAL
        entry.entered_by = self.request.user
        entry.save()
        return entry


class EntryUpdate(EntryEditing, VisibleRecords, RecordUpdateView):
    success_message = "Heures enregistrées : {object}."

    def get_title(self):
        return f"Modifier les heures de {month_label(self.object.month)}"

    def dispatch(self, request, *args, **kwargs):
        if roles.can_edit(request.user):
            entry = entry_for(request.user, kwargs["pk"])
            if entry.is_validated:
                messages.warning(request, VALIDATED_READ_ONLY)
                return redirect(entry)
        return super().dispatch(request, *args, **kwargs)

    def save_object(self, form):
        entry = form.save(commit=False)
        entry.entered_by = self.request.user
        entry.save()
        return entry


VALIDATED_READ_ONLY = (
    "Ces heures sont validées : pour les modifier ou les supprimer, rouvrez-les d'abord "
    "(la réouverture est enregistrée dans l'historique)."
)


class EntryDelete(VisibleRecords, RecordDeleteView):
    model = HoursEntry
    success_message = "Heures supprimées : {object}."

    def refusal(self):
        return VALIDATED_READ_ONLY if self.object.is_validated else None

    def get_success_url(self):
        return self.object.assignment.get_absolute_url()


# --- assignments -----------------------------------------------------------------------------------------

ASSIGNMENT_HISTORY_FIELDS = list(ASSIGNMENT_FIELDS)


def assignments_for(user):
    """The assignments a user may see; 403 for the read-only role."""
    roles.require(roles.sees_people, user)
    return Assignment.objects.visible_to(user)


class AssignmentList(FilteredListView):
    permission = staticmethod(roles.sees_people)
    title = "Mises à l'emploi"
    filterset_class = AssignmentFilter
    table_class = AssignmentTable
    export_filename = "mises-a-l-emploi.xlsx"
    export_sheet = "Mises à l'emploi"
    export_columns = ASSIGNMENT_EXPORT_COLUMNS
    create_url_name = "hours:assignment_create"
    create_label = "Nouvelle mise à l'emploi"
    count_limit = 10_000  # « plus de 10 000 résultats »: no count of 300 000 assignments at each page

    def get_queryset(self):
        return queries.assignments_with_hours(
            assignments_for(self.request.user), figures=("hours_done",)
        ).order_by("-starts_on", "participant__last_name", "pk")


def assignment_detail(request, pk):
    assignment = get_object_or_404(queries.assignments_with_hours(assignments_for(request.user)), pk=pk)
    entries = assignment.entries.select_related("validated_by").order_by("-month")
    context = {
        "assignment": assignment,
        "entries": entries,
        "versions": versions(assignment, ASSIGNMENT_HISTORY_FIELDS),
        "grid_url": grid_url(grid.collected_month(timezone.localdate()), assignment.lot),
    }
    return render(request, "hours/assignment_detail.html", context)


class AssignmentEditing:
    model = Assignment
    form_class = AssignmentForm
    success_message = "Mise à l'emploi enregistrée : {object}."


class AssignmentCreate(AssignmentEditing, RecordCreateView):
    title = "Nouvelle mise à l'emploi"

    def get_initial(self):
        initial = super().get_initial()
        for key, name in (("participant", "participant"), ("lot", "lot"), ("entreprise", "company")):
            if value := int_param(self.request.GET.get(key)):
                initial[name] = value
        return initial


class AssignmentUpdate(AssignmentEditing, VisibleRecords, RecordUpdateView):
    def get_title(self):
        return f"Modifier la mise à l'emploi de {self.object.participant}"


class AssignmentDelete(VisibleRecords, RecordDeleteView):
    model = Assignment
    hours_path = "assignment"
    success_message = "Mise à l'emploi supprimée : {object}."

    def get_success_url(self):
        return self.object.participant.get_absolute_url()
