"""Charts as hand-made SVG: one code path for the web pages (inline SVG) and the PDF (WeasyPrint).

    chart = charts.bar_chart("Heures par mois", [(date, Decimal), …])        # vertical bars
    chart = charts.hbar_chart("Personnes par sexe", {"Femmes": 3, "Hommes": "< 3"}, unit="personnes")
    chart = charts.gauge("Taux de réalisation", Decimal("0.4862"))
    svg = charts.progress_bar(progress)                                      # hours.queries.Progress
    {% include "reporting/chart.html" with chart=chart %}                     # figure + data table

Every chart carries a text alternative: <title> and <desc> inside the SVG (role="img") and its data as
rows (chart.rows) that the template prints as a table; in the PDF (chart.pdf_svg) the <title> holds the
description, which WeasyPrint writes as the tagged figure's /Alt. No JavaScript, no external library; the SVG
uses fixed pixel sizes in a viewBox so that it scales on screen and prints crisply on paper.
"""

import datetime
import itertools
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

from clauses_site import formatting
from clauses_site.months import SHORT_MONTH_NAMES, month_label

PRIMARY = "#0b4f6c"
POSITIVE = "#2e7d32"
LATE = "#b26a00"
TRACK = "#e3e8ee"
GRID = "#c8d0d8"
TEXT = "#1f2933"
MUTED = "#5b6670"
FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Chart:
    title: str
    desc: str
    svg: str  # safe markup
    headers: tuple[str, str]
    rows: tuple[tuple[str, str], ...]  # (label, formatted value): the data table
    kind: str

    def __str__(self):
        return self.svg

    @property
    def pdf_svg(self):
        """The SVG as the PDF prints it: WeasyPrint's PDF/UA tagging takes a figure's text alternative
        (/Alt) from the SVG's <title> alone, so there the title carries the description, figures
        included (the description starts with the title)."""
        title = f">{escape(self.title)}</title>"
        return mark_safe(self.svg.replace(title, f">{escape(self.desc)}</title>", 1))


def _fmt(value, unit):
    """A value as printed on a chart: hours 1 234,50; people 12; a masked cell stays "< 3"."""
    if isinstance(value, str):
        return value
    if unit == "h":
        return f"{formatting.hours(value)}\xa0h"
    if unit == "%":
        return formatting.percent(value)
    return formatting.integer(value)


def _number(value):
    return float(value) if not isinstance(value, str) else 0.0


def _svg(width, height, title, desc, body):
    n = next(_ids)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="chart-t{n} chart-d{n}" font-family="{FONT}" font-size="11" fill="{TEXT}">'
        f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _describe(title, rows, unit_label):
    if not rows:
        return f"{title} : aucune donnée sur la période."
    items = " ; ".join(f"{label} : {value}" for label, value in rows)
    return f"{title} ({unit_label}) — {items}."


def _nice_step(value, ticks=4):
    """A round step (1, 2, 2.5 or 5 × 10^n) so that `ticks` steps cover value."""
    if value <= 0:
        return 1.0
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if raw <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def month_name(month):
    """« janv. » (axis labels)."""
    return SHORT_MONTH_NAMES[month.month - 1]


def label_text(label):
    """A point's label in tooltips and data tables: « janv. 2026 » for a month, else the label as text."""
    return f"{month_name(label)} {label.year}" if isinstance(label, datetime.date) else str(label)


def _value_axis(biggest, width, left, right, top, plot_h):
    """The value scale of a bar chart: (the value at the top of the plot, its grid lines and labels)."""
    step = _nice_step(biggest)
    ticks = max(math.ceil(biggest / step), 1)
    parts = []
    for i in range(ticks + 1):  # grid lines and axis labels
        value = step * i
        y = top + plot_h - plot_h * i / ticks
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        label = formatting.integer(round(value)) if step >= 1 else formatting.hours(value, 1)
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{label}</text>')
    return step * ticks, parts


