"""Filters of the hours lists (in the URL, so that a filtered list can be bookmarked and shared)."""

import django_filters
from django.db.models import Q

from clauses_site import roles
from clauses_site.forms import AutocompleteSelect, TeamMemberChoiceField
from clauses_site.listing import DateBetweenFilter, ListFilterSet, LotFilter, PeriodFilter, SearchFilter
from companies.models import Company, Sector
from hours.models import Assignment, ContractType, HoursEntry, Modality
from markets.models import Buyer, Market


def facilitators(request=None):
    """The colleagues in charge of at least one market (even one who has left the team since), in the
    order of every list of colleagues. « In charge of a market » is a subquery, not a join: two joins to
    the markets (team_members' `also` and this filter) multiplied each user by the square of their markets
    before DISTINCT (4 s with 3 000 markets)."""
    in_charge = Q(pk__in=Market.objects.filter(facilitator__isnull=False).values("facilitator"))
    return roles.team_members(also=in_charge).filter(in_charge)


class TeamMemberFilter(django_filters.ModelChoiceFilter):
    """A colleague, named and ordered as everywhere (clauses_site.forms.TeamMemberChoiceField)."""

    field_class = TeamMemberChoiceField


def facilitator_filter(path):
    """The facilitator in charge of the market (`path`: the lookup to it); the list read at each display."""
    return TeamMemberFilter(
        label="Facilitatrice en charge", field_name=path, queryset=facilitators, empty_label="Toutes"
    )


def company_filter(path):
    """The company credited or the employer of the assignment (`path`: the lookup to it, "" for itself)."""

    def credited_or_employer(queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(**{f"{path}company": value}) | Q(**{f"{path}employer": value}))

    return django_filters.ModelChoiceFilter(
        label="Entreprise (créditée ou employeur)",
        queryset=Company.objects.all(),
        method=credited_or_employer,
        widget=AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
    )


def buyer_filter(path):
    return django_filters.ModelChoiceFilter(
        label="Donneur d'ordre",
        field_name=path,
        queryset=Buyer.objects.all(),
        widget=AutocompleteSelect("buyer", placeholder="Nom…"),
    )


def sector_filter(path):
    return django_filters.ModelChoiceFilter(
        label="Secteur du marché", field_name=path, queryset=Sector.objects.all(), empty_label="Tous"
    )


class PersonSearchFilter(SearchFilter):
    """The participant's name (case and accents ignored)."""

    def __init__(self, *args, path="assignment__participant", **kwargs):
        kwargs.setdefault("placeholder", "Nom, prénom…")
        kwargs.setdefault("label", "Personne")
        super().__init__(*args, **kwargs)
        self.path = path

    def filter(self, qs, value):
        from clauses_site.text import normalize

        text = normalize(value)
        if not text:
            return qs
        return qs.filter(**{f"{self.path}__search_text__contains": text})


class EntryFilter(ListFilterSet):
    q = PersonSearchFilter()
    status = django_filters.ChoiceFilter(
        label="Statut", choices=HoursEntry.Status.choices, empty_label="Tous"
    )
    period = DateBetweenFilter(field_name="month", label="Mois", whole_months=True)
    lot = LotFilter(field_name="assignment__lot")
    company = company_filter("assignment__")
    buyer = buyer_filter("assignment__lot__market__buyer")
    facilitator = facilitator_filter("assignment__lot__market__facilitator")
    sector = sector_filter("assignment__lot__market__sector")
    source = django_filters.ChoiceFilter(
        label="Origine", choices=HoursEntry.Source.choices, empty_label="Toutes"
    )

    class Meta:
        model = HoursEntry
        fields = []


class AssignmentFilter(ListFilterSet):
    q = PersonSearchFilter(path="participant")
    lot = LotFilter(field_name="lot")
    company = company_filter("")
    buyer = buyer_filter("lot__market__buyer")
    facilitator = facilitator_filter("lot__market__facilitator")
    sector = sector_filter("lot__market__sector")
    modality = django_filters.ChoiceFilter(label="Modalité", choices=Modality.choices, empty_label="Toutes")
    contract_type = django_filters.ChoiceFilter(
        label="Type de contrat", choices=ContractType.choices, empty_label="Tous"
    )
    period = PeriodFilter("starts_on", "ends_on", label="En cours sur la période")
    start = DateBetweenFilter(field_name="starts_on", label="Début entre")

    class Meta:
        model = Assignment
        fields = []
