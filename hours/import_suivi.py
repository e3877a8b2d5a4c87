"""Import of the team's tracking spreadsheet (« tableau de suivi des heures »), format in
shared/formats/suivi-xlsx.md.

    report = run_import(path_or_file, file_name="suivi.xlsx", user=user, dry_run=False)

Three steps:
1. read: the workbook is opened with openpyxl in read-only mode (formula cells give their cached
   value); row 1 holds the titles, matched ignoring case, accents, spaces and a trailing `*`;
2. plan: every row is normalised and validated; buyers, markets, lots, clauses, companies, participants,
   assignments and monthly entries are matched against what the database holds (prefetched into
   dicts keyed by their matching keys: no query per row) or planned for creation;
3. apply (unless dry_run or any error): everything is written in ONE transaction with bulk_create /
   bulk_update. A file with any invalid row writes nothing.

The report counts created / updated / unchanged objects per kind and lists every error as
(row number as the spreadsheet shows it, column title, value, reason in French).

Policy where the format is silent (see the module's tests):
- hours of an existing (assignment, month) are replaced (the spreadsheet is the source), and the
  entry becomes validated, with who/when/which file, when the importer may validate hours
  (`clauses_site.roles.can_validate`; user=None is the system: the command run without --user);
- an importer who may not validate creates and changes entries as drafts (someone who may validates
  them later) and never changes a validated entry: such a row is refused (« validée le … par … : à
  rouvrir d'abord »), so the whole file is; a row giving a validated entry its recorded hours is
  unchanged;
- a contract's end, modality, credited company and job come from the spreadsheet (an empty cell keeps
  what is recorded);
- other descriptive data of existing records (a person's commune, QPV, level, prescriber, publics;
  a lot's title; a company's SIRET; a market's operation) are only filled when empty (publics are
  added), never overwritten: a difference is reported as a warning.
"""

import datetime
import hashlib
import logging
import re
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clauses_site import formatting
from clauses_site.roles import can_validate
from clauses_site.text import clean_siret, company_key, match_key, normalize, siret_is_valid, strip_accents
from clauses_site.vocabulary import CRITERIA, CRITERIA_CODES
from companies.models import Company
from hours.grid import future_month_error
from hours.models import MAX_MONTH_HOURS, Assignment, ContractType, HoursEntry, Modality
from hours.suivi_annotated import annotated_workbook  # noqa: F401 - re-exported
from hours.suivi_archive import ENCRYPTED_MARKER, OLE_MAGIC, UnreadableFile, sniff  # noqa: F401 - re-exported
from hours.suivi_reading import SheetRows, iter_rows, open_workbook  # noqa: F401 - re-exported
from markets.models import Award, Buyer, Clause, Lot, Market, Operation, Stage
from participants.models import Criterion, Participant, identity_key

logger = logging.getLogger(__name__)
TWO_PLACES = Decimal("0.01")
BATCH_SIZE = 2000
IN_CHUNK = 900  # values per `__in` lookup (well under SQLite's and PostgreSQL's limits)
MAX_ERRORS = 2000  # errors kept in the report (all are counted)
MAX_WARNINGS = 300
SAMPLES = 8  # first objects of each kind shown in the preview


# --------------------------------------------------------------------------------------------------
# The format


@dataclass(frozen=True)
class FormatColumn:
    key: str
    title: str
    required: bool = False
    width: int = 14


