"""Reading one cell of the tracking sheet: text, numbers (decimal comma or point), dates (cells or
JJ/MM/AAAA, AAAA-MM-JJ, serial numbers), months (MM/AAAA, AAAA-MM, « mars 2025 », a date of the month)
and the format's vocabularies (modality, contract type, sex, QPV, level, publics, SIRET). Each column's
parser (PARSERS) turns a raw cell value into the normalised value or raises CellError with the reason in
French."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

from clauses_site.exports import DANGEROUS_PREFIXES
from clauses_site.text import clean_siret, match_key, siret_is_valid, strip_accents
from clauses_site.vocabulary import CRITERIA, CRITERIA_CODES
from companies.models import Company
from hours.grid import future_month_error
from hours.models import MAX_MONTH_HOURS, Assignment, ContractType, Modality
from markets.models import Buyer, Lot, Market, Operation
from participants.models import Participant

TWO_PLACES = Decimal("0.01")


class CellError(Exception):
    pass


def display(value):
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
        text = display(value)
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in DANGEROUS_PREFIXES:
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


def _enum_choices(enum, aliases):
    """An enumeration's labels and values, and other spellings of them."""
    return _choices([(m.label, m.value) for m in enum] + [(m.value, m.value) for m in enum] + aliases)


MODALITIES = _enum_choices(
    Modality,
    [
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
    ],
)
CONTRACT_TYPES = _enum_choices(
    ContractType,
    [
        ("Intérimaire", ContractType.TEMP),
        ("Travail temporaire", ContractType.TEMP),
        ("Contrat de travail temporaire", ContractType.TEMP),
        ("CTT", ContractType.TEMP),
        ("Contrat d'apprentissage", ContractType.APPRENTICESHIP),
        ("Professionnalisation", ContractType.PROFESSIONALISATION),
        ("Contrat pro", ContractType.PROFESSIONALISATION),
    ],
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


def is_empty(value):
    return value is None or (isinstance(value, str) and value.strip() == "")
