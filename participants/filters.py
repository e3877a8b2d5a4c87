"""Filters of the participants list (in the URL)."""

import django_filters
from django import forms

from clauses_site.listing import ListFilterSet, SearchFilter
from participants.models import Criterion, Participant


def _distinct(field):
    values = (
        Participant.objects.exclude(**{field: ""}).order_by(field).values_list(field, flat=True).distinct()
    )
    return [(v, v) for v in values]


class ParticipantFilter(ListFilterSet):
    q = SearchFilter(label="Nom", placeholder="Nom, prénom…")
    commune = django_filters.ChoiceFilter(label="Commune", choices=[], empty_label="Toutes")
    qpv = django_filters.BooleanFilter(
        label="Habitant d'un QPV",
        widget=forms.Select(choices=[("", "Tous"), ("true", "Oui"), ("false", "Non")]),
    )
    level = django_filters.ChoiceFilter(
        label="Niveau de qualification", choices=Participant.Level.choices, empty_label="Tous"
    )
    criteria = django_filters.ModelChoiceFilter(
        label="Critère d'éligibilité", queryset=Criterion.objects.all(), empty_label="Tous"
    )
    prescriber = django_filters.ChoiceFilter(label="Prescripteur", choices=[], empty_label="Tous")
    sex = django_filters.ChoiceFilter(label="Sexe", choices=Participant.Sex.choices, empty_label="Tous")

    class Meta:
        model = Participant
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["commune"].extra["choices"] = _distinct("commune")
        self.filters["prescriber"].extra["choices"] = _distinct("prescriber")
