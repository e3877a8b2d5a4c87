"""Filters of the hours lists (in the URL, so that a filtered list can be bookmarked and shared)."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from clauses_site.forms import AutocompleteSelect
from clauses_site.listing import DateBetweenFilter, ListFilterSet, LotFilter, PeriodFilter, SearchFilter
from companies.models import Company, Sector
from hours.models import Assignment, ContractType, HoursEntry, Modality
from markets.models import Buyer


def facilitators():
    """Users in charge of at least one market."""
    return (
        get_user_model().objects.filter(markets__isnull=False).distinct().order_by("first_name", "last_name")
    )


class FacilitatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class FacilitatorFilter(django_filters.ModelChoiceFilter):
    field_class = FacilitatorChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "Toutes")
        super().__init__(*args, **kwargs)


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
    company = django_filters.ModelChoiceFilter(
        label="Entreprise (créditée ou employeur)",
        queryset=Company.objects.all(),
        method="filter_company",
        widget=AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
    )
    buyer = buyer_filter("assignment__lot__market__buyer")
    facilitator = FacilitatorFilter(
        label="Facilitatrice en charge",
        field_name="assignment__lot__market__facilitator",
        queryset=facilitators(),
    )
    sector = sector_filter("assignment__lot__market__sector")
    source = django_filters.ChoiceFilter(
        label="Origine", choices=HoursEntry.Source.choices, empty_label="Toutes"
    )

    class Meta:
        model = HoursEntry
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["facilitator"].queryset = facilitators()

    def filter_company(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(Q(assignment__company=value) | Q(assignment__employer=value))


class AssignmentFilter(ListFilterSet):
    q = PersonSearchFilter(path="participant")
    lot = LotFilter(field_name="lot")
    company = django_filters.ModelChoiceFilter(
        label="Entreprise (créditée ou employeur)",
        queryset=Company.objects.all(),
        method="filter_company",
        widget=AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
    )
    buyer = buyer_filter("lot__market__buyer")
    facilitator = FacilitatorFilter(
        label="Facilitatrice en charge", field_name="lot__market__facilitator", queryset=facilitators()
    )
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["facilitator"].queryset = facilitators()

    def filter_company(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(Q(company=value) | Q(employer=value))
