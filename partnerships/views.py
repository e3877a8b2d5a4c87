"""Screens of partnerships: the overview, recruitment needs and proposals (hiring in one step), and the
needs to come. Trainings, the journal, follow-ups and the ESS directory have their own modules
(views_trainings.py, views_journal.py, views_followups.py, views_directory.py).

Roles: editors (manager, facilitators) create and change; the read-only role sees needs, trainings, the
journal and the directory, never a participant's name (the people proposed are counted for it)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from clauses_site import roles
from clauses_site.editing import (
    RecordCreateView,
    RecordDeleteView,
    RecordUpdateView,
    records_of,
    url_is_local,
)
from clauses_site.exports import Column, xlsx_response
from clauses_site.listing import FilteredListView
from clauses_site.months import add_months, first_of_month, month_label, parse_month
from companies.models import Company
from partnerships import followups, journal, needs
from partnerships.filters import NeedFilter, UpcomingFilter
from partnerships.forms import HireForm, NeedForm, ProposalCommentForm, ProposalForm
from partnerships.models import JournalEntry, Proposal, RecruitmentNeed, Training
from partnerships.tables import NEED_EXPORT_COLUMNS, NeedTable

# --- fetching what a user may see ------------------------------------------------------------------------


def needs_for(user):
    return RecruitmentNeed.objects.select_related("lot__market__buyer", "company", "meeting", "created_by")


def need_for(user, pk):
    return get_object_or_404(needs_for(user), pk=pk)


def proposals_for(user):
    """Proposals name people: never the read-only role."""
    roles.require(roles.sees_people, user)
    return Proposal.objects.select_related("need__lot__market", "need__company", "participant", "assignment")


def proposal_for(user, pk):
    return get_object_or_404(proposals_for(user), pk=pk)


NeedRecord = records_of(RecruitmentNeed, needs_for)
ProposalRecord = records_of(Proposal, proposals_for)


def _back(request, default):
    target = request.POST.get("retour") or request.GET.get("retour")
    return target if url_is_local(target) else default


# --- overview --------------------------------------------------------------------------------------------


def index(request):
    """« Partenariats »: what is waiting, with links to each list."""
    today = timezone.localdate()
    open_needs = RecruitmentNeed.objects.open().aggregate(needs=Count("pk"), positions=Sum("positions"))
    context = {
        "open_needs": open_needs["needs"],
        "open_positions": open_needs["positions"] or 0,
        "trainings_to_come": Training.objects.filter(Q(starts_on__gte=today) | Q(ends_on__gte=today)).count(),
        "follow_ups_due": JournalEntry.objects.follow_ups_due(today).count(),
        "structures": Company.objects.insertion_structures().active().count(),
        "today": today,
    }
    if roles.sees_people(request.user):
        context["end_outcomes_due"], context["six_month_outcomes_due"] = followups.due_counts(today)
    context["follow_ups"] = journal.follow_ups_due(today, limit=5)
    return render(request, "partnerships/index.html", context)


# --- needs -----------------------------------------------------------------------------------------------


class NeedList(FilteredListView):
    title = "Besoins de recrutement"
    intro = "Les postes que les entreprises annoncent sur leurs lots, et les personnes proposées."
    template_name = "partnerships/list_page.html"
    filterset_class = NeedFilter
    table_class = NeedTable
    export_columns = NEED_EXPORT_COLUMNS
    export_filename = "besoins.xlsx"
    export_sheet = "Besoins"
    create_url_name = "partnerships:need_create"
    create_label = "Nouveau besoin"

    def get_queryset(self):
        return (
            needs_for(self.request.user)
            .with_counts()
            .order_by(F("expected_start").asc(nulls_last=True), "pk")  # no Meta.ordering with GROUP BY
        )


def need_detail(request, pk):
    need = need_for(request.user, pk)
    proposals = Proposal.objects.filter(need=need)
    counts = proposals.aggregate(
        proposed=Count("pk"),
        retained=Count("pk", filter=Q(state=Proposal.State.RETAINED)),
        refused=Count("pk", filter=Q(state=Proposal.State.REFUSED)),
    )
    context = {
        "need": need,
        "counts": counts,
        "closed_reason": needs.closed_reason(need),
        "can_edit": roles.can_edit(request.user),
        "sees_people": roles.sees_people(request.user),
    }
    if roles.sees_people(request.user):
        context["proposals"] = proposals.select_related("participant", "assignment", "proposed_by").order_by(
            "proposed_at", "pk"
        )
    return render(request, "partnerships/need_detail.html", context)


class NeedFormMixin(NeedRecord):
    form_class = NeedForm
    template_name = "partnerships/need_form.html"
    success_message = "Besoin enregistré : {object}."
    meeting = None  # the meeting the need was collected at (?reunion=, on creation)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "meeting": self.meeting}

    def get_context_data(self, **kwargs):
        return super().get_context_data(meeting=self.meeting, **kwargs)


class NeedCreate(NeedFormMixin, RecordCreateView):
    title = "Nouveau besoin de recrutement"

    @cached_property
    def meeting(self):
        pk = self.request.GET.get("reunion")
        return get_object_or_404(JournalEntry, pk=pk) if pk and str(pk).isdigit() else None

    def get_initial(self):
        initial = super().get_initial()
        for key, name in (("lot", "lot"), ("entreprise", "company")):
            value = self.request.GET.get(key)
            if value and value.isdigit():
                initial[name] = int(value)
        meeting = self.meeting
        if meeting is not None and "lot" not in initial:
            lots = list(self.get_form_class()(meeting=meeting).fields["lot"].queryset[:2])
            if len(lots) == 1:
                initial["lot"] = lots[0].pk
        return initial

    def save_object(self, form):
        need = form.save(commit=False)
        need.created_by = self.request.user
        need.meeting = self.meeting
        need.save()
        return need

    def get_success_url(self):
        meeting = self.meeting
        if "ajouter_autre" in self.request.POST:
            url = reverse("partnerships:need_create")
            params = (
                f"?reunion={meeting.pk}"
                if meeting
                else f"?lot={self.object.lot_id}&entreprise={self.object.company_id}"
            )
            return url + params
        if meeting is not None:
            return meeting.get_absolute_url() + "#besoins"
        return super().get_success_url()

    def get_cancel_url(self):
        meeting = self.meeting
        return meeting.get_absolute_url() if meeting is not None else reverse("partnerships:need_list")


class NeedUpdate(NeedFormMixin, RecordUpdateView):
    def get_title(self):
        return f"Modifier le besoin « {self.object.job} »"


class NeedDelete(NeedRecord, RecordDeleteView):
    success_message = "Besoin supprimé : {object}."
    success_url = reverse_lazy("partnerships:need_list")

    def refusal(self):
        hired = self.object.proposals.filter(assignment__isnull=False).count()
        if hired:
            people = f"{hired} personnes ont été recrutées" if hired > 1 else "une personne a été recrutée"
            return (
                f"Suppression impossible : {people} sur ce besoin. "
                "Passez-le plutôt au statut « Annulé » ou « Pourvu »."
            )
        return None


# --- proposals -------------------------------------------------------------------------------------------


def proposal_create(request, pk):
    roles.require(roles.can_edit, request.user)
    roles.require(roles.sees_people, request.user)
    need = need_for(request.user, pk)
    reason = needs.closed_reason(need)
    form = ProposalForm(request.POST or None, need=need)
    if request.method == "POST" and reason is None and form.is_valid():
        try:
            proposal = needs.propose(
                need, form.cleaned_data["participant"], form.cleaned_data["comment"], request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{proposal.participant} proposé(e) pour « {need.job} ».")
            if "ajouter_autre" in request.POST:
                return redirect("partnerships:proposal_create", pk=need.pk)
            return redirect(need)
    return _need_form_page(
        request, "partnerships/proposal_form.html", need, form, reason, f"Proposer un candidat — {need.job}"
    )


def _need_form_page(request, template, need, form, closed_reason, title, **context):
    """A form about one need (proposing someone, hiring them): why the need takes no one any more, and
    the way back to its page."""
    context.update(
        form=form, need=need, closed_reason=closed_reason, title=title, cancel_url=need.get_absolute_url()
    )
    return render(request, template, context)


class ProposalUpdate(ProposalRecord, RecordUpdateView):
    form_class = ProposalCommentForm
    permission = staticmethod(roles.can_edit)
    success_message = "Commentaire enregistré."

    def get_title(self):
        return f"Proposition de {self.object.participant} — {self.object.need.job}"


@require_POST
def proposal_state(request, pk):
    """Refuse a proposal, or put a refused one back on the short list."""
    roles.require(roles.can_edit, request.user)
    proposal = proposal_for(request.user, pk)
    state = request.POST.get("state")
    if state not in (Proposal.State.PROPOSED, Proposal.State.REFUSED):
        messages.error(request, "État inconnu.")
    else:
        try:
            needs.set_state(proposal, state)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            label = Proposal.State(state).label.lower()
            messages.success(request, f"Proposition de {proposal.participant} : {label}.")
    return redirect(_back(request, proposal.get_absolute_url()))


class ProposalDelete(ProposalRecord, RecordDeleteView):
    success_message = "Proposition retirée : {object}."

    def refusal(self):
        if self.object.assignment_id:
            return (
                "Suppression impossible : cette proposition a donné lieu à une mise à l'emploi. "
                "Supprimez d'abord celle-ci (Heures › Mises à l'emploi)."
            )
        return None

    def form_valid(self, form):
        need = self.object.need
        response = super().form_valid(form)
        if response.status_code == 302:
            needs.refresh_status(need)
        return response

    def get_success_url(self):
        return self.object.get_absolute_url()  # the need's page


def proposal_hire(request, pk):
    """Turn a proposal into an assignment in one step (the terms prefilled from the need)."""
    roles.require(roles.can_edit, request.user)
    proposal = proposal_for(request.user, pk)
    need = proposal.need
    reason = needs.closed_reason(need)
    if proposal.assignment_id:
        reason = "Cette proposition a déjà donné lieu à une mise à l'emploi."
    modality, contract = needs.suggested_terms(need.company)
    starts_on = need.expected_start or timezone.localdate()
    initial = {
        "modality": modality,
        "contract_type": contract,
        "job": need.job,
        "starts_on": starts_on,
        "ends_on": needs.suggested_end(need, starts_on),
    }
    form = HireForm(request.POST or None, initial=initial)
    if request.method == "POST" and reason is None and form.is_valid():
        data = form.cleaned_data
        terms = needs.HireTerms(**{name: data[name] for name in HIRE_FIELDS})
        try:
            assignment = needs.hire(proposal, terms, request.user)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            need.refresh_from_db()
            filled = " Tous les postes du besoin sont pourvus." if need.status == need.Status.FILLED else ""
            messages.success(
                request,
                f"{proposal.participant} est recruté(e) : mise à l'emploi créée sur {assignment.lot} "
                f"à partir du {assignment.starts_on:%d/%m/%Y}.{filled}",
            )
            return redirect(need)
    return _need_form_page(
        request,
        "partnerships/hire_form.html",
        need,
        form,
        reason,
        f"Recruter {proposal.participant}",
        proposal=proposal,
    )


HIRE_FIELDS = {"employer", "modality", "contract_type", "job", "starts_on", "ends_on", "notes"}


def _errors_to_form(form, error):
    """Put an assignment's validation errors on the hiring form's fields (others above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in HIRE_FIELDS else None, errors)
    else:
        form.add_error(None, error.messages)


