"""The tracking sheet's format (docs/formats/suivi-xlsx.md): its columns in order, with the kind of value
each holds, and the kinds of objects an import counts. The one definition that the import reads and the
export writes."""

from dataclasses import dataclass

from clauses_site.text import match_key


@dataclass(frozen=True)
class FormatColumn:
    key: str
    title: str
    required: bool = False
    width: int = 14
    kind: str = "text"  # what it holds, as clauses_site.exports.Column kinds: text | hours | date | month


#: The columns of the format, in the format's order (the export writes them in this order).
COLUMNS = (
    FormatColumn("buyer", "Donneur d'ordre", True, 32),
    FormatColumn("operation", "Opération", False, 22),
    FormatColumn("market_ref", "Réf. marché", True, 16),
    FormatColumn("market_title", "Intitulé marché", False, 40),
    FormatColumn("lot", "Lot", True, 8),
    FormatColumn("lot_title", "Intitulé lot", False, 24),
    FormatColumn("planned_hours", "Heures prévues", False, 12, "hours"),
    FormatColumn("company", "Entreprise", True, 28),
    FormatColumn("siret", "SIRET entreprise", False, 17),
    FormatColumn("employer", "Employeur", False, 26),
    FormatColumn("modality", "Modalité", True, 26),
    FormatColumn("last_name", "Nom", True, 18),
    FormatColumn("first_name", "Prénom", True, 16),
    FormatColumn("birth_date", "Date de naissance", True, 12, "date"),
    FormatColumn("sex", "Sexe", True, 6),
    FormatColumn("commune", "Commune", False, 20),
    FormatColumn("qpv", "QPV", False, 6),
    FormatColumn("level", "Niveau", False, 8),
    FormatColumn("publics", "Publics", False, 24),
    FormatColumn("prescriber", "Prescripteur", False, 16),
    FormatColumn("contract_type", "Type de contrat", True, 18),
    FormatColumn("job", "Poste", False, 18),
    FormatColumn("start", "Début contrat", True, 12, "date"),
    FormatColumn("end", "Fin contrat", False, 12, "date"),
    FormatColumn("month", "Mois", True, 10, "month"),
    FormatColumn("hours", "Heures", True, 10, "hours"),
    FormatColumn("training_hours", "Heures formation", False, 10, "hours"),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TITLES = {c.key: c.title for c in COLUMNS}


def title_key(title):
    """Titles match ignoring case, accents, spaces, punctuation and a trailing `*`."""
    return match_key(str(title or "").strip().rstrip("*"))


COLUMN_BY_TITLE_KEY = {title_key(c.title): c for c in COLUMNS}

KINDS = (
    ("buyers", "Donneurs d'ordre"),
    ("operations", "Opérations"),
    ("markets", "Marchés"),
    ("lots", "Lots"),
    ("clauses", "Clauses"),
    ("companies", "Entreprises"),
    ("awards", "Attributions"),
    ("participants", "Participants"),
    ("assignments", "Mises à l'emploi"),
    ("entries", "Heures du mois"),
)
KIND_LABELS = dict(KINDS)
