"""Template helpers: French number filters and the progress bar (done vs owed vs expected to date).

{% load clauses_tags %}
{{ lot.hours_done|hours }} h   {{ rate|percent }}   {{ amount|money }} €
{% progress_bar progress %}     (a hours.queries.Progress)
"""

from django import template

from clauses_site import formatting

register = template.Library()


@register.filter
def hours(value):
    return formatting.hours(value)


@register.filter
def money(value):
    return formatting.money(value)


@register.filter
def integer(value):
    return formatting.integer(value)


@register.filter
def percent(value):
    return formatting.percent(value)


@register.filter
def plain_percent(value):
    return formatting.plain_percent(value)


@register.inclusion_tag("includes/progress_bar.html")
def progress_bar(progress, label=""):
    """progress: hours.queries.Progress (required, done, expected, rate, lagging)."""
    if progress is None:
        return {"progress": None}
    return {
        "progress": progress,
        "label": label,
        "done_percent": f"{progress.percent(progress.done):.1f}",
        "expected_percent": (
            f"{progress.percent(progress.expected):.1f}" if progress.expected is not None else None
        ),
    }
