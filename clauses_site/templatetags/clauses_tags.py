"""Template helpers: French number filters and the progress bar (done vs owed vs expected to date).

{% load clauses_tags %}
{{ lot.hours_done|hours }} h   {{ rate|percent }}   {{ amount|money }} €
{% progress_bar progress %}     (a hours.queries.Progress)
"""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from clauses_site import formatting

register = template.Library()


# The French number formats of clauses_site/formatting.py, as filters of the same names.
for _name in ("hours", "money", "integer", "percent", "plain_percent"):
    register.filter(_name, getattr(formatting, _name))


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


@register.simple_tag
def table_rows(table):
    """The rows of a django-tables2 table's current page, rendered in Python: the same cells as the
    library's per-cell template (values localised, <td> attributes), several times faster — a list
    page spends most of its time there. Used by templates/includes/table.html."""
    columns = list(table.columns)
    if not columns:
        return ""
    static_attrs = {}
    for bound in columns:
        td = bound.column.attrs.get("td", {})
        if not any(callable(v) for v in td.values()):
            static_attrs[bound.name] = bound.attrs["td"].as_html()
    parts = []
    for row in table.paginated_rows:
        parts.append(format_html("<tr {}>", row.attrs.as_html()))
        for bound, value in row.items():
            attrs = static_attrs.get(bound.name)
            if attrs is None:  # attributes computed from the record
                attrs = bound.attrs["td"].as_html()
            text = str(value) if bound.localize is False else localize(template_localtime(value))
            parts.append(format_html("<td {}>{}</td>", attrs, conditional_escape(text)))
        parts.append("</tr>")
    if len(parts) == 0 and table.empty_text:
        parts.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above
