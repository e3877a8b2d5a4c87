"""Filters of the participants list (in the URL)."""

import django_filters
from django import forms
from django.db.models import Q

from clauses_site.forms import TeamMemberChoiceField
from clauses_site.listing import DateBetweenFilter, ListFilterSet, SearchFilter
from clauses_site.roles import team_members
from participants.models import AccessLog, Criterion, Participant


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


class TeamMemberFilter(django_filters.ModelChoiceFilter):
    field_class = TeamMemberChoiceField


class AccessLogFilter(ListFilterSet):
    """The access log: by person (the link from a participant's page), user, kind of access and date."""

    participant = django_filters.NumberFilter(widget=forms.HiddenInput)
    user = TeamMemberFilter(  # the team, and whoever read a record (a colleague who has left)
        label="Utilisateur",
        queryset=team_members(also=Q(pk__in=AccessLog.objects.values("user"))),
        empty_label="Tous",
    )
    action = django_filters.ChoiceFilter(label="Accès", choices=AccessLog.Action.choices, empty_label="Tous")
    at = DateBetweenFilter(field_name="at__date", label="Entre le")

    class Meta:
        model = AccessLog
        fields = []
