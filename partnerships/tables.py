"""Tables of the partnerships lists, and the columns of their xlsx exports."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from clauses_site.exports import Column
from clauses_site.listing import DateColumn, HoursColumn, IntegerColumn
from companies.models import Company
from hours.models import Assignment
from participants.models import Outcome
from partnerships import directory
from partnerships.followups import six_month_due_on
from partnerships.forms import OutcomeRecordForm
from partnerships.models import JournalEntry, RecruitmentNeed, Training

STATUS_BADGES = {
    RecruitmentNeed.Status.IDENTIFIED: "text-bg-info",
    RecruitmentNeed.Status.PROPOSED: "text-bg-primary",
    RecruitmentNeed.Status.FILLED: "text-bg-success",
    RecruitmentNeed.Status.CANCELLED: "text-bg-secondary",
}


def status_badge(need):
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_BADGES.get(need.status, "text-bg-light"),
        need.get_status_display(),
    )


def _lot(lot):
    return f"{lot.market.reference} — {lot}"


# --- needs -----------------------------------------------------------------------------------------------


class NeedTable(tables.Table):
    expected_start = DateColumn("Début prévu")
    job = tables.Column("Poste", linkify=True, order_by="search_text")
    rome_code = tables.Column("ROME")
    positions = IntegerColumn("Postes")
    company = tables.Column("Entreprise", order_by="company__name_key")
    lot = tables.Column("Lot", order_by=("lot__market__reference", "lot__number_key"))
    status = tables.Column("Statut")
    retained_count = tables.Column("Retenus", attrs={"td": {"class": "num"}, "th": {"class": "num"}})

    class Meta:
        model = RecruitmentNeed
        fields = []
        sequence = (
            "expected_start",
            "job",
            "rome_code",
            "positions",
            "company",
            "lot",
            "status",
            "retained_count",
        )
        empty_text = "Aucun besoin ne correspond à ces filtres."

    def render_lot(self, value):
        return _lot(value)

    def render_status(self, record):
        return status_badge(record)

    def render_retained_count(self, record):
        proposed = record.proposal_count
        return (
            f"{record.retained_count} / {record.positions} ({proposed} proposé{'s' if proposed > 1 else ''})"
        )


NEED_EXPORT_COLUMNS = [
    Column("Début prévu", lambda n: n.expected_start, kind="date", width=12),
    Column("Poste", lambda n: n.job, width=28),
    Column("Code ROME", lambda n: n.rome_code, width=10),
    Column("Postes", lambda n: n.positions, kind="int", width=8),
    Column("Durée", lambda n: n.duration_label, width=18),
    Column("Entreprise", lambda n: n.company.name, width=28),
    Column("Marché", lambda n: n.lot.market.reference, width=16),
    Column("Lot", lambda n: str(n.lot), width=24),
    Column("Donneur d'ordre", lambda n: n.lot.market.buyer.name, width=28),
    Column("Compétences requises", lambda n: n.skills, width=30),
    Column("Formation à prévoir", lambda n: n.training_needed, width=30),
    Column("Statut", lambda n: n.get_status_display(), width=16),
    Column("Personnes retenues", lambda n: n.retained_count, kind="int", width=10),
]


# --- trainings -------------------------------------------------------------------------------------------


class TrainingTable(tables.Table):
    starts_on = DateColumn("Début")
    ends_on = DateColumn("Fin")
    title = tables.Column("Intitulé", linkify=True)
    body = tables.Column("Organisme", accessor="body_label", orderable=False)
    funder = tables.Column("Financeur", order_by="funder__name_key")
    lot = tables.Column("Lot préparé", order_by=("lot__market__reference", "lot__number_key"))
    hours = HoursColumn("Heures")
    places = IntegerColumn("Places")
    trainee_count = IntegerColumn("Stagiaires")
    hired_count = IntegerColumn("Embauchés sur une clause")

    class Meta:
        model = Training
        fields = []
        sequence = (
            "starts_on",
            "ends_on",
            "title",
            "body",
            "funder",
            "lot",
            "hours",
            "places",
            "trainee_count",
            "hired_count",
        )
        empty_text = "Aucune formation ne correspond à ces filtres."

    def render_lot(self, value):
        return _lot(value)


TRAINING_EXPORT_COLUMNS = [
    Column("Intitulé", lambda t: t.title, width=30),
    Column("Organisme", lambda t: t.body_label, width=26),
    Column("Financeur", lambda t: t.funder.name if t.funder_id else "", width=26),
    Column("Début", lambda t: t.starts_on, kind="date", width=12),
    Column("Fin", lambda t: t.ends_on, kind="date", width=12),
    Column("Heures par stagiaire", lambda t: t.hours, kind="hours", width=12),
    Column("Places", lambda t: t.places, kind="int", width=8),
    Column("Lot préparé", lambda t: _lot(t.lot) if t.lot_id else "", width=30),
    Column("Stagiaires", lambda t: t.trainee_count, kind="int", width=10),
    Column("Embauchés sur une clause", lambda t: t.hired_count, kind="int", width=12),
]


# --- the journal -----------------------------------------------------------------------------------------


def concerned(entry):
    """Buyers, markets and companies of an entry (prefetched), as one line of text."""
    names = [b.name for b in entry.buyers.all()]
    names += [m.reference for m in entry.markets.all()]
    names += [c.name for c in entry.companies.all()]
    return ", ".join(names)


def subject_for(table, record, value):
    """A journal entry's subject is free text that may name people: editors only; the read-only role
    reads its kind and date (the table's request is set by RequestConfig)."""
    from clauses_site import roles

    request = getattr(table, "request", None)
    if request is not None and roles.can_edit(request.user):
        return value
    return f"{record.get_kind_display()} du {record.date:%d/%m/%Y}"


class JournalEntryColumns(tables.Table):
    """The columns the journal and the follow-ups to do share."""

    kind = tables.Column("Type")
    subject = tables.Column("Objet", linkify=True)
    concerned = tables.Column("Concerne", empty_values=(), orderable=False)
    follow_up_on = DateColumn("À relancer le")
    author = tables.Column("Auteur", order_by=("author__first_name", "author__last_name"))

    class Meta:
        model = JournalEntry
        fields = []

    def render_subject(self, record, value):
        return subject_for(self, record, value)

    def render_concerned(self, record):
        return Truncator(concerned(record)).chars(90) or "—"

    def render_author(self, record):
        return record.author_label


class JournalTable(JournalEntryColumns):
    date = DateColumn("Date")

    class Meta(JournalEntryColumns.Meta):
        sequence = ("date", "kind", "subject", "concerned", "follow_up_on", "author")
        empty_text = "Aucune entrée ne correspond à ces filtres."

    def render_follow_up_on(self, record, value):
        if value is None:
            return "—"
        if record.follow_up_done:
            return format_html('{} <span class="badge text-bg-success">faite</span>', f"{value:%d/%m/%Y}")
        return f"{value:%d/%m/%Y}"


JOURNAL_EXPORT_COLUMNS = [
    Column("Date", lambda e: e.date, kind="date", width=12),
    Column("Type", lambda e: e.get_kind_display(), width=28),
    Column("Objet", lambda e: e.subject, width=36),
    Column("Donneurs d'ordre", lambda e: ", ".join(b.name for b in e.buyers.all()), width=28),
    Column("Marchés", lambda e: ", ".join(m.reference for m in e.markets.all()), width=20),
    Column("Entreprises", lambda e: ", ".join(c.name for c in e.companies.all()), width=28),
    Column("Personnes rencontrées", lambda e: e.people_met, width=30),
    Column("Compte rendu", lambda e: e.notes, width=50),
    Column("À relancer le", lambda e: e.follow_up_on, kind="date", width=12),
    Column("Relance faite", lambda e: "oui" if e.follow_up_done else "", width=10),
    Column("Auteur", lambda e: e.author_label, width=20),
]
#: The free-text columns (they may name people): in the export of editors only.
JOURNAL_TEXT_COLUMNS = ("Objet", "Personnes rencontrées", "Compte rendu")


class FollowUpTable(JournalEntryColumns):
    done = tables.TemplateColumn(
        template_name="partnerships/includes/follow_up_done_button.html",
        verbose_name=mark_safe('<span class="visually-hidden">Action</span>'),
        orderable=False,
    )

    class Meta(JournalEntryColumns.Meta):
        sequence = ("follow_up_on", "subject", "kind", "concerned", "author", "done")
        empty_text = "Aucune relance en attente."


# --- follow-ups of outcomes --------------------------------------------------------------------------------


class OutcomeDueTable(tables.Table):
    participant = tables.Column(
        "Personne", order_by=("participant__last_name", "participant__first_name", "participant_id")
    )
    lot = tables.Column("Lot", order_by=("lot__market__reference", "lot__number_key"))
    company = tables.Column("Entreprise", order_by="company__name_key")
    contract_type = tables.Column("Contrat")
    starts_on = DateColumn("Début")
    ends_on = DateColumn("Fin du contrat")
    due_on = tables.Column("Suivi dû le", empty_values=(), order_by="ends_on")
    record = tables.TemplateColumn(
        template_name="partnerships/includes/outcome_record_form.html", verbose_name="Sortie", orderable=False
    )

    class Meta:
        model = Assignment
        fields = []
        sequence = (
            "participant",
            "lot",
            "company",
            "contract_type",
            "starts_on",
            "ends_on",
            "due_on",
            "record",
        )
        order_by = ("-ends_on",)
        empty_text = "Aucun suivi à faire."
        row_attrs = {"id": lambda record: f"suivi-{record.pk}"}

    outcome_choices = OutcomeRecordForm.base_fields["kind"].choices  # « Choisir… » first

    def __init__(self, *args, timing, **kwargs):
        super().__init__(*args, **kwargs)
        self.timing = timing

    def render_participant(self, value):
        return format_html('<a href="{}">{}</a>', value.get_absolute_url(), value)

    def render_lot(self, value):
        return _lot(value)

    def render_contract_type(self, record):
        return format_html(
            '{}<div class="small text-body-secondary">{}</div>',
            record.get_contract_type_display(),
            record.get_modality_display(),
        )

    def render_due_on(self, record):
        due = six_month_due_on(record.ends_on) if self.timing == Outcome.Timing.SIX_MONTHS else record.ends_on
        return f"{due:%d/%m/%Y}"


# --- the ESS directory -------------------------------------------------------------------------------------


class DirectoryTable(tables.Table):
    name = tables.Column("Structure", linkify=True, order_by="name_key")
    kind = tables.Column("Type")
    sectors = tables.Column("Secteurs", empty_values=(), orderable=False)
    commune = tables.Column("Commune")
    contact = tables.Column("Contact", empty_values=(), orderable=False)
    description = tables.Column("Offre", orderable=False)

    class Meta:
        model = Company
        fields = []
        sequence = ("name", "kind", "sectors", "commune", "contact", "description")
        empty_text = "Aucune structure ne correspond à ces filtres."

    def render_kind(self, record):
        label = record.kind if record.kind in Company.Kind.insertion_kinds() else "ESS"
        title = directory.kind_label(record)
        ess = record.ess_member and label != "ESS"
        badge = mark_safe(' <span class="badge text-bg-success">ESS</span>') if ess else ""
        return format_html('<abbr title="{}">{}</abbr>{}', title, label, badge)

    def render_sectors(self, record):
        return ", ".join(s.name for s in record.sectors.all()) or "—"

    def render_contact(self, record):
        lines = [x for x in (record.phone, record.email) if x]
        return (
            format_html_join("", "<div class='text-nowrap'>{}</div>", ((x,) for x in lines)) if lines else "—"
        )

    def render_description(self, value):
        return Truncator(value).words(30)


def _contacts(company):
    return " ; ".join(
        ", ".join(x for x in (c.name, c.role, c.phone, c.email) if x) for c in company.contacts.all()
    )


DIRECTORY_EXPORT_COLUMNS = [
    Column("Structure", lambda c: c.name, width=32),
    Column("Type de structure", directory.kind_label, width=36),
    Column("Membre de l'ESS", lambda c: "oui" if c.ess_member else "non", width=10),
    Column("Secteurs", lambda c: ", ".join(s.name for s in c.sectors.all()), width=30),
    Column("Adresse", lambda c: c.address, width=30),
    Column("Code postal", lambda c: c.postal_code, width=10),
    Column("Commune", lambda c: c.commune, width=20),
    Column("Téléphone", lambda c: c.phone, width=16),
    Column("Courriel", lambda c: c.email, width=28),
    Column("Site web", lambda c: c.website, width=28),
    Column("Contacts", _contacts, width=40),
    Column("Offre", lambda c: c.description, width=60),
]