def bar_chart(title, points, unit="h", width=640, height=230, color=PRIMARY):
    """Vertical bars, one per point [(label or month date, value)]: hours by month."""
    rows = tuple((label_text(label), _fmt(value, unit)) for label, value in points)
    left, right, top, bottom = 58, 10, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    biggest = max((_number(v) for _, v in points), default=0)
    top_value, parts = _value_axis(biggest, width, left, right, top, plot_h)
    count = max(len(points), 1)
    slot = plot_w / count
    bar_w = max(slot * 0.7, 1)
    every = 1 if count <= 12 else (3 if count <= 36 else 6)
    for i, (label, value) in enumerate(points):
        h = plot_h * _number(value) / top_value
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{escape(rows[i][0])} : {escape(rows[i][1])}</title></rect>"
        )
        if i % every == 0:
            text = (
                (month_name(label) if count <= 12 else month_label(label, short=True))
                if isinstance(label, datetime.date)
                else str(label)
            )
            cx = left + slot * i + slot / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                f'fill="{MUTED}" font-size="10">{escape(text)}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{MUTED}"/>'
    )
    unit_label = "heures" if unit == "h" else unit
    desc = _describe(title, rows, unit_label)
    return Chart(
        title, desc, _svg(width, height, title, desc, "".join(parts)), ("Mois", unit_label), rows, "bar"
    )


def hbar_chart(title, items, unit="personnes", width=330, hide_zero=False, highlight=(), color=PRIMARY):
    """Horizontal bars, one per item {label: value}; a masked value ("< 3") gets no bar. Labels in
    `highlight` are drawn in green (positive outcomes)."""
    entries = [(str(k), v) for k, v in items.items() if not (hide_zero and not isinstance(v, str) and not v)]
    rows = tuple((label, _fmt(value, unit)) for label, value in entries)
    row_h, top = 20, 4
    label_w, value_w = 168, 62
    bar_area = width - label_w - value_w - 8
    height = top * 2 + row_h * max(len(entries), 1)
    biggest = max((_number(v) for _, v in entries), default=0) or 1
    parts = []
    if not entries:
        parts.append(f'<text x="0" y="{top + 15}" fill="{MUTED}">Aucune donnée sur la période.</text>')
    for i, (label, value) in enumerate(entries):
        y = top + i * row_h
        shown = label if len(label) <= 31 else label[:30] + "…"
        full = f"<title>{escape(label)}</title>" if shown != label else ""  # the whole label on hover
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="10">'
            f"{escape(shown)}{full}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_area}" height="{row_h - 8}" fill="{TRACK}" rx="2"/>'
        )
        w = bar_area * _number(value) / biggest
        fill = POSITIVE if label in highlight else color
        if w > 0:
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 1.5):.1f}" height="{row_h - 8}" '
                f'fill="{fill}" rx="2"/>'
            )
        parts.append(
            f'<text x="{label_w + bar_area + 5}" y="{y + 14}" font-weight="bold">{escape(rows[i][1])}</text>'
        )
    unit_label = {"h": "heures"}.get(unit, unit)
    desc = _describe(title, rows, unit_label)
    return Chart(
        title,
        desc,
        _svg(width, height, title, desc, "".join(parts)),
        ("", unit_label.capitalize()),
        rows,
        "hbar",
    )


def gauge(title, rate, caption="des heures dues réalisées", width=220, height=140):
    """A half-circle gauge for a completion rate (a Decimal fraction, not capped: 1,08 prints 108 %)."""
    value = float(rate or 0)
    shown = min(max(value, 0.0), 1.0)
    cx, cy, r, stroke = width / 2, 112, 86, 22

    def point(fraction):
        angle = math.pi * (1 - fraction)
        return cx + r * math.cos(angle), cy - r * math.sin(angle)

    x0, y0 = point(0)
    x1, y1 = point(1)
    parts = [
        f'<path d="M {x0:.1f} {y0:.1f} A {r} {r} 0 0 1 {x1:.1f} {y1:.1f}" fill="none" '
        f'stroke="{TRACK}" stroke-width="{stroke}"/>'
    ]
    if shown > 0:
        xe, ye = point(shown)
        colour = POSITIVE if value >= 1 else PRIMARY
        parts.append(
            f'<path d="M {x0:.1f} {y0:.1f} A {r} {r} 0 0 1 {xe:.1f} {ye:.1f}" fill="none" '
            f'stroke="{colour}" stroke-width="{stroke}"/>'
        )
    text = formatting.percent(rate or 0)
    parts.append(
        f'<text x="{cx}" y="{cy - 14}" text-anchor="middle" font-size="26" font-weight="bold">{text}</text>'
    )
    parts.append(f'<text x="{cx}" y="{cy + 20}" text-anchor="middle" fill="{MUTED}">{escape(caption)}</text>')
    rows = ((caption, text),)
    desc = f"{title} : {text} {caption}."
    return Chart(title, desc, _svg(width, height, title, desc, "".join(parts)), ("", "Taux"), rows, "gauge")


