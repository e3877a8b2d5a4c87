"""Text helpers shared by every app: matching keys that ignore case, accents, spaces and punctuation,
and the SIRET check. Pure functions, no Django models."""

import re
import unicodedata


def strip_accents(value):
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def normalize(value):
    """For search and display-insensitive comparison: lower case, no accents, single spaces."""
    return re.sub(r"\s+", " ", strip_accents(str(value or "")).lower()).strip()


def match_key(value):
    """For identity matching: like normalize(), and also without spaces, hyphens, apostrophes, dots
    and other punctuation (« Saint-Pol » = « saint pol » = « SAINTPOL »)."""
    return re.sub(r"[^0-9a-z]", "", normalize(value))


LEGAL_FORMS = r"\b(sas|sasu|sarl|eurl|sa|sci|snc|scop|scic|eirl|ei|sem|spl|gie|association|asso)\b"


def company_key(value):
    """Company names match ignoring case, accents, punctuation and the legal form."""
    # Dots vanish first, so that « S.A.S. » is « sas »; other punctuation separates words.
    text = re.sub(r"[^0-9a-z ]", " ", normalize(value).replace(".", ""))
    text = re.sub(LEGAL_FORMS, " ", text)
    return re.sub(r"\s+", "", text) or match_key(value)


def clean_siret(value):
    """Digits only (spaces allowed in input)."""
    return re.sub(r"[\s.]", "", str(value or ""))


LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"


def siret_is_valid(siret):
    """14 digits passing the Luhn check. La Poste's establishments (SIREN 356000000) use a digit sum
    multiple of 5 instead, except its head office, which passes the Luhn check."""
    if not re.fullmatch(r"\d{14}", siret):
        return False
    if siret.startswith(LA_POSTE_SIREN) and siret != LA_POSTE_HEAD_OFFICE:
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_is_valid(siret)


def luhn_is_valid(digits):
    """The Luhn check (SIREN, SIRET): doubling every second digit from the right, the sum ends in 0."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        digit = int(char)
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def with_luhn_digit(base):
    """`base` followed by the digit that makes it pass the Luhn check: 13 digits → a valid SIRET."""
    return next(f"{base}{last}" for last in range(10) if luhn_is_valid(f"{base}{last}"))
