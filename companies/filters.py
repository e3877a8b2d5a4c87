import django_filters
from django import forms

from clauses_site.listing import ArchivedFilter, ListFilterSet, SearchFilter
from companies.models import Company, Sector


def commune_choices():
    communes = Company.objects.exclude(commune="").order_by("commune").values_list("commune", flat=True)
    return [(c, c) for c in dict.fromkeys(communes)]


class CompanyFilter(ListFilterSet):
    q = SearchFilter(placeholder="Nom, commune ou SIRET")
    kind = django_filters.ChoiceFilter(
        label="Type de structure", choices=Company.Kind.choices, empty_label="Tous"
    )
    sector = django_filters.ModelChoiceFilter(
        label="Secteur",
        field_name="sectors",
        queryset=Sector.objects.all(),
        empty_label="Tous",
        distinct=True,
    )
    commune = django_filters.ChoiceFilter(label="Commune", choices=commune_choices, empty_label="Toutes")
    ess_member = django_filters.BooleanFilter(
        label="Membre de l'ESS",
        widget=forms.Select(choices=[("", "Indifférent"), ("true", "Oui"), ("false", "Non")]),
    )
    archived = ArchivedFilter(label="Afficher les archivées")

    class Meta:
        model = Company
        fields = []
