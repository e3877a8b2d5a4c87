"""Screens of the journal of meetings and actions (« Journal d'activité ») and of the follow-ups to make
(« À relancer »)."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from clauses_site import roles
from clauses_site.editing import (
    RecordCreateView,
    RecordDeleteView,
    RecordUpdateView,
    records_of,
    url_is_local,
)
from clauses_site.listing import FilteredListView
from companies.models import Company
from markets.models import Buyer, Market
from partnerships.filters import FollowUpDueFilter, JournalFilter
from partnerships.forms import JournalEntryForm
from partnerships.models import JournalEntry, Proposal, RecruitmentNeed
from partnerships.tables import JOURNAL_EXPORT_COLUMNS, JOURNAL_TEXT_COLUMNS, FollowUpTable, JournalTable


def journal_entries_for(user):
    return JournalEntry.objects.select_related("author", "follow_up_done_by")


def journal_entry_for(user, pk):
    return get_object_or_404(journal_entries_for(user), pk=pk)


def _listed(entries):
    return entries.prefetch_related("buyers", "markets", "companies")


class JournalList(FilteredListView):
    title = "Journal d'activité"
    intro = "Réunions et actions avec les donneurs d'ordre, les entreprises et les partenaires."
    template_name = "partnerships/list_page.html"
    filterset_class = JournalFilter
    table_class = JournalTable
    export_filename = "journal.xlsx"
    export_sheet = "Journal"
    create_url_name = "partnerships:journal_create"
    create_label = "Nouvelle entrée"

    # The subject, the people met and the report are free text that may name people: the read-only
    # role sees the date, kind and organisations of an entry, cannot export or search that text.
    @property
    def export_columns(self):
        if roles.can_edit(self.request.user):
            return JOURNAL_EXPORT_COLUMNS
        return [c for c in JOURNAL_EXPORT_COLUMNS if c.title not in JOURNAL_TEXT_COLUMNS]

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if not roles.can_edit(self.request.user):
            filterset.filters.pop("q", None)
        return filterset

    def get_queryset(self):
        return _listed(journal_entries_for(self.request.user))


class FollowUpList(FilteredListView):
    """« À relancer »: follow-ups whose date has come (today included) and that are not done."""

    title = "À relancer"
    intro = "Les relances prévues au journal dont la date est arrivée, les plus anciennes d'abord."
    template_name = "partnerships/list_page.html"
    filterset_class = FollowUpDueFilter
    table_class = FollowUpTable

    def get_queryset(self):
        today = timezone.localdate()
        return _listed(journal_entries_for(self.request.user).follow_ups_due(today)).order_by(
            "follow_up_on", "pk"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=roles.can_edit(self.request.user), **kwargs)


def journal_detail(request, pk):
    entry = journal_entry_for(request.user, pk)
    needs = (
        RecruitmentNeed.objects.filter(meeting=entry)
        .select_related("lot__market", "company")
        .annotate(
            retained_count=Count(
                "proposals", filter=Q(proposals__state=Proposal.State.RETAINED), distinct=True
            )
        )
        .order_by("pk")
    )
    context = {
        "entry": entry,
        "buyers": entry.buyers.all(),
        "markets": entry.markets.select_related("buyer"),
        "companies": entry.companies.all(),
        "needs": needs,
        "can_edit": roles.can_edit(request.user),
        "today": timezone.localdate(),
    }
    if context["can_edit"]:  # a need collected at this meeting
        context["add_need_url"] = f"{reverse('partnerships:need_create')}?reunion={entry.pk}"
    return render(request, "partnerships/journal_detail.html", context)


JournalRecord = records_of(JournalEntry, journal_entries_for)


class JournalFormMixin(JournalRecord):
    form_class = JournalEntryForm
    template_name = "partnerships/journal_form.html"
    success_message = "Entrée du journal enregistrée : {object}."


#: ?acheteur=, ?marche=, ?entreprise= prefill the entry from the page it was opened from.
PREFILL = {"acheteur": ("buyers", Buyer), "marche": ("markets", Market), "entreprise": ("companies", Company)}


class JournalCreate(JournalFormMixin, RecordCreateView):
    title = "Nouvelle entrée du journal"

    def get_initial(self):
        initial = super().get_initial()
        for param, (field, model) in PREFILL.items():
            value = self.request.GET.get(param, "")
            if value.isdigit() and model.objects.filter(pk=value).exists():
                initial[field] = [int(value)]
        kind = self.request.GET.get("type")
        if kind in JournalEntry.Kind.values:
            initial["kind"] = kind
        return initial

    def save_object(self, form):
        entry = form.save(commit=False)
        entry.author = self.request.user
        entry.save()
        form.save_m2m()
        return entry

    def get_cancel_url(self):
        back = self.request.GET.get("retour")
        return back if url_is_local(back) else reverse("partnerships:journal_list")


class JournalUpdate(JournalFormMixin, RecordUpdateView):
    def get_title(self):
        return f"Modifier « {self.object.subject} »"

    def save_object(self, form):
        entry = form.save(commit=False)
        was_done = JournalEntry.objects.filter(pk=entry.pk, follow_up_done=True).exists()
        if entry.follow_up_done and not was_done:
            entry.mark_done(self.request.user)
        elif not entry.follow_up_done:
            entry.mark_done(None, done=False)
        entry.save()
        form.save_m2m()
        return entry


class JournalDelete(JournalRecord, RecordDeleteView):
    success_message = "Entrée du journal supprimée : {object}."
    success_url = reverse_lazy("partnerships:journal_list")


@require_POST
def journal_done(request, pk):
    """Mark a follow-up done (or, with done=0, to do again)."""
    roles.require(roles.can_edit, request.user)
    entry = journal_entry_for(request.user, pk)
    done = request.POST.get("done", "1") != "0"
    if entry.follow_up_on is None:
        messages.error(request, "Cette entrée ne prévoit pas de relance.")
    else:
        entry.mark_done(request.user, done=done)
        entry.save(update_fields=["follow_up_done", "follow_up_done_at", "follow_up_done_by", "updated_at"])
        if done:
            messages.success(request, f"Relance faite : « {entry.subject} ».")
        else:
            messages.success(request, f"Relance de nouveau à faire : « {entry.subject} ».")
    back = request.POST.get("retour")
    return redirect(back if url_is_local(back) else entry.get_absolute_url())
