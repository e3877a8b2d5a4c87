"""The participants table and the columns of its xlsx export."""

from operator import attrgetter

import django_tables2 as tables
from django.utils.html import format_html

from clauses_site.exports import Column
from clauses_site.listing import DateColumn, IntegerColumn
from participants.models import SITUATION_FIELDS, AccessLog, Participant


def _criteria(person):
    return ", ".join(c.code for c in person.criteria.all())


def _qpv(person):
    return {True: "oui", False: "non"}.get(person.qpv, "inconnu")


class ParticipantTable(tables.Table):
    name = tables.Column("Nom", accessor="last_name", order_by=("last_name", "first_name", "pk"))
    birth_date = DateColumn("Naissance")
    sex = tables.Column("Sexe")
    commune = tables.Column("Commune")
    qpv = tables.Column("QPV", empty_values=())
    level = tables.Column("Niveau")
    criteria = tables.Column("Critères", empty_values=(), orderable=False)
    prescriber = tables.Column("Prescripteur")
    assignment_count = IntegerColumn("Contrats")

    class Meta:
        model = Participant
        fields = []
        sequence = ("name", *SITUATION_FIELDS, "assignment_count")
        order_by = ("name",)

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record)

    def render_qpv(self, record):
        return _qpv(record)

    def render_criteria(self, record):
        return _criteria(record) or "—"


EXPORT_COLUMNS = [
    Column("Nom", attrgetter("last_name"), width=20),
    Column("Prénom", attrgetter("first_name"), width=16),
    Column("Date de naissance", attrgetter("birth_date"), "date", 12),
    Column("Sexe", lambda p: p.get_sex_display(), width=8),
    Column("Commune", attrgetter("commune"), width=22),
    Column("QPV", _qpv, width=8),
    Column("Niveau", lambda p: p.get_level_display(), width=22),
    Column("Critères", _criteria, width=30),
    Column("Prescripteur", attrgetter("prescriber"), width=18),
    Column("Référent", attrgetter("referent"), width=20),
    Column("Entrée dans le parcours", attrgetter("entered_on"), "date", 12),
    Column("Contrats", attrgetter("assignment_count"), "int", 10),
]


class AccessLogTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name="Date", format="d/m/Y H:i")
    user_label = tables.Column("Utilisateur", empty_values=())
    action = tables.Column("Accès")
    participant = tables.Column("Personne", empty_values=(), order_by=("participant__last_name",))

    class Meta:
        model = AccessLog
        fields = []
        sequence = ("at", "user_label", "action", "participant")
        order_by = ("-at",)

    def render_user_label(self, value):
        return value or "Traitement automatique (durée de conservation)"

    def render_participant(self, record):
        if record.participant_id is None:
            return "Fiche supprimée"
        return format_html(
            '<a href="{}">{}</a>',
            record.participant.get_absolute_url(),
            record.participant,
        )
