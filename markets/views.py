"""Screens of markets, lots, clauses and awards (buyers and operations: views_buyers.py): lists (filters,
xlsx export), pages telling each record's story (hours owed and how they were computed, progress of each
company), and the create/edit/delete forms. Hours are counted by hours/queries.py only."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from clauses_site import roles
from clauses_site.editing import (
    RecordCreateView,
    RecordDeleteView,
    RecordDetailView,
    RecordUpdateView,
)
from clauses_site.listing import FilteredListView
from hours.models import HoursEntry
from hours.queries import (
    COUNTED_HOURS,
    HOURS,
    assignments_with_hours,
    awards_with_hours,
    counted_entries,
    lot_progress,
    lots_with_hours,
    markets_with_hours,
    progress,
    progress_over,
    with_lot_progress,
)
from markets import filters, forms, tables
from markets.models import Award, Clause, Lot, Market, Stage, StageMove


def today():
    return timezone.localdate()


class ArchivableDelete(RecordDeleteView):
    """A deletion that offers archiving instead, through this app's URL « <model>_archive »."""

    def get_archive_url(self):
        return reverse(f"markets:{self.model._meta.model_name}_archive", kwargs={"pk": self.object.pk})


class RecordPage(RecordDetailView):
    """A record's page; `can_edit` tells the template whether to offer the editing buttons."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=roles.can_edit(self.request.user), **kwargs)


class ChildCreate(RecordCreateView):
    """Creating a record under its `parent` (a foreign key: a market's lot, a lot's award…) whose id is
    the URL's `parent_kwarg`; the parent is `self.<parent>`, and cancelling goes back to its page."""

    parent = parent_kwarg = None
    parent_queryset = None  # default: all the parent model's records

    def dispatch(self, request, *args, **kwargs):
        queryset = self.parent_queryset
        if queryset is None:
            queryset = self.model._meta.get_field(self.parent).related_model.objects.all()
        setattr(self, self.parent, get_object_or_404(queryset, pk=kwargs[self.parent_kwarg]))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model(**{self.parent: getattr(self, self.parent)})
        return kwargs

    def get_cancel_url(self):
        return getattr(self, self.parent).get_absolute_url()


class ChildDelete(RecordDeleteView):
    """A deletion that goes back to the page of the record's `parent` (a foreign key): a lot's market,
    a clause's lot… (the record's own page is gone)."""

    parent = None

    def get_success_url(self):
        return getattr(self.object, self.parent).get_absolute_url()


def awards_progress(awards, on):
    for award in awards:
        lot = award.lot
        award.progress = progress(award.hours_owed, award.hours_done_to_date, lot.starts_on, lot.ends_on, on)
    return awards


#: List pages show hours done only: one subquery per row instead of four.
LIST_FIGURES = ("hours_done",)
#: Assignments listed on a lot's page (the most recent; the count and the link cover them all).
LOT_ASSIGNMENTS_SHOWN = 200


# --- markets ------------------------------------------------------------------------------------------


class MarketList(FilteredListView):
    title = "Marchés"
    filterset_class = filters.MarketFilter
    table_class = tables.MarketTable
    export_columns = tables.MARKET_EXPORT
    export_filename = "marches.xlsx"
    create_url_name = "markets:market_create"
    create_label = "Nouveau marché"

    def get_queryset(self):
        return markets_with_hours(
            Market.objects.select_related("buyer", "sector", "facilitator"), figures=LIST_FIGURES
        )

    def get_export_queryset(self, queryset):
        return queryset.select_related("operation")


