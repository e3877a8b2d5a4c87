import django_tables2 as tables

from clauses_site.exports import Column
from clauses_site.listing import BooleanColumn, HoursColumn
from companies.models import Company


class CompanyTable(tables.Table):
    name = tables.Column("Raison sociale", linkify=True, order_by="name_key")
    siret = tables.Column("SIRET")
    kind = tables.Column("Type")
    commune = tables.Column("Commune")
    ess_member = BooleanColumn("ESS")
    hours_committed = HoursColumn("Heures engagées")
    hours_done = HoursColumn("Heures réalisées")

    class Meta:
        model = Company
        fields = ["name", "siret", "kind", "commune", "ess_member", "hours_committed", "hours_done"]
        empty_text = "Aucune entreprise ne correspond à ces filtres."
        row_attrs = {"class": lambda record: "text-body-secondary" if record.archived else ""}

    def render_kind(self, record):
        """The short form: « ETTI », « GEIQ », « Entreprise », « Organisme de formation »."""
        return record.get_kind_display().split(" — ")[0]


EXPORT_COLUMNS = [
    Column("Raison sociale", lambda c: c.name, width=36),
    Column("SIRET", lambda c: c.siret, width=16),
    Column("Type de structure", lambda c: c.get_kind_display(), width=30),
    Column("Membre de l'ESS", lambda c: "oui" if c.ess_member else "non", width=10),
    Column("Adresse", lambda c: c.address, width=30),
    Column("Code postal", lambda c: c.postal_code, width=10),
    Column("Commune", lambda c: c.commune, width=20),
    Column("Téléphone", lambda c: c.phone, width=16),
    Column("Courriel", lambda c: c.email, width=28),
    Column("Heures engagées", lambda c: c.hours_committed, kind="hours"),
    Column("Heures réalisées", lambda c: c.hours_done, kind="hours"),
    Column("Archivée", lambda c: "oui" if c.archived else "", width=10),
]