def progress_bar(progress, width=None):
    """A small bar: hours done to date against owed, with a tick at the expected-to-date; the colour
    says late (orange), done (green) or on its way (blue). Plain boxes styled by static/reporting/
    bilan.css (.pbar…) rather than an SVG: a bilan's tables hold hundreds of bars, and boxes are what
    WeasyPrint lays out and draws fastest. role="img" with the figures as aria-label. Safe HTML."""
    if progress is None or not progress.required:
        return mark_safe("")
    done = min(float(progress.done / progress.required), 1.0) * 100
    state = " pbar-late" if progress.lagging else (" pbar-full" if progress.rate >= 1 else "")
    label = (
        f"{formatting.hours(progress.done)} h réalisées sur {formatting.hours(progress.required)} h dues "
        f"({formatting.percent(progress.rate)})"
    )
    if progress.expected is not None:
        through = getattr(progress, "expected_through", None)
        when = f"à fin {month_label(through)}" if through else "à date"
        label += f", attendu {when} {formatting.hours(progress.expected)} h"
    if progress.lagging:
        label += ", en retard"
    tick = ""
    if progress.expected is not None and progress.expected < progress.required:  # at the end: no tick
        x = float(progress.expected / progress.required) * 100
        tick = f'<span class="pbar-due" style="width:{x:.1f}%"></span>'
    size = f' style="width:{width}px"' if width else ""
    return mark_safe(
        f'<span class="pbar" role="img" aria-label="{escape(label)}"{size}>'
        f'<span class="pbar-done{state}" style="width:{done:.1f}%"></span>{tick}</span>'
    )


def share(part, whole):
    """part ÷ whole as a Decimal fraction (0 when whole is 0), for captions."""
    if not whole or isinstance(part, str):
        return None
    return Decimal(part) / Decimal(whole)


def grouped_bar_chart(title, labels, series, unit="h", width=640, height=240):
    """Bars side by side for each label (months), one colour per series, with a legend: hours by month
    this year and last year on the dashboard. series: [(name, values, colour)], values aligned with
    labels. The data table (rows) has one column per series: headers ("Mois", name1, name2…)."""
    names = [name for name, _, _ in series]
    rows = tuple(
        (
            label_text(label),
            *(_fmt(values[i], unit) for _, values, _ in series),
        )
        for i, label in enumerate(labels)
    )
    left, right, top, bottom = 58, 10, 26, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    biggest = max((_number(v) for _, values, _ in series for v in values), default=0)
    top_value, axis = _value_axis(biggest, width, left, right, top, plot_h)
    parts = []
    for i, (name, _, colour) in enumerate(series):  # legend, top right
        x = width - right - 90 * (len(series) - i)
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}" rx="2"/>')
        parts.append(f'<text x="{x + 17}" y="14.5">{escape(name)}</text>')
    parts += axis
    slot = plot_w / max(len(labels), 1)
    group_w = slot * 0.8
    bar_w = max(group_w / max(len(series), 1), 1)
    for i, label in enumerate(labels):
        for j, (name, values, colour) in enumerate(series):
            h = plot_h * _number(values[i]) / top_value
            x = left + slot * i + (slot - group_w) / 2 + bar_w * j
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(rows[i][0])}, {escape(name)} : {escape(rows[i][1 + j])}'
                f"</title></rect>"
            )
        text = month_name(label) if isinstance(label, datetime.date) else str(label)
        parts.append(
            f'<text x="{left + slot * i + slot / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
            f'fill="{MUTED}" font-size="10">{escape(text)}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{MUTED}"/>'
    )
    unit_label = "heures" if unit == "h" else unit
    items = " ; ".join(
        f"{row[0]} : " + ", ".join(f"{n} {v}" for n, v in zip(names, row[1:], strict=True)) for row in rows
    )
    desc = f"{title} ({unit_label}) — {items}." if rows else f"{title} : aucune donnée."
    headers = ("Mois" if labels and isinstance(labels[0], datetime.date) else "", *names)
    return Chart(title, desc, _svg(width, height, title, desc, "".join(parts)), headers, rows, "grouped")