class MarketDetail(RecordPage):
    template_name = "markets/market_detail.html"

    def get_queryset(self):
        return markets_with_hours(
            Market.objects.select_related("buyer", "operation", "sector", "facilitator")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        market = self.object
        on = today()
        lots = list(lots_with_hours(market.lots.select_related("clause")).order_by("number_key"))
        expected_total = with_lot_progress(lots, on)
        awards = awards_progress(
            list(
                awards_with_hours(Award.objects.filter(lot__market=market).select_related("company", "lot"))
            ),
            on,
        )
        by_lot = {}
        for award in awards:
            by_lot.setdefault(award.lot_id, []).append(award)
        for lot in lots:
            lot.award_list = by_lot.get(lot.pk, [])
            clause = getattr(lot, "clause", None)
            if clause is not None:
                clause.lot = lot  # the formula reads the lot's amount: no extra query
                lot.explanation = clause.explain()
        context.update(
            lots=lots,
            overall=progress_over(market.hours_required, market.hours_done_to_date, expected_total),
            stage_changes=list(market.stage_changes.select_related("by")),
        )
        return context


class MarketFormMixin:
    model = Market
    form_class = forms.MarketForm
    template_name = "markets/market_form.html"
    success_message = "Marché « {object} » enregistré."


class MarketCreate(MarketFormMixin, RecordCreateView):
    title = "Nouveau marché"
    cancel_url = "markets:market_list"

    def get_initial(self):
        initial = super().get_initial()
        buyer = self.request.GET.get("donneur")
        if buyer and buyer.isdigit():
            initial["buyer"] = int(buyer)
        if roles.can_edit(self.request.user):
            initial.setdefault("facilitator", self.request.user.pk)
        return initial


class MarketUpdate(MarketFormMixin, RecordUpdateView):
    def get_title(self):
        return f"Modifier le marché {self.object.reference}"

    def form_valid(self, form):
        """A change of stage that skips stages, closes or reopens the market is saved only once
        confirmed (confirme=<that stage>, the « Confirmer » button of the form shown again with what the
        move will do); before, nothing is."""
        before, stage = form.initial.get("stage"), form.cleaned_data.get("stage")
        if before and stage and stage != before and self.request.POST.get("confirme") != stage:
            move = StageMove(Stage(before), Stage(stage))
            if move.needs_confirmation:
                return self.render_to_response(self.get_context_data(form=form, stage_move=move))
        return super().form_valid(form)

    def save_object(self, form):
        """A change of stage goes through Market.move_to(), which dates and records it."""
        market = form.save(commit=False)
        market.save_moving(form.initial.get("stage"), self.request.user)
        return market


class MarketDelete(ArchivableDelete):
    model = Market
    hours_path = "assignment__lot__market"
    success_url = reverse_lazy("markets:market_list")
    success_message = "Marché « {object} » supprimé."


# --- lots ---------------------------------------------------------------------------------------------


class LotList(FilteredListView):
    title = "Lots"
    filterset_class = filters.LotFilter
    table_class = tables.LotTable
    export_columns = tables.LOT_EXPORT
    export_filename = "lots.xlsx"

    def get_queryset(self):
        return lots_with_hours(Lot.objects.select_related("market__buyer"), figures=LIST_FIGURES)


class LotDetail(RecordPage):
    template_name = "markets/lot_detail.html"

    def get_queryset(self):
        return lots_with_hours(Lot.objects.select_related("market__buyer", "clause"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lot = self.object
        on = today()
        lot.progress = lot_progress(lot, on)
        clause = getattr(lot, "clause", None)
        if clause is not None:
            clause.lot = lot
            context["explanation"] = clause.explain()
        awards = awards_progress(list(awards_with_hours(lot.awards.select_related("company", "lot"))), on)
        sees_people = roles.sees_people(self.request.user)
        related = ["company", "employer", *(["participant"] if sees_people else [])]
        counts = lot.assignments.aggregate(n=Count("pk"), people=Count("participant", distinct=True))
        # The most recent ones only: the busiest lot of a region holds 1 800 (a 1 MB page); the others are
        # in the assignments list filtered on the lot (linked).
        assignments = list(
            assignments_with_hours(lot.assignments.select_related(*related)).order_by("-starts_on", "pk")[
                :LOT_ASSIGNMENTS_SHOWN
            ]
        )
        if not sees_people:
            # No database id for the read-only role: « Personne 1, 2… » numbered on this page only, by
            # order of arrival on the lot, so that nobody can be followed from one lot to another.
            numbers = {}
            for a in sorted(assignments, key=lambda a: (a.starts_on, a.pk)):
                numbers.setdefault(a.participant_id, len(numbers) + 1)
            for a in assignments:
                a.pseudonym = f"Personne {numbers[a.participant_id]}"
        months = list(
            counted_entries()
            .filter(assignment__lot=lot)
            .order_by()
            .values("month")
            .annotate(
                hours=Sum(COUNTED_HOURS, output_field=HOURS),
                training=Sum("training_hours"),
                people=Count("assignment__participant", distinct=True),
            )
            .order_by("month")
        )
        drafts = (
            HoursEntry.objects.pending().filter(assignment__lot=lot).aggregate(n=Count("pk"), h=Sum("hours"))
        )
        context.update(
            clause=clause,
            awards=awards,
            assignments=assignments,
            assignment_count=counts["n"],
            assignments_url=f"{reverse('hours:assignment_list')}?lot={lot.pk}" if sees_people else None,
            people=counts["people"],
            months=months,
            drafts=drafts,
            sees_people=sees_people,
        )
        return context


class LotFormMixin:
    model = Lot
    form_class = forms.LotForm
    success_message = "« {object} » enregistré."


class LotCreate(LotFormMixin, ChildCreate):
    parent, parent_kwarg = "market", "market_pk"

    def get_initial(self):
        return {"starts_on": self.market.starts_on, "ends_on": self.market.ends_on}

    def get_title(self):
        return f"Nouveau lot — {self.market.reference}"


class LotUpdate(LotFormMixin, RecordUpdateView):
    queryset = Lot.objects.select_related("market")

    def get_title(self):
        return f"Modifier {self.object} — {self.object.market.reference}"


class LotDelete(ChildDelete):
    model = Lot
    hours_path = "assignment__lot"
    parent = "market"
    success_message = "« {object} » supprimé."


# --- clauses ------------------------------------------------------------------------------------------


class ClauseFormMixin:
    model = Clause
    form_class = forms.ClauseForm
    template_name = "markets/clause_form.html"
    success_message = "Clause enregistrée : {object.hours_required} h dues."

    def get_success_message(self):
        from clauses_site.formatting import hours

        return f"Clause enregistrée : {hours(self.object.hours_required)} h dues par {self.object.lot}."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lot"] = self.get_lot()
        context["preview"] = hours_preview(context["form"], self.get_lot())
        return context


class ClauseCreate(ClauseFormMixin, ChildCreate):
    parent, parent_kwarg = "lot", "lot_pk"
    parent_queryset = Lot.objects.select_related("market")

    def get_lot(self):
        return self.lot

    def get(self, request, *args, **kwargs):
        if Clause.objects.filter(lot=self.lot).exists():
            return redirect("markets:clause_update", pk=self.lot.clause.pk)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"hourly_cost": Decimal(30)}

    def get_title(self):
        return f"Clause sociale — {self.get_lot()} ({self.get_lot().market.reference})"


class ClauseUpdate(ClauseFormMixin, RecordUpdateView):
    queryset = Clause.objects.select_related("lot__market")

    def get_lot(self):
        return self.object.lot

    def get_title(self):
        return f"Clause sociale — {self.object.lot} ({self.object.lot.market.reference})"


class ClauseDelete(ChildDelete):
    model = Clause
    hours_path = "assignment__lot__clause"
    parent = "lot"
    success_message = "Clause supprimée : le lot ne doit plus d'heures."

    queryset = Clause.objects.select_related("lot__market")


def typed_values(form):
    """The formula inputs and the stated hours as typed in the bound clause form, each cleaned on its own
    (« 1 000 000,50 », « 5,5 » %); None where empty or not a number. No model validation, no query."""
    values = {}
    for name in [*forms.ClauseForm.formula_fields, "stated_hours"]:
        field = form.fields[name]
        raw = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        try:
            values[name] = field.clean(raw)
        except ValidationError:
            values[name] = None
    return values


def hours_preview(form, lot):
    """The hours owed as the form stands: Clause.explain() of what is typed (of the record, unbound)."""
    if not form.is_bound:
        return form.instance.explain()
    return Clause(lot=lot, **typed_values(form)).explain()


class ClausePreview(RecordDetailView):
    """htmx: the « heures dues » box of the clause form, recomputed from what is typed (GET)."""

    permission = staticmethod(roles.can_edit)
    model = Lot

    def get(self, request, *args, **kwargs):
        lot = self.get_object()
        form = forms.ClauseForm(request.GET, instance=Clause(lot=lot))
        return render(
            request, "markets/clause_form.html#hours_preview", {"preview": hours_preview(form, lot)}
        )


# --- awards -------------------------------------------------------------------------------------------


class AwardFormMixin:
    model = Award
    form_class = forms.AwardForm
    success_message = "Attribution enregistrée : {object}."


class AwardCreate(AwardFormMixin, ChildCreate):
    parent, parent_kwarg = "lot", "lot_pk"
    parent_queryset = Lot.objects.select_related("market")

    def get_title(self):
        return f"Nouvelle attribution — {self.lot} ({self.lot.market.reference})"


class AwardUpdate(AwardFormMixin, RecordUpdateView):
    queryset = Award.objects.select_related("lot__market", "company")

    def get_title(self):
        return f"Modifier l'attribution — {self.object.company} ({self.object.lot})"


class AwardDelete(ChildDelete):
    model = Award
    parent = "lot"
    success_message = "Attribution supprimée : {object}."

    queryset = Award.objects.select_related("lot__market", "company")

    def hours_recorded(self):
        return HoursEntry.objects.filter(
            assignment__lot_id=self.object.lot_id, assignment__company_id=self.object.company_id
        ).count()
