"""The report of an import: counts of objects created, updated and unchanged per kind, warnings, and every
error as (row number as the spreadsheet shows it, column title, value, reason in French); how the
preview and the warnings name what the import creates or changes."""

from dataclasses import asdict, dataclass, field

from hours.models import ContractType
from hours.suivi.archive import int_text
from hours.suivi.cells import display
from hours.suivi.format import KINDS
from markets.models import Award

MAX_ERRORS = 2000  # errors kept in the report (all are counted)
MAX_WARNINGS = 300
SAMPLES = 8  # first objects of each kind shown in the preview


@dataclass
class RowError:
    row: int  # as the spreadsheet shows it (the header is row 1)
    column: str  # the column title as written in the file (or the format's title)
    value: str
    reason: str
    col: int | None = None  # 1-based column index in the sheet, for the annotated workbook


@dataclass
class KindCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    file_name: str = ""
    sheet: str = ""
    dry_run: bool = False
    rows_read: int = 0
    counts: dict = field(default_factory=lambda: {kind: KindCount() for kind, _ in KINDS})
    ignored_columns: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    warning_count: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    samples: dict = field(default_factory=dict)  # kind -> {"created": [...], "updated": [...]}
    imported: bool = False
    fatal: str = ""  # an unreadable file: why
    seconds: float = 0.0

    @property
    def refused(self):
        return bool(self.error_count or self.fatal)

    @property
    def status(self):
        if self.fatal:
            return "illisible"
        if self.error_count:
            return "refusé"
        return "importé" if self.imported else "valide"

    @property
    def changes(self):
        return sum(c.created + c.updated for c in self.counts.values())

    def add_error(self, row, column, value, reason, col=None):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, display(value), reason, col))

    def warn(self, text):
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    def count(self, kind, what, n=1):
        setattr(self.counts[kind], what, getattr(self.counts[kind], what) + n)

    def sample(self, kind, what, text):
        bucket = self.samples.setdefault(kind, {"created": [], "updated": []})[what]
        if len(bucket) < SAMPLES:
            bucket.append(text)

    def to_dict(self):
        data = asdict(self)
        data["status"] = self.status
        return data

    @classmethod
    def from_dict(cls, data):
        data = dict(data or {})
        data.pop("status", None)
        known = set(cls.__dataclass_fields__)
        data = {k: v for k, v in data.items() if k in known}
        report = cls(**data)
        counts = report.counts if isinstance(report.counts, dict) else {}
        report.counts = {
            kind: c if isinstance(c := counts.get(kind, {}), KindCount) else KindCount(**c)
            for kind, _ in KINDS
        }
        report.errors = [RowError(**e) if isinstance(e, dict) else e for e in report.errors]
        return report

    def counts_table(self):
        """[(label, created, updated, unchanged)] in the format's order."""
        return [(label, *astuple_count(self.counts[kind])) for kind, label in KINDS]

    def lines(self):
        """The report in French, as the management command prints it."""
        out = [f"Fichier : {self.file_name}" + (f" (feuille « {self.sheet} »)" if self.sheet else "")]
        if self.fatal:
            out.append(f"Fichier illisible : {self.fatal}")
            return out
        out.append(f"Lignes lues : {int_text(self.rows_read)}")
        if self.ignored_columns:
            out.append("Colonnes ignorées : " + ", ".join(f"« {c} »" for c in self.ignored_columns))
        if not self.error_count:
            out.append("")
            out.append(f"{'':<20} {'créés':>9} {'modifiés':>9} {'inchangés':>10}")
            for label, created, updated, unchanged in self.counts_table():
                numbers = f"{int_text(created):>9} {int_text(updated):>9} {int_text(unchanged):>10}"
                out.append(f"{label:<20} {numbers}")
        if self.warning_count:
            out.append("")
            out.append(f"Avertissements ({int_text(self.warning_count)}) :")
            out.extend(f"  - {w}" for w in self.warnings)
            if self.warning_count > len(self.warnings):
                out.append(f"  … et {int_text(self.warning_count - len(self.warnings))} autres.")
        if self.error_count:
            out.append("")
            out.append(f"Erreurs ({int_text(self.error_count)}) :")
            for e in self.errors:
                value = f" « {e.value} »" if e.value != "" else " (vide)"
                out.append(f"  - ligne {e.row}, colonne « {e.column} »{value} : {e.reason}")
            if self.error_count > len(self.errors):
                out.append(f"  … et {int_text(self.error_count - len(self.errors))} autres.")
            out.append("")
            out.append("Fichier refusé : rien n'a été enregistré.")
        elif self.dry_run:
            out.append("")
            out.append("Fichier valide (essai à blanc : rien n'a été enregistré).")
        elif self.imported:
            out.append("")
            seconds = f"{self.seconds:.1f}".replace(".", ",")
            out.append(f"Import terminé en {seconds} s.")
        return out


def astuple_count(count):
    return count.created, count.updated, count.unchanged


def hours_text(value):
    if value is None:
        return ""
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")


FIELD_LABELS = {
    "operation": "opération",
    "title": "intitulé",
    "siret": "SIRET",
    "commune": "commune",
    "qpv": "QPV",
    "level": "niveau",
    "prescriber": "prescripteur",
    "criteria": "publics",
    "modality": "modalité",
    "company": "entreprise",
    "job": "poste",
    "ends_on": "fin du contrat",
}


def entry_label(a, row):
    person = a.participant
    return f"{person.last_name.upper()} {person.first_name} — {lot_long_label(a.lot)} — {row.month:%m/%Y}"


def _lot_label(lot):
    return f"lot {lot.number}" if lot.number_key.isdigit() else str(lot.number)


def lot_long_label(lot):
    return f"{lot.market.reference} {_lot_label(lot)}" + (f" — {lot.title}" if lot.title else "")


def _market_label(market):
    return f"{market.reference} — {market.title}"


def _company_label(company):
    return f"{company.name}" + (f" (SIRET {company.siret})" if company.siret else "")


def award_role_text(award, holder=None):
    """« (titulaire, sans engagement chiffré : il doit les heures du lot) »."""
    if award.role == Award.Role.HOLDER:
        return "(titulaire, sans engagement chiffré : il doit les heures du lot)"
    by = f" par « {holder.company.name} »" if holder is not None else ""
    return f"(sous-traitant, sans engagement chiffré : les heures du lot restent dues{by}, titulaire)"


def _award_label(award):
    return f"{lot_long_label(award.lot)} — {award.company.name} {award_role_text(award)}"


def _person_label(person):
    return f"{person.last_name.upper()} {person.first_name} ({person.birth_date:%d/%m/%Y})"


def _assignment_label(a):
    end = f" au {a.ends_on:%d/%m/%Y}" if a.ends_on else ""
    return (
        f"{a.participant.last_name.upper()} {a.participant.first_name} — {a.lot.market.reference} "
        f"{_lot_label(a.lot)} — {ContractType(a.contract_type).label} du {a.starts_on:%d/%m/%Y}{end}"
    )


SAMPLE_LABELS = {
    "buyers": str,
    "operations": str,
    "markets": _market_label,
    "lots": lot_long_label,
    "clauses": lambda c: f"{lot_long_label(c.lot)} : {hours_text(c.hours_required)} h",
    "companies": _company_label,
    "awards": _award_label,
    "participants": _person_label,
    "assignments": _assignment_label,
}
