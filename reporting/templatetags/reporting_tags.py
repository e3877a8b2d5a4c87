"""Template helpers of the bilans.

{% load reporting_tags %}
{{ f.qpv|count }}              12, 1 234, or "< 3" as masked
{% progress_svg line.progress %}
{% include "reporting/chart.html" with chart=charts.sex %}
"""

from django import template

from clauses_site import formatting
from reporting import charts

register = template.Library()


@register.filter
def count(value):
    """A number of people or contracts in French format; a masked cell ("< 3") as is."""
    if isinstance(value, str):
        return value
    return formatting.integer(value)


@register.filter
def plural(value):
    """ "s" unless value is 0 or 1 (French: 0 personne, 1 personne, 2 personnes, "< 3" personnes)."""
    if isinstance(value, str):
        return "s"
    return "s" if value and value > 1 else ""


@register.filter
def share_of(part, whole):
    """part ÷ whole as a percentage ("60,0 %"), empty when it cannot be computed (masked, 0)."""
    rate = charts.share(part, whole)
    return "" if rate is None else formatting.percent(rate)


@register.simple_tag
def progress_svg(progress, width=None):
    return charts.progress_bar(progress, width=width)