# --- needs to come -----------------------------------------------------------------------------------------

HORIZONS = [(3, "3 mois"), (6, "6 mois"), (12, "12 mois"), (0, "Tout")]


def need_upcoming(request):
    """« Besoins à venir »: open needs from a month on, by month and trade (ROME code, else the job)."""
    today = timezone.localdate()
    params = request.GET
    start = _month_param(params.get("mois")) or first_of_month(today)
    try:
        horizon = int(params.get("horizon", 6))
    except ValueError:
        horizon = 6
    horizon = horizon if horizon in dict(HORIZONS) else 6
    filterset = UpcomingFilter(params, queryset=RecruitmentNeed.objects.all(), request=request)
    base = filterset.qs if filterset.is_valid() else RecruitmentNeed.objects.none()
    rows, summary = needs.upcoming(base, start, horizon or None)
    if params.get("export") == "xlsx":
        return xlsx_response(
            f"besoins-a-venir-{start:%Y-%m}.xlsx",
            UPCOMING_COLUMNS,
            rows.annotate(
                retained_count=Count("proposals", filter=Q(proposals__state=Proposal.State.RETAINED))
            ),
            sheet_title="Besoins à venir",
        )
    groups = needs.group_by_month(summary)
    rows = list(rows)
    by_month = {}
    for need in rows:
        key = first_of_month(need.expected_start) if need.expected_start else None
        by_month.setdefault(key, []).append(need)
    context = {
        "filter": filterset,
        "start": start,
        "start_label": month_label(start),
        "horizon": horizon,
        "horizons": HORIZONS,
        "groups": [
            {
                "month": month,
                "label": month_label(month) if month else "Date à préciser",
                "trades": trades,
                "positions": positions,
                "needs": by_month.get(month, []),
            }
            for month, trades, positions in groups
        ],
        "total_positions": sum(g[2] for g in groups),
        "total_needs": len(rows),
        "previous_month": add_months(start, -1),
        "next_month": add_months(start, 1),
    }
    return render(request, "partnerships/upcoming.html", context)


def _month_param(text):
    return parse_month(text)


UPCOMING_COLUMNS = [
    Column(
        "Mois",
        lambda n: first_of_month(n.expected_start) if n.expected_start else None,
        kind="month",
        width=10,
    ),
    Column("Début prévu", lambda n: n.expected_start, kind="date", width=12),
    *[c for c in NEED_EXPORT_COLUMNS if c.title not in ("Début prévu",)],
]
