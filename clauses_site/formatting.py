"""French number formats for screens (tables, templates): 1 234,50 h, 1 234 567,00 €, 83,3 %.
The non-breaking space of Django's French THOUSAND_SEPARATOR is kept so that numbers never wrap.

One rounding rule everywhere: half up to the precision shown (rounded()), on the page, in the PDF and in
exported cells (clauses_site/exports.py) — Django's number_format alone cuts the extra digits (0,7795
would read 77,9 % on the page and 78,0 % in a spreadsheet)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def person_name(user):
    """A user as the team reads them: « Sophie Deschodt », else the log-in; "" for nobody."""
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def rounded(value, places):
    """value as a Decimal rounded half up to `places` decimals: rounded(Decimal("77.95"), 1) → 78.0."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def hours(value, places=2):
    """1 234,50 (None → empty)."""
    if value is None or value == "":
        return ""
    return number_format(rounded(value, places), decimal_pos=places, use_l10n=True, force_grouping=True)


def money(value):
    """1 234 567,00 (euros, without the sign)."""
    return hours(value, 2)


def integer(value):
    if value is None or value == "":
        return ""
    return number_format(int(value), decimal_pos=0, use_l10n=True, force_grouping=True)


def duration_in_seconds(value):
    """« 0,2 seconde », « 1 seconde », « 30 secondes »: French takes the plural from 2 on."""
    number = Decimal(str(value))
    text = number_format(
        number.normalize() if number % 1 else int(number), use_l10n=True, force_grouping=True
    )
    return f"{text}\xa0seconde{'s' if abs(number) >= 2 else ''}"


def percent(rate, places=1):
    """A fraction as a percentage, half up: Decimal('0.8333') → 83,3 %, Decimal('0.7795') → 78,0 %."""
    if rate is None or rate == "":
        return ""
    value = rounded(Decimal(str(rate)) * 100, places)
    return f"{number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)}\xa0%"


def plain_percent(rate):
    """A fraction as a percentage without trailing zeros: 0.5 → 50 %, 0.055 → 5,5 %."""
    if rate is None or rate == "":
        return ""
    value = (Decimal(str(rate)) * 100).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return f"{number_format(value, use_l10n=True, force_grouping=True)}\xa0%"
