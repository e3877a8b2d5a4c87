import django_filters
from django import forms

from clauses_site import roles
from clauses_site.forms import AutocompleteSelect, TeamMemberChoiceField
from clauses_site.listing import ArchivedFilter, ListFilterSet, PeriodFilter, SearchFilter
from companies.models import Sector
from markets.models import Buyer, Lot, Market, Stage


class BuyerFilter(ListFilterSet):
    q = SearchFilter(placeholder="Nom")
    kind = django_filters.ChoiceFilter(label="Type", choices=Buyer.Kind.choices, empty_label="Tous")
    archived = ArchivedFilter()

    class Meta:
        model = Buyer
        fields = []


class FacilitatorFilter(django_filters.ModelChoiceFilter):
    field_class = TeamMemberChoiceField


class MarketFilter(ListFilterSet):
    q = SearchFilter(placeholder="Référence, intitulé")
    buyer = django_filters.ModelChoiceFilter(
        label="Donneur d'ordre",
        queryset=Buyer.objects.all(),
        widget=AutocompleteSelect("buyer"),
        empty_label="Tous",
    )
    # A column of the market itself: no join, so no DISTINCT (which made PostgreSQL compute every
    # market's hours before paginating: ~1 s with 3 000 markets).
    stage = django_filters.MultipleChoiceFilter(
        label="Étape", choices=Stage.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    sector = django_filters.ModelChoiceFilter(
        label="Secteur", queryset=Sector.objects.all(), empty_label="Tous"
    )
    facilitator = FacilitatorFilter(
        label="Facilitatrice", queryset=roles.team_members(), empty_label="Toutes"
    )
    period = PeriodFilter("starts_on", "ends_on", label="Période d'exécution")
    archived = ArchivedFilter()

    class Meta:
        model = Market
        fields = []


def search_lots(queryset, text):
    """A lot is found by its market's reference or title (accents ignored) or its own number."""
    return queryset.filter(market__in=Market.objects.search(text))


class LotFilter(ListFilterSet):
    q = SearchFilter(placeholder="Référence ou intitulé du marché", search=search_lots)
    buyer = django_filters.ModelChoiceFilter(
        label="Donneur d'ordre",
        field_name="market__buyer",
        queryset=Buyer.objects.all(),
        widget=AutocompleteSelect("buyer"),
        empty_label="Tous",
    )
    sector = django_filters.ModelChoiceFilter(
        label="Secteur", field_name="market__sector", queryset=Sector.objects.all(), empty_label="Tous"
    )
    with_clause = django_filters.BooleanFilter(
        label="Clause",
        field_name="clause",
        lookup_expr="isnull",
        exclude=True,
        widget=forms.Select(choices=[("", "Indifférent"), ("true", "Avec clause"), ("false", "Sans clause")]),
    )
    period = PeriodFilter("starts_on", "ends_on", label="Période d'exécution")
    archived = ArchivedFilter(label="Marchés archivés aussi", field_name="market__archived")

    class Meta:
        model = Lot
        fields = []
