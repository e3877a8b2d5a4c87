"""Filters of the partnerships lists (GET, so that a filtered list can be bookmarked)."""

import django_filters
from django import forms
from django.db.models import Q

from clauses_site.forms import AutocompleteSelect, TeamMemberChoiceField
from clauses_site.listing import DateBetweenFilter, ListFilterSet, LotFilter, PeriodFilter, SearchFilter
from clauses_site.roles import team_members
from clauses_site.text import normalize
from companies.models import Company, Sector
from hours.models import Assignment
from markets.models import Buyer, Market
from partnerships.models import JournalEntry, RecruitmentNeed, Training


def company_filter(label="Entreprise", **kwargs):
    return django_filters.ModelChoiceFilter(
        label=label,
        queryset=Company.objects.all(),
        widget=AutocompleteSelect("company", placeholder="Nom ou SIRET…"),
        **kwargs,
    )


class TeamMemberFilter(django_filters.ModelChoiceFilter):
    field_class = TeamMemberChoiceField


class MineFilter(django_filters.BooleanFilter):
    """A check box: only the rows whose `field_name` is the user looking."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, widget=forms.CheckboxInput, **kwargs)

    def filter(self, qs, value):
        request = self.parent.request if self.parent is not None else None
        return qs.filter(**{self.field_name: request.user}) if value and request else qs


# --- needs -----------------------------------------------------------------------------------------------


class NeedFilter(ListFilterSet):
    q = SearchFilter(placeholder="Poste, code ROME, entreprise, marché")
    status = django_filters.MultipleChoiceFilter(
        label="Statut", choices=RecruitmentNeed.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    company = company_filter()
    lot = LotFilter()
    market = django_filters.ModelChoiceFilter(
        label="Marché",
        field_name="lot__market",
        queryset=Market.objects.all(),
        widget=AutocompleteSelect("market", placeholder="Référence ou intitulé…"),
    )
    period = DateBetweenFilter(field_name="expected_start", label="Début prévu")

    class Meta:
        model = RecruitmentNeed
        fields = []


class UpcomingFilter(ListFilterSet):
    """The « Besoins à venir » page: from which month, for how long, for which sector."""

    sector = django_filters.ModelChoiceFilter(
        label="Secteur du marché",
        field_name="lot__market__sector",
        queryset=Sector.objects.all(),
        empty_label="Tous",
    )
    company = company_filter()

    class Meta:
        model = RecruitmentNeed
        fields = []


# --- trainings -------------------------------------------------------------------------------------------


class TrainingFilter(ListFilterSet):
    q = SearchFilter(placeholder="Intitulé, organisme")
    period = PeriodFilter("starts_on", "ends_on", label="Période")
    funder = company_filter(label="Financeur")
    lot = LotFilter(label="Lot préparé")

    class Meta:
        model = Training
        fields = []


# --- the journal -----------------------------------------------------------------------------------------


class JournalFilter(ListFilterSet):
    q = SearchFilter(placeholder="Objet, personnes rencontrées")
    kind = django_filters.ChoiceFilter(label="Type", choices=JournalEntry.Kind.choices, empty_label="Tous")
    period = DateBetweenFilter(field_name="date", label="Date")
    buyer = django_filters.ModelChoiceFilter(
        label="Donneur d'ordre",
        queryset=Buyer.objects.all(),
        method="filter_concerning",
        widget=AutocompleteSelect("buyer", placeholder="Nom…"),
    )
    market = django_filters.ModelChoiceFilter(
        label="Marché",
        queryset=Market.objects.all(),
        method="filter_concerning",
        widget=AutocompleteSelect("market", placeholder="Référence ou intitulé…"),
    )
    company = company_filter(method="filter_concerning")
    author = TeamMemberFilter(  # the team, and whoever wrote an entry (a colleague who has left)
        label="Auteur", queryset=team_members(also=Q(journal_entries__isnull=False)), empty_label="Tous"
    )
    follow_up = django_filters.ChoiceFilter(
        label="Relance",
        choices=[("a_faire", "À faire"), ("faite", "Faite"), ("sans", "Sans relance")],
        empty_label="Toutes",
        method="filter_follow_up",
    )

    class Meta:
        model = JournalEntry
        fields = []

    def filter_concerning(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(pk__in=JournalEntry.objects.concerning(value).values("pk"))

    def filter_follow_up(self, qs, name, value):
        if value == "a_faire":
            return qs.filter(follow_up_on__isnull=False, follow_up_done=False)
        if value == "faite":
            return qs.filter(follow_up_done=True)
        if value == "sans":
            return qs.filter(follow_up_on__isnull=True)
        return qs


class FollowUpDueFilter(ListFilterSet):
    mine = MineFilter(field_name="author", label="Seulement les miennes")

    class Meta:
        model = JournalEntry
        fields = []


# --- follow-ups of outcomes --------------------------------------------------------------------------------


class OutcomeDueFilter(ListFilterSet):
    q = SearchFilter(
        label="Personne",
        placeholder="Nom, prénom…",
        search=lambda qs, text: qs.filter(participant__search_text__contains=normalize(text)),
    )
    period = DateBetweenFilter(field_name="ends_on", label="Fin du contrat")
    company = company_filter(label="Entreprise (créditée ou employeur)", method="filter_company")
    mine = MineFilter(field_name="lot__market__facilitator", label="Mes marchés seulement")

    class Meta:
        model = Assignment
        fields = []

    def filter_company(self, qs, name, value):
        return qs.filter(Q(company=value) | Q(employer=value)) if value else qs


# --- the ESS directory -------------------------------------------------------------------------------------

ESS_OTHER = "ess"


def directory_kinds():
    return [
        *[(k.value, k.label) for k in Company.Kind.insertion_kinds()],
        (ESS_OTHER, "Autre structure de l'ESS"),
    ]


def directory_communes():
    communes = (
        Company.objects.insertion_structures()
        .active()
        .exclude(commune="")
        .order_by("commune")
        .values_list("commune", flat=True)
        .distinct()
    )
    return [(c, c) for c in communes]


class DirectoryFilter(ListFilterSet):
    q = SearchFilter(placeholder="Nom ou commune")
    kind = django_filters.ChoiceFilter(
        label="Type de structure", choices=directory_kinds, empty_label="Tous", method="filter_kind"
    )
    sector = django_filters.ModelChoiceFilter(
        label="Secteur",
        field_name="sectors",
        queryset=Sector.objects.all(),
        empty_label="Tous",
        distinct=True,
    )
    commune = django_filters.ChoiceFilter(label="Commune", choices=directory_communes, empty_label="Toutes")

    class Meta:
        model = Company
        fields = []

    def filter_kind(self, qs, name, value):
        if value == ESS_OTHER:
            return qs.exclude(kind__in=Company.Kind.insertion_kinds())
        return qs.filter(kind=value) if value else qs
