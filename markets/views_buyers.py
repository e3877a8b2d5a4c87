"""Screens of buyers and their operations: the list (filters, xlsx export), the buyer's page (its
markets, their hours owed and done, its operations and contacts) and the create/edit/delete forms.
Hours are counted by hours/queries.py only."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse_lazy

from clauses_site.editing import (
    RecordCreateView,
    RecordUpdateView,
)
from clauses_site.listing import FilteredListView
from hours.queries import (
    buyers_with_hours,
    completion_rate,
    lots_with_hours_to_date,
    markets_with_hours,
    progress_over,
    with_lot_progress,
)
from markets import filters, forms, tables
from markets.models import Buyer, Lot, Market, Operation
from markets.views import (
    LIST_FIGURES,
    ArchivableDelete,
    ChildCreate,
    ChildDelete,
    RecordPage,
    today,
)


def market_count():
    counted = Market.objects.filter(buyer=OuterRef("pk")).order_by().values("buyer").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


# --- buyers -------------------------------------------------------------------------------------------


class BuyerList(FilteredListView):
    title = "Donneurs d'ordre"
    filterset_class = filters.BuyerFilter
    table_class = tables.BuyerTable
    export_columns = tables.BUYER_EXPORT
    export_filename = "donneurs-d-ordre.xlsx"
    create_url_name = "markets:buyer_create"
    create_label = "Nouveau donneur d'ordre"

    def get_queryset(self):
        return buyers_with_hours(Buyer.objects.all(), figures=LIST_FIGURES).annotate(
            market_count=market_count()
        )


class BuyerDetail(RecordPage):
    template_name = "markets/buyer_detail.html"

    def get_queryset(self):
        return buyers_with_hours(Buyer.objects.all())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        buyer = self.object
        # Of each market, only the figure its row shows (each figure is a subquery per market); of the
        # lots, only what their expected pace needs, from the summary in one grouped join.
        markets = list(
            markets_with_hours(
                buyer.markets.select_related("operation", "sector", "facilitator"), figures=("hours_done",)
            ).order_by("archived", "-starts_on", "reference")
        )
        for market in markets:
            market.rate = completion_rate(market.hours_done, market.hours_required)
        on = today()
        lots = list(lots_with_hours_to_date(Lot.objects.filter(market__buyer=buyer), on))
        expected_total = with_lot_progress(lots, on)
        context.update(
            markets=markets,
            overall=progress_over(buyer.hours_required, buyer.hours_done_to_date, expected_total),
            contacts=list(buyer.contacts.all()),
            operations=list(buyer.operations.annotate(market_count=Count("markets"))),
        )
        return context


class BuyerCreate(RecordCreateView):
    model = Buyer
    form_class = forms.BuyerForm
    formset_classes = {"contacts": forms.BuyerContactFormSet}
    title = "Nouveau donneur d'ordre"
    success_message = "Donneur d'ordre « {object} » enregistré."
    cancel_url = "markets:buyer_list"


class BuyerUpdate(RecordUpdateView):
    model = Buyer
    form_class = forms.BuyerForm
    formset_classes = {"contacts": forms.BuyerContactFormSet}
    success_message = "Donneur d'ordre « {object} » enregistré."

    def get_title(self):
        return f"Modifier « {self.object} »"


class BuyerDelete(ArchivableDelete):
    model = Buyer
    hours_path = "assignment__lot__market__buyer"
    success_url = reverse_lazy("markets:buyer_list")
    success_message = "Donneur d'ordre « {object} » supprimé."


# --- operations ---------------------------------------------------------------------------------------


class OperationCreate(ChildCreate):
    model = Operation
    form_class = forms.OperationForm
    parent, parent_kwarg = "buyer", "buyer_pk"
    success_message = "Opération « {object} » enregistrée."

    def get_title(self):
        return f"Nouvelle opération — {self.buyer}"


class OperationUpdate(RecordUpdateView):
    model = Operation
    form_class = forms.OperationForm
    success_message = "Opération « {object} » enregistrée."

    def get_title(self):
        return f"Modifier l'opération « {self.object} »"


class OperationDelete(ChildDelete):
    model = Operation
    hours_path = "assignment__lot__market__operation"
    parent = "buyer"
    success_message = "Opération « {object} » supprimée ; ses marchés sont conservés."
