"""Tables of the hours lists, and the columns of their xlsx exports (the same rows as the filtered list)."""

from operator import attrgetter

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from clauses_site.exports import Column
from clauses_site.listing import DateColumn, HoursColumn
from hours.models import Assignment, HoursEntry


def _month(entry):
    return f"{entry.month:%m/%Y}"


def _user(user):
    return (user.get_full_name() or user.username) if user else ""


class EntryTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "input": {"name": "ids", "form": "selection", "aria-label": "Sélectionner"},
            "th__input": {"data-select-all": "ids", "aria-label": "Tout sélectionner", "form": "selection"},
        },
        orderable=False,
    )
    # The primary key breaks ties within a month: the default order (-month) is then total, and one
    # backward scan of the index hours_entry_month_id (not a sort of every entry).
    month = tables.Column("Mois", order_by=("month", "pk"))
    person = tables.Column(
        "Personne",
        accessor="assignment__participant",
        order_by=("assignment__participant__last_name", "assignment__participant__first_name"),
    )
    lot = tables.Column("Lot", accessor="assignment__lot", order_by=("assignment__lot__market__reference",))
    company = tables.Column(
        "Entreprise", accessor="assignment__company", order_by=("assignment__company__name_key",)
    )
    hours = HoursColumn("Heures")
    training_hours = HoursColumn("Formation")
    status = tables.Column("Statut")

    class Meta:
        model = HoursEntry
        fields = []
        sequence = (
            "select",
            "month",
            "person",
            "lot",
            "company",
            "hours",
            "training_hours",
            "status",
        )
        order_by = ("-month",)

    def render_month(self, record):
        return format_html(
            '<a href="{}" title="Voir la saisie et son historique">{}</a>',
            record.get_absolute_url(),
            _month(record),
        )

    def render_person(self, value, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("participants:participant_detail", args=[value.pk]), value
        )

    def render_lot(self, value):
        return f"{value.market.reference} — {value}"

    def render_status(self, record):
        css = "text-bg-success" if record.is_validated else "text-bg-warning"
        return format_html('<span class="badge {}">{}</span>', css, record.get_status_display())


ENTRY_EXPORT_COLUMNS = [
    Column("Mois", attrgetter("month"), "date", 12),
    Column("Nom", lambda e: e.assignment.participant.last_name, width=20),
    Column("Prénom", lambda e: e.assignment.participant.first_name, width=16),
    Column("Donneur d'ordre", lambda e: e.assignment.lot.market.buyer.name, width=28),
    Column("Marché", lambda e: e.assignment.lot.market.reference, width=16),
    Column("Lot", lambda e: str(e.assignment.lot), width=24),
    Column("Entreprise créditée", lambda e: e.assignment.company.name, width=28),
    Column("Employeur", lambda e: e.assignment.employer.name, width=28),
    Column("Modalité", lambda e: e.assignment.get_modality_display(), width=22),
    Column("Contrat", lambda e: e.assignment.get_contract_type_display(), width=14),
    Column("Heures travaillées", attrgetter("hours"), "hours", 12),
    Column("Heures de formation", attrgetter("training_hours"), "hours", 12),
    Column("Statut", lambda e: e.get_status_display(), width=10),
    Column("Validée par", lambda e: _user(e.validated_by), width=20),
    Column("Origine", lambda e: e.get_source_display(), width=12),
]


class AssignmentTable(tables.Table):
    person = tables.Column(
        "Personne", accessor="participant", order_by=("participant__last_name", "participant__first_name")
    )
    lot = tables.Column("Lot", order_by=("lot__market__reference", "lot__number_key"))
    company = tables.Column("Entreprise créditée", order_by=("company__name_key",))
    employer = tables.Column("Employeur", order_by=("employer__name_key",))
    contract_type = tables.Column("Contrat")
    # The primary key breaks ties: the default order (-starts_on) is total, one backward scan of the index
    # hours_assignment_start_id.
    starts_on = DateColumn("Début", order_by=("starts_on", "pk"))
    ends_on = DateColumn("Fin")
    hours_done = HoursColumn("Heures validées")

    class Meta:
        model = Assignment
        fields = []
        sequence = (
            "person",
            "lot",
            "company",
            "employer",
            "contract_type",
            "starts_on",
            "ends_on",
            "hours_done",
        )
        order_by = ("-starts_on",)

    def render_person(self, value, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_lot(self, value):
        return f"{value.market.reference} — {value}"

    def render_employer(self, value, record):
        return value if record.employer_differs else "—"

    def render_contract_type(self, record):
        return f"{record.get_contract_type_display()} ({record.get_modality_display().lower()})"


ASSIGNMENT_EXPORT_COLUMNS = [
    Column("Nom", lambda a: a.participant.last_name, width=20),
    Column("Prénom", lambda a: a.participant.first_name, width=16),
    Column("Donneur d'ordre", lambda a: a.lot.market.buyer.name, width=28),
    Column("Marché", lambda a: a.lot.market.reference, width=16),
    Column("Lot", lambda a: str(a.lot), width=24),
    Column("Entreprise créditée", lambda a: a.company.name, width=28),
    Column("Employeur", lambda a: a.employer.name, width=28),
    Column("Modalité", lambda a: a.get_modality_display(), width=22),
    Column("Contrat", lambda a: a.get_contract_type_display(), width=14),
    Column("Poste", attrgetter("job"), width=20),
    Column("Début", attrgetter("starts_on"), "date", 12),
    Column("Fin", attrgetter("ends_on"), "date", 12),
    Column("Heures validées", attrgetter("hours_done"), "hours", 14),
]