#: The columns of the format, in the format's order (the export writes them in this order).
COLUMNS = (
    FormatColumn("buyer", "Donneur d'ordre", True, 32),
    FormatColumn("operation", "Opération", False, 22),
    FormatColumn("market_ref", "Réf. marché", True, 16),
    FormatColumn("market_title", "Intitulé marché", False, 40),
    FormatColumn("lot", "Lot", True, 8),
    FormatColumn("lot_title", "Intitulé lot", False, 24),
    FormatColumn("planned_hours", "Heures prévues", False, 12),
    FormatColumn("company", "Entreprise", True, 28),
    FormatColumn("siret", "SIRET entreprise", False, 17),
    FormatColumn("employer", "Employeur", False, 26),
    FormatColumn("modality", "Modalité", True, 26),
    FormatColumn("last_name", "Nom", True, 18),
    FormatColumn("first_name", "Prénom", True, 16),
    FormatColumn("birth_date", "Date de naissance", True, 12),
    FormatColumn("sex", "Sexe", True, 6),
    FormatColumn("commune", "Commune", False, 20),
    FormatColumn("qpv", "QPV", False, 6),
    FormatColumn("level", "Niveau", False, 8),
    FormatColumn("publics", "Publics", False, 24),
    FormatColumn("prescriber", "Prescripteur", False, 16),
    FormatColumn("contract_type", "Type de contrat", True, 18),
    FormatColumn("job", "Poste", False, 18),
    FormatColumn("start", "Début contrat", True, 12),
    FormatColumn("end", "Fin contrat", False, 12),
    FormatColumn("month", "Mois", True, 10),
    FormatColumn("hours", "Heures", True, 10),
    FormatColumn("training_hours", "Heures formation", False, 10),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TITLES = {c.key: c.title for c in COLUMNS}


def title_key(title):
    """Titles match ignoring case, accents, spaces, punctuation and a trailing `*`."""
    return match_key(str(title or "").strip().rstrip("*"))


_COLUMN_BY_TITLE_KEY = {title_key(c.title): c for c in COLUMNS}

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


# --------------------------------------------------------------------------------------------------
# The report


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
            self.errors.append(RowError(row, column, _display(value), reason, col))

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
        out.append(f"Lignes lues : {_int(self.rows_read)}")
        if self.ignored_columns:
            out.append("Colonnes ignorées : " + ", ".join(f"« {c} »" for c in self.ignored_columns))
        if not self.error_count:
            out.append("")
            out.append(f"{'':<20} {'créés':>9} {'modifiés':>9} {'inchangés':>10}")
            for label, created, updated, unchanged in self.counts_table():
                out.append(f"{label:<20} {_int(created):>9} {_int(updated):>9} {_int(unchanged):>10}")
        if self.warning_count:
            out.append("")
            out.append(f"Avertissements ({_int(self.warning_count)}) :")
            out.extend(f"  - {w}" for w in self.warnings)
            if self.warning_count > len(self.warnings):
                out.append(f"  … et {_int(self.warning_count - len(self.warnings))} autres.")
        if self.error_count:
            out.append("")
            out.append(f"Erreurs ({_int(self.error_count)}) :")
            for e in self.errors:
                value = f" « {e.value} »" if e.value != "" else " (vide)"
                out.append(f"  - ligne {e.row}, colonne « {e.column} »{value} : {e.reason}")
            if self.error_count > len(self.errors):
                out.append(f"  … et {_int(self.error_count - len(self.errors))} autres.")
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


def _int(n):
    return f"{n:,}".replace(",", "\u202f")


def _hours_text(value):
    if value is None:
        return ""
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")


# --------------------------------------------------------------------------------------------------
# Reading (the workbook and its rows: hours/suivi_reading.py)

MAX_TITLES = 100  # titles in row 1: the format's 27 and others, ignored


def map_header(header_row, report):
    """{format key: 0-based index}, {index: title as written}; unknown titles go to ignored columns."""
    positions, titles = {}, {}
    written_titles = sum(1 for v in header_row or () if v is not None and str(v).strip() != "")
    if written_titles > MAX_TITLES:
        raise UnreadableFile(
            f"la ligne des titres compte {_int(written_titles)} colonnes : le tableau de suivi en a "
            f"{len(COLUMNS)}, {MAX_TITLES} au plus avec les colonnes ignorées."
        )
    for index, value in enumerate(header_row or ()):
        if value is None or str(value).strip() == "":
            continue
        written = str(value).strip()
        column = _COLUMN_BY_TITLE_KEY.get(title_key(written))
        if column is None:
            report.ignored_columns.append(written)
            continue
        if column.key in positions:
            raise UnreadableFile(f"la colonne « {column.title} » figure deux fois dans la ligne des titres.")
        positions[column.key] = index
        titles[index] = written
    if not positions:
        raise UnreadableFile(
            "la ligne 1 ne contient pas les titres des colonnes du tableau de suivi "
            "(« Donneur d'ordre », « Réf. marché », « Lot »…)."
        )
    missing = [c.title for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        names = ", ".join(f"« {m} »" for m in missing)
        raise UnreadableFile(f"colonnes obligatoires absentes : {names}.")
    return positions, titles


# --------------------------------------------------------------------------------------------------
# Normalising cell values


class CellError(Exception):
    pass


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _display(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return str(value)


def text_of(value):
    """A cell as text: trimmed, single spaces; a number without a useless `.0`; the apostrophe that
    an export puts before a text starting with = + - @ removed."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "oui" if value else "non"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = _display(value)
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in _DANGEROUS:
        text = text[1:]
    return text


def decimal_of(value):
    if isinstance(value, bool):
        raise CellError("nombre attendu")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError("nombre attendu")
        number = Decimal(repr(value))
    else:
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).lower().removesuffix("h")
        # [0-9], not \d: Decimal() would read « ١٥ » or full-width digits too
        if not re.fullmatch(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)", text):
            raise CellError("nombre attendu (virgule ou point décimal, par exemple 151,67)")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:  # pragma: no cover - the regex lets only numbers through
            raise CellError("nombre attendu") from exc
    return number.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def hours_of(value):
    number = decimal_of(value)
    if number < 0:
        raise CellError("les heures ne peuvent pas être négatives")
    if number > MAX_MONTH_HOURS:
        raise CellError("au plus 744 heures dans un mois (31 jours × 24 h)")
    return number


def planned_hours_of(value):
    number = decimal_of(value)
    if number < 0:
        raise CellError("les heures prévues ne peuvent pas être négatives")
    if number >= Decimal("100000000"):
        raise CellError("nombre d'heures trop grand")
    return number


_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_MY = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_YM = re.compile(r"(\d{4})[-/](\d{1,2})")
_MONTH_NAME = re.compile(r"([a-z]+)\.?\s*[-/ ]?\s*(\d{4})")
MONTH_NAMES = {
    "janvier": 1, "janv": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2,
    "mars": 3, "mar": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7,
    "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip
DATE_HINT = "date attendue : JJ/MM/AAAA ou AAAA-MM-JJ"
MONTH_HINT = "mois attendu : MM/AAAA, AAAA-MM, « mars 2025 » ou une date du mois"


def _make_date(year, month, day):
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise CellError("cette date n'existe pas") from exc


def _serial_date(value):
    from openpyxl.utils.datetime import from_excel

    if not 1 <= value < 2958466:
        raise CellError(DATE_HINT)
    day = from_excel(value)
    return day.date() if isinstance(day, datetime.datetime) else day


def date_of(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError(DATE_HINT)
    if isinstance(value, (int, float)):
        return _serial_date(value)
    text = text_of(value)
    if m := _DMY.fullmatch(text):
        return _make_date(m[3], m[2], m[1])
    if m := _YMD.fullmatch(text):
        return _make_date(m[1], m[2], m[3])
    raise CellError(DATE_HINT)


def _month_number(text):
    """« 03 » -> 3; « 13 » or « 00 »: « mois 13 invalide » (not « cette date n'existe pas »)."""
    if not 1 <= int(text) <= 12:
        raise CellError(f"mois {int(text)} invalide (de 01 à 12)")
    return int(text)


def month_of(value):
    if isinstance(value, (datetime.date, int, float)) and not isinstance(value, bool):
        return date_of(value).replace(day=1)
    text = text_of(value)
    if m := _MY.fullmatch(text):
        return _make_date(m[2], _month_number(m[1]), 1)
    if m := _YM.fullmatch(text):
        return _make_date(m[1], _month_number(m[2]), 1)
    if m := _MONTH_NAME.fullmatch(strip_accents(text).lower()):
        if m[1] not in MONTH_NAMES:
            raise CellError(f"mois inconnu « {m[1]} » ; {MONTH_HINT}")
        return datetime.date(int(m[2]), MONTH_NAMES[m[1]], 1)
    try:
        return date_of(text).replace(day=1)
    except CellError:
        raise CellError(MONTH_HINT) from None


def _choices(pairs):
    return {match_key(k): v for k, v in pairs}


MODALITIES = _choices(
    [(m.label, m.value) for m in Modality]
    + [(m.value, m.value) for m in Modality]
    + [
        ("Embauche", Modality.DIRECT_HIRE),
        ("MAD ETTI", Modality.ETTI),
        ("MAD AI", Modality.AI),
        ("MAD GEIQ", Modality.GEIQ),
        ("MAD ETT", Modality.ETT),
        ("Mise à disposition par une ETTI", Modality.ETTI),
        ("Mise à disposition par une AI", Modality.AI),
        ("Mise à disposition par un GEIQ", Modality.GEIQ),
        ("Mise à disposition par une ETT", Modality.ETT),
        ("Sous-traitance", Modality.SIAE_SUBCONTRACT),
        ("Co-traitance", Modality.SIAE_COCONTRACT),
        ("Cotraitance SIAE", Modality.SIAE_COCONTRACT),
        ("Soustraitance SIAE", Modality.SIAE_SUBCONTRACT),
    ]
)
CONTRACT_TYPES = _choices(
    [(c.label, c.value) for c in ContractType]
    + [(c.value, c.value) for c in ContractType]
    + [
        ("Intérimaire", ContractType.TEMP),
        ("Travail temporaire", ContractType.TEMP),
        ("Contrat de travail temporaire", ContractType.TEMP),
        ("CTT", ContractType.TEMP),
        ("Contrat d'apprentissage", ContractType.APPRENTICESHIP),
        ("Professionnalisation", ContractType.PROFESSIONALISATION),
        ("Contrat pro", ContractType.PROFESSIONALISATION),
    ]
)
SEXES = _choices(
    [("F", "F"), ("Femme", "F"), ("Féminin", "F"), ("H", "H"), ("Homme", "H"), ("M", "H"), ("Masculin", "H")]
)
YES = {"oui", "o", "x", "1", "vrai", "true", "yes", "y"}
NO = {"non", "n", "0", "faux", "false", "no"}
LEVELS = {"infra3": "infra 3", "inf3": "infra 3", "1": "infra 3", "2": "infra 3", "3": "3", "4": "4"}
LEVELS |= {str(n): "5+" for n in range(5, 9)} | {"5etplus": "5+", "5plus": "5+", "5etplu": "5+"}
CRITERIA_BY_KEY = {match_key(code): code for code in CRITERIA_CODES} | {
    match_key(label): code for code, label in CRITERIA
}
CRITERIA_BY_KEY |= {
    "jeune": "Jeune -26",
    "jeunes": "Jeune -26",
    "jeunemoinsde26ans": "Jeune -26",
    "moinsde26ans": "Jeune -26",
    "senior": "Senior 50+",
    "seniors": "Senior 50+",
    "senior50ans": "Senior 50+",
    "plusde50ans": "Senior 50+",
    "refugiee": "Réfugié",
    "refugies": "Réfugié",
    "pass": "PASS IAE",
    "passiae": "PASS IAE",
}


def _choice_list(enum):
    return ", ".join(str(c.label) for c in enum)


def modality_of(value):
    found = MODALITIES.get(match_key(text_of(value)))
    if found is None:
        raise CellError(f"modalité inconnue ; valeurs possibles : {_choice_list(Modality)}")
    return found


def contract_type_of(value):
    found = CONTRACT_TYPES.get(match_key(text_of(value)))
    if found is None:
        raise CellError(f"type de contrat inconnu ; valeurs possibles : {_choice_list(ContractType)}")
    return found


def sex_of(value):
    found = SEXES.get(match_key(text_of(value)))
    if found is None:
        raise CellError("sexe attendu : F ou H (Femme, Homme, M)")
    return found


def qpv_of(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    key = match_key(text_of(value))
    if key == "":
        return None
    if key in YES:
        return True
    if key in NO:
        return False
    raise CellError("attendu : oui ou non (o/n, x, 1/0, vrai/faux) ; vide si inconnu")


def level_of(value):
    key = match_key(text_of(value))
    if key == "":
        return ""
    for prefix in ("niveau", "niv"):
        key = key.removeprefix(prefix)
    found = LEVELS.get(key)
    if found is None:
        raise CellError("niveau attendu : infra 3, 3, 4 ou 5+ (aussi « 5 et plus », « Niveau 3 »)")
    return found


def publics_of(value):
    codes = []
    for part in re.split(r"[;,]", text_of(value)):
        part = part.strip()
        if not part:
            continue
        code = CRITERIA_BY_KEY.get(match_key(part))
        if code is None:
            raise CellError(f"public inconnu « {part} » ; valeurs possibles : {', '.join(CRITERIA_CODES)}")
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def siret_of(value):
    text = text_of(value)
    if text == "":
        return ""
    siret = clean_siret(text)
    if not re.fullmatch(r"\d{14}", siret):
        raise CellError("SIRET invalide : 14 chiffres attendus (les espaces sont acceptés)")
    if not siret_is_valid(siret):
        raise CellError("SIRET invalide : la clé de contrôle (formule de Luhn) est fausse")
    return siret


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _text_checker(max_length):
    def check(value):
        text = text_of(value)
        if len(text) > max_length:
            raise CellError(f"texte trop long ({max_length} caractères au plus)")
        return text

    return check


def _checked_date(low_year, future_ok=True, what="date"):
    def check(value):
        day = date_of(value)
        if day.year < low_year or day.year > 2100:
            raise CellError(f"{what} invraisemblable (année {day.year})")
        if not future_ok and day > timezone.localdate():
            raise CellError(f"{what} dans le futur")
        return day

    return check


def _checked_month(value):
    month = month_of(value)
    if month.year < 1990 or month.year > 2100:
        raise CellError(f"mois invraisemblable (année {month.year})")
    if message := future_month_error(month):
        raise CellError(message)
    return month


#: key -> function(raw cell value) -> normalised value (raises CellError).
PARSERS = {
    "buyer": _text_checker(_max_length(Buyer, "name")),
    "operation": _text_checker(_max_length(Operation, "name")),
    "market_ref": _text_checker(_max_length(Market, "reference")),
    "market_title": _text_checker(_max_length(Market, "title")),
    "lot": _text_checker(_max_length(Lot, "number")),
    "lot_title": _text_checker(_max_length(Lot, "title")),
    "planned_hours": planned_hours_of,
    "company": _text_checker(_max_length(Company, "name")),
    "siret": siret_of,
    "employer": _text_checker(_max_length(Company, "name")),
    "modality": modality_of,
    "last_name": _text_checker(_max_length(Participant, "last_name")),
    "first_name": _text_checker(_max_length(Participant, "first_name")),
    "birth_date": _checked_date(1900, future_ok=False, what="date de naissance"),
    "sex": sex_of,
    "commune": _text_checker(_max_length(Participant, "commune")),
    "qpv": qpv_of,
    "level": level_of,
    "publics": publics_of,
    "prescriber": _text_checker(_max_length(Participant, "prescriber")),
    "contract_type": contract_type_of,
    "job": _text_checker(_max_length(Assignment, "job")),
    "start": _checked_date(1990, what="date"),
    "end": _checked_date(1990, what="date"),
    "month": _checked_month,
    "hours": hours_of,
    "training_hours": hours_of,
}
EMPTY_VALUES = {
    "planned_hours": None,
    "qpv": None,
    "level": "",
    "publics": (),
    "siret": "",
    "end": None,
    "training_hours": Decimal("0.00"),
}


def _is_empty(value):
    return value is None or (isinstance(value, str) and value.strip() == "")


@dataclass(slots=True)
class Row:
    """One valid spreadsheet row, normalised."""

    number: int
    buyer: str
    operation: str
    market_ref: str
    market_title: str
    lot: str
    lot_title: str
    planned_hours: Decimal | None
    company: str
    siret: str
    employer: str
    modality: str
    last_name: str
    first_name: str
    birth_date: datetime.date
    sex: str
    commune: str
    qpv: bool | None
    level: str
    publics: tuple
    prescriber: str
    contract_type: str
    job: str
    start: datetime.date
    end: datetime.date | None
    month: datetime.date
    hours: Decimal
    training_hours: Decimal


ROW_KEYS = [f for f in Row.__dataclass_fields__ if f != "number"]


class RowParser:
    """Turns raw rows into Row objects, caching each column's distinct values (sheets repeat them)."""

    def __init__(self, positions, titles, report):
        self.positions = positions
        self.titles = titles
        self.report = report
        self.cache = {key: {} for key in ROW_KEYS}
        self.plan = [(key, positions.get(key), PARSERS[key]) for key in ROW_KEYS]

    def title(self, key):
        index = self.positions.get(key)
        return self.titles.get(index, TITLES[key]) if index is not None else TITLES[key]

    def col(self, key):
        index = self.positions.get(key)
        return index + 1 if index is not None else None

    def parse(self, number, values):
        out = {}
        ok = True
        width = len(values)
        for key, index, parser in self.plan:
            raw = values[index] if index is not None and index < width else None
            if _is_empty(raw):
                if COLUMN_BY_KEY[key].required:
                    self.report.add_error(number, self.title(key), "", "valeur obligatoire", self.col(key))
                    ok = False
                    continue
                out[key] = EMPTY_VALUES.get(key, "")
                continue
            cache = self.cache[key]
            try:
                hashable_raw = (type(raw), raw)
                cached = cache.get(hashable_raw)
            except TypeError:  # pragma: no cover - cell values are hashable
                hashable_raw, cached = None, None
            if cached is None:
                try:
                    cached = (True, parser(raw))
                except CellError as exc:
                    cached = (False, str(exc))
                if hashable_raw is not None and len(cache) < 100_000:
                    cache[hashable_raw] = cached
            if cached[0]:
                out[key] = cached[1]
            else:
                self.report.add_error(number, self.title(key), raw, cached[1], self.col(key))
                ok = False
        if not ok:
            return None
        if out["end"] is not None and out["end"] < out["start"]:
            self.report.add_error(
                number,
                self.title("end"),
                values[self.positions["end"]],
                "la fin du contrat précède son début",
                self.col("end"),
            )
            return None
        return Row(number, **out)


# --------------------------------------------------------------------------------------------------
# Planning: match what exists, plan what to create or update


def _chunks(items, size=IN_CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _fetch(queryset, field_name, values):
    """queryset filtered on field_name__in=values, in chunks (no query when values is empty)."""
    for chunk in _chunks(values):
        yield from queryset.filter(**{f"{field_name}__in": chunk})


# The keys of the many rows that repeat the same buyer, company or person are computed once.
_cached_match_key = lru_cache(maxsize=1 << 16)(match_key)
_cached_company_key = lru_cache(maxsize=1 << 16)(company_key)
_cached_identity_key = lru_cache(maxsize=1 << 16)(identity_key)
_cached_normalize = lru_cache(maxsize=1 << 16)(normalize)
_cached_lot_key = lru_cache(maxsize=1 << 16)(Lot.key_for)


class Planner:
    """Holds the objects the file names (existing ones loaded once, new ones unsaved) and what
    changes on them. Keys of child objects use id() of their parents' instances."""

    def __init__(self, report, parser, user, file_name):
        self.report = report
        self.parser = parser
        self.user = user
        # user None: the system (the command without --user), which validates as it always did
        self.may_validate = user is None or can_validate(user)
        self.file_name = file_name
        self.new = defaultdict(list)  # kind -> [unsaved instances], in creation order
        self.changed = defaultdict(dict)  # kind -> {id(instance): (instance, {field names})}
        self.first_row = {}  # id(instance) -> first row number naming it
        self.warned = set()
        self.errors_on = set()  # (row, key) already reported
        self.past = {}  # index of a kept warning -> its text once the import is done
        self.first_month = {}  # id(new market or lot) -> the first day of its earliest month

    # -- helpers
    def error(self, row, key, value, reason):
        if (row.number, key) in self.errors_on:
            return
        self.errors_on.add((row.number, key))
        self.report.add_error(row.number, self.parser.title(key), value, reason, self.parser.col(key))

    def warn_once(self, token, text):
        if token not in self.warned:
            self.warned.add(token)
            self.report.warn(text)

    def warn_will(self, future, past, token=None):
        """A warning about what the import does: `future` in the preview, `past` once it is done."""
        if token is not None:
            if token in self.warned:
                return
            self.warned.add(token)
        if len(self.report.warnings) < MAX_WARNINGS:
            self.past[len(self.report.warnings)] = past
        self.report.warn(future)

    def in_past_tense(self):
        """The import is written: its warnings say what was done."""
        for index, text in self.past.items():
            self.report.warnings[index] = text

    def mark_new(self, kind, instance, row):
        self.new[kind].append(instance)
        self.first_row[id(instance)] = row.number

    def mark_changed(self, kind, instance, *fields):
        entry = self.changed[kind].setdefault(id(instance), (instance, set()))
        entry[1].update(fields)

    def is_new(self, instance):
        return instance.pk is None

    # -- loading
    def load(self, rows):
        buyer_keys = {_cached_match_key(r.buyer) for r in rows}
        self.buyers = {b.name_key: b for b in Buyer.objects.filter(name_key__in=list(buyer_keys))}
        buyer_ids = [b.pk for b in self.buyers.values()]
        by_pk = {b.pk: b for b in self.buyers.values()}
        self.operations = {}
        for op in _fetch(Operation.objects.all(), "buyer_id", buyer_ids):
            self.operations[(id(by_pk[op.buyer_id]), _cached_match_key(op.name))] = op
        self.markets = {}
        markets_by_pk = {}
        references = {r.market_ref for r in rows}  # an exact spelling wins over a case-insensitive one
        for market in _fetch(Market.objects.select_related("operation"), "buyer_id", buyer_ids):
            key = (id(by_pk[market.buyer_id]), _cached_normalize(market.reference))
            if key not in self.markets or market.reference in references:
                self.markets[key] = market
            market.buyer = by_pk[market.buyer_id]
            markets_by_pk[market.pk] = market
        self.lots = {}
        lots_by_pk = {}
        for lot in _fetch(Lot.objects.all(), "market_id", list(markets_by_pk)):
            lot.market = markets_by_pk[lot.market_id]
            self.lots[(id(lot.market), lot.number_key)] = lot
            lots_by_pk[lot.pk] = lot
        self.clauses = {}  # id(lot) -> Clause
        for clause in _fetch(
            Clause.objects.only("id", "lot_id", "hours_required", "stated_hours"), "lot_id", list(lots_by_pk)
        ):
            self.clauses[id(lots_by_pk[clause.lot_id])] = clause
        self.awards = {}  # (id(lot), _award_key(company)) -> Award
        self.holders = {}  # id(lot) -> its holder's Award
        for award in _fetch(Award.objects.select_related("company"), "lot_id", list(lots_by_pk)):
            award.lot = lots_by_pk[award.lot_id]
            self.awards[(id(award.lot), ("pk", award.company_id))] = award
            if award.role == Award.Role.HOLDER:
                self.holders.setdefault(id(award.lot), award)

        sirets = {r.siret for r in rows if r.siret}
        names = {_cached_company_key(r.company) for r in rows} | {
            _cached_company_key(r.employer) for r in rows if r.employer
        }
        self.companies_by_siret = {}
        self.companies_by_name = {}
        companies = {}
        for company in _fetch(Company.objects.all(), "siret", sirets):
            companies[company.pk] = company
        for company in _fetch(Company.objects.all(), "name_key", names):
            companies.setdefault(company.pk, company)
        for company in sorted(companies.values(), key=lambda c: c.pk):
            if company.siret:
                self.companies_by_siret[company.siret] = company
            self.companies_by_name.setdefault(company.name_key, company)

        keys = {_cached_identity_key(r.last_name, r.first_name, r.birth_date) for r in rows}
        self.participants = {
            p.identity_key: p for p in _fetch(Participant.objects.all(), "identity_key", keys)
        }
        people_by_pk = {p.pk: p for p in self.participants.values()}
        self.criteria = {c.code: c for c in Criterion.objects.all()}
        self.participant_criteria = defaultdict(set)  # id(participant) -> {codes}
        through = Participant.criteria.through
        for pid, code in _fetch(
            through.objects.values_list("participant_id", "criterion__code"),
            "participant_id",
            list(people_by_pk),
        ):
            self.participant_criteria[id(people_by_pk[pid])].add(code)
        self.new_criteria = []  # (participant, code)

        companies_by_pk = companies
        self.assignments = {}
        assignments_by_pk = {}
        needed_company_pks = set()
        raw_assignments = list(_fetch(Assignment.objects.all(), "participant_id", list(people_by_pk)))
        for a in raw_assignments:
            needed_company_pks.update((a.company_id, a.employer_id))
        missing = needed_company_pks - set(companies_by_pk)
        for company in _fetch(Company.objects.all(), "pk", missing):
            companies_by_pk[company.pk] = company
        for a in raw_assignments:
            if a.lot_id not in lots_by_pk:
                continue  # a lot the file does not name
            a.participant = people_by_pk[a.participant_id]
            a.lot = lots_by_pk[a.lot_id]
            a.company = companies_by_pk[a.company_id]
            a.employer = companies_by_pk[a.employer_id]
            key = (id(a.participant), id(a.lot), id(a.employer), a.contract_type, a.starts_on)
            self.assignments[key] = a
            assignments_by_pk[a.pk] = a
        self.entries = {}
        self.entry_months = defaultdict(set)  # id(assignment) -> {months already recorded}
        fields = ("id", "assignment_id", "month", "hours", "training_hours", "status", "validated_at")
        fields += ("validated_by__username", "validated_by__first_name", "validated_by__last_name")
        entries = HoursEntry.objects.select_related("validated_by").only(*fields)
        for entry in _fetch(entries, "assignment_id", list(assignments_by_pk)):
            entry.assignment = assignments_by_pk[entry.assignment_id]
            self.entries[(id(entry.assignment), entry.month)] = entry
            self.entry_months[id(entry.assignment)].add(entry.month)

    # -- resolving each row
    def resolve(self, row):
        named = self.named
        buyer = self.buyer_for(row)
        named["buyers"].add(id(buyer))
        market = self.market_for(row, buyer)
        if market is None:
            return
        named["markets"].add(id(market))
        if market.operation is not None:
            named["operations"].add(id(market.operation))
        lot = self.lot_for(row, market)
        named["lots"].add(id(lot))
        for created in (market, lot):  # a new market or lot starts with its earliest month
            if self.is_new(created) and row.month < self.first_month.get(id(created), row.month.max):
                self.first_month[id(created)] = row.month
        clause = self.clause_for(row, lot)
        if clause is not None:
            named["clauses"].add(id(clause))
        company = self.company_for(row)
        employer = self.employer_for(row, company)
        named["companies"].update((id(company), id(employer)))
        named["awards"].add(id(self.award_for(row, lot, company)))
        participant = self.participant_for(row)
        named["participants"].add(id(participant))
        assignment = self.assignment_for(row, participant, lot, company, employer)
        named["assignments"].add(id(assignment))
        self.entry_for(row, assignment)

    def buyer_for(self, row):
        key = _cached_match_key(row.buyer)
        buyer = self.buyers.get(key)
        if buyer is None:
            buyer = Buyer(name=row.buyer, name_key=key, search_text=_cached_normalize(row.buyer))
            self.buyers[key] = buyer
            self.mark_new("buyers", buyer, row)
            unknown = f"Donneur d'ordre inconnu « {row.buyer} »"
            self.warn_will(f"{unknown} : il sera créé.", f"{unknown} : il a été créé.", token=("buyer", key))
        return buyer

    def operation_for(self, row, buyer, create):
        if not row.operation:
            return None
        key = (id(buyer), _cached_match_key(row.operation))
        operation = self.operations.get(key)
        if operation is None and create:
            operation = Operation(buyer=buyer, name=row.operation)
            self.operations[key] = operation
            self.mark_new("operations", operation, row)
        return operation

    def market_for(self, row, buyer):
        key = (id(buyer), _cached_normalize(row.market_ref))
        market = self.markets.get(key)
        if market is None:
            if not row.market_title:
                if not self.partial:
                    self.error(row, "market_title", "", "intitulé obligatoire pour un nouveau marché")
                return None
            market = Market(
                buyer=buyer,
                reference=row.market_ref,
                title=row.market_title,
                operation=self.operation_for(row, buyer, create=True),
                stage=Stage.EXECUTION,
                search_text=_cached_normalize(f"{row.market_ref} {row.market_title}"),
            )
            self.markets[key] = market
            self.mark_new("markets", market, row)
            return market
        if not row.operation:
            return market
        if market.operation is None:
            market.operation = self.operation_for(row, buyer, create=True)
            if not self.is_new(market):
                self.mark_changed("markets", market, "operation")
        elif _cached_match_key(market.operation.name) != _cached_match_key(row.operation):
            self.warn_once(
                ("market-op", id(market)),
                f"Marché {market.reference} : l'opération « {row.operation} » (ligne {row.number}) diffère "
                f"de celle enregistrée (« {market.operation.name} ») ; conservée.",
            )
        return market

    def lot_for(self, row, market):
        number_key = _cached_lot_key(row.lot)
        key = (id(market), number_key)
        lot = self.lots.get(key)
        if lot is None:
            number = number_key if number_key.isdigit() else row.lot
            lot = Lot(market=market, number=number, number_key=number_key, title=row.lot_title)
            self.lots[key] = lot
            self.mark_new("lots", lot, row)
        elif row.lot_title and not lot.title:
            lot.title = row.lot_title
            if not self.is_new(lot):
                self.mark_changed("lots", lot, "title")
        return lot

    def clause_for(self, row, lot):
        clause = self.clauses.get(id(lot))
        if clause is None:
            if row.planned_hours is None:
                if self.is_new(lot):
                    self.pending_planned.setdefault(id(lot), row)
                return None
            clause = Clause(lot=lot, stated_hours=row.planned_hours, hours_required=row.planned_hours)
            self.clauses[id(lot)] = clause
            self.mark_new("clauses", clause, row)
            self.pending_planned.pop(id(lot), None)
            return clause
        if row.planned_hours is not None and row.planned_hours != clause.hours_required:
            if self.is_new(clause):
                first = self.first_row[id(clause)]
                reason = (
                    f"heures prévues différentes de celles de la ligne {first} pour le même lot "
                    f"({_hours_text(clause.hours_required)} h)"
                )
            else:
                reason = (
                    f"heures prévues différentes de celles du lot existant "
                    f"({_hours_text(clause.hours_required)} h) : corrigez la ligne ou la clause du lot"
                )
            self.error(row, "planned_hours", row.planned_hours, reason)
        return clause

    def company_for(self, row):
        key = _cached_company_key(row.company)
        company = None
        if row.siret:
            company = self.companies_by_siret.get(row.siret)
            if company is None:
                by_name = self.companies_by_name.get(key)
                if by_name is not None and not by_name.siret:
                    company = by_name
                    company.siret = row.siret
                    self.companies_by_siret[row.siret] = company
                    if not self.is_new(company):
                        self.mark_changed("companies", company, "siret")
            elif company.name_key != key:
                self.warn_once(
                    ("company-name", id(company)),
                    f"Le SIRET {row.siret} (ligne {row.number}) est celui de « {company.name} » : "
                    f"la ligne nomme « {row.company} » ; l'entreprise enregistrée est retenue.",
                )
        else:
            company = self.companies_by_name.get(key)
        if company is None:
            company = Company(
                name=row.company,
                siret=row.siret,
                kind=Company.Kind.ORDINARY,
                name_key=key,
                search_text=_cached_normalize(row.company),
            )
            if row.siret:
                self.companies_by_siret[row.siret] = company
            self.companies_by_name.setdefault(key, company)
            self.mark_new("companies", company, row)
            siret = f" (SIRET {row.siret})" if row.siret else ""
            unknown = f"Entreprise inconnue « {row.company} »{siret}"
            self.warn_will(
                f"{unknown} : elle sera créée (ligne {row.number}).",
                f"{unknown} : elle a été créée (ligne {row.number}).",
            )
        return company

    def award_for(self, row, lot, company):
        """The award of the company credited with the row's hours on its lot. None recorded: the import
        creates it: the holder when the lot has none, without a stated commitment (it owes what the lot
        owes: hours.queries.award_share); a subcontractor when another company holds the lot (the format:
        the credited company is the lot's holder or its subcontractor), owing nothing of its own."""
        key = (id(lot), _award_key(company))
        award = self.awards.get(key)
        if award is not None:
            return award
        holder = self.holders.get(id(lot))
        role = Award.Role.HOLDER if holder is None else Award.Role.SUBCONTRACTOR
        award = Award(lot=lot, company=company, role=role)
        self.awards[key] = award
        if holder is None:
            self.holders[id(lot)] = award
        self.mark_new("awards", award, row)
        if holder is not None or not self.is_new(lot):  # a new lot's holder: counted, not a warning
            what = f"{_lot_long_label(lot)} : « {company.name} » n'en {{}} pas attributaire ; une attribution"
            how = _award_role_text(award, holder)
            self.warn_will(
                f"{what.format('est')} {how} sera créée (ligne {row.number}).",
                f"{what.format('était')} {how} a été créée (ligne {row.number}).",
            )
        return award

    EMPLOYER_KINDS = {
        Modality.ETTI: Company.Kind.ETTI,
        Modality.AI: Company.Kind.AI,
        Modality.GEIQ: Company.Kind.GEIQ,
        Modality.ETT: Company.Kind.ETT,
        Modality.SIAE_SUBCONTRACT: Company.Kind.OTHER,
        Modality.SIAE_COCONTRACT: Company.Kind.OTHER,
    }

    def employer_for(self, row, company):
        if not row.employer:
            return company
        key = _cached_company_key(row.employer)
        if key == company.name_key:
            return company
        employer = self.companies_by_name.get(key)
        if employer is None:
            kind = self.EMPLOYER_KINDS.get(row.modality, Company.Kind.ORDINARY)
            employer = Company(
                name=row.employer, kind=kind, name_key=key, search_text=_cached_normalize(row.employer)
            )
            self.companies_by_name[key] = employer
            self.mark_new("companies", employer, row)
            unknown, where = f"Employeur inconnu « {row.employer} »", f"(type : {Company.Kind(kind).label}, "
            self.warn_will(
                f"{unknown} : il sera créé {where}ligne {row.number}).",
                f"{unknown} : il a été créé {where}ligne {row.number}).",
            )
        return employer

    PERSON_FIELDS = (
        ("commune", "commune"),
        ("qpv", "QPV"),
        ("level", "niveau"),
        ("prescriber", "prescripteur"),
    )

    def participant_for(self, row):
        key = _cached_identity_key(row.last_name, row.first_name, row.birth_date)
        person = self.participants.get(key)
        if person is None:
            person = Participant(
                last_name=row.last_name,
                first_name=row.first_name,
                birth_date=row.birth_date,
                sex=row.sex,
                commune=row.commune,
                qpv=row.qpv,
                level=row.level,
                prescriber=row.prescriber,
            )
            person.compute_keys()
            self.participants[key] = person
            self.mark_new("participants", person, row)
        else:
            name = f"{row.last_name.upper()} {row.first_name} (ligne {row.number})"
            if row.sex != person.sex:
                self.warn_once(
                    ("sex", id(person)),
                    f"{name} : sexe « {row.sex} » différent de celui enregistré (« {person.sex} ») ; "
                    "conservé.",
                )
            for attr, label in self.PERSON_FIELDS:
                given = getattr(row, attr)
                if given in ("", None):
                    continue
                current = getattr(person, attr)
                if current in ("", None):
                    setattr(person, attr, given)
                    if not self.is_new(person):
                        self.mark_changed("participants", person, attr)
                elif current != given:
                    shown = {True: "oui", False: "non"}.get(given, given)
                    was = {True: "oui", False: "non"}.get(current, current)
                    self.warn_once(
                        (attr, id(person)),
                        f"{name} : {label} « {shown} » différent de celui enregistré (« {was} ») ; conservé.",
                    )
        codes = self.participant_criteria[id(person)]
        for code in row.publics:
            if code not in codes:
                codes.add(code)
                self.new_criteria.append((person, code))
                if not self.is_new(person):
                    self.mark_changed("participants", person, "criteria")
        return person

    def assignment_for(self, row, participant, lot, company, employer):
        key = (id(participant), id(lot), id(employer), row.contract_type, row.start)
        a = self.assignments.get(key)
        if a is None:
            a = Assignment(
                participant=participant,
                lot=lot,
                company=company,
                employer=employer,
                modality=row.modality,
                contract_type=row.contract_type,
                job=row.job,
                starts_on=row.start,
                ends_on=row.end,
            )
            self.assignments[key] = a
            self.mark_new("assignments", a, row)
            self.assignment_rows[id(a)] = row
            return a
        first = self.assignment_rows.get(id(a))
        if first is None:  # existing assignment, first named by this row: the file is the source
            self.assignment_rows[id(a)] = row
            changes = []
            if a.modality != row.modality:
                a.modality = row.modality
                changes.append("modality")
            if a.company is not company:
                a.company = company
                changes.append("company")
            if row.job and a.job != row.job:
                a.job = row.job
                changes.append("job")
            if row.end is not None and a.ends_on != row.end:
                a.ends_on = row.end
                changes.append("ends_on")
                later = sorted(m for m in self.entry_months[id(a)] if m > row.end)
                if later:
                    self.error(
                        row,
                        "end",
                        row.end,
                        f"des heures sont déjà enregistrées en {later[0]:%m/%Y}, après cette fin de contrat",
                    )
            if changes:
                self.mark_changed("assignments", a, *changes)
            return a
        # a later row of the same assignment: it must agree with the first one
        if row.modality != first.modality:
            self.error(
                row,
                "modality",
                Modality(row.modality).label,
                f"modalité différente de la ligne {first.number} pour la même mise à l'emploi",
            )
        if company is not a.company:
            self.error(
                row,
                "company",
                row.company,
                f"entreprise différente de la ligne {first.number} pour la même mise à l'emploi",
            )
        if row.end is not None and first.end is not None and row.end != first.end:
            self.error(
                row,
                "end",
                row.end,
                f"fin de contrat différente de la ligne {first.number} pour la même mise à l'emploi",
            )
        elif row.end is not None and first.end is None and a.ends_on != row.end:
            self.error(
                row,
                "end",
                row.end,
                f"fin de contrat absente de la ligne {first.number} pour la même mise à l'emploi",
            )
        return a

    def entry_for(self, row, a):
        start = a.starts_on
        end = a.ends_on
        if row.month < start.replace(day=1) or (end is not None and row.month > end):
            until = f" au {end:%d/%m/%Y}" if end else ""
            self.error(
                row, "month", f"{row.month:%m/%Y}", f"mois hors du contrat (du {start:%d/%m/%Y}{until})"
            )
            return
        key = (id(a), row.month)
        seen = self.entry_rows.get(key)
        if seen is not None:
            self.error(
                row,
                "month",
                f"{row.month:%m/%Y}",
                f"ligne en double : même mise à l'emploi et même mois que la ligne {seen}",
            )
            return
        self.entry_rows[key] = row.number
        entry = self.entries.get(key)
        if entry is None:
            entry = HoursEntry(
                assignment=a, month=row.month, hours=row.hours, training_hours=row.training_hours
            )
            self.new["entries"].append(entry)
            if len(self.new["entries"]) <= SAMPLES:
                text = f"{_entry_label(a, row)} : {_hours_text(row.hours)} h{self.draft_mark}"
                self.report.sample("entries", "created", text)
            return
        validated = entry.status == HoursEntry.Status.VALIDATED
        same_hours = entry.hours == row.hours and entry.training_hours == row.training_hours
        if same_hours and (validated or not self.may_validate):
            self.report.count("entries", "unchanged")
            return
        if validated and not self.may_validate:
            self.refuse_validated(row, entry)
            return
        was = f"{_hours_text(entry.hours)} h" + ("" if validated else " (brouillon)")
        if len(self.changed["entries"]) < SAMPLES:
            text = f"{_entry_label(a, row)} : {was} → {_hours_text(row.hours)} h{self.draft_mark}"
            self.report.sample("entries", "updated", text)
        entry.hours = row.hours
        entry.training_hours = row.training_hours
        self.changed["entries"][id(entry)] = (entry, {"hours"})
        self.entry_row[entry.pk] = row

    @property
    def draft_mark(self):
        return "" if self.may_validate else " (brouillon)"

    def refuse_validated(self, row, entry):
        """A row that would change a validated entry, from someone who may not validate."""
        key = "hours" if entry.hours != row.hours else "training_hours"
        self.error(row, key, getattr(row, key), validated_reason(entry))

    def finish(self):
        """Errors that need the whole file, then the counts and the preview's samples."""
        if not self.partial:
            for row in self.pending_planned.values():
                self.error(row, "planned_hours", "", "heures prévues obligatoires pour un nouveau lot")
        report = self.report
        if not self.may_validate and (self.new["entries"] or self.changed["entries"]):
            self.warn_will(
                "Vous ne pouvez pas valider les heures : celles que cet import crée ou modifie seront "
                "enregistrées en brouillon, à valider par une personne habilitée.",
                "Vous ne pouvez pas valider les heures : celles que cet import a créées ou modifiées ont été "
                "enregistrées en brouillon, à valider par une personne habilitée.",
            )
        report.count("entries", "created", len(self.new["entries"]))
        report.count("entries", "updated", len(self.changed["entries"]))
        for kind, label in SAMPLE_LABELS.items():
            created, changed = self.new[kind], self.changed[kind]
            report.count(kind, "created", len(created))
            report.count(kind, "updated", len(changed))
            report.count(kind, "unchanged", len(self.named[kind]) - len(created) - len(changed))
            for instance in created[:SAMPLES]:
                report.sample(kind, "created", label(instance))
            for instance, fields in list(changed.values())[:SAMPLES]:
                what = ", ".join(sorted(FIELD_LABELS.get(f, f) for f in fields))
                report.sample(kind, "updated", f"{label(instance)} ({what})")

    def plan(self, rows, partial=False):
        """partial: some rows were invalid, so rules that need every row of the file are not checked."""
        self.partial = partial
        self.pending_planned = {}
        self.assignment_rows = {}
        self.entry_rows = {}
        self.entry_row = {}  # pk of an existing entry the file changes -> its row
        self.named = defaultdict(set)  # kind -> {id(instance)} named by the file
        self.load(rows)
        for row in rows:
            self.resolve(row)
        self.finish()

    # -- writing
    def check_still_drafts(self, pks):
        """The drafts this import changes, locked; one validated since the plan was made refuses its
        row (and the file: the caller's transaction is rolled back)."""
        since = []
        locked = HoursEntry.objects.select_for_update(of=("self",)).select_related("validated_by")
        for chunk in _chunks(pks):
            since.extend(locked.filter(pk__in=chunk, status=HoursEntry.Status.VALIDATED))
        if since:
            for entry in sorted(since, key=lambda e: self.entry_row[e.pk].number):
                self.refuse_validated(self.entry_row[entry.pk], entry)
            raise ValidatedMeanwhile

    def apply(self, batch=None, progress=None):
        """Write the plan (the caller holds the transaction)."""
        user, now = self.user, timezone.now()
        reason = f"Import du tableau de suivi {self.file_name}"[:100]
        history = {"default_user": user, "default_change_reason": reason, "default_date": now}
        new, changed = self.new, self.changed

        def step(name):
            if progress:
                progress("écriture", name, None)

        step("donneurs d'ordre")
        Buyer.objects.bulk_create(new["buyers"], batch_size=BATCH_SIZE)
        Operation.objects.bulk_create(new["operations"], batch_size=BATCH_SIZE)
        step("marchés")
        today = timezone.localdate()
        for created in (*new["markets"], *new["lots"]):
            first = self.first_month.get(id(created))
            if first is not None:
                created.starts_on = first
                if isinstance(created, Market):  # « En exécution depuis le » its first month
                    created.stage_reached_on = min(first, today)
        Market.objects.bulk_create(new["markets"], batch_size=BATCH_SIZE)
        _update(Market, changed["markets"], now, refresh=("operation",))
        Lot.objects.bulk_create(new["lots"], batch_size=BATCH_SIZE)
        _update(Lot, changed["lots"], now)
        bulk_create_with_history(new["clauses"], Clause, batch_size=BATCH_SIZE, **history)
        step("entreprises")
        Company.objects.bulk_create(new["companies"], batch_size=BATCH_SIZE)
        _update(Company, changed["companies"], now)
        bulk_create_with_history(new["awards"], Award, batch_size=BATCH_SIZE, **history)
        step("participants")
        bulk_create_with_history(new["participants"], Participant, batch_size=BATCH_SIZE, **history)
        _update(Participant, changed["participants"], now, history=history)
        if self.new_criteria:
            codes = {code for _, code in self.new_criteria}
            labels = dict(CRITERIA)
            for code in codes - set(self.criteria):  # a table emptied by a test flush: re-create
                self.criteria[code] = Criterion.objects.get_or_create(
                    code=code, defaults={"label": labels[code]}
                )[0]
            through = Participant.criteria.through
            through.objects.bulk_create(
                [
                    through(participant_id=p.pk, criterion_id=self.criteria[code].pk)
                    for p, code in self.new_criteria
                ],
                batch_size=BATCH_SIZE,
            )
        step("mises à l'emploi")
        bulk_create_with_history(new["assignments"], Assignment, batch_size=BATCH_SIZE, **history)
        _update(Assignment, changed["assignments"], now, refresh=("company",), history=history)
        step("heures")
        validated = self.may_validate
        stamp = {
            "status": HoursEntry.Status.VALIDATED if validated else HoursEntry.Status.DRAFT,
            "validated_by": user if validated else None,
            "validated_at": now if validated else None,
            "source": HoursEntry.Source.IMPORT,
            "source_file": self.file_name[:255],
            "entered_by": user,
            "import_batch": batch,
        }
        for entry in new["entries"]:
            for name, value in stamp.items():
                setattr(entry, name, value)
        bulk_create_with_history(new["entries"], HoursEntry, batch_size=BATCH_SIZE, **history)
        updated = [entry for entry, _ in changed["entries"].values()]
        if updated and not validated:
            self.check_still_drafts([entry.pk for entry in updated])
        for entry in updated:
            for name, value in stamp.items():
                setattr(entry, name, value)
            entry.updated_at = now
        if updated:
            fields = ["hours", "training_hours", "updated_at", *stamp]
            bulk_update_with_history(updated, HoursEntry, fields, batch_size=500, **history)


class ValidatedMeanwhile(Exception):
    """An entry the import changes was validated by someone else after the plan (rows reported)."""


def validated_reason(entry):
    """« validée le 12/03/2026 par Nadia Benali : à rouvrir d'abord »."""
    when = f" le {timezone.localtime(entry.validated_at):%d/%m/%Y}" if entry.validated_at else ""
    by = entry.validated_by
    name = f" par {formatting.person_name(by)}" if by is not None else ""
    return f"validée{when}{name} : à rouvrir d'abord"


def _update(model, changed, now, refresh=(), history=None):
    """bulk_update the fields that changed, grouped by set of fields."""
    groups = defaultdict(list)
    for instance, fields in changed.values():
        for name in refresh:
            if name in fields:
                setattr(instance, f"{name}_id", getattr(instance, name).pk)
        fields = set(fields) - {"criteria"}
        if not fields:
            continue
        if any(f.name == "updated_at" for f in model._meta.fields):
            instance.updated_at = now
            fields.add("updated_at")
        groups[tuple(sorted(fields))].append(instance)
    for fields, instances in groups.items():
        if history is not None:
            bulk_update_with_history(instances, model, list(fields), batch_size=500, **history)
        else:
            model.objects.bulk_update(instances, list(fields), batch_size=500)


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


def _entry_label(a, row):
    person = a.participant
    return f"{person.last_name.upper()} {person.first_name} — {_lot_long_label(a.lot)} — {row.month:%m/%Y}"


def _lot_label(lot):
    return f"lot {lot.number}" if lot.number_key.isdigit() else str(lot.number)


def _lot_long_label(lot):
    return f"{lot.market.reference} {_lot_label(lot)}" + (f" — {lot.title}" if lot.title else "")


def _market_label(market):
    return f"{market.reference} — {market.title}"


def _company_label(company):
    return f"{company.name}" + (f" (SIRET {company.siret})" if company.siret else "")


def _award_key(company):
    return ("pk", company.pk) if company.pk is not None else ("new", id(company))


def _award_role_text(award, holder=None):
    """« (titulaire, sans engagement chiffré : il doit les heures du lot) »."""
    if award.role == Award.Role.HOLDER:
        return "(titulaire, sans engagement chiffré : il doit les heures du lot)"
    by = f" par « {holder.company.name} »" if holder is not None else ""
    return f"(sous-traitant, sans engagement chiffré : les heures du lot restent dues{by}, titulaire)"


def _award_label(award):
    return f"{_lot_long_label(award.lot)} — {award.company.name} {_award_role_text(award)}"


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
    "lots": _lot_long_label,
    "clauses": lambda c: f"{_lot_long_label(c.lot)} : {_hours_text(c.hours_required)} h",
    "companies": _company_label,
    "awards": _award_label,
    "participants": _person_label,
    "assignments": _assignment_label,
}


# --------------------------------------------------------------------------------------------------
# Entry point


def file_digest(source):
    digest = hashlib.sha256()
    if isinstance(source, (str, Path)):
        with Path(source).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    else:
        pos = source.tell()
        source.seek(0)
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
        source.seek(pos)
    return digest.hexdigest()


def read_rows(sheet, announced, report, progress=None):
    """(parser, valid rows); errors of invalid rows go to the report."""
    sheet_rows = SheetRows(sheet)
    rows_iter = iter(sheet_rows)
    number, header = next(rows_iter, (None, None))
    if number != 1 or all(_is_empty(v) for v in header):
        raise UnreadableFile(
            f"la ligne 1 de la feuille « {sheet.title} » est vide : elle doit porter les titres des colonnes."
        )
    positions, titles = map_header(header, report)
    sheet_rows.width = max(positions.values()) + 1  # cells right of the last known title: never read
    parser = RowParser(positions, titles, report)
    rows = []
    for count, (number, values) in enumerate(rows_iter, start=1):
        if progress is not None and count % 2000 == 0:
            progress("lecture", number, announced)
        for value in values:
            if value is not None and (not isinstance(value, str) or value.strip()):
                break
        else:
            continue  # an empty row
        report.rows_read += 1
        row = parser.parse(number, values)
        if row is not None:
            rows.append(row)
    if progress is not None:
        progress("lecture", announced or 0, announced)
    return parser, rows


def run_import(source, *, file_name=None, user=None, dry_run=False, batch=None, progress=None):
    """Import a tracking spreadsheet (a path or a binary file object). Never raises on bad input:
    an unreadable file gives a report with `fatal` set, invalid rows a report with errors (and
    nothing written). dry_run: validate and count without writing."""
    started = time.monotonic()
    if file_name is None:
        file_name = Path(source).name if isinstance(source, (str, Path)) else "classeur.xlsx"
    report = ImportReport(file_name=file_name, dry_run=dry_run)
    try:
        workbook, sheet, announced = open_workbook(source)
    except UnreadableFile as exc:
        report.fatal = str(exc)
        return report
    report.sheet = sheet.title
    try:
        parser, rows = read_rows(sheet, announced, report, progress)
    except UnreadableFile as exc:
        report.fatal = str(exc)
        return report
    except Exception:  # a damaged sheet inside a valid archive (logged, never shown)
        logger.warning("sheet %s unreadable", sheet.title, exc_info=True)
        report.fatal = "le classeur n'a pas pu être lu jusqu'au bout : la feuille est endommagée."
        return report
    finally:
        workbook.close()
    if not report.rows_read:
        report.warn("Aucune ligne de données sous la ligne des titres.")
    planner = Planner(report, parser, user, file_name)
    partial = bool(report.error_count)
    with transaction.atomic():
        planner.plan(rows, partial=partial)
        if not report.error_count and not dry_run:
            try:
                with transaction.atomic():
                    planner.apply(batch, progress)
            except IntegrityError as exc:
                report.add_error(
                    1, "—", "", f"l'enregistrement a échoué (modification simultanée ?) : {exc}".strip()
                )
            except ValidatedMeanwhile:
                pass  # the rows are in the report
            else:
                report.imported = True
                planner.in_past_tense()
    report.errors.sort(key=lambda e: (e.row, e.col or 0))
    report.seconds = round(time.monotonic() - started, 2)
    return report
