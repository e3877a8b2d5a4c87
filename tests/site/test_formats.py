import datetime
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation


def render(source, **context):
    with translation.override("fr"):
        return Template("{% load l10n humanize %}" + source).render(Context(context))


def test_numbers_and_dates_are_french():
    out = render(
        "{{ n }}|{{ d }}|{{ h|floatformat:2 }}",
        n=Decimal("1234.5"),
        d=datetime.date(2026, 11, 26),
        h=Decimal("1234.5"),
    )
    assert out == "1\xa0234,5|26/11/2026|1\xa0234,50"
