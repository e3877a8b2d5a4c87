"""Compact French figures for dashboards and cards, where the exact number is one click away:

{{ amount|money_short }}   → 2,4 M€ · 850 k€ · 12 000 €
{{ hours|hours_short }}    → 12 346 (whole hours, rounded half up)
{{ part|share_of:total }}  → 0–100 (for CSS widths: "77.9", with a dot)
Every figure is rounded half up to the places shown (clauses_site.formatting.rounded), as on every
other page, in the PDFs and in the exported cells.
"""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from clauses_site.formatting import rounded

register = template.Library()


def _number(value, places=0):
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def money_short(value):
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    if abs(value) >= 1_000_000_000:
        return f"{_number(rounded(value / 1_000_000_000, 2), 2)}\xa0Md€"
    if abs(value) >= 1_000_000:
        return f"{_number(rounded(value / 1_000_000, 1), 1)}\xa0M€"
    if abs(value) >= 10_000:
        return f"{_number(rounded(value / 1000, 0))}\xa0k€"
    return f"{_number(rounded(value, 0))}\xa0€"


@register.filter
def hours_short(value):
    if value is None or value == "":
        return "—"
    return _number(rounded(value, 0))


@register.filter
def share_of(part, total):
    """part ÷ total × 100, between 0 and 100 (0 when total is 0): for bar widths."""
    try:
        part, total = Decimal(str(part or 0)), Decimal(str(total or 0))
    except ArithmeticError:
        return 0
    if total <= 0:
        return 0
    return str(rounded(min(max(part / total * 100, Decimal(0)), Decimal(100)), 1))
